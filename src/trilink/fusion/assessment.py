"""The fused track's own assessment: a short history of fused states, and a budget of assessments.

The tracker's ``assess(track, now)`` (launch point, impact ellipse, time to impact,
class) works on any `trilink.model.Track`; a fused track becomes one with
`FusedTrack.to_track`. Its launch estimate fits the first seconds of the track's
history, so each fused track keeps the fused states it has had: every state at
first (the boost fit needs the start), then thinned to the newest.

An assessment pushes sigma points through the flight to the ground and costs far
more than a fusion step, so a picture of many missiles cannot re-assess every
track on every report. `due_for_assessment` picks, in a fixed order, at most
``limit`` tracks: never assessed first, then changed since their last assessment
(no more often than ``min_interval``), then any older than ``max_age``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from trilink.model import Assessment, Track

HISTORY_HEAD = 120
"""Rows kept from the start of a fused track (the boost fit uses its first ~25 s)."""
HISTORY_MAX = 400
"""Rows kept in all: the head plus the newest."""
HISTORY_SPACING = 0.5
"""Seconds between stored rows."""


def extend_history(history: np.ndarray | None, time: float, state: np.ndarray) -> np.ndarray:
    """History (K, 7) of [t, x, y, z, vx, vy, vz] with the fused state at ``time`` appended (thinned)."""
    if history is not None and len(history) and time - history[-1, 0] < HISTORY_SPACING:
        return history
    row = np.empty((1, 7))
    row[0, 0], row[0, 1:] = time, state
    if history is None or len(history) == 0:
        return row
    out = np.concatenate([history, row])
    if len(out) > HISTORY_MAX:
        out = np.concatenate([out[:HISTORY_HEAD], out[-(HISTORY_MAX - HISTORY_HEAD):]])
    return out


@dataclass(frozen=True, slots=True)
class AssessmentSlot:
    """What the scheduler needs to know of one fused track."""

    fused_id: str
    changed: bool
    """The fused estimate changed since its last assessment."""
    assessed_at: float | None
    """When it was last assessed (or tried), None if never."""


def due_for_assessment(slots: Sequence[AssessmentSlot], now: float, *, min_interval: float,
                       max_age: float, limit: int) -> list[str]:
    """The fused ids to assess now, most overdue first, at most ``limit``."""
    ranked = []
    for s in slots:
        if s.assessed_at is None:
            ranked.append((0, 0.0, s.fused_id))
            continue
        age = now - s.assessed_at
        if (s.changed and age >= min_interval) or age >= max_age:
            ranked.append((1, -age, s.fused_id))
    ranked.sort()
    return [fid for _, _, fid in ranked[:max(limit, 0)]]


def safe_assess(assess: Callable[[Track, float], Assessment], track: Track, now: float) -> Assessment | None:
    """The assessment, or None when the state admits none (no impact ahead, degenerate geometry)."""
    try:
        return assess(track, now)
    except (ValueError, ArithmeticError, np.linalg.LinAlgError):
        return None
