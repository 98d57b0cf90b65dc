"""Compiled kernels of the filter's motion model (``track.motion``): Jacobian, derivative, sub-steps, noise.

Gravity, frame acceleration, height and air density are physics' own kernels
(``trilink.physics.kernels``), called here so the whole derivative is one pass.
"""

import math

import numpy as np
from numba import njit

from trilink.geo.wgs84 import GM, OMEGA_EARTH
from trilink.physics.kernels import density_1, frame_acceleration_into, gravity_into, radial_height_1

_D = 10
"""Filter state dimension (``motion.STATE_DIM``)."""
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
def heights_within(pos: np.ndarray, limit: float) -> np.ndarray:
    """Heights (N,) of positions (N, 3): physics' radial height wherever it may be below ``limit``,
    +inf farther out (``motion.heights_below``)."""
    n = pos.shape[0]
    out = np.empty(n)
    reach = (_EQUATORIAL_RADIUS + max(limit, 0.0) + 1_000.0) ** 2
    for k in range(n):
        px, py, pz = pos[k, 0], pos[k, 1], pos[k, 2]
        out[k] = radial_height_1(px, py, pz) if px * px + py * py + pz * pz < reach else np.inf
    return out


@njit(cache=True)
def integrator_rows(pos: np.ndarray, q_thrust: np.ndarray, ceiling: float) -> tuple[np.ndarray, np.ndarray]:
    """Heights (N,), exact below 1.2 × ``ceiling``, and which rows step with RK4 (thrust, or air):
    ``motion.integrators``."""
    height = heights_within(pos, 1.2 * ceiling)
    fast = np.empty(pos.shape[0], dtype=np.bool_)
    for k in range(pos.shape[0]):
        fast[k] = q_thrust[k] > 0.0 or height[k] < 1.2 * ceiling
    return height, fast


@njit(cache=True)
def step_spans(dt: np.ndarray, fast: np.ndarray) -> tuple[float, float]:
    """The largest |dt| (0 if none) of the ``fast`` rows and of the others: ``motion.step_spans``."""
    span_fast = 0.0
    span_slow = 0.0
    for k in range(dt.shape[0]):
        span = abs(dt[k])
        if fast[k]:
            span_fast = max(span_fast, span)
        else:
            span_slow = max(span_slow, span)
    return span_fast, span_slow
