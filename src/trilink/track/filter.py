"""Batched extended-Kalman-filter update, with retrodicted (out-of-sequence) measurements.

A late measurement z_d at t_d < t (the track's time) is used as a measurement of the
current state through the backward transition: z_d = h(Φ(t_d, t) x_t) + v, with the
process noise over the gap added to its covariance (Bar-Shalom's one-step OOSM update,
"algorithm B" without the cross term: exact when the process noise is negligible, as in
midcourse). Its innovation covariance equals the forward one, so gating is identical.
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
