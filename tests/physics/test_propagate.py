"""Acceptance check 4b: the batch propagator agrees with solve_ivp within 100 m at impact."""

import math

import numpy as np
import pytest

from trilink.physics.flight import free_flight
from trilink.physics.propagate import propagate, propagate_to_impact
from trilink.physics.solve import solve_flight


@pytest.fixture(scope="module")
def lofted_flight():
    return solve_flight(math.radians(39.2), math.radians(125.67), azimuth=math.radians(90.0),
                        ground_range=1_000e3, profile="lofted", missile="hwasong-12")


def _states(flight, n: int, seed: int = 3) -> tuple[np.ndarray, float]:
    t0 = flight.trajectory.burnout_time + 5.0
    pos, vel = flight.trajectory.state_at(t0)
    rng = np.random.default_rng(seed)
    noise = np.hstack([rng.normal(0, 2_000, (n, 3)), rng.normal(0, 20, (n, 3))])
    return np.hstack([pos, vel]) + noise, t0


def test_batch_agrees_with_solve_ivp_at_impact(lofted_flight) -> None:
    assert lofted_flight.apogee > 1_000e3  # a 1,000 km lofted flight
    beta = lofted_flight.missile.reentry_ballistic_coefficient
    states, t0 = _states(lofted_flight, 24)
    for drag in (beta, None):
        batch = propagate_to_impact(states, t0, drag)
        for i in range(len(states)):
            sol = free_flight(states[i], t0, drag)
            assert np.linalg.norm(sol.y_events[1][0][:3] - batch.states[i, :3]) < 100.0
            assert abs(sol.t_events[1][0] - batch.times[i]) < 0.1


def test_batch_records_paths_and_reentry_drag(lofted_flight) -> None:
    beta = np.array([1_000.0, 20_000.0])
    states, t0 = _states(lofted_flight, 1)
    batch = propagate_to_impact(np.repeat(states, 2, axis=0), t0, beta, record_every=10.0)
    assert batch.path_positions.shape == (2, len(batch.path_times), 3)
    assert batch.times[0] > batch.times[1]  # the low-β object is slowed more by drag
    last = np.flatnonzero(batch.path_times <= batch.times[1])[-1]
    assert np.all(np.isfinite(batch.path_positions[1, : last + 1]))
    assert np.all(np.isnan(batch.path_positions[1, last + 2:]))
    pos, _vel = lofted_flight.trajectory.state_at(t0 + 10.0 * 5)
    assert abs(np.linalg.norm(batch.path_positions[0, 5] - pos) - 0.0) < 5e4


def test_fixed_step_propagate_matches_trajectory(lofted_flight) -> None:
    traj = lofted_flight.trajectory
    t0 = traj.burnout_time + 10.0
    pos, vel = traj.state_at(t0)
    for dt in (30.0, 400.0, -5.0):
        out = propagate(np.hstack([pos, vel])[None], t0, t0 + dt,
                        lofted_flight.missile.reentry_ballistic_coefficient)
        ref, _ = traj.state_at(t0 + dt)
        assert np.linalg.norm(out[0, :3] - ref) < 5.0
