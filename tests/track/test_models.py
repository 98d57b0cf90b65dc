"""The filter's building blocks: measurement Jacobians, motion model, EKF and retrodicted updates."""

import math

import numpy as np

from tests.track import helpers
from trilink.model.measurement import Measurement, SensorKind
from trilink.physics.propagate import propagate as physics_propagate
from trilink.track import filter as kf
from trilink.track.measure import make_scan, plot_positions, predict, residuals
from trilink.track.motion import (
    STATE_DIM,
    burnout_ghost,
    burnout_ghost_position,
    integrators,
    jacobian,
    propagate,
    step_spans,
)

SITE = (-3_300_000.0, 3_800_000.0, 3_900_000.0)


def _plot(with_rr: bool = True) -> Measurement:
    return Measurement(id=1, time=0.0, delivered=0.5, sensor="r", nation="USA", kind=SensorKind.RADAR,
                       sensor_ecef=SITE, azimuth=0.3, elevation=0.4, sigma_azimuth=1e-3,
                       sigma_elevation=1e-3, range=500e3, sigma_range=10.0,
                       range_rate=-100.0 if with_rr else None, sigma_range_rate=1.0 if with_rr else None)


def _state() -> np.ndarray:
    x = np.zeros(STATE_DIM)
    x[:3] = np.array(SITE) * 1.05 + np.array([200e3, -100e3, 50e3])
    x[3:6] = [1500.0, -2500.0, 800.0]
    x[9] = 2.0
    return x


def test_measurement_jacobian_matches_finite_differences() -> None:
    scan = make_scan([_plot()])
    x = _state()[None, :]
    _zhat, jac = predict(x, scan)
    numeric = np.zeros_like(jac)
    for j in range(STATE_DIM):
        dx = np.zeros_like(x)
        step = 1.0 if j < 3 else 1e-3
        dx[0, j] = step
        numeric[0, :, j] = residuals(predict(x + dx, scan)[0], predict(x - dx, scan)[0])[0] / (2 * step)
    assert np.allclose(jac, numeric, rtol=1e-5, atol=1e-10)


def test_plot_position_inverts_the_measurement() -> None:
    scan = make_scan([_plot(with_rr=False)])
    pos = plot_positions(scan)
    x = np.zeros((1, STATE_DIM))
    x[0, :3] = pos[0]
    zhat, _ = predict(x, scan)
    assert np.allclose(zhat[0], scan.z[0], atol=1e-9 * 500e3)


def test_azimuth_residual_wraps() -> None:
    nu = residuals(np.array([[0.01, 0.0]]), np.array([[2 * math.pi - 0.01, 0.0]]))
    assert math.isclose(nu[0, 0], 0.02, abs_tol=1e-12)


def test_motion_jacobian_matches_finite_differences_with_drag_and_thrust() -> None:
    x = _state()
    x[:3] = np.array(SITE) / np.linalg.norm(SITE) * 6_420e3  # ~50 km up: drag acts
    x[6:9] = [5.0, -3.0, 8.0]
    xs = x[None, :]
    from trilink.track.motion import derivative
    jac = jacobian(xs, 2800.0, 100e3)[0]
    numeric = np.zeros((STATE_DIM, STATE_DIM))
    for j in range(STATE_DIM):
        step = [1.0, 1.0, 1.0, 1e-2, 1e-2, 1e-2, 1e-3, 1e-3, 1e-3, 1e-4][j]
        dx = np.zeros_like(xs)
        dx[0, j] = step
        diff = derivative(xs + dx, 2800.0, 100e3) - derivative(xs - dx, 2800.0, 100e3)
        numeric[:, j] = diff[0] / (2 * step)
    # velocity, thrust and drag columns exactly; position columns up to the J2 part of the gravity
    # gradient, deliberately left out (~0.2 % of it)
    assert np.allclose(jac[:, 3:], numeric[:, 3:], rtol=1e-4, atol=1e-9)
    assert np.allclose(jac[:, :3], numeric[:, :3], rtol=0.0, atol=0.02 * np.abs(numeric[:, :3]).max())


def test_ballistic_prediction_agrees_with_physics_propagator() -> None:
    traj = helpers.fly()
    t = traj.burnout_time + 60.0
    p, v = traj.state_at(t)
    x = np.zeros((1, STATE_DIM))
    x[0, :3], x[0, 3:6] = p, v
    mine, _phi, _q = propagate(x, np.array([120.0]), np.array([0.0]), np.array([0.0]), q_drag=0.0,
                               exhaust_velocity=2800.0, ceiling=100e3, max_step=5.0)
    ref = physics_propagate(np.concatenate([p, v])[None, :], t, t + 120.0)
    truth, _ = traj.state_at(t + 120.0)
    # second-order Taylor steps of 5 s: a few metres over two minutes of coasting, far below the
    # position uncertainty a two-minute coast builds up
    assert np.linalg.norm(mine[0, :3] - ref[0, :3]) < 6.0
    assert np.linalg.norm(mine[0, :3] - truth) < 6.0
    back, _phi, _q = propagate(mine, np.array([-120.0]), np.array([0.0]), np.array([0.0]), q_drag=0.0,
                               exhaust_velocity=2800.0, ceiling=100e3, max_step=5.0)
    assert np.linalg.norm(back[0, :3] - p) < 1.0


def test_retrodicted_update_matches_in_order_processing() -> None:
    """A late plot applied through the backward transition ≈ the same plot processed in order."""
    rng = np.random.default_rng(3)
    traj = helpers.fly()
    t0 = traj.burnout_time + 100.0
    p, v = traj.state_at(t0)
    x = np.zeros(STATE_DIM)
    x[:3], x[3:6] = p + rng.normal(0, 30, 3), v + rng.normal(0, 3, 3)
    cov = np.diag([900.0] * 3 + [9.0] * 3 + [0.0] * 3 + [1.0])
    late_t, now_t = t0 + 1.0, t0 + 3.0
    plot_pos, _ = traj.state_at(late_t)
    from trilink.geo.frames import ecef_to_geodetic, enu_rotation, enu_to_aer
    lat, lon, _h = ecef_to_geodetic(np.array(SITE))
    az, el, rg = enu_to_aer((plot_pos - np.array(SITE)) @ enu_rotation(float(lat), float(lon)).T)
    m = Measurement(id=9, time=late_t, delivered=now_t + 0.5, sensor="r", nation="USA",
                    kind=SensorKind.RADAR, sensor_ecef=SITE, azimuth=float(az), elevation=float(el),
                    sigma_azimuth=2e-4, sigma_elevation=2e-4, range=float(rg), sigma_range=10.0)
    scan = make_scan([m])
    kw = dict(q_drag=0.0, exhaust_velocity=2800.0, ceiling=100e3, max_step=5.0)
    zeros = np.zeros(1)
    # in order: predict to late_t, update, predict to now_t
    xa, phia, qa = propagate(x[None], np.array([1.0]), zeros + 1e-3, zeros, **kw)
    pa = phia @ cov @ phia.transpose(0, 2, 1) + qa
    zh, h = predict(xa, scan)
    r = np.diag(scan.sigma[0] ** 2)[None]
    s = h @ pa @ h.transpose(0, 2, 1) + r
    xa, pa = kf.update(xa, pa, pa @ h.transpose(0, 2, 1), residuals(scan.z, zh), s, h, r)
    xa, phib, qb = propagate(xa, np.array([2.0]), zeros + 1e-3, zeros, **kw)
    pa = phib @ pa @ phib.transpose(0, 2, 1) + qb
    # late: predict to now_t first, then retrodict the plot
    xb, phic, qc = propagate(x[None], np.array([3.0]), zeros + 1e-3, zeros, **kw)
    pb = phic @ cov @ phic.transpose(0, 2, 1) + qc
    xd, phid, qd = propagate(xb, np.array([-2.0]), zeros + 1e-3, zeros, **kw)
    zh, h = predict(xd, scan)
    h_eff = h @ phid
    r_eff = r + h @ qd @ h.transpose(0, 2, 1)
    s = h_eff @ pb @ h_eff.transpose(0, 2, 1) + r_eff
    xb, pb = kf.update(xb, pb, pb @ h_eff.transpose(0, 2, 1), residuals(scan.z, zh), s, h_eff, r_eff)
    diff = (xa - xb)[0, :6]
    assert float(diff @ np.linalg.solve(pa[0, :6, :6], diff)) < 0.05
    assert np.allclose(np.sqrt(np.diag(pa[0, :6, :6])), np.sqrt(np.diag(pb[0, :6, :6])), rtol=0.05)


def test_states_predicted_in_two_calls_with_the_sets_spans_match_one_call() -> None:
    """A subset propagated with the whole set's ``step_spans`` gets the whole call's numbers."""
    rng = np.random.default_rng(4)
    x = np.tile(_state(), (6, 1))
    x[:, :3] += rng.normal(0.0, 50e3, (6, 3))
    x[:3, 6:9] = rng.normal(0.0, 20.0, (3, 3))  # three thrusting: RK4; the others Taylor
    dt = np.array([1.0, 7.0, 2.0, 3.0, 12.0, 0.5])  # several sub-steps, not the same in both groups
    q_acc, q_thrust = np.full(6, 1e-2), np.where(np.arange(6) < 3, 4.0, 0.0)
    kw = dict(q_drag=0.05, exhaust_velocity=2800.0, ceiling=100e3, max_step=5.0, q_air=1e-4, q_vacuum=1e-8)
    whole = propagate(x, dt, q_acc, q_thrust, **kw)
    _h, fast = integrators(x[:, :3], q_thrust, 100e3)
    spans = step_spans(dt, fast)
    for part in (np.array([0, 3]), np.array([1, 2, 5]), np.array([4])):
        alone = propagate(x[part], dt[part], q_acc[part], q_thrust[part], spans=spans, **kw)
        for a, b in zip(whole, alone, strict=True):
            assert np.allclose(a[part], b, rtol=1e-12, atol=0.0)
    p = np.tile(np.eye(STATE_DIM), (3, 1, 1))
    ghost_x, _p = burnout_ghost(x[:3], p, -1.0, dt[:3])
    assert np.array_equal(burnout_ghost_position(x[:3], -1.0, dt[:3]), ghost_x[:, :3])
