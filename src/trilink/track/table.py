"""The tracker's track table: one row per track, every field a numpy array (struct of arrays).

Rows are appended when tracks start and compacted away when they are deleted, so every
per-scan operation (prediction, gating, update) is a vectorised expression over rows.
"""

from dataclasses import dataclass, field

import numpy as np

from trilink.track.motion import STATE_DIM

TENTATIVE = 0
CONFIRMED = 1

RADAR_BIT = 1
IR_BIT = 2

HISTORY_LENGTH = 90
"""Filtered states kept per track from its start (for the launch-point fit)."""


@dataclass
class TrackTable:
    """All live tracks of one tracker."""

    x: np.ndarray = field(default_factory=lambda: np.zeros((0, STATE_DIM)))
    p: np.ndarray = field(default_factory=lambda: np.zeros((0, STATE_DIM, STATE_DIM)))
    t: np.ndarray = field(default_factory=lambda: np.zeros(0))
    serial: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    status: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    boost: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    hits: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    first: np.ndarray = field(default_factory=lambda: np.zeros(0))
    last: np.ndarray = field(default_factory=lambda: np.zeros(0))
    kinds: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    calm: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Successive updates with the thrust consistent with zero (burnout test)."""
    nis: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    """Normalised innovation (NIS − dim) of the last three updates (manoeuvre test)."""
    drag_seen: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    boosted: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    """Whether the track was ever in the boost model."""
    max_height: np.ndarray = field(default_factory=lambda: np.zeros(0))
    rcs_db: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Smoothed radar cross-section, dBsm, from the plots' SNR (NaN until one is known)."""
    rcs_n: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    impact_due: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Predicted impact time of a coasting track (NaN until computed; reset by every update)."""
    last_id: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Id of the last measurement that updated each track (provenance, evaluation)."""
    history: dict[int, np.ndarray] = field(default_factory=dict)
    """serial → (HISTORY_LENGTH, 8) rows [t, x, y, z, vx, vy, vz, boost] of the first updates (NaN: none)."""

    def __len__(self) -> int:
        return len(self.t)

    def append(self, x: np.ndarray, p: np.ndarray, t: np.ndarray, serial: np.ndarray, kinds: int,
               boost: np.ndarray, height: np.ndarray, ids: np.ndarray) -> None:
        """Add new tentative tracks (K rows) with one hit each."""
        k = len(t)
        self.x = np.concatenate([self.x, x])
        self.p = np.concatenate([self.p, p])
        self.t = np.concatenate([self.t, t])
        self.serial = np.concatenate([self.serial, serial])
        self.status = np.concatenate([self.status, np.full(k, TENTATIVE, dtype=np.int8)])
        self.boost = np.concatenate([self.boost, boost])
        self.hits = np.concatenate([self.hits, np.ones(k, dtype=np.int64)])
        self.first = np.concatenate([self.first, t])
        self.last = np.concatenate([self.last, t])
        self.kinds = np.concatenate([self.kinds, np.full(k, kinds, dtype=np.int8)])
        self.calm = np.concatenate([self.calm, np.zeros(k, dtype=np.int64)])
        self.nis = np.concatenate([self.nis, np.zeros((k, 3))])
        self.drag_seen = np.concatenate([self.drag_seen, np.zeros(k, dtype=bool)])
        self.boosted = np.concatenate([self.boosted, boost])
        self.max_height = np.concatenate([self.max_height, height])
        self.rcs_db = np.concatenate([self.rcs_db, np.full(k, np.nan)])
        self.rcs_n = np.concatenate([self.rcs_n, np.zeros(k, dtype=np.int64)])
        self.last_id = np.concatenate([self.last_id, ids.astype(np.int64)])
        self.impact_due = np.concatenate([self.impact_due, np.full(k, np.nan)])
        for i in range(k):
            rows = np.full((HISTORY_LENGTH, 8), np.nan)
            rows[0] = self._row(len(self) - k + i)
            self.history[int(serial[i])] = rows

    def _row(self, i: int) -> np.ndarray:
        return np.concatenate([[self.t[i]], self.x[i, :6], [float(self.boost[i])]])

    def record(self, rows: np.ndarray) -> None:
        """Append the current state of ``rows`` to the young tracks' histories."""
        young = rows[self.hits[rows] <= HISTORY_LENGTH]
        for i in young:
            self.history[int(self.serial[i])][int(self.hits[i]) - 1] = self._row(int(i))

    def swap_identity(self, a: int, b: int) -> None:
        """Exchange two rows' identities (serial, start time, history, boost record), not their states."""
        for name in ("serial", "first", "boosted"):
            arr = getattr(self, name)
            arr[a], arr[b] = arr[b], arr[a]

    def keep(self, mask: np.ndarray) -> None:
        """Drop every row where ``mask`` is False."""
        for s in self.serial[~mask]:
            self.history.pop(int(s), None)
        for name in ("x", "p", "t", "serial", "status", "boost", "hits", "first", "last", "kinds", "calm",
                     "nis", "drag_seen", "boosted", "max_height", "rcs_db", "rcs_n", "last_id", "impact_due"):
            setattr(self, name, getattr(self, name)[mask])
