"""Value types every stage shares: nations, measurements, tracks, assessments.

All quantities are SI (metres, seconds, radians), positions are WGS84 ECEF, and
times are UTC epoch seconds. Degrees and kilometres appear only at the edges.
"""

from trilink.model.assessment import (
    Assessment,
    ImpactEstimate,
    LaunchEstimate,
    MissileClass,
    Phase,
)
from trilink.model.measurement import Measurement, SensorKind
from trilink.model.nations import NATION_NAMES, is_nation_code
from trilink.model.track import Track, TrackStatus

__all__ = [
    "NATION_NAMES",
    "Assessment",
    "ImpactEstimate",
    "LaunchEstimate",
    "Measurement",
    "MissileClass",
    "Phase",
    "SensorKind",
    "Track",
    "TrackStatus",
    "is_nation_code",
]
