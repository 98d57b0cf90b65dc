"""Scoring alerts against the truth: missed alerts (an area reached before it was told to shelter)
and false alerts (an area told to shelter that neither the impact nor the overflight touched)."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from trilink.alert.decide import AlertDecision
from trilink.geo.areas import Area, area_at
from trilink.geo.zones import classify


@dataclass(frozen=True, slots=True)
class AlertScore:
    """One run's alert outcome for one nation."""

    reached: dict[Area, float]
    """Areas whose land or territorial sea (or the airspace above) the missile reached, and when first."""
    alerted: dict[Area, float]
    """Areas told to shelter, and when first."""
    missed: tuple[Area, ...]
    """Reached but never alerted, or alerted only after the missile got there."""
    false: tuple[Area, ...]
    """Alerted but never reached."""
    first_alert_time: float | None
    """Time of the first decision of any kind (launch notice included)."""


def reached_areas(truth_track: np.ndarray, nation: str) -> dict[Area, float]:
    """Areas of ``nation`` over or into which the true (K, 4) [t, lat, lon, h] path went, first time each."""
    track = np.asarray(truth_track, dtype=float)
    zones = classify(track[:, 1], track[:, 2])
    inside = (zones.country == nation) | (zones.territorial_sea_of == nation)
    reached: dict[Area, float] = {}
    if inside.any():
        for time, area in zip(track[inside, 0], area_at(nation, track[inside, 1], track[inside, 2]),
                              strict=True):
            if area is not None and area not in reached:
                reached[area] = float(time)
    return reached


def score_alerts(decisions: Sequence[AlertDecision], truth_track: np.ndarray, nation: str) -> AlertScore:
    """Missed and false alerts of ``nation``'s decisions against the true path."""
    reached = reached_areas(truth_track, nation)
    alerted: dict[Area, float] = {}
    for decision in sorted(decisions, key=lambda d: d.time):
        for area in decision.sheltered_areas:
            alerted.setdefault(area, decision.time)
    missed = tuple(a for a, t in reached.items() if alerted.get(a, np.inf) > t)
    false = tuple(a for a in alerted if a not in reached)
    first = min((d.time for d in decisions), default=None)
    return AlertScore(reached=reached, alerted=alerted, missed=missed, false=false, first_alert_time=first)
