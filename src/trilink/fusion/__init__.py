"""Track-to-track association and covariance-intersection fusion across nations.

The node feeds `SourceTrack`s (its own tracks and partners' verified reports) to
`update` (or a `FusionEngine`) and gets back a `Picture`: fused tracks with stable
global ids, their contributors, status, fused impact point, assessment, and any
disagreement between partners' impact predictions. Pure: time is an argument.
"""

from trilink.fusion.combine import bar_shalom_campo, covariance_intersection
from trilink.fusion.criteria import Criterion, Rule
from trilink.fusion.engine import FusedRecord, FusionConfig, FusionEngine, PictureState, update
from trilink.fusion.ici import inverse_covariance_intersection
from trilink.fusion.picture import Disagreement, FusedStatus, FusedTrack, Picture, Rejection
from trilink.fusion.source import ImpactPoint, SourceKey, SourceStatus, SourceTrack, validate_source

__all__ = [
    "Criterion",
    "Disagreement",
    "FusedRecord",
    "FusedStatus",
    "FusedTrack",
    "FusionConfig",
    "FusionEngine",
    "ImpactPoint",
    "Picture",
    "PictureState",
    "Rejection",
    "Rule",
    "SourceKey",
    "SourceStatus",
    "SourceTrack",
    "bar_shalom_campo",
    "covariance_intersection",
    "inverse_covariance_intersection",
    "update",
    "validate_source",
]
