"""Compiled kernels of the association's coarse pre-gate (``tracker._candidates``, ``associate``)."""

import math

import numpy as np
from numba import njit

from trilink.geo.wgs84 import GM


@njit(cache=True)
def pregate(x: np.ndarray, p: np.ndarray, dt: np.ndarray, q_ballistic: float, z: np.ndarray,
            sigma: np.ndarray, sigmas: float, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """Positions (N, 3) carried dt (N,) ahead under point-mass gravity and thrust, and pre-gate radii (N,).

    p + v dt + a dt²/2; the radius is ``sigmas`` standard deviations of that position, from
    tr P_pp + dt² tr P_vv + dt⁴/4 tr P_aa + 3 q |dt|³ plus the widest radar plot's variance
    (range × largest angle σ)² + σ_range² over ``z``, ``sigma`` (M, ≥3), plus ``floor``: the
    coarse prediction of the tracker's ``_candidates``, not the filter's.
    """
    plot_var = -np.inf
    for j in range(z.shape[0]):
        spread = z[j, 2] * max(sigma[j, 0], sigma[j, 1])
        plot_var = max(plot_var, spread**2 + sigma[j, 2] ** 2)
    n = x.shape[0]
    approx = np.empty((n, 3))
    radius = np.empty(n)
    for k in range(n):
        px, py, pz = x[k, 0], x[k, 1], x[k, 2]
        r2 = px * px + py * py + pz * pz
        g = -GM / (r2 * math.sqrt(r2))
        t = dt[k]
        t2 = t * t
        for i in range(3):
            acc = g * x[k, i] + x[k, 6 + i]
            approx[k, i] = x[k, i] + x[k, 3 + i] * t + 0.5 * acc * t2
        variance = ((p[k, 0, 0] + p[k, 1, 1] + p[k, 2, 2]) + t2 * (p[k, 3, 3] + p[k, 4, 4] + p[k, 5, 5])
                    + 0.25 * t**4.0 * (p[k, 6, 6] + p[k, 7, 7] + p[k, 8, 8])
                    + abs(t) ** 3.0 * 3.0 * q_ballistic)
        radius[k] = sigmas * math.sqrt(variance + plot_var) + floor
    return approx, radius


@njit(cache=True)
def pairs_within(track_pos: np.ndarray, radius: np.ndarray, plot_pos: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(track, plot) index pairs (track-major order) with |track − plot| < radius[track]; every pair tested.

    |a − b|² is taken as |a|² + |b|² − 2 a·b about the first plot (a nearby origin), as the
    numpy version did to avoid an N × M × 3 array.
    """
    n, m = track_pos.shape[0], plot_pos.shape[0]
    cx, cy, cz = plot_pos[0, 0], plot_pos[0, 1], plot_pos[0, 2]
    b = np.empty((m, 3))
    b2 = np.empty(m)
    for j in range(m):
        b[j, 0], b[j, 1], b[j, 2] = plot_pos[j, 0] - cx, plot_pos[j, 1] - cy, plot_pos[j, 2] - cz
        b2[j] = b[j, 0] * b[j, 0] + b[j, 1] * b[j, 1] + b[j, 2] * b[j, 2]
    rows = np.empty(n * m, dtype=np.intp)
    cols = np.empty(n * m, dtype=np.intp)
    count = 0
    for i in range(n):
        ax, ay, az = track_pos[i, 0] - cx, track_pos[i, 1] - cy, track_pos[i, 2] - cz
        a2 = ax * ax + ay * ay + az * az
        limit = radius[i] * radius[i]
        for j in range(m):
            if a2 + b2[j] - 2.0 * (ax * b[j, 0] + ay * b[j, 1] + az * b[j, 2]) < limit:
                rows[count] = i
                cols[count] = j
                count += 1
    return rows[:count].copy(), cols[:count].copy()
