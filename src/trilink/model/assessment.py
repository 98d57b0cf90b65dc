"""What operators and civil authorities need from a track: where from, where to, when, how sure.

Angles are radians, distances metres, times UTC epoch seconds. Ellipses are
given in the local east-north plane at their centre: semi-axes in metres and
the orientation of the major axis as an azimuth (radians clockwise from north),
together with the 2x2 east-north covariance they were computed from.
"""

from dataclasses import dataclass
from enum import StrEnum

import numpy as np


class Phase(StrEnum):
    """Flight phase of a missile."""

    BOOST = "boost"
    MIDCOURSE = "midcourse"
    REENTRY = "reentry"
    UNKNOWN = "unknown"


class MissileClass(StrEnum):
    """Range class of a ballistic missile (SRBM < 1,000 km ≤ MRBM < 3,000 ≤ IRBM < 5,500 ≤ ICBM)."""

    SRBM = "SRBM"
    MRBM = "MRBM"
    IRBM = "IRBM"
    ICBM = "ICBM"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Ellipse:
    """A probability ellipse on the ground around a point."""

    semi_major: float
    """Metres."""
    semi_minor: float
    """Metres."""
    orientation: float
    """Azimuth of the major axis, radians clockwise from north, in [0, π)."""
    probability: float
    """Probability mass inside (0.95 for the 95 % ellipse)."""
    covariance_en: np.ndarray
    """(2, 2) east-north covariance, m², from which the ellipse was drawn."""


@dataclass(frozen=True, slots=True)
class LaunchEstimate:
    """Estimated launch point and time."""

    time: float
    sigma_time: float
    lat: float
    lon: float
    ellipse: Ellipse


@dataclass(frozen=True, slots=True)
class ImpactEstimate:
    """Predicted impact point and time (geodetic height 0)."""

    time: float
    sigma_time: float
    lat: float
    lon: float
    ellipse: Ellipse
    samples: np.ndarray | None = None
    """Optional (N, 2) propagated impact samples [lat, lon] (radians), for non-Gaussian spreads."""


@dataclass(frozen=True, slots=True)
class Assessment:
    """The assessment of one track at ``time``."""

    track_id: str
    time: float
    phase: Phase
    launch: LaunchEstimate | None
    impact: ImpactEstimate | None
    apogee: float | None
    """Estimated apogee height above the ellipsoid, metres."""
    ground_range: float | None
    """Launch-to-impact geodesic distance, metres."""
    time_to_impact: float | None
    """Seconds from ``time`` to the predicted impact."""
    ground_track: np.ndarray
    """(K, 4) predicted path ahead: [t, lat, lon, height] (s, rad, rad, m) up to impact."""
    missile_class: MissileClass
    class_reason: str
