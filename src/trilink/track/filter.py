"""Batched extended-Kalman-filter update, with retrodicted (out-of-sequence) measurements.

A late measurement z_d at t_d < t (the track's time) updates the current state directly
(Bar-Shalom's one-step OOSM update, algorithm B1, IEEE TAES 2002): the state is
retrodicted to t_d through the backward transition Φ, and the cross-covariance of the
current state with the process noise w over the gap is taken as P_xw ≈ Q (the B1
approximation), giving P(d|k) = Φ(P − Q)Φᵀ and P_xz = (P − Q)Φᵀ Hᵀ. Where P − Q is not
positive definite (a very informative last update) P_xw = 0 is used instead, the other
limit, giving P(d|k) = Φ(P + Q)Φᵀ. No rewind, no stored past: one extra propagation.
"""

import numpy as np


def innovation_covariance(jac: np.ndarray, p_pred: np.ndarray, r_diag: np.ndarray) -> np.ndarray:
    """S = H P Hᵀ + R for stacks: H (K, d, n), P (K, n, n), R diagonal (K, d)."""
    s = jac @ p_pred @ jac.transpose(0, 2, 1)
    idx = np.arange(jac.shape[1])
    s[:, idx, idx] += r_diag
    return s


def mahalanobis(nu: np.ndarray, s: np.ndarray) -> np.ndarray:
    """νᵀ S⁻¹ ν (K,) for stacks ν (K, d), S (K, d, d)."""
    return np.einsum("ki,ki->k", nu, np.linalg.solve(s, nu[..., None])[..., 0])


def update(x: np.ndarray, p: np.ndarray, cross: np.ndarray, nu: np.ndarray, s: np.ndarray,
           jac_eff: np.ndarray, r_eff: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """EKF update of states x (K, n), covariances P (K, n, n).

    ``cross`` is P H_effᵀ (K, n, d), ``S`` the innovation covariance (K, d, d), ``jac_eff``
    the effective Jacobian with respect to x and ``r_eff`` (K, d, d) the effective
    measurement noise. Joseph form, so P stays symmetric positive definite.
    """
    gain = np.linalg.solve(s, cross.transpose(0, 2, 1)).transpose(0, 2, 1)
    x_new = x + np.einsum("kij,kj->ki", gain, nu)
    a = np.eye(x.shape[1]) - gain @ jac_eff
    p_new = a @ p @ a.transpose(0, 2, 1) + gain @ r_eff @ gain.transpose(0, 2, 1)
    return x_new, 0.5 * (p_new + p_new.transpose(0, 2, 1))


def retrodiction(phi: np.ndarray, p: np.ndarray, q_d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For late plots: the state/noise cross-covariance P_xw (K, n, n) and the retrodicted P(d|k).

    ``phi`` is the backward transition t → t_d, ``q_d`` the process noise accumulated over the
    gap (as returned by the propagation, at t_d); it is mapped back to t first.
    """
    inv = np.linalg.inv(phi)
    q_k = inv @ q_d @ inv.transpose(0, 2, 1)
    q_k = 0.5 * (q_k + q_k.transpose(0, 2, 1))
    b1 = p - q_k
    values = np.linalg.eigvalsh(b1)
    ok = values.min(axis=1) >= -1e-9 * np.maximum(values.max(axis=1), 1.0)
    pxw = np.where(ok[:, None, None], q_k, 0.0)
    p_d = phi @ (p + q_k - 2.0 * pxw) @ phi.transpose(0, 2, 1)
    return pxw, 0.5 * (p_d + p_d.transpose(0, 2, 1))


def update_late(x: np.ndarray, p: np.ndarray, phi: np.ndarray, pxw: np.ndarray, jac: np.ndarray,
                nu: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Update current states x (K, n) with late plots: innovation ν, S from ``retrodiction``'s P(d|k)."""
    cross = (p - pxw) @ phi.transpose(0, 2, 1) @ jac.transpose(0, 2, 1)
    gain = np.linalg.solve(s, cross.transpose(0, 2, 1)).transpose(0, 2, 1)
    x_new = x + np.einsum("kij,kj->ki", gain, nu)
    p_new = p - gain @ cross.transpose(0, 2, 1)
    return x_new, 0.5 * (p_new + p_new.transpose(0, 2, 1))
