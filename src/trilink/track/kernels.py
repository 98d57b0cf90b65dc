"""Compiled (numba) kernels for the tracker's per-row small-matrix arithmetic.

Why compiled: at a hundred tracks a numpy call costs more in dispatch (a few µs) than in
arithmetic, and the motion model, measurement model and EKF update were a few hundred such
calls per scan. Each kernel here does in one pass over the rows what a dozen array
expressions did. They are written as the same operations in the same order as the numpy
expressions they replace (named in each docstring), compiled without fastmath (IEEE
arithmetic: no reassociation, no fused multiply-add), so their results equal those
expressions' to rounding — bit for bit for the element-wise parts; sums of products may
round differently from BLAS's order. Dense 10 × 10 products (Φ P Φᵀ) stay with numpy:
BLAS does them faster than a loop. Physics (gravity, frame acceleration, height, air
density) is not written here: the kernels call ``trilink.physics.kernels``. ``cache=True``: compiled
once per machine, then loaded from ``__pycache__``.
"""

import math

import numpy as np
from numba import njit

from trilink.geo.wgs84 import GM, OMEGA_EARTH
from trilink.physics.kernels import density_1, frame_acceleration_into, gravity_into, radial_height_1

_D = 10
"""Filter state dimension (``motion.STATE_DIM``)."""
_TWO_PI = 2.0 * math.pi
_EQUATORIAL_RADIUS = 6_378_137.0
"""WGS84 semi-major axis, m (``motion.heights_below``'s bound)."""


@njit(cache=True)
def motion_jacobian(x: np.ndarray, exhaust_velocity: float, max_thrust: float) -> np.ndarray:
    """∂f/∂x (N, 10, 10) of the drag-free motion model: ``motion.jacobian`` without its drag terms.

    Constant part (dp/dt = v, Coriolis and centrifugal terms, dv/dt ∋ a), the point-mass
    gravity gradient GM/r³ (3 r̂r̂ᵀ − I), and the thrust growth block.
    """
    n = x.shape[0]
    w = OMEGA_EARTH
    jac = np.zeros((n, _D, _D))
    for k in range(n):
        px, py, pz = x[k, 0], x[k, 1], x[k, 2]
        r2 = px * px + py * py + pz * pz
        r = math.sqrt(r2)
        unit = (px / r, py / r, pz / r)
        c = GM / (r2 * r)
        for i in range(3):
            jac[k, i, 3 + i] = 1.0
            jac[k, 3 + i, 6 + i] = 1.0
            for j in range(3):
                jac[k, 3 + i, j] = c * (3.0 * unit[i] * unit[j] - (1.0 if i == j else 0.0))
        # centrifugal −(Ω×)(Ω×) = diag(ω², ω², 0) and Coriolis −2(Ω×), added as numpy adds them to a constant
        jac[k, 3, 0] = w * w + jac[k, 3, 0]
        jac[k, 4, 1] = w * w + jac[k, 4, 1]
        jac[k, 3, 4] = 2.0 * w
        jac[k, 4, 3] = -2.0 * w
        ax, ay, az = x[k, 6], x[k, 7], x[k, 8]
        if ax != 0.0 or ay != 0.0 or az != 0.0:
            alpha = math.sqrt(ax * ax + ay * ay + az * az)
            scale = max(alpha, 1e-9)
            a = (ax, ay, az)
            ahat = (ax / scale, ay / scale, az / scale)
            grows = 1.0 if alpha < max_thrust else 0.0
            m = min(alpha, max_thrust)
            for i in range(3):
                for j in range(3):
                    diagonal = m * (1.0 if i == j else 0.0)
                    jac[k, 6 + i, 6 + j] = (diagonal + grows * a[i] * ahat[j]) / exhaust_velocity
    return jac


@njit(cache=True)
def motion_derivative(x: np.ndarray, exhaust_velocity: float, max_thrust: float, ceiling: float,
                      drag_scale: float) -> np.ndarray:
    """dx/dt (N, 10) of filter states: ``motion.derivative``.

    Gravity, frame acceleration, height and air density are physics' own kernels; drag
    (−ρ|v|v k / (2 · drag_scale)) acts below ``ceiling``, thrust grows as |a|/v_e · a.
    """
    n = x.shape[0]
    pos = x[:, :3]
    free = np.empty((n, 3))
    frame = np.empty((n, 3))
    gravity_into(pos, True, free)
    frame_acceleration_into(pos, x[:, 3:6], frame)
    near = (_EQUATORIAL_RADIUS + max(ceiling, 0.0) + 1_000.0) ** 2  # farther out: surely above the ceiling
    out = np.empty((n, _D))
    for k in range(n):
        ax, ay, az = x[k, 6], x[k, 7], x[k, 8]
        for i in range(3):
            out[k, i] = x[k, 3 + i]
            out[k, 3 + i] = (free[k, i] + frame[k, i]) + x[k, 6 + i]
        px, py, pz = x[k, 0], x[k, 1], x[k, 2]
        if px * px + py * py + pz * pz < near:
            height = radial_height_1(px, py, pz)
            if height < ceiling:
                vx, vy, vz = x[k, 3], x[k, 4], x[k, 5]
                per_k = -0.5 / drag_scale * density_1(height) * math.sqrt(vx * vx + vy * vy + vz * vz)
                drag_k = max(x[k, 9], 0.0)
                out[k, 3] += drag_k * (per_k * vx)
                out[k, 4] += drag_k * (per_k * vy)
                out[k, 5] += drag_k * (per_k * vz)
        alpha = min(math.sqrt(ax * ax + ay * ay + az * az), max_thrust)
        growth = alpha / exhaust_velocity
        out[k, 6] = growth * ax
        out[k, 7] = growth * ay
        out[k, 8] = growth * az
        out[k, 9] = 0.0
    return out


@njit(cache=True)
def rk4_step(x: np.ndarray, h: np.ndarray, rate: np.ndarray, exhaust_velocity: float, max_thrust: float,
             ceiling: float, drag_scale: float) -> np.ndarray:
    """States (N, 10) advanced by one classical Runge–Kutta step h (N,), given the rate at x."""
    n = x.shape[0]
    half = np.empty((n, _D))
    for k in range(n):
        for i in range(_D):
            half[k, i] = x[k, i] + 0.5 * h[k] * rate[k, i]
    k2 = motion_derivative(half, exhaust_velocity, max_thrust, ceiling, drag_scale)
    for k in range(n):
        for i in range(_D):
            half[k, i] = x[k, i] + 0.5 * h[k] * k2[k, i]
    k3 = motion_derivative(half, exhaust_velocity, max_thrust, ceiling, drag_scale)
    for k in range(n):
        for i in range(_D):
            half[k, i] = x[k, i] + h[k] * k3[k, i]
    k4 = motion_derivative(half, exhaust_velocity, max_thrust, ceiling, drag_scale)
    out = np.empty((n, _D))
    for k in range(n):
        for i in range(_D):
            out[k, i] = x[k, i] + h[k] / 6.0 * (rate[k, i] + 2.0 * k2[k, i] + 2.0 * k3[k, i] + k4[k, i])
    return out


@njit(cache=True)
def step_transition(jac: np.ndarray, h: np.ndarray) -> np.ndarray:
    """One sub-step's transition Φ = I + FΔ + (FΔ)²/2 (N, 10, 10) for Jacobians F and steps Δ (N,).

    The square is summed over F's non-zero entries only (F is sparse: 1/3 full), which
    changes no finite sum.
    """
    n = jac.shape[0]
    out = np.empty((n, _D, _D))
    fh = np.empty((_D, _D))
    for k in range(n):
        hk = h[k]
        for i in range(_D):
            for j in range(_D):
                fh[i, j] = jac[k, i, j] * hk
                out[k, i, j] = (1.0 if i == j else 0.0) + fh[i, j]
        for i in range(_D):
            for m in range(_D):
                a = 0.5 * fh[i, m]
                if a != 0.0:
                    for j in range(_D):
                        out[k, i, j] += a * fh[m, j]
    return out


@njit(cache=True)
def taylor_step(x: np.ndarray, h: np.ndarray, jac: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """States advanced by the second-order Taylor step x + f h + (F f) h²/2 (N, 10)."""
    n = x.shape[0]
    out = np.empty((n, _D))
    for k in range(n):
        hk = h[k]
        half_h2 = 0.5 * hk * hk
        for i in range(_D):
            s = 0.0
            for m in range(_D):
                s += jac[k, i, m] * rate[k, m]
            out[k, i] = x[k, i] + (hk * rate[k, i] + half_h2 * s)
    return out


@njit(cache=True)
def integrate_step(x: np.ndarray, h: np.ndarray, jac: np.ndarray, rate: np.ndarray, rk4: np.ndarray,
                   exhaust_velocity: float, max_thrust: float, ceiling: float, drag_scale: float
                   ) -> np.ndarray:
    """States (N, 10) advanced by one sub-step h (N,): RK4 where ``rk4`` (N,) is set, else the Taylor step."""
    fast = np.nonzero(rk4)[0]
    out = taylor_step(x, h, jac, rate)  # the RK4 rows' Taylor values are overwritten below
    if len(fast):
        stepped = rk4_step(x[fast], h[fast], rate[fast], exhaust_velocity, max_thrust, ceiling, drag_scale)
        for j in range(len(fast)):
            out[fast[j]] = stepped[j]
    return out


@njit(cache=True)
def process_noise(h: np.ndarray, q_acc: np.ndarray, q_thrust: np.ndarray, q_k: np.ndarray) -> np.ndarray:
    """Discrete process noise (N, 10, 10) of white acceleration, thrust and drag noise over steps h:
    ``motion._noise`` written in place."""
    n = h.shape[0]
    out = np.zeros((n, _D, _D))
    for k in range(n):
        hk = h[k]
        ah = abs(hk)
        pp = q_acc[k] * ah**3.0 / 3.0
        pv = q_acc[k] * hk * ah / 2.0
        vv = q_acc[k] * ah
        for i in range(3):
            out[k, i, i] = pp
            out[k, i, 3 + i] = pv
            out[k, 3 + i, i] = pv
            out[k, 3 + i, 3 + i] = vv
            out[k, 6 + i, 6 + i] = q_thrust[k] * ah
        out[k, 9, 9] = q_k[k] * ah
    return out


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
def pregate_extrapolation(x: np.ndarray, p: np.ndarray, dt: np.ndarray, q_ballistic: float
                          ) -> tuple[np.ndarray, np.ndarray]:
    """Positions (N, 3) carried dt (N,) ahead under point-mass gravity and thrust, and their variances (N,).

    p + v dt + a dt²/2, and tr P_pp + dt² tr P_vv + dt⁴/4 tr P_aa + 3 q |dt|³: the coarse
    prediction of the pre-gate (the tracker's ``_candidates``), not the filter's.
    """
    n = x.shape[0]
    approx = np.empty((n, 3))
    variance = np.empty(n)
    for k in range(n):
        px, py, pz = x[k, 0], x[k, 1], x[k, 2]
        r2 = px * px + py * py + pz * pz
        g = -GM / (r2 * math.sqrt(r2))
        t = dt[k]
        t2 = t * t
        for i in range(3):
            acc = g * x[k, i] + x[k, 6 + i]
            approx[k, i] = x[k, i] + x[k, 3 + i] * t + 0.5 * acc * t2
        variance[k] = ((p[k, 0, 0] + p[k, 1, 1] + p[k, 2, 2]) + t2 * (p[k, 3, 3] + p[k, 4, 4] + p[k, 5, 5])
                       + 0.25 * t**4.0 * (p[k, 6, 6] + p[k, 7, 7] + p[k, 8, 8])
                       + abs(t) ** 3.0 * 3.0 * q_ballistic)
    return approx, variance


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


@njit(cache=True)
def thrust_evidence(x: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For boosting states (K, 10), covariances (K, 10, 10): the thrust's χ² against zero aᵀ P_aa⁻¹ a,
    its norm |a|, and its component along the velocity with that component's 1σ (each (K,)).

    P_aa⁻¹ a by Gaussian elimination with partial pivoting (what LAPACK's solve does for 3 × 3).
    """
    n = x.shape[0]
    test = np.empty(n)
    norm = np.empty(n)
    along = np.empty(n)
    sd_along = np.empty(n)
    m = np.empty((3, 4))
    for k in range(n):
        a0, a1, a2 = x[k, 6], x[k, 7], x[k, 8]
        for i in range(3):
            for j in range(3):
                m[i, j] = p[k, 6 + i, 6 + j]
            m[i, 3] = x[k, 6 + i]
        for col in range(3):
            pivot = col
            for i in range(col + 1, 3):
                if abs(m[i, col]) > abs(m[pivot, col]):
                    pivot = i
            if pivot != col:
                for j in range(4):
                    m[col, j], m[pivot, j] = m[pivot, j], m[col, j]
            for i in range(col + 1, 3):
                factor = m[i, col] / m[col, col]
                for j in range(col, 4):
                    m[i, j] -= factor * m[col, j]
        s2 = m[2, 3] / m[2, 2]
        s1 = (m[1, 3] - m[1, 2] * s2) / m[1, 1]
        s0 = (m[0, 3] - m[0, 1] * s1 - m[0, 2] * s2) / m[0, 0]
        test[k] = a0 * s0 + a1 * s1 + a2 * s2
        norm[k] = math.sqrt(a0 * a0 + a1 * a1 + a2 * a2)
        vx, vy, vz = x[k, 3], x[k, 4], x[k, 5]
        speed = max(math.sqrt(vx * vx + vy * vy + vz * vz), 1.0)
        u = (vx / speed, vy / speed, vz / speed)
        along[k] = a0 * u[0] + a1 * u[1] + a2 * u[2]
        var = 0.0
        for i in range(3):
            for j in range(3):
                var += u[i] * p[k, 6 + i, 6 + j] * u[j]
        sd_along[k] = math.sqrt(var)
    return test, norm, along, sd_along


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
def commit_updates(rows: np.ndarray, time: float, late: np.ndarray, boost: np.ndarray, nis: np.ndarray,
                   ids: np.ndarray, kind_bit: int, t: np.ndarray, last: np.ndarray, hits: np.ndarray,
                   last_id: np.ndarray, impact_due: np.ndarray, kinds: np.ndarray, nis_table: np.ndarray,
                   boost_table: np.ndarray, ended: np.ndarray) -> None:
    """The track table's per-row bookkeeping of an update at ``time``, in place (rows distinct).

    A row leaving the boost model restarts its NIS record and notes when; then its time (unless the
    plot was late), last update, hit count, last plot id, coasting impact time (reset), sensor kinds,
    and the NIS record shifted by one (the new ``nis`` already less the dimension).
    """
    for k in range(rows.shape[0]):
        r = rows[k]
        if boost_table[r] and not boost[k]:
            nis_table[r, 0] = nis_table[r, 1] = nis_table[r, 2] = 0.0
            ended[r] = time
        boost_table[r] = boost[k]
        if not late[k]:
            t[r] = time
        last[r] = max(last[r], time)
        hits[r] += 1
        last_id[r] = ids[k]
        impact_due[r] = np.nan
        kinds[r] |= kind_bit
        nis_table[r, 0] = nis_table[r, 1]
        nis_table[r, 1] = nis_table[r, 2]
        nis_table[r, 2] = nis[k]


@njit(cache=True)
def record_history(rows: np.ndarray, t: np.ndarray, x: np.ndarray, history: np.ndarray,
                   history_n: np.ndarray, history_unsorted: np.ndarray) -> None:
    """Append [t, position, velocity] of ``rows`` (distinct) to their histories while not full, in place."""
    length = history.shape[1]
    for k in range(rows.shape[0]):
        r = rows[k]
        n = history_n[r]
        if n >= length:
            continue
        history[r, n, 0] = t[r]
        for i in range(6):
            history[r, n, 1 + i] = x[r, i]
        if n > 0 and t[r] < history[r, n - 1, 0]:
            history_unsorted[r] = True
        history_n[r] = n + 1


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
def refresh_shown(t: np.ndarray, hits: np.ndarray, status: np.ndarray, last: np.ndarray, boost: np.ndarray,
                  first: np.ndarray, now: float, coast_after: float, shown: np.ndarray) -> np.ndarray:
    """Which rows' output changed (N,): their key (time, hits, status, coasting, boost, start) differs
    from ``shown`` (N, 6), which is brought up to date in place."""
    n = t.shape[0]
    changed = np.zeros(n, dtype=np.bool_)
    key = np.empty(6)
    for k in range(n):
        key[0] = t[k]
        key[1] = hits[k]
        key[2] = status[k]
        key[3] = 1.0 if now - last[k] > coast_after else 0.0
        key[4] = 1.0 if boost[k] else 0.0
        key[5] = first[k]
        for j in range(6):
            if key[j] != shown[k, j]:  # NaN (never shown) differs from everything
                changed[k] = True
        if changed[k]:
            for j in range(6):
                shown[k, j] = key[j]
    return changed


@njit(cache=True)
def switch_rows(rows: np.ndarray, x: np.ndarray, height: np.ndarray, boost: np.ndarray, hits: np.ndarray,
                kinds: np.ndarray, nis: np.ndarray, max_height: np.ndarray, drag_seen: np.ndarray,
                confirm_hits: int, ir_bit: int, drag_height: float, start_height: float, top_height: float,
                reboost_nis: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The per-row facts of ``switching.switch_models`` for table ``rows`` (distinct) at ``height`` (K,).

    Updates each row's highest height and whether it was seen in air (below ``drag_height``), in
    place, and returns its climb rate and whether it starts the boost model (just confirmed, not
    boosting: IR-seen, or rising below ``start_height``), may start it (rising below ``top_height``:
    decided by its neighbours) or manoeuvres (confirmed, rising below ``top_height``, its last
    three NIS summing beyond ``reboost_nis``).
    """
    n = rows.shape[0]
    climb = np.empty(n)
    start = np.zeros(n, dtype=np.bool_)
    maybe = np.zeros(n, dtype=np.bool_)
    manoeuvre = np.zeros(n, dtype=np.bool_)
    for k in range(n):
        r = rows[k]
        h = height[k]
        px, py, pz = x[r, 0], x[r, 1], x[r, 2]
        c = (x[r, 3] * px + x[r, 4] * py + x[r, 5] * pz) / math.sqrt(px * px + py * py + pz * pz)
        climb[k] = c
        top = max_height[r]
        max_height[r] = np.nan if (top != top or h != h) else max(top, h)
        if h < drag_height:
            drag_seen[r] = True
        if boost[r]:
            continue
        if hits[r] == confirm_hits:
            start[k] = (kinds[r] & ir_bit) > 0 or (c > 0.0 and h < start_height)
            maybe[k] = not start[k] and c > 0.0 and h < top_height
        manoeuvre[k] = (hits[r] >= confirm_hits and c > 0.0 and h < top_height
                        and (nis[r, 0] + nis[r, 1]) + nis[r, 2] > reboost_nis)
    return climb, start, maybe, manoeuvre
