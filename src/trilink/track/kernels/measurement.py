"""Compiled kernels of the measurement model, the gate and the EKF update (``measure``, ``hypotheses``,
``filter``).
"""

import math

import numpy as np
from numba import njit

_D = 10
"""Filter state dimension (``motion.STATE_DIM``)."""
_TWO_PI = 2.0 * math.pi


@njit(cache=True)
def measurement_model(states: np.ndarray, sensor: np.ndarray, rotation: np.ndarray, dim: int
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Predicted [az, el(, range(, range-rate))] (N, dim) and Jacobians (N, dim, 10): ``measure.predict``."""
    n = states.shape[0]
    zhat = np.empty((n, dim))
    jac = np.zeros((n, dim, _D))
    rel = np.empty(3)
    enu = np.empty(3)
    jac_enu = np.zeros((4, 3))
    for k in range(n):
        for i in range(3):
            rel[i] = states[k, i] - sensor[i]
        for i in range(3):
            enu[i] = rel[0] * rotation[i, 0] + rel[1] * rotation[i, 1] + rel[2] * rotation[i, 2]
        e, nn, u = enu[0], enu[1], enu[2]
        rho2 = e * e + nn * nn
        rho = math.sqrt(rho2)
        r2 = rho2 + u * u
        rng = math.sqrt(r2)
        az = math.atan2(e, nn) % _TWO_PI
        zhat[k, 0] = az
        zhat[k, 1] = math.atan2(u, rho)
        jac_enu[0, 0] = nn / rho2
        jac_enu[0, 1] = -e / rho2
        jac_enu[0, 2] = 0.0
        jac_enu[1, 0] = -e * u / (rho * r2)
        jac_enu[1, 1] = -nn * u / (rho * r2)
        jac_enu[1, 2] = rho / r2
        if dim >= 3:
            zhat[k, 2] = rng
            for i in range(3):
                jac_enu[2, i] = enu[i] / rng
        for row in range(min(dim, 3)):
            for j in range(3):
                jac[k, row, j] = (jac_enu[row, 0] * rotation[0, j] + jac_enu[row, 1] * rotation[1, j]
                                  + jac_enu[row, 2] * rotation[2, j])
        if dim == 4:
            vx, vy, vz = states[k, 3], states[k, 4], states[k, 5]
            lx, ly, lz = rel[0] / rng, rel[1] / rng, rel[2] / rng
            rr = lx * vx + ly * vy + lz * vz
            zhat[k, 3] = rr
            jac[k, 3, 0] = (vx - rr * lx) / rng
            jac[k, 3, 1] = (vy - rr * ly) / rng
            jac[k, 3, 2] = (vz - rr * lz) / rng
            jac[k, 3, 3] = lx
            jac[k, 3, 4] = ly
            jac[k, 3, 5] = lz
    return zhat, jac


@njit(cache=True)
def innovation_terms(p: np.ndarray, jac: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """P Hᵀ (N, 10, d) and H P Hᵀ (N, d, d) for covariances P (N, 10, 10) and Jacobians H (N, d, 10).

    H is non-zero in its first six columns only (position, and velocity for range-rate),
    so the products run over those.
    """
    n, d = jac.shape[0], jac.shape[1]
    cross = np.empty((n, _D, d))
    hph = np.empty((n, d, d))
    for k in range(n):
        for i in range(_D):
            for a in range(d):
                s = 0.0
                for m in range(6):
                    s += p[k, i, m] * jac[k, a, m]
                cross[k, i, a] = s
        for a in range(d):
            for b in range(d):
                s = 0.0
                for m in range(6):
                    s += jac[k, a, m] * cross[k, m, b]
                hph[k, a, b] = s
    return cross, hph


@njit(cache=True)
def gate_pairs(z: np.ndarray, sigma: np.ndarray, zhat: np.ndarray, hph: np.ndarray, pair_hyp: np.ndarray,
               pair_col: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Innovations ν, S = H P Hᵀ + R, S⁻¹, log det S and d² = νᵀ S⁻¹ ν of (hypothesis, plot) pairs, d ≤ 3.

    ``hypotheses.pair_costs``'s arithmetic: azimuth innovations wrapped to (−π, π], S⁻¹ by the
    adjugate formulas of ``filter.spd_inverse`` (NaN where S is not positive definite).
    """
    n, d = pair_hyp.shape[0], z.shape[1]
    nu = np.empty((n, d))
    s = np.empty((n, d, d))
    s_inv = np.empty((n, d, d))
    logdet = np.empty(n)
    d2 = np.empty(n)
    for k in range(n):
        h, c = pair_hyp[k], pair_col[k]
        for i in range(d):
            nu[k, i] = z[c, i] - zhat[h, i]
            for j in range(d):
                s[k, i, j] = hph[h, i, j]
            s[k, i, i] += sigma[c, i] ** 2
        nu[k, 0] = (nu[k, 0] + math.pi) % _TWO_PI - math.pi
        if d == 1:
            det = s[k, 0, 0]
            positive = det > 0.0
            s_inv[k, 0, 0] = 1.0
        elif d == 2:
            det = s[k, 0, 0] * s[k, 1, 1] - s[k, 0, 1] * s[k, 1, 0]
            positive = s[k, 0, 0] > 0.0 and det > 0.0
            s_inv[k, 0, 0] = s[k, 1, 1]
            s_inv[k, 1, 1] = s[k, 0, 0]
            s_inv[k, 0, 1] = s_inv[k, 1, 0] = -s[k, 0, 1]
        else:
            a00, a01, a02 = s[k, 0, 0], s[k, 0, 1], s[k, 0, 2]
            a11, a12, a22 = s[k, 1, 1], s[k, 1, 2], s[k, 2, 2]
            c00 = a11 * a22 - a12 * a12
            c01 = a02 * a12 - a01 * a22
            c02 = a01 * a12 - a02 * a11
            det = a00 * c00 + a01 * c01 + a02 * c02
            minor = a00 * a11 - a01 * a01
            positive = a00 > 0.0 and minor > 0.0 and det > 0.0
            s_inv[k, 0, 0] = c00
            s_inv[k, 1, 1] = a00 * a22 - a02 * a02
            s_inv[k, 2, 2] = minor
            s_inv[k, 0, 1] = s_inv[k, 1, 0] = c01
            s_inv[k, 0, 2] = s_inv[k, 2, 0] = c02
            s_inv[k, 1, 2] = s_inv[k, 2, 1] = a01 * a02 - a00 * a12
        if not positive:
            det = np.nan
        for i in range(d):
            for j in range(d):
                s_inv[k, i, j] = s_inv[k, i, j] / det
        logdet[k] = math.log(det) if positive else np.nan
        total = 0.0
        for i in range(d):
            row = 0.0
            for j in range(d):
                row += s_inv[k, i, j] * nu[k, j]
            total += nu[k, i] * row
        d2[k] = total
    return nu, s, s_inv, logdet, d2


@njit(cache=True)
def joseph_update_3(x: np.ndarray, p: np.ndarray, cross: np.ndarray, nu: np.ndarray, s: np.ndarray,
                    s_inv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``filter.update``'s arithmetic for three measured components (az, el, range), states (K, n).

    K = cross S⁻¹, x + Kν, and P − K·crossᵀ − cross·Kᵀ + K S Kᵀ symmetrised, with the
    three-term sums written out (a loop over a run-time dimension costs twice as much).
    """
    n, dim = x.shape[0], x.shape[1]
    x_new = np.empty((n, dim))
    p_new = np.empty((n, dim, dim))
    gain = np.empty((dim, 3))
    sk = np.empty((3, dim))
    full = np.empty((dim, dim))
    for k in range(n):
        c, si, sm, pk = cross[k], s_inv[k], s[k], p[k]
        for i in range(dim):
            c0, c1, c2 = c[i, 0], c[i, 1], c[i, 2]
            g0 = c0 * si[0, 0] + c1 * si[1, 0] + c2 * si[2, 0]
            g1 = c0 * si[0, 1] + c1 * si[1, 1] + c2 * si[2, 1]
            g2 = c0 * si[0, 2] + c1 * si[1, 2] + c2 * si[2, 2]
            gain[i, 0], gain[i, 1], gain[i, 2] = g0, g1, g2
            x_new[k, i] = x[k, i] + (g0 * nu[k, 0] + g1 * nu[k, 1] + g2 * nu[k, 2])
        for a in range(3):
            for j in range(dim):
                sk[a, j] = sm[a, 0] * gain[j, 0] + sm[a, 1] * gain[j, 1] + sm[a, 2] * gain[j, 2]
        for i in range(dim):
            g0, g1, g2 = gain[i, 0], gain[i, 1], gain[i, 2]
            for j in range(dim):
                kc_ij = g0 * c[j, 0] + g1 * c[j, 1] + g2 * c[j, 2]
                kc_ji = gain[j, 0] * c[i, 0] + gain[j, 1] * c[i, 1] + gain[j, 2] * c[i, 2]
                full[i, j] = ((pk[i, j] - kc_ij) - kc_ji) + (g0 * sk[0, j] + g1 * sk[1, j] + g2 * sk[2, j])
        for i in range(dim):
            for j in range(dim):
                p_new[k, i, j] = (full[i, j] + full[j, i]) * 0.5
    return x_new, p_new


@njit(cache=True)
def malformed_rows(values: np.ndarray, sensor_ecef: np.ndarray, radar: np.ndarray, rate_given: np.ndarray
                   ) -> np.ndarray:
    """(M,) which plots are unusable (``measure.malformed``): non-finite time, angles, angle sigmas or
    sensor position, angle sigmas not > 0; a radar's range and its sigma not finite and > 0, or a
    range-rate given without a finite value and a sigma > 0. Columns of ``measure.Plots.values``."""
    m = values.shape[0]
    bad = np.zeros(m, dtype=np.bool_)
    for k in range(m):
        v = values[k]
        wrong = not (v[3] > 0.0 and v[4] > 0.0)
        for c in range(5):
            wrong = wrong or not np.isfinite(v[c])
        for c in range(3):
            wrong = wrong or not np.isfinite(sensor_ecef[k, c])
        if radar[k] and not wrong:
            wrong = not (v[5] > 0.0 and v[6] > 0.0 and np.isfinite(v[5]) and np.isfinite(v[6]))
            if rate_given[k]:
                wrong = wrong or not (v[8] > 0.0 and np.isfinite(v[7]))
        bad[k] = wrong
    return bad
