"""Which picture tracks are one missile, and which of them speaks for it: pure helpers for ``decide``.

A picture can hold more than one track for one missile for a while (a partner's
tracker re-initialises its track in boost, a fused track opens before the fusion
sees it is the same object). The public must get one incident per missile, so a
track without an incident joins an open incident when the two predictions are of
the same flight within their stated uncertainty:

- impact points: d² = Δᵀ(C_a + C_b + f²I)⁻¹Δ ≤ ``same_missile_gate`` (χ²₂) on the
  east-north offset, C the 2×2 impact covariances, f = ``same_missile_floor_km``
  (the spread between two trackers' predictions that their covariances do not
  state: registration bias, different models);
- impact times within max(``same_missile_time_s``, 3σ) of each other;
- launch times and points the same way, when both assessments carry a launch estimate.

Among the tracks of one incident, the firmest speaks for it (firm before provisional,
then the smaller impact ellipse, then more updates): a vaguer duplicate of a missile
already tracked firmly adds no knowledge and must not widen the public alert.
"""

import math
from collections.abc import Sequence

import numpy as np

from trilink.alert.policy import AlertPolicy
from trilink.geo.wgs84 import MEAN_RADIUS
from trilink.model.assessment import Assessment


def _offset_en(lat_a: float, lon_a: float, lat_b: float, lon_b: float) -> np.ndarray:
    """East-north offset (m) of b from a, in the local plane at their mid-point (spherical)."""
    dlon = (lon_b - lon_a + math.pi) % (2.0 * math.pi) - math.pi
    lat_m = 0.5 * (lat_a + lat_b)
    return np.array([dlon * math.cos(lat_m) * MEAN_RADIUS, (lat_b - lat_a) * MEAN_RADIUS])


def _points_agree(delta: np.ndarray, cov_a: np.ndarray, cov_b: np.ndarray, policy: AlertPolicy) -> bool:
    floor = (policy.same_missile_floor_km * 1000.0) ** 2
    s = np.asarray(cov_a, dtype=float) + np.asarray(cov_b, dtype=float) + floor * np.eye(2)
    return float(delta @ np.linalg.solve(s, delta)) <= policy.same_missile_gate


def _times_agree(t_a: float, s_a: float, t_b: float, s_b: float, policy: AlertPolicy) -> bool:
    return abs(t_a - t_b) <= max(policy.same_missile_time_s, 3.0 * math.hypot(s_a, s_b))


def same_missile(a: Assessment, b: Assessment, policy: AlertPolicy) -> bool:
    """Whether two assessments can be of one missile: impacts (and launches, when both known) agree."""
    ia, ib = a.impact, b.impact
    if ia is None or ib is None:
        return False
    if not (_times_agree(ia.time, ia.sigma_time, ib.time, ib.sigma_time, policy) and _points_agree(
            _offset_en(ia.lat, ia.lon, ib.lat, ib.lon), ia.ellipse.covariance_en, ib.ellipse.covariance_en,
            policy)):
        return False
    la, lb = a.launch, b.launch
    if la is None or lb is None:
        return True
    delta = _offset_en(la.lat, la.lon, lb.lat, lb.lon)
    return _times_agree(la.time, la.sigma_time, lb.time, lb.sigma_time, policy) and _points_agree(
        delta, la.ellipse.covariance_en, lb.ellipse.covariance_en, policy)


def firmness(provisional: bool, assessment: Assessment, n_updates: int) -> tuple[bool, float, int]:
    """Sort key: the smallest is the track that speaks for its incident."""
    impact = assessment.impact
    size = impact.ellipse.semi_major if impact is not None else math.inf
    return (provisional, size, -n_updates)


def firmest(keys: Sequence[tuple[tuple[bool, float, int], str]]) -> str:
    """The track id with the smallest firmness key (ties: the smaller id, for determinism)."""
    return min(keys)[1]
