"""Bringing every source to the fusion time: states through the physics, covariances linearised.

States follow `trilink.physics.dynamics` (gravity with J2 in the rotating ECEF frame;
no drag, since partners' reports carry no ballistic coefficient). Covariances use the
linearised transition Φ = exp(A Δt) with

    A = [[0, I], [G(r) − W², −2W]],

G the point-mass gravity gradient at the mid-point, W the cross-product matrix of
the Earth's rotation (centrifugal and Coriolis terms), plus white-acceleration
process noise whose intensity depends on the flight phase (thrust in boost and drag
in re-entry are not in the ballistic model, so they are noise here). All sources are
predicted in one vectorised call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from trilink.geo.wgs84 import GM, OMEGA_EARTH
from trilink.model import Phase
from trilink.physics.dynamics import state_derivative

Propagator = Callable[[np.ndarray, np.ndarray, float], np.ndarray]
"""(states (N, 6), times (N,), t1) → states (N, 6) at t1."""

DEFAULT_PROCESS_NOISE: Mapping[Phase, float] = {
    Phase.BOOST: 2.0e3,
    Phase.MIDCOURSE: 1.0e-2,
    Phase.REENTRY: 5.0e2,
    Phase.UNKNOWN: 2.0e3,
}
"""White-acceleration intensity q (m²/s³) per phase: ~(unmodelled acceleration)² × seconds."""

_W = np.array([[0.0, -OMEGA_EARTH, 0.0], [OMEGA_EARTH, 0.0, 0.0], [0.0, 0.0, 0.0]])


def gravity_gradient(positions: np.ndarray) -> np.ndarray:
    """Point-mass gravity gradient ∂g/∂r (N, 3, 3) at ECEF positions (N, 3)."""
    r = np.linalg.norm(positions, axis=-1)
    unit = positions / r[:, None]
    return (GM / r**3)[:, None, None] * (3.0 * unit[:, :, None] * unit[:, None, :] - np.eye(3))


def transition_matrices(positions: np.ndarray, dt: np.ndarray, max_step: float = 60.0) -> np.ndarray:
    """Φ (N, 6, 6) for steps ``dt`` (N,) about ECEF positions (N, 3) (linearised ECEF ballistic flight).

    exp(A Δt) by an 8th-order Taylor series on steps of at most ``max_step`` seconds, squared
    back up: ‖G‖Δt² ≲ 0.01 there, so the truncation error is below 1e-12. Unlike
    `scipy.linalg.expm` (Padé with per-matrix scaling) this is a handful of batched products.
    """
    n = positions.shape[0]
    a = np.zeros((n, 6, 6))
    a[:, :3, 3:] = np.eye(3)
    a[:, 3:, :3] = gravity_gradient(positions) - _W @ _W
    a[:, 3:, 3:] = -2.0 * _W
    squarings = max(0, int(np.ceil(np.log2(max(float(np.max(np.abs(dt))), 1e-9) / max_step))))
    h = a * (dt / 2.0**squarings)[:, None, None]
    phi = np.eye(6) + h / 8.0
    for k in range(7, 0, -1):
        phi = np.eye(6) + (h @ phi) / k
    for _ in range(squarings):
        phi = phi @ phi
    return phi


def process_noise(q: np.ndarray, dt: np.ndarray) -> np.ndarray:
    """Discrete white-acceleration noise Q (N, 6, 6) for intensities ``q`` and steps |dt|."""
    dt = np.abs(dt)
    eye = np.eye(3)
    qq = np.zeros((q.shape[0], 6, 6))
    qq[:, :3, :3] = (q * dt**3 / 3.0)[:, None, None] * eye
    qq[:, :3, 3:] = (q * dt**2 / 2.0)[:, None, None] * eye
    qq[:, 3:, :3] = qq[:, :3, 3:]
    qq[:, 3:, 3:] = (q * dt)[:, None, None] * eye
    return qq


def physics_propagator(states: np.ndarray, times: np.ndarray, t1: float, max_step: float = 5.0) -> np.ndarray:
    """Ballistic flight (trilink.physics equations: J2, Coriolis, centrifugal) of ECEF states (N, 6)
    from their own ``times`` (N,) to ``t1``, all at once.

    Each state has its own interval, so the integration runs in normalised time s ∈ [0, 1]
    (dx/ds = Δt_i · f(x)) with classical RK4, steps no longer than ``max_step`` seconds.
    """
    x = np.asarray(states, dtype=float).copy()
    dt = (t1 - np.asarray(times, dtype=float))[:, None]
    if x.shape[0] == 0:
        return x
    steps = max(1, int(np.ceil(float(np.max(np.abs(dt))) / max_step)))
    h = 1.0 / steps
    for _ in range(steps):
        k1 = dt * state_derivative(x)
        k2 = dt * state_derivative(x + 0.5 * h * k1)
        k3 = dt * state_derivative(x + 0.5 * h * k2)
        k4 = dt * state_derivative(x + h * k3)
        x = x + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return x


def predict(states: np.ndarray, covariances: np.ndarray, times: np.ndarray, phases: list[Phase],
            t1: float, *, propagator: Propagator = physics_propagator,
            noise: Mapping[Phase, float] = DEFAULT_PROCESS_NOISE) -> tuple[np.ndarray, np.ndarray]:
    """States (N, 6) and covariances (N, 6, 6) given at ``times`` (N,) → both at ``t1``."""
    states = np.asarray(states, dtype=float)
    if states.shape[0] == 0:
        return states.copy(), np.asarray(covariances, dtype=float).copy()
    dt = t1 - np.asarray(times, dtype=float)
    moved = np.abs(dt) > 1e-9
    new_states = states.copy()
    new_covs = np.asarray(covariances, dtype=float).copy()
    if not moved.any():
        return new_states, new_covs
    new_states[moved] = propagator(states[moved], np.asarray(times, dtype=float)[moved], t1)
    mid = 0.5 * (states[moved, :3] + new_states[moved, :3])
    phi = transition_matrices(mid, dt[moved])
    q = np.array([noise.get(p, noise[Phase.UNKNOWN]) for p, m in zip(phases, moved, strict=True) if m])
    cov = phi @ new_covs[moved] @ np.swapaxes(phi, -1, -2) + process_noise(q, dt[moved])
    new_covs[moved] = 0.5 * (cov + np.swapaxes(cov, -1, -2))
    return new_states, new_covs
