"""How a missile exposes one nation: impact probabilities per area and overflight, from the distribution.

Probabilities come from impact samples (the assessment's own, or draws from its
2x2 east-north covariance), never from the predicted point alone. Overflight
is the predicted ground track ahead, widened by a corridor (a minimum margin,
or k cross-track σ where the prediction is less sure), crossing the nation's
land or territorial sea (its airspace).
"""

import math
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache

import numpy as np

from trilink.alert.policy import AlertPolicy
from trilink.geo.areas import Area, area_at
from trilink.geo.coast import coastline_of, nearest_coast
from trilink.geo.geodesy import geodesic_direct, geodesic_inverse
from trilink.geo.zones import classify
from trilink.model.assessment import Assessment, ImpactEstimate

_SAMPLE_SEED = 20231219
"""Fixed seed: the same assessment always gives the same probabilities (the core is pure)."""


@dataclass(frozen=True, slots=True)
class AreaExposure:
    """One first-level area's exposure to one missile."""

    area: Area
    p_land: float
    p_territorial_sea: float
    overflight: tuple[float, float] | None
    """(first, last) UTC epoch seconds the predicted corridor is over the area's land or sea, or None."""

    @property
    def p_impact(self) -> float:
        """Probability of impact on the area's land or in its territorial sea."""
        return self.p_land + self.p_territorial_sea


@dataclass(frozen=True, slots=True)
class Exposure:
    """A nation's exposure to one missile at one assessment."""

    nation: str
    time: float
    p_land: float
    p_territorial_sea: float
    p_eez: float
    """Probability of impact in the EEZ beyond the territorial sea."""
    areas: tuple[AreaExposure, ...]
    """Areas with any impact probability or overflight, most exposed first."""
    overflight: tuple[float, float] | None
    impact_coast_distance: float | None
    """Metres from the predicted impact point to the nation's nearest coast (0 on its land)."""
    impact_bearing_area: Area | None
    """The area of the coast nearest to the predicted impact point."""
    impact_bearing: float | None
    """Azimuth (rad) from that coast point to the impact point."""

    @property
    def p_outside(self) -> float:
        """Probability of impact outside the nation's land, territorial sea and EEZ."""
        return max(0.0, 1.0 - self.p_land - self.p_territorial_sea - self.p_eez)

    @property
    def impact_zone(self) -> str:
        """The most probable of ``land``, ``territorial_sea``, ``eez``, ``outside``."""
        options = {"land": self.p_land, "territorial_sea": self.p_territorial_sea,
                   "eez": self.p_eez, "outside": self.p_outside}
        return max(options, key=options.__getitem__)


@cache
def _unit_normals(n: int) -> np.ndarray:
    return np.random.default_rng(_SAMPLE_SEED).standard_normal((n, 2))


def impact_samples(impact: ImpactEstimate, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Impact samples (lat, lon radians): the assessment's own, or n draws from its ellipse covariance."""
    if impact.samples is not None and len(impact.samples) > 0:
        samples = np.asarray(impact.samples, dtype=float)
        return samples[:, 0], samples[:, 1]
    cov = np.asarray(impact.ellipse.covariance_en, dtype=float)
    values, vectors = np.linalg.eigh(0.5 * (cov + cov.T))
    root = vectors * np.sqrt(np.clip(values, 0.0, None))
    offsets = _unit_normals(n) @ root.T  # (n, 2) east, north metres
    distance = np.hypot(offsets[:, 0], offsets[:, 1])
    azimuth = np.arctan2(offsets[:, 0], offsets[:, 1])
    lat, lon = geodesic_direct(np.full(n, impact.lat), np.full(n, impact.lon), azimuth, distance)
    return np.asarray(lat), np.asarray(lon)


def _cross_track_sigma(assessment: Assessment, track: np.ndarray) -> np.ndarray:
    """1σ cross-track uncertainty (m) at each ground-track point: the impact ellipse's cross-track σ
    scaled by the fraction of the range flown there, from the launch point (or, when the launch is
    unknown, the first point of the path ahead); zero without an impact."""
    impact, launch = assessment.impact, assessment.launch
    if impact is None:
        return np.zeros(len(track))
    origin = (launch.lat, launch.lon) if launch is not None else (track[0, 1], track[0, 2])
    total, azimuth = geodesic_inverse(origin[0], origin[1], impact.lat, impact.lon)
    across = np.array([math.cos(float(azimuth)), -math.sin(float(azimuth))])  # east, north
    cov = np.asarray(impact.ellipse.covariance_en, dtype=float)
    sigma = math.sqrt(max(0.0, float(across @ cov @ across)))
    remaining, _ = geodesic_inverse(track[:, 1], track[:, 2], np.full(len(track), impact.lat),
                                    np.full(len(track), impact.lon))
    fraction = np.clip(1.0 - np.asarray(remaining) / max(float(total), 1.0), 0.0, 1.0)
    return sigma * fraction


def _corridor(track: np.ndarray, half_width: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ground-track points and cross-track neighbours at ±½ and ±1 half-width: (t, lat, lon)."""
    t, lat, lon = track[:, 0], track[:, 1], track[:, 2]
    if len(t) < 2 or not np.any(half_width > 0.0):
        return t, lat, lon
    _, heading = geodesic_inverse(lat[:-1], lon[:-1], lat[1:], lon[1:])
    heading = np.append(heading, heading[-1])
    times, lats, lons = [t], [lat], [lon]
    for side in (-0.5 * math.pi, 0.5 * math.pi):
        for share in (0.5, 1.0):
            side_lat, side_lon = geodesic_direct(lat, lon, heading + side, share * half_width)
            times.append(t)
            lats.append(np.asarray(side_lat))
            lons.append(np.asarray(side_lon))
    return np.concatenate(times), np.concatenate(lats), np.concatenate(lons)


def _overflight(assessment: Assessment, nation: str, policy: AlertPolicy
                ) -> dict[Area, tuple[float, float]]:
    """Per area, the window during which the corridor ahead is over the nation's airspace."""
    track = np.asarray(assessment.ground_track, dtype=float)
    if track.ndim != 2 or len(track) == 0:
        return {}
    track = track[track[:, 0] >= assessment.time - 1e-6]
    if len(track) == 0:
        return {}
    half_width = np.clip(policy.overflight_sigma_k * _cross_track_sigma(assessment, track),
                         policy.overflight_margin_km * 1000.0,
                         max(policy.overflight_max_km, policy.overflight_margin_km) * 1000.0)
    t, lat, lon = _corridor(track, half_width)
    zones = classify(lat, lon)
    over = (zones.country == nation) | (zones.territorial_sea_of == nation)
    if not over.any():
        return {}
    windows: dict[Area, tuple[float, float]] = {}
    for time, area in zip(t[over], area_at(nation, lat[over], lon[over]), strict=True):
        if area is None:
            continue
        first, last = windows.get(area, (time, time))
        windows[area] = (float(min(first, time)), float(max(last, time)))
    return windows


_MEMO: "OrderedDict[tuple[int, str, int], tuple[Assessment, AlertPolicy, Exposure]]" = OrderedDict()
_MEMO_SIZE = 512


def exposure(assessment: Assessment, nation: str, policy: AlertPolicy) -> Exposure:
    """Impact probabilities (land, territorial sea, EEZ; per area) and overflight for ``nation``.

    A pure function of its arguments costing tens of ms (thousands of samples classified), asked
    again for the same assessment object at every node step until the picture changes: answered
    from a small memo keyed by the objects' identity (checked, so a reused id never hits).
    """
    key = (id(assessment), nation, id(policy))
    hit = _MEMO.get(key)
    if hit is not None and hit[0] is assessment and hit[1] is policy:
        _MEMO.move_to_end(key)
        return hit[2]
    result = _exposure(assessment, nation, policy)
    _MEMO[key] = (assessment, policy, result)
    if len(_MEMO) > _MEMO_SIZE:
        _MEMO.popitem(last=False)
    return result


def _exposure(assessment: Assessment, nation: str, policy: AlertPolicy) -> Exposure:
    areas: dict[Area, list[float]] = {}
    p_land = p_ts = p_eez = 0.0
    coast_distance = bearing = None
    bearing_area = None
    impact = assessment.impact
    if impact is not None:
        lat, lon = impact_samples(impact, policy.samples)
        n = len(lat)
        zones = classify(lat, lon)
        land = zones.country == nation
        ts = zones.territorial_sea_of == nation
        eez = (zones.eez_of == nation) & ~ts
        p_land, p_ts, p_eez = land.sum() / n, ts.sum() / n, eez.sum() / n
        for mask, slot in ((land, 0), (ts, 1)):
            if mask.any():
                for area in area_at(nation, lat[mask], lon[mask]):
                    if area is not None:
                        areas.setdefault(area, [0.0, 0.0])[slot] += 1.0 / n
        distance, index = nearest_coast(coastline_of(nation), impact.lat, impact.lon)
        coast = coastline_of(nation)
        on_land = classify(impact.lat, impact.lon).country[0] == nation
        coast_distance = 0.0 if on_land else float(distance[0])
        bearing_area = area_at(nation, coast.lat[index], coast.lon[index])[0]
        bearing = float(geodesic_inverse(coast.lat[index[0]], coast.lon[index[0]], impact.lat, impact.lon)[1])
    windows = _overflight(assessment, nation, policy)
    result = [AreaExposure(area=a, p_land=areas.get(a, [0.0, 0.0])[0],
                           p_territorial_sea=areas.get(a, [0.0, 0.0])[1], overflight=windows.get(a))
              for a in set(areas) | set(windows)]
    result.sort(key=lambda e: (-(e.p_impact + (1.0 if e.overflight else 0.0)), e.area.name))
    overall = None
    if windows:
        overall = (min(w[0] for w in windows.values()), max(w[1] for w in windows.values()))
    return Exposure(nation=nation, time=assessment.time, p_land=float(p_land), p_territorial_sea=float(p_ts),
                    p_eez=float(p_eez), areas=tuple(result), overflight=overall,
                    impact_coast_distance=coast_distance, impact_bearing_area=bearing_area,
                    impact_bearing=bearing)
