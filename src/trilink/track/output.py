"""The tracker's output: table rows → immutable ``Track`` objects, rebuilt only for rows that changed.

Everything per row that can be is computed in one compiled pass (phase, status, ballistic
coefficient: ``kernels.track_facts``); what remains per track is building the object,
through the slots' descriptors (see ``_positional_factory``), and its early history (a view
of one copy while it fills, its own copy once full).
"""

import dataclasses
from collections.abc import Callable
from itertools import repeat

import numpy as np

from trilink.model.assessment import Phase
from trilink.model.measurement import SensorKind
from trilink.model.track import Track, TrackStatus
from trilink.track import kernels
from trilink.track.config import TrackerConfig
from trilink.track.motion import DRAG_SCALE
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
        changed = kernels.refresh_shown(tab.t, tab.hits, tab.status, tab.last, tab.boost, tab.first, now,
                                        cfg.coast_after, tab.shown)
        serials = tab.serial.tolist()
        cache = self._cache
        count = np.count_nonzero(changed)
        if count == len(serials):  # every row changed (every track had a plot): all built afresh
            out = self.build(tab, np.arange(count), now)
            self._cache = dict(zip(serials, out, strict=True))
            return out
        if count:
            rows = np.nonzero(changed)[0]
            cache.update(zip(tab.serial[rows].tolist(), self.build(tab, rows, now), strict=True))
        out = list(map(cache.__getitem__, serials))
        if len(cache) > len(out):
            self._cache = dict(zip(serials, out, strict=True))
        return out

    def build(self, tab: TrackTable, rows: np.ndarray, now: float, status: TrackStatus | None = None
              ) -> list[Track]:
        """Track objects of table rows (vectorised facts, one object per row); ``status`` overrides."""
        cfg = self.config
        count = len(rows)
        phase_code, status_code, has_beta, beta, beta_sigma = kernels.track_facts(
            rows, tab.x, tab.p, tab.boost, tab.hits, tab.status == TENTATIVE, tab.last, tab.drag_seen, now,
            cfg.confirm_hits, cfg.coast_after, REENTRY_HEIGHT, DRAG_SCALE)
        statuses = [status] * count if status is not None else list(map(_STATUSES.__getitem__,
                                                                        status_code.tolist()))
        betas = sigmas = [None] * count
        if np.count_nonzero(has_beta):  # β and its σ where estimated, None elsewhere
            betas = [b if h else None for b, h in zip(beta.tolist(), has_beta.tolist(), strict=True)]
            sigmas = [b if h else None for b, h in zip(beta_sigma.tolist(), has_beta.tolist(), strict=True)]
        serials = tab.serial[rows].tolist()
        return list(map(_new_track, self._ids(serials), repeat(cfg.nation), tab.t[rows].tolist(),
                        list(tab.x[rows, :6]), list(tab.p[rows, :6, :6]), statuses,
                        list(map(_PHASES.__getitem__, phase_code.tolist())), tab.first[rows].tolist(),
                        tab.last[rows].tolist(), tab.hits[rows].tolist(),
                        list(map(_KINDS.__getitem__, tab.kinds[rows].tolist())), betas, sigmas,
                        self._histories(tab, rows, serials)))

    def _ids(self, serials: list[int]) -> list[str]:
        """Track ids of serials (formatted once per serial)."""
        names = self._names
        try:
            return list(map(names.__getitem__, serials))
        except KeyError:
            nation = self.config.nation
            for serial in serials:
                if serial not in names:
                    names[serial] = f"{nation}-{serial:05d}"
            return list(map(names.__getitem__, serials))

    def _histories(self, tab: TrackTable, rows: np.ndarray, serials: list[int]) -> list[np.ndarray]:
        """Each row's early history, time-sorted, apart from the table (a later update cannot change it).

        Rows still filling get views of one copy of their rows (a copy each cost a numpy call per
        track); a complete history is copied once per serial, into its own array.
        """
        full = self._full_history
        out = list(map(full.get, serials))
        todo = [j for j, hist in enumerate(out) if hist is None]
        if not todo:
            return out
        picked = rows[todo]
        counts = tab.history_n[picked]
        longest = int(counts.max())
        hists = list(tab.history[picked, :longest])  # one copy, split into rows in C
        unsorted = tab.history_unsorted[picked]
        for j in np.nonzero(unsorted | (counts < longest) | (counts == HISTORY_LENGTH))[0].tolist():
            n = int(counts[j])
            hist = hists[j][:n]
            if unsorted[j]:
                hist = hist[np.argsort(hist[:, 0], kind="stable")]
            if n == HISTORY_LENGTH:  # kept for the track's life: its own array, not a view of a block
                hist = full[serials[todo[j]]] = hist.copy()
            hists[j] = hist
        if len(todo) == len(out):
            return hists
        for k, hist in zip(todo, hists, strict=True):
            out[k] = hist
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
_KINDS = tuple(frozenset(k for bit, k in ((RADAR_BIT, SensorKind.RADAR), (IR_BIT, SensorKind.SPACE_IR))
                         if bits & bit) for bits in range(4))
