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

from trilink.track import kernels


def innovation_covariance(jac: np.ndarray, p_pred: np.ndarray, r_diag: np.ndarray) -> np.ndarray:
    """S = H P Hᵀ + R for stacks: H (K, d, n), P (K, n, n), R diagonal (K, d)."""
    s = jac @ p_pred @ jac.transpose(0, 2, 1)
    idx = np.arange(jac.shape[1])
    s[:, idx, idx] += r_diag
    return s


def spd_inverse(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverses (K, d, d) and log-determinants (K,) of a stack of symmetric positive-definite d ≤ 4 matrices.

    Closed forms (adjugate; a 3 + 1 block with its Schur complement for d = 4), vectorised
    over the stack: a few dozen array operations, where LAPACK's batched ``inv``/``solve``
    and ``slogdet`` pay a call per matrix. A matrix that is not positive definite gets NaN,
    so it fails every gate. Larger matrices go to LAPACK.
    """
    d = s.shape[-1]
    if d == 4:
        a_inv, a_logdet = spd_inverse(s[:, :3, :3])
        b = s[:, :3, 3:]
        a_inv_b = a_inv @ b
        schur = s[:, 3:, 3:] - b.transpose(0, 2, 1) @ a_inv_b
        c_inv, c_logdet = spd_inverse(schur)
        top_right = -a_inv_b @ c_inv
        inv = np.empty_like(s)
        inv[:, :3, :3] = a_inv - top_right @ a_inv_b.transpose(0, 2, 1)
        inv[:, :3, 3:] = top_right
        inv[:, 3:, :3] = top_right.transpose(0, 2, 1)
        inv[:, 3:, 3:] = c_inv
        return inv, a_logdet + c_logdet
    if d > 4:
        ok = np.linalg.eigvalsh(s).min(axis=-1) > 0.0
        return (np.where(ok[:, None, None], np.linalg.inv(s), np.nan),
                np.where(ok, np.linalg.slogdet(s)[1], np.nan))
    inv = np.empty_like(s)
    if d == 1:
        det = s[:, 0, 0].copy()
        positive = det > 0.0
        inv[:, 0, 0] = 1.0
    elif d == 2:
        det = s[:, 0, 0] * s[:, 1, 1] - s[:, 0, 1] * s[:, 1, 0]
        positive = (s[:, 0, 0] > 0.0) & (det > 0.0)  # Sylvester's criterion
        inv[:, 0, 0] = s[:, 1, 1]
        inv[:, 1, 1] = s[:, 0, 0]
        inv[:, 0, 1] = inv[:, 1, 0] = -s[:, 0, 1]
    else:
        a00, a01, a02 = s[:, 0, 0], s[:, 0, 1], s[:, 0, 2]
        a11, a12, a22 = s[:, 1, 1], s[:, 1, 2], s[:, 2, 2]
        c00 = a11 * a22 - a12 * a12
        c01 = a02 * a12 - a01 * a22
        c02 = a01 * a12 - a02 * a11
        det = a00 * c00 + a01 * c01 + a02 * c02
        minor = a00 * a11 - a01 * a01
        positive = (a00 > 0.0) & (minor > 0.0) & (det > 0.0)  # Sylvester's criterion
        inv[:, 0, 0] = c00
        inv[:, 1, 1] = a00 * a22 - a02 * a02
        inv[:, 2, 2] = minor
        inv[:, 0, 1] = inv[:, 1, 0] = c01
        inv[:, 0, 2] = inv[:, 2, 0] = c02
        inv[:, 1, 2] = inv[:, 2, 1] = a01 * a02 - a00 * a12
    det = np.where(positive, det, np.nan)
    return inv / det[:, None, None], np.log(det)


def mahalanobis(nu: np.ndarray, s: np.ndarray, s_inv: np.ndarray | None = None) -> np.ndarray:
    """νᵀ S⁻¹ ν (K,) for stacks ν (K, d), S (K, d, d) (``s_inv``: S⁻¹ when already known)."""
    if s_inv is None:
        s_inv = spd_inverse(s)[0]
    return (nu * (s_inv @ nu[..., None])[..., 0]).sum(axis=-1)


def update(x: np.ndarray, p: np.ndarray, cross: np.ndarray, nu: np.ndarray, s: np.ndarray,
           jac_eff: np.ndarray | None, r_eff: np.ndarray | None, s_inv: np.ndarray | None = None
           ) -> tuple[np.ndarray, np.ndarray]:
    """EKF update of states x (K, n), covariances P (K, n, n).

    ``cross`` is P H_effᵀ (K, n, d) and ``S`` = H_eff P H_effᵀ + R_eff (K, d, d) the innovation
    covariance (``s_inv`` its inverse when known), for the effective Jacobian ``jac_eff`` and
    measurement noise ``r_eff``. Joseph form, (I − KH)P(I − KH)ᵀ + KRKᵀ, evaluated expanded as
    P − K·crossᵀ − cross·Kᵀ + K S Kᵀ (the same expression for any gain K; thin d-wide products
    only, no n×n×n one).
    """
    del jac_eff, r_eff  # they enter through ``cross`` and ``s``
    if s_inv is None:
        s_inv = spd_inverse(s)[0]
    if cross.shape[-1] == 3:  # a radar's az, el, range: one compiled pass (the same expression)
        return kernels.joseph_update_3(x, p, cross, nu, s, s_inv)
    gain = cross @ s_inv
    gain_t = gain.transpose(0, 2, 1)
    x_new = x + (gain @ nu[..., None])[..., 0]
    kc = gain @ cross.transpose(0, 2, 1)
    p_new = p - kc  # the same operations as (p − kc − kcᵀ + K S Kᵀ), in place
    p_new -= kc.transpose(0, 2, 1)
    p_new += gain @ (s @ gain_t)
    out = p_new + p_new.transpose(0, 2, 1)
    out *= 0.5
    return x_new, out


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
    gain = cross @ spd_inverse(s)[0]
    x_new = x + np.einsum("kij,kj->ki", gain, nu)
    p_new = p - gain @ cross.transpose(0, 2, 1)
    return x_new, 0.5 * (p_new + p_new.transpose(0, 2, 1))
