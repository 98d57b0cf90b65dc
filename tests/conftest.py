"""Shared test settings: the size of Monte-Carlo and soak runs."""

import os


def trilink_full() -> bool:
    """True when the full-size (slow) Monte-Carlo and soak runs are asked for (TRILINK_FULL=1)."""
    return os.environ.get("TRILINK_FULL", "") not in ("", "0")
