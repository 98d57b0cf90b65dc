"""The fused picture as GeoJSON (RFC 7946): tracks, trails, launch points, impact ellipses, ground tracks.

Coordinates are [lon, lat] in degrees (the GeoJSON edge); every feature has a
stable ``id`` (``<kind>:<track id>``) and ``properties.kind`` so that the web
page can apply deltas feature by feature.
"""

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from trilink.geo.ellipse import ellipse_polygon
from trilink.geo.frames import ecef_to_geodetic
from trilink.model.assessment import Assessment, ImpactEstimate, LaunchEstimate
from trilink.model.network import SensorConfig

_R2D = 180.0 / math.pi


def _round(x: float, places: int = 5) -> float:
    return round(float(x), places)


def _maybe(x: float | None, scale: float, places: int) -> float | None:
    return None if x is None else _round(x * scale, places)


def _point(lat: float, lon: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [_round(lon * _R2D), _round(lat * _R2D)]}


def _ring(lats: np.ndarray, lons: np.ndarray) -> list[list[float]]:
    return [[_round(lo * _R2D), _round(la * _R2D)] for la, lo in zip(lats, lons, strict=True)]


def track_features(*, track_id: str, time: float, position_ecef: np.ndarray,
                   velocity_ecef: np.ndarray | None = None,
                   assessment: Assessment | None = None, impact: ImpactEstimate | None = None,
                   trail: np.ndarray | None = None, trail_start: int = 0,
                   contributors: Sequence[str] = (), disagreement: str | None = None,
                   overflight: Sequence[np.ndarray] = (), status: str = "active",
                   phase: str | None = None, missile_class: str | None = None,
                   exercise: bool = True) -> list[dict[str, Any]]:
    """All features of one track.

    ``impact`` stands in for the assessment's impact when the track has no assessment of its
    own (e.g. the partners' fused prediction); ``trail``: (K, 4) [t, lat, lon, h] whose first
    point is the ``trail_start``-th ever recorded (trail features are chunked by index);
    ``overflight``: runs of (M, 2) [lat, lon] over land.
    """
    lat, lon, height = ecef_to_geodetic(np.asarray(position_ecef, dtype=float))
    props: dict[str, Any] = {
        "kind": "track", "track_id": track_id, "time": _round(time, 2), "status": status,
        "alt_km": _round(float(height) / 1000.0, 2), "contributors": sorted(contributors),
        "disagreement": disagreement, "exercise": exercise, "phase": phase,
        "missile_class": missile_class,
    }
    if velocity_ecef is not None:
        props["speed_mps"] = _round(float(np.linalg.norm(velocity_ecef)), 1)
    features: list[dict[str, Any]] = []
    if assessment is not None:
        props.update({
            "phase": str(assessment.phase), "missile_class": str(assessment.missile_class),
            "class_reason": assessment.class_reason,
            "apogee_km": _maybe(assessment.apogee, 1e-3, 1),
            "range_km": _maybe(assessment.ground_range, 1e-3, 1),
            "time_to_impact_s": _maybe(assessment.time_to_impact, 1.0, 1),
        })
    if assessment is not None and assessment.impact is not None:
        impact = assessment.impact
    if impact is not None:
        props.update({"impact_time": _round(impact.time, 2), "impact_lat": _round(impact.lat * _R2D),
                      "impact_lon": _round(impact.lon * _R2D),
                      "ellipse_km": [_round(impact.ellipse.semi_major / 1000.0, 2),
                                     _round(impact.ellipse.semi_minor / 1000.0, 2)]})
        features += _impact_features(track_id, impact)
    if assessment is not None:
        features += _launch_features(track_id, assessment.launch)
        ahead = assessment.ground_track
        if ahead is not None and len(ahead) >= 2:
            features.append({"type": "Feature", "id": f"ground_track:{track_id}",
                             "geometry": {"type": "LineString",
                                          "coordinates": _ring(ahead[:, 1], ahead[:, 2])},
                             "properties": {"kind": "ground_track", "track_id": track_id}})
    if trail is not None and len(trail) >= 2:
        features += _trail_features(track_id, trail, trail_start)
    runs = [run for run in overflight if len(run) >= 2]
    if runs:
        features.append({"type": "Feature", "id": f"overflight:{track_id}",
                         "geometry": {"type": "MultiLineString",
                                      "coordinates": [_ring(run[:, 0], run[:, 1]) for run in runs]},
                         "properties": {"kind": "overflight", "track_id": track_id}})
    features.insert(0, {"type": "Feature", "id": f"track:{track_id}",
                        "geometry": _point(float(lat), float(lon)), "properties": props})
    return features


TRAIL_CHUNK = 16
"""Trail points per feature: a growing trail changes only its last chunk, so deltas stay small."""


def _trail_features(track_id: str, trail: np.ndarray, start: int = 0) -> list[dict[str, Any]]:
    """Chunks of the trail; ``start`` (a multiple of TRAIL_CHUNK) is the index of its first point ever."""
    out = []
    for k, first in enumerate(range(0, len(trail) - 1, TRAIL_CHUNK), start=start // TRAIL_CHUNK):
        part = trail[first:first + TRAIL_CHUNK + 1]          # overlap one point: no gaps
        out.append({"type": "Feature", "id": f"trail:{track_id}:{k}",
                    "geometry": {"type": "LineString", "coordinates": _ring(part[:, 1], part[:, 2])},
                    "properties": {"kind": "trail", "track_id": track_id,
                                   "alts_km": [_round(h / 1000.0, 1) for h in part[:, 3]]}})
    return out


def _impact_features(track_id: str, impact: ImpactEstimate) -> list[dict[str, Any]]:
    lats, lons = ellipse_polygon(impact.lat, impact.lon, impact.ellipse, points=48)
    return [{"type": "Feature", "id": f"impact_ellipse:{track_id}",
             "geometry": {"type": "Polygon", "coordinates": [_ring(lats, lons)]},
             "properties": {"kind": "impact_ellipse", "track_id": track_id,
                            "probability": impact.ellipse.probability}},
            {"type": "Feature", "id": f"impact:{track_id}", "geometry": _point(impact.lat, impact.lon),
             "properties": {"kind": "impact", "track_id": track_id, "time": _round(impact.time, 2)}}]


def _launch_features(track_id: str, launch: LaunchEstimate | None) -> list[dict[str, Any]]:
    if launch is None:
        return []
    lats, lons = ellipse_polygon(launch.lat, launch.lon, launch.ellipse, points=36)
    return [{"type": "Feature", "id": f"launch:{track_id}", "geometry": _point(launch.lat, launch.lon),
             "properties": {"kind": "launch", "track_id": track_id, "time": _round(launch.time, 2),
                            "sigma_time_s": _round(launch.sigma_time, 2)}},
            {"type": "Feature", "id": f"launch_ellipse:{track_id}",
             "geometry": {"type": "Polygon", "coordinates": [_ring(lats, lons)]},
             "properties": {"kind": "launch_ellipse", "track_id": track_id}}]


def sensor_features(sensors: Sequence[SensorConfig]) -> list[dict[str, Any]]:
    """This nation's own sensor sites (partners' sites are never shared, so never shown)."""
    return [{"type": "Feature", "id": f"sensor:{s.id}",
             "geometry": {"type": "Point", "coordinates": [s.site[1], s.site[0]]},
             "properties": {"kind": "sensor", "sensor_id": s.id, "sensor_kind": s.kind,
                            "model": s.model, "nation": s.nation}}
            for s in sensors if s.kind != "space_ir"]


def feature_collection(features: list[dict[str, Any]], **meta: Any) -> dict[str, Any]:
    """Wrap features in a FeatureCollection with optional metadata."""
    return {"type": "FeatureCollection", "features": features, "meta": meta}
