"""A national tracker's estimate of one object: ECEF state with covariance."""

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from trilink.model.assessment import Phase
from trilink.model.measurement import SensorKind


class TrackStatus(StrEnum):
    """Life-cycle of a track (the wire format maps these to new/update/lost/dropped)."""

    TENTATIVE = "tentative"
    CONFIRMED = "confirmed"
    COASTING = "coasting"
    """Confirmed but no sensor has updated it recently (kept, flagged, extrapolated)."""
    DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class Track:
    """State of one track at ``time``: position and velocity in ECEF with 6x6 covariance."""

    track_id: str
    nation: str
    time: float
    state: np.ndarray
    """(6,) ECEF position (m) and velocity (m/s)."""
    covariance: np.ndarray
    """(6, 6) covariance of ``state`` (m², m²/s, m²/s²)."""
    status: TrackStatus
    phase: Phase
    first_time: float
    """Time of the first measurement in the track."""
    last_update: float
    """Time of the last measurement that updated the track."""
    n_updates: int
    sensor_kinds: frozenset[SensorKind] = field(default_factory=frozenset)
    ballistic_coefficient: float | None = None
    """m/(C_D·A), kg/m², when estimated (re-entry)."""
    ballistic_coefficient_sigma: float | None = None
    """1σ of ``ballistic_coefficient``, kg/m², when it is estimated."""
    history: np.ndarray | None = None
    """Optional (K, 7) array of past [t, x, y, z, vx, vy, vz] filtered states."""

    @property
    def position(self) -> np.ndarray:
        """ECEF position, metres."""
        return self.state[:3]

    @property
    def velocity(self) -> np.ndarray:
        """ECEF velocity, m/s."""
        return self.state[3:]
