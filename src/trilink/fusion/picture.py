"""What the fusion gives out: the common picture of fused tracks, disagreements and rejections."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from trilink.fusion.source import ImpactPoint, SourceKey
from trilink.model import Assessment, MissileClass, Phase, Track, TrackStatus


class FusedStatus(StrEnum):
    """Life-cycle of a fused track."""

    ACTIVE = "active"
    """At least one contributing source is current."""
    LOST = "lost"
    """No current source: extrapolated from the last fused estimate until it is dropped."""
    DROPPED = "dropped"
    """Gone: reported once with this status, then forgotten."""


@dataclass(frozen=True, slots=True)
class Disagreement:
    """Two nations' impact predictions for the same missile differ beyond their uncertainty."""

    fused_id: str
    source_a: SourceKey
    source_b: SourceKey
    mahalanobis_sq: float
    """d² of the two impact points with covariance C_a + C_b (χ², 2 degrees of freedom)."""
    distance: float
    """Metres between the two predicted impact points."""
    threshold: float
    """The d² beyond which the predictions are called inconsistent."""


@dataclass(frozen=True, slots=True)
class Rejection:
    """A source the fusion refused, with the reason."""

    nation: str
    track_id: str
    reason: str
    """One line naming what was wrong."""
    code: str = "invalid"
    """Stable short code for counters (``trilink.fusion.source.reason_code``)."""


@dataclass(frozen=True, slots=True)
class FusedTrack:
    """One object in the common picture: the fused estimate at ``time`` and where it came from."""

    fused_id: str
    """Global id, stable across updates: "<node nation>-F<n>"."""
    time: float
    state: np.ndarray
    """(6,) ECEF position (m) and velocity (m/s)."""
    covariance: np.ndarray
    """(6, 6)."""
    status: FusedStatus
    sources: tuple[SourceKey, ...]
    """The source tracks assigned to it now (nation, track id), sorted."""
    contributors: frozenset[SourceKey]
    """Every (nation, track id) whose information is inside the estimate (union of provenance)."""
    phase: Phase
    missile_class: MissileClass
    first_time: float
    """When the fused track was created (or its earliest source's first measurement)."""
    last_update: float
    """Time of the newest source estimate in it."""
    n_updates: int
    impact: ImpactPoint | None
    """Impact point fused (CI) from the sources' own predictions, when they gave any."""
    disagreements: tuple[Disagreement, ...] = ()
    assessment: Assessment | None = None
    """The fused state's own assessment (launch point, impact ellipse, time to impact), when computed."""
    merged_into: str | None = None
    """Set (with status DROPPED) when this fused track turned out to be the same object as another."""
    history: np.ndarray | None = None
    """(K, 7) past fused states [t, x, y, z, vx, vy, vz] (all at first, then thinned to the newest)."""

    def moved(self, time: float, state: np.ndarray, covariance: np.ndarray,
              status: FusedStatus) -> FusedTrack:
        """The same fused track with a new estimate and status (a fast `dataclasses.replace`)."""
        return FusedTrack(self.fused_id, time, state, covariance, status, self.sources, self.contributors,
                          self.phase, self.missile_class, self.first_time, self.last_update, self.n_updates,
                          self.impact, self.disagreements, self.assessment, self.merged_into, self.history)

    @property
    def nations(self) -> frozenset[str]:
        """Nations whose information is in the fused estimate."""
        return frozenset(n for n, _ in self.contributors)

    def to_track(self, nation: str | None = None) -> Track:
        """This fused track as a `trilink.model.Track` (for assessment, display and export)."""
        status = {FusedStatus.ACTIVE: TrackStatus.CONFIRMED, FusedStatus.LOST: TrackStatus.COASTING,
                  FusedStatus.DROPPED: TrackStatus.DELETED}[self.status]
        return Track(track_id=self.fused_id, nation=nation or self.fused_id.split("-")[0], time=self.time,
                     state=self.state, covariance=self.covariance, status=status, phase=self.phase,
                     first_time=self.first_time, last_update=self.last_update, n_updates=self.n_updates,
                     history=self.history)


@dataclass(frozen=True, slots=True)
class Picture:
    """The common picture at ``time``, as one node sees it."""

    nation: str
    time: float
    tracks: tuple[FusedTrack, ...]
    """Active and lost fused tracks, plus those dropped in this update (status DROPPED)."""
    disagreements: tuple[Disagreement, ...]
    rejected: tuple[Rejection, ...]
    """Sources refused in this update, with reasons (count them)."""
    changed: frozenset[str]
    """Fused ids created, re-assigned, or changed in status in this update (archive these)."""

    def track(self, fused_id: str) -> FusedTrack | None:
        """The fused track with this id, if present."""
        return next((t for t in self.tracks if t.fused_id == fused_id), None)

    def containing(self, nation: str, track_id: str) -> FusedTrack | None:
        """The fused track that a given source is assigned to, if any."""
        return next((t for t in self.tracks if (nation, track_id) in t.sources), None)
