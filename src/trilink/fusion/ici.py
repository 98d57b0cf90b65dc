"""Inverse covariance intersection (Noack, Sijs, Reinhardt & Hanebeck, Automatica 2017).

When two estimates are correlated because they share some *common information*
(a common prior, common process noise, a report both have already fused) of unknown
amount, ICI is consistent and less conservative than CI:

    Γ = ω P_a + (1 − ω) P_b,   P⁻¹ = P_a⁻¹ + P_b⁻¹ − Γ⁻¹,
    K_a = P (P_a⁻¹ − ω Γ⁻¹),   K_b = P (P_b⁻¹ − (1 − ω) Γ⁻¹),   x = K_a x_a + K_b x_b.

Its gains are matrices, so two elongated ellipses at an angle (two nations' impact
predictions: long along track, narrow across, from different viewing geometry) each
contribute the direction they know best — CI's single scalar ω cannot. A copy fused
with itself gives itself back (K_a + K_b = I, P = P_a), so relays are not counted twice.

Why hand-written: no maintained Python library implements ICI. All pairs are done at
once in the basis that diagonalises both covariances (P_b = T Tᵀ, P_a = T Λ Tᵀ), where
P, the gains and det/trace P are diagonal functions of ω; ω ∈ [0, 1] minimising det P
(or trace P) is found on a grid refined by golden-section steps (the objective need
not be convex).
"""

from __future__ import annotations

import numpy as np

from trilink.fusion.criteria import Criterion

_GRID = np.linspace(0.0, 1.0, 41)
_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0


def _basis(p_a: np.ndarray, p_b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """T (K, n, n), T⁻¹ and λ (K, n) with P_b = T Tᵀ and P_a = T diag(λ) Tᵀ."""
    chol = np.linalg.cholesky(p_b)
    linv = np.linalg.inv(chol)
    m = linv @ p_a @ np.swapaxes(linv, -1, -2)
    lam, q = np.linalg.eigh(0.5 * (m + np.swapaxes(m, -1, -2)))
    t = chol @ q
    return t, np.swapaxes(q, -1, -2) @ linv, lam


def _m(lam: np.ndarray, omega: np.ndarray) -> np.ndarray:
    """Diagonal of T⁻ᵀ... : m = 1/λ + 1 − 1/(ωλ + 1 − ω) (> 0 on [0, 1])."""
    return 1.0 / lam + 1.0 - 1.0 / (omega * lam + 1.0 - omega)


def _objective(lam: np.ndarray, scale: np.ndarray, omega: np.ndarray, criterion: Criterion) -> np.ndarray:
    m = _m(lam, omega[..., None])
    if criterion is Criterion.DET:
        return -np.sum(np.log(m), axis=-1)
    return np.sum(scale / m, axis=-1)


def ici_weights(lam: np.ndarray, scale: np.ndarray, criterion: Criterion, refine: int = 24) -> np.ndarray:
    """ω (K,) minimising det or trace of the ICI covariance, from the joint-basis spectrum."""
    k = lam.shape[0]
    values = _objective(lam[None], scale[None], np.broadcast_to(_GRID[:, None], (_GRID.size, k)), criterion)
    best = np.argmin(values, axis=0)
    step = _GRID[1] - _GRID[0]
    lo = np.clip(_GRID[best] - step, 0.0, 1.0)
    hi = np.clip(_GRID[best] + step, 0.0, 1.0)
    for _ in range(refine):
        x1 = hi - _GOLDEN * (hi - lo)
        x2 = lo + _GOLDEN * (hi - lo)
        left = _objective(lam, scale, x1, criterion) < _objective(lam, scale, x2, criterion)
        hi = np.where(left, x2, hi)
        lo = np.where(left, lo, x1)
    omega = 0.5 * (lo + hi)
    grid_best = _GRID[best]
    better = _objective(lam, scale, omega, criterion) <= _objective(lam, scale, grid_best, criterion)
    return np.where(better, omega, grid_best)


def inverse_covariance_intersection(x_a: np.ndarray, p_a: np.ndarray, x_b: np.ndarray, p_b: np.ndarray,
                                    criterion: Criterion = Criterion.DET,
                                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ICI of K pairs: states (K, n), covariances (K, n, n) → fused x (K, n), P (K, n, n), ω (K,)."""
    t, tinv, lam = _basis(p_a, p_b)
    scale = np.sum(np.square(t), axis=-2)  # ‖T e_i‖²: trace P = Σ scale_i / m_i
    omega = ici_weights(lam, scale, criterion)
    w = omega[:, None]
    g = w * lam + 1.0 - w
    m = _m(lam, w)
    ya = (tinv @ x_a[..., None])[..., 0]
    yb = (tinv @ x_b[..., None])[..., 0]
    y = ((1.0 / lam - w / g) * ya + (1.0 - (1.0 - w) / g) * yb) / m
    x = (t @ y[..., None])[..., 0]
    p = (t / m[:, None, :]) @ np.swapaxes(t, -1, -2)
    return x, 0.5 * (p + np.swapaxes(p, -1, -2)), omega
