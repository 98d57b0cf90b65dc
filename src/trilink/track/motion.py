"""Motion models of the tracking filter, batched over tracks: ballistic, boost and re-entry.

The filter state is ``[x, y, z, vx, vy, vz, ax, ay, az, k]`` in ECEF (m, m/s, m/s²),
where a is the thrust acceleration (boost model only; ballistic tracks hold a = 0 with
zero variance) growing as d|a|/dt = |a|²/v_e along itself, a stage's thrust over its
falling mass, plus a random walk for steering and staging. A 3-D thrust vector rather
than a magnitude along the velocity: early in a track the velocity direction is too
poorly known to carry the thrust. k = 1e4/β is the drag factor (β the ballistic
coefficient in kg/m²; scaled so that k ≈ 1 for an RV, which keeps the covariance well
conditioned). Gravity (J2), the Coriolis and centrifugal terms and the air density
come from ``trilink.physics``; the mean is integrated with RK4 and the covariance with
the linearised transition I + FΔ + F²Δ²/2 per sub-step — the tracker-specific part.
The per-row arithmetic (Jacobian, drag-free derivative, sub-step transition, Taylor step,
process noise) runs in compiled ``kernels``; drag, for the few rows in air, stays here.
"""

import numpy as np

from trilink.physics.atmosphere import density
from trilink.track import kernels

DRAG_SCALE = 1e4
"""k = DRAG_SCALE / β."""
MAX_THRUST = 250.0
"""m/s²: the thrust's growth |a|²/v_e saturates here (~25 g), so a coasting boost track cannot blow up."""
STATE_DIM = 10
"""ECEF position (3), velocity (3), thrust acceleration (3), drag factor k."""
_K = 9
_THRUST = slice(6, 9)


def squared_norms(v: np.ndarray) -> np.ndarray:
    """|v|² (N,) of 3-vectors (N, 3): ``(v * v).sum(axis=1)``, the same sums, without a reduction call."""
    x, y, z = v[:, 0], v[:, 1], v[:, 2]
    return x * x + y * y + z * z


def heights_below(pos: np.ndarray, limit: float) -> np.ndarray:
    """Heights (N,) of positions, exact wherever the height may be below ``limit`` and +inf elsewhere.

    A position farther from the centre than the equatorial radius + ``limit`` is surely higher
    than ``limit``; only the others pay for the ellipsoid height (``kernels.heights_within``).
    """
    return kernels.heights_within(pos, limit)


def _drag_per_k(pos: np.ndarray, vel: np.ndarray, height: np.ndarray, ceiling: float) -> np.ndarray:
    """Drag acceleration (N, 3) per unit k (zero above ``ceiling``)."""
    rho = np.where(height < ceiling, density(height), 0.0)
    speed = np.linalg.norm(vel, axis=-1)
    return (-0.5 / DRAG_SCALE * rho * speed)[:, None] * vel


def derivative(x: np.ndarray, exhaust_velocity: float, ceiling: float) -> np.ndarray:
    """dx/dt (N, 10) of filter states (N, 10); ballistic tracks simply have a = 0 (see the kernel)."""
    return kernels.motion_derivative(x, exhaust_velocity, MAX_THRUST, ceiling, DRAG_SCALE)


def jacobian(x: np.ndarray, exhaust_velocity: float, ceiling: float, height: np.ndarray | None = None
             ) -> np.ndarray:
    """∂f/∂x (N, 10, 10) of ``derivative`` (point-mass gravity gradient; J2's gradient is negligible)."""
    pos, vel = x[:, :3], x[:, 3:6]
    jac = kernels.motion_jacobian(x, exhaust_velocity, MAX_THRUST)
    if height is None:
        height = heights_below(pos, ceiling)  # only heights below the ceiling are used
    low = height < ceiling
    if np.count_nonzero(low):
        v = vel[low]
        speed = np.maximum(np.linalg.norm(v, axis=-1), 1.0)
        vhat = v / speed[:, None]
        drag = _drag_per_k(pos[low], v, height[low], ceiling)
        k = np.clip(x[low, _K], 0.0, None)
        s = np.linalg.norm(drag, axis=-1) / speed**2  # drag per unit k is −s |v| v
        dv = -(k * s)[:, None, None] * (speed[:, None, None] * np.eye(3)
                                         + v[:, :, None] * vhat[:, None, :])
        jac[low, 3:6, 3:6] += dv
        h_low = height[low]
        dlnrho = np.log(density(h_low + 50.0) / density(h_low - 50.0)) / 100.0  # −1/scale height
        unit = pos[low] / np.sqrt(squared_norms(pos[low]))[:, None]
        jac[low, 3:6, :3] += (k * dlnrho)[:, None, None] * drag[:, :, None] * unit[:, None, :]
        jac[low, 3:6, _K] = drag
    return jac


def integrators(pos: np.ndarray, q_thrust: np.ndarray, ceiling: float) -> tuple[np.ndarray, np.ndarray]:
    """Heights (N,) of states at positions (N, 3), exact below 1.2 × ``ceiling`` (``heights_below``), and
    which of them ``propagate`` steps with RK4 (thrust, or air) rather than the Taylor step."""
    return kernels.integrator_rows(pos, q_thrust, ceiling)


def step_spans(dt: np.ndarray, fast: np.ndarray) -> tuple[float, float]:
    """The largest |dt| of the RK4 states and of the Taylor ones: each sets its integrator's sub-steps."""
    return kernels.step_spans(dt, fast)


def propagate(x: np.ndarray, dt: np.ndarray, q_acc: np.ndarray, q_thrust: np.ndarray, *, q_drag: float,
              exhaust_velocity: float, ceiling: float, max_step: float, q_air: float = 0.0,
              q_vacuum: float = 0.0, spans: tuple[float, float] | None = None
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Propagate states (N, 10) by dt (N,) seconds (negative: backwards).

    ``q_acc`` (N,) is each track's white-acceleration noise density (m²/s³) and ``q_thrust``
    (N,) its thrust random-walk density (zero for ballistic tracks). Each sub-step adds
    ``q_air`` to q_acc below ``ceiling`` and ``q_vacuum`` above it: in vacuum the ballistic
    model is nearly exact, so its noise must be far smaller there. Returns the new states,
    the transitions Φ (N, 10, 10) and the accumulated process noise Q, so P' = Φ P Φᵀ + Q.
    Tracks in vacuum and without thrust take a second-order Taylor step (the gravity field
    changes slowly: < 1 m error over ``max_step``); the others, where drag or thrust change
    fast, take RK4 steps. Each integrator takes ceil(max |dt| / ``max_step``) sub-steps over its
    states, or over a larger set's when ``spans`` (``step_spans`` of that set) is given: states
    predicted in several calls then get the same numbers as in one.
    """
    n = len(x)
    height, fast = integrators(x[:, :3], q_thrust, ceiling)  # the heights also serve the first step
    span_fast, span_slow = step_spans(dt, fast) if spans is None else spans
    count = np.count_nonzero(fast)
    if count in (0, n) or _sub_steps(span_fast, max_step) == _sub_steps(span_slow, max_step):
        # one pass, each row with its own integrator (every row's numbers as in its integrator's pass)
        return _propagate(x, dt, q_acc, q_thrust, (q_drag, q_air, q_vacuum), exhaust_velocity, ceiling,
                          max_step, height, span_fast if count == n else span_slow, fast)
    out_x = np.empty_like(x)
    out_phi = np.empty((n, STATE_DIM, STATE_DIM))
    out_q = np.empty((n, STATE_DIM, STATE_DIM))
    for mask, span in ((fast, span_fast), (~fast, span_slow)):
        out_x[mask], out_phi[mask], out_q[mask] = _propagate(
            x[mask], dt[mask], q_acc[mask], q_thrust[mask], (q_drag, q_air, q_vacuum), exhaust_velocity,
            ceiling, max_step, height[mask], span, fast[mask])
    return out_x, out_phi, out_q


def _sub_steps(span: float, max_step: float) -> int:
    """Sub-steps of an integrator whose largest |dt| is ``span``."""
    return max(1, int(np.ceil(span / max_step)))


def _propagate(x: np.ndarray, dt: np.ndarray, q_acc: np.ndarray, q_thrust: np.ndarray,
               densities: tuple[float, float, float], exhaust_velocity: float, ceiling: float,
               max_step: float, height: np.ndarray, span: float, rk4: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``propagate`` with ``_sub_steps(span)`` sub-steps; ``densities`` is (q_drag, q_air, q_vacuum),
    ``height`` the states' heights wherever they are below the ceiling (``heights_below``), ``rk4``
    (N,) which rows step with RK4 (the others: Taylor)."""
    q_drag, q_air, q_vacuum = densities
    steps = _sub_steps(span, max_step)
    h = dt / steps
    phi = qsum = None
    for step in range(steps):
        if step:
            height = heights_below(x[:, :3], ceiling)
        low = height < ceiling
        jac = jacobian(x, exhaust_velocity, ceiling, height)
        step_phi = kernels.step_transition(jac, h)
        k1 = derivative(x, exhaust_velocity, ceiling)
        x = kernels.integrate_step(x, h, jac, k1, rk4, exhaust_velocity, MAX_THRUST, ceiling, DRAG_SCALE)
        q = kernels.process_noise(h, q_acc + np.where(low, q_air, q_vacuum), q_thrust,
                                  np.where(low, q_drag, 0.0))
        if phi is None:  # first step: Φ = Φ_step, Q = Q_step
            phi, qsum = step_phi, q
        else:
            phi = step_phi @ phi
            qsum = step_phi @ qsum @ step_phi.transpose(0, 2, 1) + q
    return x, phi, qsum


def no_thrust(x: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """States (K, 10) and covariances with the thrust stopped: thrust set to zero and marginalised out.

    (Not the Gaussian conditional on zero thrust: after a burnout the velocity estimate, which
    the thrust already moved, stands; only the future thrust is gone.)
    """
    x_new = x.copy()
    p_new = p.copy()
    x_new[:, _THRUST] = 0.0
    p_new[:, _THRUST, :] = 0.0
    p_new[:, :, _THRUST] = 0.0
    return x_new, p_new


def zero_thrust(x: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """States (K, 10) and covariances conditioned on a thrust of exactly zero (the Gaussian conditional).

    For a track whose thrust was never seen: the thrust state only soaked up noise, and the rest
    of the state, corrected by its correlation with that thrust, is the ballistic estimate.
    """
    paa = p[:, _THRUST, _THRUST]
    gain = np.linalg.solve(paa, p[:, _THRUST, :]).transpose(0, 2, 1)  # P_xa P_aa⁻¹, (K, 10, 3)
    x_new = x - (gain @ x[:, _THRUST, None])[..., 0]
    p_new = p - gain @ p[:, _THRUST, :]
    return no_thrust(x_new, 0.5 * (p_new + p_new.transpose(0, 2, 1)))


def burnout_ghost(x: np.ndarray, p: np.ndarray, lo: float, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boosting states (K, 10) whose engine stopped at an unknown time u, uniform in [lo, hi] from now.

    Relative to a thrust a that stops now, stopping at u gives δv = a·u and δp = −a·u²/2
    (exact for later times up to gravity differences; u < 0 undoes thrust the filter already
    applied). Their mean and covariance over u are added to the thrust-free state, so the
    copy is honest whichever moment the engine stopped.
    """
    a = x[:, _THRUST].copy()
    x_new, p_new = no_thrust(x, p)
    lo_, hi_, m2 = _stop_moment(len(x), lo, hi)
    span = hi_ - lo_
    m1 = (lo_ + hi_) / 2.0
    m3 = (lo_ + hi_) * (lo_**2 + hi_**2) / 4.0
    m4 = (hi_**5 - lo_**5) / (5.0 * span)
    x_new[:, 3:6] += a * m1[:, None]
    x_new[:, :3] -= a * (m2 / 2.0)[:, None]
    aa = a[:, :, None] * a[:, None, :]
    p_new[:, 3:6, 3:6] += aa * (m2 - m1**2)[:, None, None]
    p_new[:, :3, :3] += aa * ((m4 - m2**2) / 4.0)[:, None, None]
    cross = aa * (-(m3 - m1 * m2) / 2.0)[:, None, None]
    p_new[:, :3, 3:6] += cross
    p_new[:, 3:6, :3] += cross
    return x_new, p_new


def burnout_ghost_position(x: np.ndarray, lo: float, hi: np.ndarray) -> np.ndarray:
    """Positions (K, 3) of ``burnout_ghost``'s states (the same numbers), without their covariances."""
    _lo, _hi, m2 = _stop_moment(len(x), lo, hi)
    return x[:, :3] - x[:, _THRUST] * (m2 / 2.0)[:, None]


def _stop_moment(k: int, lo: float, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The bounds (K,) of the stop time u (at least 1 ms apart) and E[u²]."""
    lo_ = np.full(k, lo)
    hi_ = np.maximum(np.asarray(hi, dtype=float), lo_ + 1e-3)
    return lo_, hi_, (lo_**2 + lo_ * hi_ + hi_**2) / 3.0
