"""Prediction of sources to a common time: physics states, linearised covariance transition."""

import numpy as np
from scipy.integrate import solve_ivp

from tests.fusion.builders import midcourse_state
from trilink.fusion.predict import physics_propagator, predict, transition_matrices
from trilink.model import Phase
from trilink.physics.dynamics import state_derivative


def _reference(x0: np.ndarray, dt: float) -> np.ndarray:
    sol = solve_ivp(lambda _t, x: state_derivative(x[None])[0], (0.0, dt), x0, rtol=1e-11, atol=1e-6,
                    method="DOP853")
    return sol.y[:, -1]


def test_states_with_different_times_reach_the_common_time_together() -> None:
    x = midcourse_state()
    times = np.array([0.0, 40.0, 95.0, 100.0, 130.0])  # the last is ahead of t1: predicted backwards
    states = np.stack([_reference(x, t) if t >= 0 else x for t in times])
    out = physics_propagator(states, times, 100.0)
    target = _reference(x, 100.0)
    assert np.all(np.linalg.norm(out[:, :3] - target[:3], axis=1) < 0.5)
    assert np.all(np.linalg.norm(out[:, 3:] - target[3:], axis=1) < 1e-3)


def test_linearised_transition_matches_finite_differences_of_the_flight() -> None:
    x = midcourse_state()
    dt = 60.0
    base = physics_propagator(x[None], np.zeros(1), dt)[0]
    steps = np.array([10.0] * 3 + [0.1] * 3)
    numeric = np.zeros((6, 6))
    for j in range(6):
        e = np.zeros(6)
        e[j] = steps[j]
        numeric[:, j] = (physics_propagator((x + e)[None], np.zeros(1), dt)[0] - base) / steps[j]
    phi = transition_matrices(0.5 * (x[None, :3] + base[None, :3]), np.array([dt]))[0]
    scale = np.abs(numeric).max(axis=1, keepdims=True)
    assert np.all(np.abs(phi - numeric) <= 2e-3 * scale)


def test_covariance_grows_with_phase_noise_and_stays_symmetric() -> None:
    x = midcourse_state()
    p = np.diag([100.0**2] * 3 + [5.0**2] * 3)
    states = np.stack([x, x])
    covs = np.stack([p, p])
    _, out = predict(states, covs, np.zeros(2), [Phase.MIDCOURSE, Phase.BOOST], 10.0)
    assert np.allclose(out, np.swapaxes(out, 1, 2))
    assert np.trace(out[1]) > np.trace(out[0]) > np.trace(p)
    same, unchanged = predict(states, covs, np.full(2, 10.0), [Phase.MIDCOURSE] * 2, 10.0)
    assert np.array_equal(unchanged, covs) and np.array_equal(same, states)
