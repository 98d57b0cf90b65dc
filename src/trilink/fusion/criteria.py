"""The choices a fusion rule offers: what to minimise, and which intersection to use."""

from enum import StrEnum


class Criterion(StrEnum):
    """What covariance intersection (and its inverse variant) minimises over ω."""

    DET = "det"
    TRACE = "trace"


class Rule(StrEnum):
    """How two estimates with unknown correlation are fused."""

    CI = "ci"
    """Covariance intersection: consistent for any correlation (the default)."""
    ICI = "ici"
    """Inverse covariance intersection: consistent when the correlation comes from common
    information (shared priors, relays); tighter, and its matrix gains combine ellipses
    at an angle better — but not consistent for an arbitrary correlation."""
