"""The tracker's output: table rows → immutable ``Track`` objects, rebuilt only for rows that changed.

Everything per row that can be is computed as arrays (phase, status, ballistic
coefficient); what remains per track is building the object, through the slots'
descriptors (see ``_positional_factory``), and copying its early history once it is full.
"""

import dataclasses
from collections.abc import Callable

import numpy as np

from trilink.model.assessment import Phase
from trilink.model.measurement import SensorKind
from trilink.model.track import Track, TrackStatus
from trilink.track.config import TrackerConfig
from trilink.track.motion import DRAG_SCALE, heights_below
from trilink.track.table import HISTORY_LENGTH, IR_BIT, RADAR_BIT, TENTATIVE, TrackTable

REENTRY_HEIGHT = 100_000.0
"""Below this height a descending object is in re-entry."""


class TrackOutput:
    """Builds and caches one tracker's ``Track`` objects."""

    def __init__(self, config: TrackerConfig) -> None:
        self.config = config
        self._cache: dict[int, Track] = {}
        """serial → the Track last returned for it (rebuilt when its row's ``shown`` key changes)."""
        self._names: dict[int, str] = {}
        """serial → track id (formatted once)."""
        self._full_history: dict[int, np.ndarray] = {}
        """serial → the complete (HISTORY_LENGTH rows) history, copied once."""

    def forget(self, live: list[int]) -> None:
        """Drop what is kept for serials no longer in the table (called after deletions)."""
        if len(self._names) > 2 * len(live) + 64:
            self._names = {serial: self._names[serial] for serial in live if serial in self._names}
            self._full_history = {serial: self._full_history[serial] for serial in live
                                  if serial in self._full_history}

    def tracks(self, tab: TrackTable, now: float) -> list[Track]:
        """Every live track; rows unchanged since the last call reuse their (immutable) Track."""
        cfg = self.config
        if not len(tab):
            self._cache = {}
            return []
        coasting = now - tab.last > cfg.coast_after
        key = np.column_stack([tab.t, tab.hits, tab.status, coasting, tab.boost, tab.first])
        changed = ~(key == tab.shown).all(axis=1)
        serials = tab.serial.tolist()
        cache = self._cache
        if changed.any():
            rows = np.nonzero(changed)[0]
            for i, track in zip(rows.tolist(), self.build(tab, rows, now), strict=True):
                cache[serials[i]] = track
            tab.shown[rows] = key[rows]
        out = [cache[serial] for serial in serials]
        if len(cache) > len(out):
            self._cache = dict(zip(serials, out, strict=True))
        return out

    def build(self, tab: TrackTable, rows: np.ndarray, now: float, status: TrackStatus | None = None
              ) -> list[Track]:
        """Track objects of table rows (vectorised facts, one object per row); ``status`` overrides."""
        cfg = self.config
        x = tab.x[rows]
        pos, vel = x[:, :3], x[:, 3:6]
        height = heights_below(pos, REENTRY_HEIGHT)  # only "below re-entry height?" is asked
        climb = np.einsum("ij,ij->i", vel, pos) / np.sqrt(np.einsum("ij,ij->i", pos, pos))
        hits = tab.hits[rows]
        phase_code = np.where(tab.boost[rows], 0, np.where(
            hits < cfg.confirm_hits, 1, np.where((height < REENTRY_HEIGHT) & (climb < 0.0), 2, 3)))
        if status is None:
            status_code = np.where(tab.status[rows] == TENTATIVE, 0,
                                   np.where(now - tab.last[rows] > cfg.coast_after, 1, 2))
            statuses = [_STATUSES[c] for c in status_code.tolist()]
        else:
            statuses = [status] * len(rows)
        k = x[:, 9]
        has_beta = tab.drag_seen[rows] & (k > 1e-3)
        with np.errstate(divide="ignore", invalid="ignore"):
            beta = np.where(has_beta, DRAG_SCALE / k, np.nan).tolist()
            beta_sigma = np.where(has_beta, DRAG_SCALE * np.sqrt(tab.p[rows, 9, 9]) / (k * k), np.nan)
        beta_sigma = beta_sigma.tolist()
        states = list(x[:, :6].copy())
        covariances = list(tab.p[rows, :6, :6])
        serials = tab.serial[rows].tolist()
        names, nation, full = self._names, cfg.nation, self._full_history
        hist_n = tab.history_n[rows].tolist()
        unsorted = tab.history_unsorted[rows].tolist()
        out = []
        for j, (serial, t, first, last, n, kinds, phase, b) in enumerate(zip(
                serials, tab.t[rows].tolist(), tab.first[rows].tolist(), tab.last[rows].tolist(),
                hits.tolist(), tab.kinds[rows].tolist(), phase_code.tolist(), beta, strict=True)):
            name = names.get(serial)
            if name is None:
                name = names[serial] = f"{nation}-{serial:05d}"
            hist = full.get(serial)
            if hist is None:
                hist = tab.history[rows[j], : hist_n[j]]
                hist = hist[np.argsort(hist[:, 0], kind="stable")] if unsorted[j] else hist.copy()
                if hist_n[j] == HISTORY_LENGTH:
                    full[serial] = hist
            out.append(_new_track(name, nation, t, states[j], covariances[j], statuses[j], _PHASES[phase],
                                  first, last, n, _KINDS[kinds], None if b != b else b,
                                  None if b != b else beta_sigma[j], hist))
        return out


def _positional_factory(cls: type) -> Callable[..., Track]:
    """A constructor of the frozen slotted dataclass ``cls`` taking every field positionally.

    The dataclass's own ``__init__`` goes through ``object.__setattr__`` per field (it is
    frozen); this one calls the slots' descriptors directly — the same object, about a third
    cheaper, which matters for the hundreds of tracks returned per call. Generated like
    dataclasses generate ``__init__``; falls back to ``cls`` itself if the class gains a
    ``__post_init__`` or loses its slots. Checked against ``cls(...)`` in the tests.
    """
    names = [f.name for f in dataclasses.fields(cls)]
    if hasattr(cls, "__post_init__") or set(getattr(cls, "__slots__", ())) != set(names):
        return cls
    args = ", ".join(names)
    body = "".join(f"    set_{name}(obj, {name})\n" for name in names)
    namespace: dict[str, object] = {"new": object.__new__, "cls": cls}
    namespace.update({f"set_{name}": getattr(cls, name).__set__ for name in names})
    exec(f"def make({args}):\n    obj = new(cls)\n{body}    return obj\n", namespace)
    return namespace["make"]  # type: ignore[return-value]


_new_track = _positional_factory(Track)
_STATUSES = (TrackStatus.TENTATIVE, TrackStatus.COASTING, TrackStatus.CONFIRMED)
_PHASES = (Phase.BOOST, Phase.UNKNOWN, Phase.REENTRY, Phase.MIDCOURSE)
_KINDS = {bits: frozenset(k for bit, k in ((RADAR_BIT, SensorKind.RADAR), (IR_BIT, SensorKind.SPACE_IR))
                          if bits & bit) for bits in range(4)}
