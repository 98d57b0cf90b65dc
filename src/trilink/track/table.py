"""The tracker's track table: one row per track, every field a numpy array (struct of arrays).

Rows are appended when tracks start and compacted away when they are deleted, so every
per-scan operation (prediction, gating, update) is a vectorised expression over rows.
"""

from dataclasses import dataclass, field

import numpy as np

from trilink.track import kernels
from trilink.track.motion import STATE_DIM

TENTATIVE = 0
CONFIRMED = 1

RADAR_BIT = 1
IR_BIT = 2

HISTORY_LENGTH = 90
"""Filtered states kept per track from its start (for the launch-point fit)."""
SHOWN_KEYS = 6
_COLUMNS = ("x", "p", "t", "serial", "status", "boost", "hits", "first", "last", "kinds", "calm", "nis",
            "free_since", "boost_hits", "drag_seen", "boosted", "max_height", "rcs_db", "rcs_n", "ended",
            "last_id", "impact_due", "history", "history_n", "history_unsorted", "shown")


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
    free_since: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Time of the first update in the ballistic model since the boost model last ended (NaN in boost)."""
    boost_hits: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """``hits`` when the boost model was last switched on."""
    drag_seen: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    boosted: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    """Whether the track was ever in the boost model."""
    max_height: np.ndarray = field(default_factory=lambda: np.zeros(0))
    rcs_db: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Smoothed radar cross-section, dBsm, from the plots' SNR (NaN until one is known)."""
    rcs_n: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    impact_due: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Predicted impact time of a coasting track (NaN until computed; reset by every update)."""
    ended: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """When the boost model last ended on this row (burnout or a stage dropped), NaN otherwise."""
    last_id: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Id of the last measurement that updated each track (provenance, evaluation)."""
    history: np.ndarray = field(default_factory=lambda: np.zeros((0, HISTORY_LENGTH, 7)))
    """(N, HISTORY_LENGTH, 7) rows [t, x, y, z, vx, vy, vz] of each track's first updates, in update order."""
    history_n: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Rows of ``history`` written (follows the identity, like ``serial``)."""
    history_unsorted: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    """Whether a history row is earlier than the one before it (only after an identity swap)."""
    shown: np.ndarray = field(default_factory=lambda: np.zeros((0, SHOWN_KEYS)))
    """What the last output showed of each row (see ``Tracker``): a row is rebuilt only when this changes."""

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
        self.free_since = np.concatenate([self.free_since, np.where(boost, np.nan, t)])
        self.boost_hits = np.concatenate([self.boost_hits, np.zeros(k, dtype=np.int64)])
        self.drag_seen = np.concatenate([self.drag_seen, np.zeros(k, dtype=bool)])
        self.boosted = np.concatenate([self.boosted, boost])
        self.max_height = np.concatenate([self.max_height, height])
        self.rcs_db = np.concatenate([self.rcs_db, np.full(k, np.nan)])
        self.rcs_n = np.concatenate([self.rcs_n, np.zeros(k, dtype=np.int64)])
        self.last_id = np.concatenate([self.last_id, ids.astype(np.int64)])
        self.impact_due = np.concatenate([self.impact_due, np.full(k, np.nan)])
        self.ended = np.concatenate([self.ended, np.full(k, np.nan)])
        self.history_n = np.concatenate([self.history_n, np.zeros(k, dtype=np.int64)])
        self.history_unsorted = np.concatenate([self.history_unsorted, np.zeros(k, dtype=bool)])
        self.shown = np.concatenate([self.shown, np.full((k, SHOWN_KEYS), np.nan)])
        self.history = np.concatenate([self.history, np.full((k, HISTORY_LENGTH, 7), np.nan)])
        self.record(np.arange(len(self) - k, len(self)))

    def record(self, rows: np.ndarray) -> None:
        """Append the current state of ``rows`` (distinct) to their histories (their first HISTORY_LENGTH)."""
        kernels.record_history(rows, self.t, self.x, self.history, self.history_n, self.history_unsorted)

    def commit(self, rows: np.ndarray, time: float, late: np.ndarray, boost: np.ndarray, nis: np.ndarray,
               ids: np.ndarray, kind_bit: int) -> None:
        """The bookkeeping of an update of ``rows`` (distinct) by plots at ``time`` (states already written).

        ``late``: which plots were older than their row's state; ``boost``: each row's model after the
        update (a row leaving boost restarts its NIS record); ``nis``: each update's NIS less the
        measurement dimension; ``ids``: the plots' ids; ``kind_bit``: the sensor kind's bit.
        """
        kernels.commit_updates(rows, time, late, boost, nis, ids, kind_bit, self.t, self.last, self.hits,
                               self.last_id, self.impact_due, self.kinds, self.nis, self.boost, self.ended)

    def swap_identity(self, a: int, b: int) -> None:
        """Exchange two rows' identities (serial, start time, history, boost record), not their states."""
        for name in ("serial", "first", "boosted", "history_n", "history_unsorted", "history"):
            arr = getattr(self, name)
            arr[[a, b]] = arr[[b, a]]
        self.shown[[a, b]] = np.nan

    def moved(self, rows: np.ndarray, t: np.ndarray | float) -> np.ndarray:
        """(K, 6) position-velocity of ``rows`` carried to time(s) ``t`` along their velocity.

        A straight-line step, good for comparing tracks a few seconds apart (identity and
        duplicate tests), not a prediction.
        """
        x = self.x[rows, :6].copy()
        x[:, :3] += x[:, 3:6] * np.reshape(np.asarray(t, dtype=float) - self.t[rows], (-1, 1))
        return x

    def keep(self, mask: np.ndarray) -> None:
        """Drop every row where ``mask`` is False."""
        for name in _COLUMNS:
            setattr(self, name, getattr(self, name)[mask])
