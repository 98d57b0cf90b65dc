"""Track-to-track association at a common time: χ² gate with a registration-bias allowance, Hungarian.

Two estimates of the same object differ by d = x_a − x_b with covariance
P_a + P_b − P_ab − P_ba. Between nations P_ab is unknown and ignored (as is
usual; it makes the test looser, never tighter), and each nation's sensors carry
a registration bias the tracks do not know about, so the gate uses

    S = P_a + P_b + B_a + B_b,   d² = dᵀ S⁻¹ d ≤ γ   (χ², 6 degrees of freedom).

Assignment is global (`scipy.optimize.linear_sum_assignment`) on the negative
log-likelihood d² + ln det S, so a far but vague candidate does not beat a close,
sharp one; pairs outside the gate are never assigned.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.stats import chi2

from trilink.geo.wgs84 import MEAN_RADIUS

GATE_99 = float(chi2.ppf(0.99, 6))
"""16.81: association gate, 6 degrees of freedom."""
RELEASE_GATE = float(chi2.ppf(0.9999, 6))
"""27.86: a source already in a fused track leaves it only beyond this ("clearly fails")."""
_FORBIDDEN = 1.0e12


def bias_covariance(sigma_position: float, sigma_velocity: float) -> np.ndarray:
    """Registration-bias allowance B (6, 6) of one source: isotropic position (m) and velocity (m/s)."""
    return np.diag([sigma_position**2] * 3 + [sigma_velocity**2] * 3)


def distances(x_a: np.ndarray, p_a: np.ndarray, x_b: np.ndarray, p_b: np.ndarray,
              bias: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mahalanobis d² and ln det S for pairs broadcast over leading axes (S = P_a + P_b + bias)."""
    s = p_a + p_b + bias
    d = x_a - x_b
    chol = np.linalg.cholesky(s)
    z = np.linalg.solve(chol, d[..., None])[..., 0]
    d2 = np.sum(z * z, axis=-1)
    logdet = 2.0 * np.sum(np.log(np.diagonal(chol, axis1=-2, axis2=-1)), axis=-1)
    return d2, logdet


def pair_distances(x_rows: np.ndarray, p_rows: np.ndarray, x_cols: np.ndarray, p_cols: np.ndarray,
                   bias: np.ndarray, gate: float) -> tuple[np.ndarray, np.ndarray]:
    """(R, C) d² and ln det S for every row–column pair; +inf where the pair is surely outside ``gate``.

    Pre-gate: d² ≥ |Δr|² / trace(S_rr) (the position block), so pairs far apart for their
    uncertainty skip the 6×6 factorisation — a 100-missile picture has ~1 % of pairs near.
    """
    r, c = x_rows.shape[0], x_cols.shape[0]
    d2 = np.full((r, c), np.inf)
    logdet = np.zeros((r, c))
    if r == 0 or c == 0:
        return d2, logdet
    dpos = x_rows[:, None, :3] - x_cols[None, :, :3]
    spread = (np.trace(p_rows[:, :3, :3], axis1=-2, axis2=-1)[:, None]
              + np.trace(p_cols[:, :3, :3], axis1=-2, axis2=-1)[None] + np.trace(bias[:3, :3]))
    near = np.einsum("rck,rck->rc", dpos, dpos) <= gate * spread
    ri, ci = np.nonzero(near)
    if ri.size:
        d2[ri, ci], logdet[ri, ci] = distances(x_rows[ri], p_rows[ri], x_cols[ci], p_cols[ci], bias)
    return d2, logdet


def cost_matrix(x_rows: np.ndarray, p_rows: np.ndarray, x_cols: np.ndarray, p_cols: np.ndarray,
                bias: np.ndarray, gate: float,
                allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(R, C) assignment costs (d² + ln det S; forbidden outside the gate or where not ``allowed``) and d²."""
    d2, logdet = pair_distances(x_rows, p_rows, x_cols, p_cols, bias, gate)
    bad = ~(d2 <= gate)
    if allowed is not None:
        bad |= ~allowed
    cost = np.where(bad, _FORBIDDEN, np.where(bad, 0.0, d2) + logdet)
    return cost, d2


def assign(cost: np.ndarray) -> list[tuple[int, int]]:
    """Global minimum-cost assignment of rows to columns, keeping only allowed pairs."""
    if cost.size == 0:
        return []
    rows, cols = linear_sum_assignment(cost)
    return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if cost[r, c] < _FORBIDDEN]


def impact_disagreement(lat_a: float, lon_a: float, cov_a: np.ndarray, lat_b: float, lon_b: float,
                        cov_b: np.ndarray) -> tuple[float, float]:
    """Mahalanobis d² of two impact points (rad) with east-north covariances (m²), and their distance (m).

    The separation is taken in the local east-north plane at the mid-point (spherical, exact
    enough for the kilometre-scale separations the test is about).
    """
    lat_m = 0.5 * (lat_a + lat_b)
    dlon = (lon_b - lon_a + np.pi) % (2.0 * np.pi) - np.pi
    delta = np.array([dlon * np.cos(lat_m) * MEAN_RADIUS, (lat_b - lat_a) * MEAN_RADIUS])
    s = np.asarray(cov_a) + np.asarray(cov_b)
    d2 = float(delta @ np.linalg.solve(s, delta))
    return d2, float(np.hypot(*delta))
