"""trilink: allied ballistic-missile warning sharing (tracking, signed reports, fusion, alerts)."""

__version__ = "0.1.0"
