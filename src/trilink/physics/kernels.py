"""Compiled (numba) kernels for the equations of motion and free-flight integration.

The tracker, the assessment (impact and launch prediction) and fusion evaluate the
equations of motion millions of times on a few states at a time. As numpy expressions
each call costs ~60–120 µs of per-operation overhead whatever the number of states; the
same arithmetic compiled with numba's ``njit`` costs ~1 µs. These kernels are the bodies
of ``dynamics`` and ``propagate``: same formulas, same order of operations, IEEE
arithmetic (no fastmath), so results agree with the numpy forms to rounding. Compiled
code is cached on disk next to this file (``cache=True``): the first import on a new
machine compiles for a few seconds, later ones load it.

Arrays: positions (N, 3), states (N, 6), float64, C-contiguous; β (N,) with ``drag``
False meaning no drag (β ignored).
"""

import math

import numpy as np
from numba import njit

from trilink.geo.wgs84 import GM, J2, OMEGA_EARTH, SEMI_MAJOR_AXIS, SEMI_MINOR_AXIS
from trilink.physics.atmosphere import BOTTOM, LOG_RHO, SLOPE, STEP, TOP

_A2 = SEMI_MAJOR_AXIS**2
_B2 = SEMI_MINOR_AXIS**2
_J2_FACTOR = 1.5 * J2 * GM * SEMI_MAJOR_AXIS**2
_W2 = OMEGA_EARTH**2
_N_LAYERS = len(SLOPE)

MAX_STEP = 60.0
"""s, integration step in vacuum."""
MIN_STEP = 0.02
"""s, smallest step (near the ground)."""
HEIGHT_FRACTION = 0.2
"""Step ≤ this fraction of (height + 5 km) / speed: one step never crosses much of the atmosphere."""
MAX_TIME = 30_000.0
"""s; states still flying after this long are reported with impact time NaN."""
BISECTIONS = 40
"""Halvings of the last step when locating the ground crossing (~1e-12 of a step)."""


@njit(cache=True)
def radial_height_1(x: float, y: float, z: float) -> float:
    """|r| − ellipsoid radius along r, metres (see ``dynamics``)."""
    p2 = x * x + y * y
    z2 = z * z
    return math.sqrt(p2 + z2) - math.sqrt((p2 + z2) / (p2 / _A2 + z2 / _B2))


@njit(cache=True)
def radial_heights(positions: np.ndarray) -> np.ndarray:
    """(N,) radial heights of (N, 3) positions."""
    n = positions.shape[0]
    out = np.empty(n)
    for i in range(n):
        out[i] = radial_height_1(positions[i, 0], positions[i, 1], positions[i, 2])
    return out


@njit(cache=True)
def density_1(height: float) -> float:
    """US Standard Atmosphere 1976 density (kg/m³), the table of ``atmosphere.density``."""
    if height > TOP:
        return 0.0
    x = max(height, BOTTOM) / STEP
    i = min(max(float(math.floor(x)), 0.0), _N_LAYERS - 1.0)
    k = int(i)
    return math.exp(LOG_RHO[k] + SLOPE[k] * (x - i))


@njit(cache=True)
def gravity_1(x: float, y: float, z: float, j2: bool) -> tuple[float, float, float]:
    """Point-mass (+ J2) gravity at one ECEF position."""
    r2 = x * x + y * y + z * z
    rn = math.sqrt(r2)
    k = -GM / (r2 * rn)
    if not j2:
        return k * x, k * y, k * z
    z2r2 = z * z / r2
    c = _J2_FACTOR / (r2 * r2 * rn)
    cxy = k - c * (1.0 - 5.0 * z2r2)
    cz = k - c * (3.0 - 5.0 * z2r2)
    return cxy * x, cxy * y, cz * z


@njit(cache=True)
def drag_factor_1(x: float, y: float, z: float, vx: float, vy: float, vz: float, beta: float) -> float:
    """k with drag acceleration k·v: −ρ|v|/(2β) at one ECEF position and velocity."""
    rho = density_1(radial_height_1(x, y, z))
    return -0.5 * rho * math.sqrt(vx * vx + vy * vy + vz * vz) / beta


@njit(cache=True)
def gravity_into(positions: np.ndarray, j2: bool, out: np.ndarray) -> None:
    """Point-mass (+ J2) gravity of (N, 3) positions written into ``out`` (N, 3)."""
    for i in range(positions.shape[0]):
        out[i, 0], out[i, 1], out[i, 2] = gravity_1(positions[i, 0], positions[i, 1], positions[i, 2], j2)


@njit(cache=True)
def frame_acceleration_into(positions: np.ndarray, velocities: np.ndarray, out: np.ndarray) -> None:
    """Coriolis + centrifugal acceleration of (N, 3) positions and velocities into ``out``."""
    for i in range(positions.shape[0]):
        out[i, 0] = 2.0 * OMEGA_EARTH * velocities[i, 1] + _W2 * positions[i, 0]
        out[i, 1] = -2.0 * OMEGA_EARTH * velocities[i, 0] + _W2 * positions[i, 1]
        out[i, 2] = 0.0


@njit(cache=True)
def drag_into(positions: np.ndarray, velocities: np.ndarray, beta: np.ndarray, out: np.ndarray) -> None:
    """Drag acceleration −ρ|v|v/(2β) of (N, 3) positions and velocities into ``out``."""
    for i in range(positions.shape[0]):
        vx, vy, vz = velocities[i, 0], velocities[i, 1], velocities[i, 2]
        k = drag_factor_1(positions[i, 0], positions[i, 1], positions[i, 2], vx, vy, vz, beta[i])
        out[i, 0], out[i, 1], out[i, 2] = k * vx, k * vy, k * vz


@njit(cache=True)
def _derivative_row(s: np.ndarray, beta: float, drag: bool, out: np.ndarray) -> None:
    """d/dt of one ECEF state (6,) in free flight into ``out`` (6,)."""
    x, y, z, vx, vy, vz = s[0], s[1], s[2], s[3], s[4], s[5]
    gx, gy, gz = gravity_1(x, y, z, True)
    ax = gx + (2.0 * OMEGA_EARTH * vy + _W2 * x)
    ay = gy + (-2.0 * OMEGA_EARTH * vx + _W2 * y)
    az = gz + 0.0
    if drag:
        kd = drag_factor_1(x, y, z, vx, vy, vz, beta)
        ax = ax + kd * vx
        ay = ay + kd * vy
        az = az + kd * vz
    out[0], out[1], out[2], out[3], out[4], out[5] = vx, vy, vz, ax, ay, az


@njit(cache=True)
def state_derivatives(states: np.ndarray, beta: np.ndarray, drag: bool) -> np.ndarray:
    """d/dt of (N, 6) ECEF states in free flight (J2 gravity, Coriolis, centrifugal, drag)."""
    out = np.empty_like(states)
    for i in range(states.shape[0]):
        _derivative_row(states[i], beta[i], drag, out[i])
    return out


@njit(cache=True)
def step_size_1(s: np.ndarray) -> float:
    """The integration step of one state: see ``HEIGHT_FRACTION``."""
    h = max(radial_height_1(s[0], s[1], s[2]), 0.0)
    speed = max(math.sqrt(s[3] * s[3] + s[4] * s[4] + s[5] * s[5]), 1.0)
    return min(max(HEIGHT_FRACTION * (h + 5_000.0) / speed, MIN_STEP), MAX_STEP)


@njit(cache=True)
def _rk4_row(y: np.ndarray, dt: float, beta: float, drag: bool, k1: np.ndarray, new: np.ndarray,
             f1: np.ndarray) -> None:
    """One RK4 step of one state: the new state, and the derivatives at both ends (for Hermite)."""
    k2, k3, k4, tmp = np.empty(6), np.empty(6), np.empty(6), np.empty(6)
    _derivative_row(y, beta, drag, k1)
    for j in range(6):
        tmp[j] = y[j] + 0.5 * dt * k1[j]
    _derivative_row(tmp, beta, drag, k2)
    for j in range(6):
        tmp[j] = y[j] + 0.5 * dt * k2[j]
    _derivative_row(tmp, beta, drag, k3)
    for j in range(6):
        tmp[j] = y[j] + dt * k3[j]
    _derivative_row(tmp, beta, drag, k4)
    for j in range(6):
        new[j] = y[j] + dt / 6.0 * (k1[j] + 2.0 * k2[j] + 2.0 * k3[j] + k4[j])
    _derivative_row(new, beta, drag, f1)


@njit(cache=True)
def _hermite_row(y0: np.ndarray, f0: np.ndarray, y1: np.ndarray, f1: np.ndarray, h: float, s: float,
                 out: np.ndarray) -> None:
    """Cubic Hermite interpolation of one step at fraction ``s`` into ``out`` (6,)."""
    s2, s3 = s * s, s * s * s
    a, b = 2 * s3 - 3 * s2 + 1, (s3 - 2 * s2 + s) * h
    c, d = -2 * s3 + 3 * s2, (s3 - s2) * h
    for j in range(6):
        out[j] = a * y0[j] + b * f0[j] + c * y1[j] + d * f1[j]


@njit(cache=True)
def fly_to_ground(states: np.ndarray, beta: np.ndarray, drag: bool, record_every: float
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Integrate each state (N, 6) from time 0 until it reaches radial height 0.

    Returns impact times (N,) (0 for a state already below ground, NaN if still flying after
    ``MAX_TIME``), states at impact (N, 6), and — when ``record_every`` > 0 — positions
    (N, K, 3) on the grid k·``record_every`` (NaN after a state's impact) with K the grid length.
    """
    n = states.shape[0]
    impact_t = np.full(n, np.nan)
    impact_y = states.copy()
    recording = record_every > 0.0
    cap = 64 if recording else 1
    path = np.full((n, cap, 3), np.nan)
    used = 1
    y0, y1, f0, f1, mid = np.empty(6), np.empty(6), np.empty(6), np.empty(6), np.empty(6)
    for i in range(n):
        for j in range(6):
            y0[j] = states[i, j]
        if radial_height_1(y0[0], y0[1], y0[2]) < 0.0:
            impact_t[i] = 0.0
            continue
        if recording:
            path[i, 0, :] = y0[:3]
        t, next_k = 0.0, 1
        while True:
            dt = step_size_1(y0)
            _rk4_row(y0, dt, beta[i], drag, f0, y1, f1)
            s_hit = 1.0
            hit = radial_height_1(y1[0], y1[1], y1[2]) < 0.0
            if hit:
                lo, hi = 0.0, 1.0
                for _ in range(BISECTIONS):
                    m = 0.5 * (lo + hi)
                    _hermite_row(y0, f0, y1, f1, dt, m, mid)
                    if radial_height_1(mid[0], mid[1], mid[2]) < 0.0:
                        hi = m
                    else:
                        lo = m
                s_hit = 0.5 * (lo + hi)
                _hermite_row(y0, f0, y1, f1, dt, s_hit, mid)
                impact_y[i, :] = mid
                impact_t[i] = t + s_hit * dt
            if recording:
                t_end = t + s_hit * dt
                while next_k * record_every <= t_end:
                    if next_k >= cap:
                        grown = np.full((n, 2 * cap, 3), np.nan)
                        grown[:, :cap, :] = path
                        path, cap = grown, 2 * cap
                    _hermite_row(y0, f0, y1, f1, dt, (next_k * record_every - t) / dt, mid)
                    path[i, next_k, :] = mid[:3]
                    next_k += 1
                used = max(used, next_k)
            y0[:] = y1
            t = t + dt
            if hit:
                break
            if t > MAX_TIME:
                impact_y[i, :] = y0
                break
    return impact_t, impact_y, path[:, :used, :], np.arange(used) * record_every


@njit(cache=True)
def fly_common_steps(states: np.ndarray, span: float, beta: np.ndarray, drag: bool) -> np.ndarray:
    """Integrate states (N, 6) over ``span`` s (either sign), one step for all, not stopping at the ground.

    Each step is the smallest of the states' own steps (``step_size_1``), capped by what remains.
    """
    y = states.copy()
    n = y.shape[0]
    if span == 0.0 or n == 0:
        return y
    sign = 1.0 if span > 0 else -1.0
    remaining = abs(span)
    k1, new, f1 = np.empty(6), np.empty(6), np.empty(6)
    while remaining > 0.0:
        h = MAX_STEP
        for i in range(n):
            h = min(h, step_size_1(y[i]))
        h = min(h, remaining)
        for i in range(n):
            _rk4_row(y[i], sign * h, beta[i], drag, k1, new, f1)
            y[i, :] = new
        remaining -= h
    return y
