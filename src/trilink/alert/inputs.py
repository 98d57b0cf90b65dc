"""The alert logic's inputs from a fused picture, duck-typed so alert/ does not import fusion/.

A fused track may carry a full ``Assessment``; when it carries only a fused
impact point (lat, lon, east-north covariance, time), :func:`assessment_from_fused`
completes it with the path ahead approximated by the geodesic from the
track's current sub-point to the impact point (times linear in between), and
an impact-time σ from the point's: the largest 1σ axis over the mean ground speed
still to fly (the fused impact point carries a time but no time σ).
Earth rotation bends the real ground track by up to a few tens of km over a
long flight; the overflight corridor's margin (30 km and ≥ 2σ) covers that.
"""

from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

import numpy as np

from trilink.alert.decide import TrackInput
from trilink.geo.ellipse import ellipse_from_covariance
from trilink.geo.frames import ecef_to_geodetic
from trilink.geo.geodesy import WGS84_GEOD
from trilink.model.assessment import Assessment, ImpactEstimate

_PATH_POINTS = 120
_MIN_GROUND_SPEED = 100.0
"""m/s: floor on the mean ground speed to impact (a near-vertical fall would give σ_t → ∞)."""


_MEMO: "OrderedDict[int, tuple[Any, Assessment | None]]" = OrderedDict()
_MEMO_SIZE = 512


def assessment_from_fused(track: Any) -> Assessment | None:
    """The fused track's assessment, or one built from its fused impact point; None without either.

    The same (immutable) picture track is asked about at every node step until the picture
    changes; answering with the same Assessment object lets the alert logic's exposure memo
    hit. Keyed by identity, checked.
    """
    if getattr(track, "assessment", None) is not None:
        return track.assessment
    hit = _MEMO.get(id(track))
    if hit is not None and hit[0] is track:
        return hit[1]
    result = _assessment_from_impact(track)
    _MEMO[id(track)] = (track, result)
    if len(_MEMO) > _MEMO_SIZE:
        _MEMO.popitem(last=False)
    return result


def _assessment_from_impact(track: Any) -> Assessment | None:
    impact = getattr(track, "impact", None)
    if impact is None or impact.time is None or impact.time <= track.time:
        return None
    lat, lon, height = (float(v) for v in ecef_to_geodetic(np.asarray(track.state[:3], dtype=float)))
    lonlat = WGS84_GEOD.npts(np.degrees(lon), np.degrees(lat), np.degrees(impact.lon), np.degrees(impact.lat),
                             _PATH_POINTS - 2, initial_idx=0, terminus_idx=0)
    path_lon, path_lat = np.radians(np.array(lonlat, dtype=float)).T
    share = np.linspace(0.0, 1.0, len(path_lat))
    ground_track = np.column_stack([track.time + share * (impact.time - track.time), path_lat, path_lon,
                                    max(height, 0.0) * (1.0 - share)])
    # the impact time is as uncertain as the point along the path: σ_t = σ_major / mean ground speed
    to_go = float(WGS84_GEOD.inv(np.degrees(lon), np.degrees(lat), np.degrees(impact.lon),
                                 np.degrees(impact.lat))[2])
    speed = max(to_go / (impact.time - track.time), _MIN_GROUND_SPEED)
    sigma_major = float(np.sqrt(np.linalg.eigvalsh(np.asarray(impact.covariance_en, dtype=float))[-1]))
    estimate = ImpactEstimate(time=float(impact.time), sigma_time=sigma_major / speed, lat=float(impact.lat),
                              lon=float(impact.lon), ellipse=ellipse_from_covariance(impact.covariance_en))
    return Assessment(track_id=track.fused_id, time=float(track.time), phase=track.phase, launch=None,
                      impact=estimate, apogee=None, ground_range=None,
                      time_to_impact=float(impact.time - track.time), ground_track=ground_track,
                      missile_class=track.missile_class, class_reason="fused picture")


def inputs_from_picture(tracks: Iterable[Any]) -> list[TrackInput]:
    """TrackInputs from fused picture tracks (``fused_id``, ``time``, ``state``, ``status``, ``n_updates``,
    ``first_time``, ``assessment`` or ``impact``): those with a prediction, not dropped."""
    out = []
    for track in tracks:
        if str(track.status) == "dropped":
            continue
        assessment = assessment_from_fused(track)
        if assessment is not None:
            out.append(TrackInput(track_id=track.fused_id, assessment=assessment, n_updates=track.n_updates,
                                  first_time=track.first_time))
    return out
