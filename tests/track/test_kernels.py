"""The compiled kernels give the numbers of the numpy expressions they replace (to rounding).

Each reference below is the array expression the kernel took over, kept here verbatim so a
change to either side shows. Element-wise results must be equal bit for bit; sums of products
may differ from BLAS's summation order by rounding only.
"""

import numpy as np
import pytest

from trilink.geo.wgs84 import GM, OMEGA_EARTH
from trilink.physics.atmosphere import density
from trilink.physics.dynamics import frame_acceleration, gravity, radial_height
from trilink.track import filter, kernels
from trilink.track.motion import DRAG_SCALE, MAX_THRUST, STATE_DIM

EXHAUST = 2_800.0
CEILING = 100_000.0


def _states(n: int = 40, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = np.zeros((n, STATE_DIM))
    direction = rng.normal(size=(n, 3))
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    x[:, :3] = direction * rng.uniform(6.40e6, 7.5e6, (n, 1))
    x[:, 3:6] = rng.normal(0.0, 3_000.0, (n, 3))
    x[: n // 2, 6:9] = rng.normal(0.0, 40.0, (n // 2, 3))  # boosting rows, some beyond MAX_THRUST
    x[: n // 8, 6:9] *= 20.0
    x[:, 9] = rng.uniform(0.0, 3.0, n)
    return x


def _reference_jacobian(x: np.ndarray) -> np.ndarray:
    """The drag-free part of ``motion.jacobian`` as it was written with numpy."""
    omega_cross = np.array([[0.0, -OMEGA_EARTH, 0.0], [OMEGA_EARTH, 0.0, 0.0], [0.0, 0.0, 0.0]])
    constant = np.zeros((STATE_DIM, STATE_DIM))
    constant[:3, 3:6] = np.eye(3)
    constant[3:6, :3] = -(omega_cross @ omega_cross)
    constant[3:6, 3:6] = -2.0 * omega_cross
    constant[3:6, 6:9] = np.eye(3)
    pos, thrust = x[:, :3], x[:, 6:9]
    r2 = pos[:, 0] * pos[:, 0] + pos[:, 1] * pos[:, 1] + pos[:, 2] * pos[:, 2]
    r = np.sqrt(r2)
    unit = pos / r[:, None]
    jac = np.empty((len(x), STATE_DIM, STATE_DIM))
    jac[:] = constant
    gradient = 3.0 * unit[:, :, None] * unit[:, None, :] - np.eye(3)
    jac[:, 3:6, :3] += (GM / (r2 * r))[:, None, None] * gradient
    alpha = np.sqrt(thrust[:, 0] * thrust[:, 0] + thrust[:, 1] * thrust[:, 1] + thrust[:, 2] * thrust[:, 2])
    ahat = thrust / np.maximum(alpha, 1e-9)[:, None]
    grows = (alpha < MAX_THRUST)[:, None, None]
    jac[:, 6:9, 6:9] = (np.minimum(alpha, MAX_THRUST)[:, None, None] * np.eye(3)
                        + grows * thrust[:, :, None] * ahat[:, None, :]) / EXHAUST
    return jac


def test_motion_jacobian_equals_the_numpy_expression() -> None:
    x = _states()
    assert np.array_equal(kernels.motion_jacobian(x, EXHAUST, MAX_THRUST), _reference_jacobian(x))


def test_motion_derivative_equals_the_numpy_expression() -> None:
    x = _states()
    x[::4, :3] *= (6_378_137.0 + 40e3) / np.linalg.norm(x[::4, :3], axis=1, keepdims=True)  # in the air
    pos, vel, thrust = x[:, :3], x[:, 3:6], x[:, 6:9]
    height = radial_height(pos)
    low = height < CEILING
    rho = np.where(low, density(height), 0.0)
    drag = (-0.5 / DRAG_SCALE * rho * np.linalg.norm(vel, axis=-1))[:, None] * vel
    acc = gravity(pos) + frame_acceleration(pos, vel) + thrust
    acc[low] += np.clip(x[low, 9], 0.0, None)[:, None] * drag[low]
    alpha = np.minimum(np.sqrt(thrust[:, 0] * thrust[:, 0] + thrust[:, 1] * thrust[:, 1]
                               + thrust[:, 2] * thrust[:, 2]), MAX_THRUST)
    expected = np.concatenate([vel, acc, (alpha / EXHAUST)[:, None] * thrust, np.zeros((len(x), 1))], axis=1)
    assert np.count_nonzero(low) >= 5
    got = kernels.motion_derivative(x, EXHAUST, MAX_THRUST, CEILING, DRAG_SCALE)
    np.testing.assert_allclose(got, expected, rtol=1e-15, atol=0.0)


def test_rk4_step_equals_the_numpy_expression() -> None:
    x = _states()
    x[::4, :3] *= (6_378_137.0 + 40e3) / np.linalg.norm(x[::4, :3], axis=1, keepdims=True)
    h = np.random.default_rng(9).uniform(-5.0, 5.0, len(x))
    hc = h[:, None]

    def f(states: np.ndarray) -> np.ndarray:
        return kernels.motion_derivative(states, EXHAUST, MAX_THRUST, CEILING, DRAG_SCALE)

    k1 = f(x)
    k2 = f(x + 0.5 * hc * k1)
    k3 = f(x + 0.5 * hc * k2)
    k4 = f(x + hc * k3)
    expected = x + hc / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    assert np.array_equal(kernels.rk4_step(x, h, k1, EXHAUST, MAX_THRUST, CEILING, DRAG_SCALE), expected)


def test_step_transition_and_taylor_step_match_the_numpy_expressions() -> None:
    x = _states()
    jac = _reference_jacobian(x)
    jac[::3, 3:6, 9] = 1e-3  # a drag column on some rows
    h = np.random.default_rng(2).uniform(-5.0, 5.0, len(x))
    fh = jac * h[:, None, None]
    step_phi = np.eye(STATE_DIM) + fh
    step_phi += 0.5 * fh @ fh
    np.testing.assert_allclose(kernels.step_transition(jac, h), step_phi, rtol=1e-13, atol=1e-17)
    rate = np.random.default_rng(3).normal(size=x.shape)
    hc = h[:, None]
    expected = x + (hc * rate + 0.5 * hc * hc * (jac @ rate[:, :, None])[:, :, 0])
    np.testing.assert_allclose(kernels.taylor_step(x, h, jac, rate), expected, rtol=1e-15, atol=0.0)


def test_process_noise_equals_the_masked_terms() -> None:
    rng = np.random.default_rng(4)
    n = 30
    h, q_acc, q_thrust, q_k = rng.uniform(-6.0, 6.0, n), rng.uniform(0, 400, n), rng.uniform(0, 4, n), \
        rng.uniform(0, 0.1, n)
    ah = np.abs(h)
    i3 = np.eye(3)
    expected = np.zeros((n, STATE_DIM, STATE_DIM))
    expected[:, :3, :3] = (q_acc * ah**3 / 3.0)[:, None, None] * i3
    expected[:, :3, 3:6] = expected[:, 3:6, :3] = (q_acc * h * ah / 2.0)[:, None, None] * i3
    expected[:, 3:6, 3:6] = (q_acc * ah)[:, None, None] * i3
    expected[:, 6:9, 6:9] = (q_thrust * ah)[:, None, None] * i3
    expected[:, 9, 9] = q_k * ah
    np.testing.assert_allclose(kernels.process_noise(h, q_acc, q_thrust, q_k), expected, rtol=1e-15, atol=0.0)


def _reference_measurement(states: np.ndarray, sensor: np.ndarray, rotation: np.ndarray, d: int
                           ) -> tuple[np.ndarray, np.ndarray]:
    """``measure.predict`` as it was written with numpy."""
    rel = states[:, :3] - sensor
    enu = rel @ rotation.T
    e, n, u = enu[:, 0], enu[:, 1], enu[:, 2]
    rho2 = e * e + n * n
    rho = np.sqrt(rho2)
    r2 = rho2 + u * u
    rng = np.sqrt(r2)
    zhat = np.empty((len(states), d))
    zhat[:, 0] = np.mod(np.arctan2(e, n), 2.0 * np.pi)
    zhat[:, 1] = np.arctan2(u, rho)
    jac_enu = np.zeros((len(states), d, 3))
    jac_enu[:, 0, 0] = n / rho2
    jac_enu[:, 0, 1] = -e / rho2
    jac_enu[:, 1, 0] = -e * u / (rho * r2)
    jac_enu[:, 1, 1] = -n * u / (rho * r2)
    jac_enu[:, 1, 2] = rho / r2
    if d >= 3:
        zhat[:, 2] = rng
        jac_enu[:, 2, :] = enu / rng[:, None]
    jac = np.zeros((len(states), d, STATE_DIM))
    jac[:, :, :3] = jac_enu @ rotation
    if d == 4:
        los = rel / rng[:, None]
        vel = states[:, 3:6]
        rr = np.einsum("ij,ij->i", los, vel)
        zhat[:, 3] = rr
        jac[:, 3, :3] = (vel - rr[:, None] * los) / rng[:, None]
        jac[:, 3, 3:6] = los
    return zhat, jac


@pytest.mark.parametrize("dim", [2, 3, 4])
def test_measurement_model_and_innovation_terms_match_the_numpy_expressions(dim: int) -> None:
    x = _states()
    lat, lon = 0.7, 2.4
    sensor = 6.378e6 * np.array([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    rotation = np.array([[-np.sin(lon), np.cos(lon), 0.0],
                         [-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon), np.cos(lat)],
                         [np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)]])
    zhat, jac = kernels.measurement_model(x, sensor, rotation, dim)
    ref_z, ref_jac = _reference_measurement(x, sensor, rotation, dim)
    np.testing.assert_allclose(zhat, ref_z, rtol=1e-14, atol=0.0)
    np.testing.assert_allclose(jac, ref_jac, rtol=1e-12, atol=1e-15 * np.abs(ref_jac).max())
    a = np.random.default_rng(5).normal(size=(len(x), STATE_DIM, STATE_DIM))
    p = a @ a.transpose(0, 2, 1)
    cross, hph = kernels.innovation_terms(p, ref_jac)
    ref_cross = p @ ref_jac.transpose(0, 2, 1)
    np.testing.assert_allclose(cross, ref_cross, rtol=1e-12, atol=1e-13 * np.abs(ref_cross).max())
    ref_hph = ref_jac @ ref_cross
    np.testing.assert_allclose(hph, ref_hph, rtol=1e-12, atol=1e-13 * np.abs(ref_hph).max())


def test_pregate_kernels_match_the_numpy_expressions() -> None:
    x = _states(60)
    rng = np.random.default_rng(6)
    a = rng.normal(size=(len(x), STATE_DIM, STATE_DIM))
    p = a @ a.transpose(0, 2, 1)
    dt = rng.uniform(-20.0, 20.0, len(x))
    pos = x[:, :3]
    r2 = np.einsum("ij,ij->i", pos, pos)
    acc = (-GM / (r2 * np.sqrt(r2)))[:, None] * pos + x[:, 6:9]
    approx = pos + x[:, 3:6] * dt[:, None] + 0.5 * acc * (dt * dt)[:, None]
    diag = np.einsum("nii->ni", p)
    var = ((diag[:, 0] + diag[:, 1] + diag[:, 2]) + dt * dt * (diag[:, 3] + diag[:, 4] + diag[:, 5])
           + 0.25 * dt**4 * (diag[:, 6] + diag[:, 7] + diag[:, 8]) + np.abs(dt) ** 3 * 3.0 * 1e-4)
    z = np.column_stack([rng.uniform(0.0, 6.0, 30), rng.uniform(0.0, 1.5, 30), rng.uniform(1e5, 3e6, 30)])
    sigma = rng.uniform(1e-4, 1e-3, (30, 3)) * np.array([1.0, 1.0, 1e4])
    plot_var = float(np.max((z[:, 2] * np.max(sigma[:, :2], axis=1)) ** 2 + sigma[:, 2] ** 2))
    radius = 6.0 * np.sqrt(var + plot_var) + 2_000.0
    got_approx, got_radius = kernels.pregate(x, p, dt, 1e-4, z, sigma, 6.0, 2_000.0)
    np.testing.assert_allclose(got_approx, approx, rtol=1e-15, atol=0.0)
    np.testing.assert_allclose(got_radius, radius, rtol=1e-15, atol=0.0)
    plots = pos[::2] + rng.normal(0.0, 30e3, (len(x) // 2, 3))
    radius = rng.uniform(10e3, 60e3, len(x))
    distance = np.linalg.norm(pos[:, None, :] - plots[None, :, :], axis=-1)
    rows, cols = np.nonzero(distance < radius[:, None])
    got_rows, got_cols = kernels.pairs_within(pos, radius, plots)
    assert np.array_equal(got_rows, rows) and np.array_equal(got_cols, cols)


def test_switching_kernels_match_the_numpy_expressions() -> None:
    x = _states(50)
    rng = np.random.default_rng(7)
    a = rng.normal(size=(len(x), STATE_DIM, STATE_DIM))
    p = a @ a.transpose(0, 2, 1) + 0.1 * np.eye(STATE_DIM)
    vel, thrust = x[:, 3:6], x[:, 6:9]
    paa = p[:, 6:9, 6:9]
    test = np.einsum("ki,ki->k", thrust, np.linalg.solve(paa, thrust[..., None])[..., 0])
    along = vel / np.maximum(np.linalg.norm(vel, axis=-1, keepdims=True), 1.0)
    got_test, got_norm, got_along, got_sd = kernels.thrust_evidence(x, p)
    np.testing.assert_allclose(got_test, test, rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(got_norm, np.linalg.norm(thrust, axis=-1), rtol=1e-15, atol=0.0)
    np.testing.assert_allclose(got_along, np.einsum("ki,ki->k", thrust, along), rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(got_sd, np.sqrt(np.einsum("ki,kij,kj->k", along, paa, along)), rtol=1e-13)


@pytest.mark.parametrize("dim", [1, 2, 3])
def test_gate_pairs_matches_the_numpy_expressions(dim: int) -> None:
    rng = np.random.default_rng(8 + dim)
    hyps, plots, pairs = 30, 20, 80
    a = rng.normal(size=(hyps, dim, dim))
    hph = a @ a.transpose(0, 2, 1)
    hph[0] = -np.eye(dim)  # not positive definite: NaN, fails every gate
    zhat = rng.normal(size=(hyps, dim))
    zhat[:, 0] = rng.uniform(0.0, 2.0 * np.pi, hyps)
    z = zhat[rng.integers(0, hyps, plots)] + rng.normal(0.0, 0.5, (plots, dim))
    z[:, 0] = np.mod(z[:, 0], 2.0 * np.pi)
    sigma = rng.uniform(0.1, 1.0, (plots, dim))
    pair_hyp, pair_col = rng.integers(0, hyps, pairs), rng.integers(0, plots, pairs)
    pair_hyp[0] = 0
    nu = z[pair_col] - zhat[pair_hyp]
    nu[:, 0] = np.mod(nu[:, 0] + np.pi, 2.0 * np.pi) - np.pi
    s = hph[pair_hyp]
    idx = np.arange(dim)
    s[:, idx, idx] += sigma[pair_col] ** 2
    s_inv, logdet = filter.spd_inverse(s)
    d2 = filter.mahalanobis(nu, s, s_inv)
    got = kernels.gate_pairs(z, sigma, zhat, hph, pair_hyp, pair_col)
    for value, expected in zip(got, (nu, s, s_inv, logdet, d2), strict=True):
        np.testing.assert_allclose(value, expected, rtol=1e-12, atol=0.0, equal_nan=True)
    assert np.isnan(got[4][0])


def test_joseph_update_3_matches_the_numpy_expression() -> None:
    rng = np.random.default_rng(10)
    n = 25
    x = rng.normal(size=(n, STATE_DIM))
    a = rng.normal(size=(n, STATE_DIM, STATE_DIM))
    p = a @ a.transpose(0, 2, 1)
    jac = rng.normal(size=(n, 3, STATE_DIM))
    cross = p @ jac.transpose(0, 2, 1)
    s = jac @ cross + np.eye(3)
    s_inv = np.linalg.inv(s)
    nu = rng.normal(size=(n, 3))
    gain = cross @ s_inv
    x_ref = x + (gain @ nu[..., None])[..., 0]
    kc = gain @ cross.transpose(0, 2, 1)
    p_ref = p - kc - kc.transpose(0, 2, 1) + gain @ (s @ gain.transpose(0, 2, 1))
    p_ref = 0.5 * (p_ref + p_ref.transpose(0, 2, 1))
    got_x, got_p = kernels.joseph_update_3(x, p, cross, nu, s, s_inv)
    np.testing.assert_allclose(got_x, x_ref, rtol=1e-12, atol=1e-12 * np.abs(x_ref).max())
    np.testing.assert_allclose(got_p, p_ref, rtol=1e-10, atol=1e-12 * np.abs(p_ref).max())


def test_switch_rows_matches_the_numpy_expressions() -> None:
    rng = np.random.default_rng(11)
    x = _states(60)
    n = len(x)
    rows = rng.permutation(n)[:45]
    height = rng.uniform(0.0, 1_000e3, len(rows))
    boost, hits = rng.random(n) < 0.3, rng.integers(1, 6, n)
    kinds, nis = rng.integers(0, 4, n).astype(np.int8), rng.uniform(-5.0, 30.0, (n, 3))
    max_height, drag_seen = rng.uniform(0.0, 900e3, n), rng.random(n) < 0.2
    max_height[rows[0]] = np.nan
    pos, vel = x[rows, :3], x[rows, 3:6]
    climb = np.einsum("ij,ij->i", vel, pos) / np.linalg.norm(pos, axis=-1)
    b, just = boost[rows], hits[rows] == 3
    ir = (kinds[rows] & 2) > 0
    start = ~b & just & (ir | ((climb > 0.0) & (height < 150e3)))
    maybe = ~b & just & ~start & (climb > 0.0) & (height < 800e3)
    manoeuvre = ~b & (hits[rows] >= 3) & (climb > 0.0) & (height < 800e3) & (nis[rows].sum(-1) > 40.0)
    new_max, new_seen = max_height.copy(), drag_seen.copy()
    new_max[rows] = np.maximum(max_height[rows], height)
    new_seen[rows] |= height < 80e3
    got = kernels.switch_rows(rows, x, height, boost, hits, kinds, nis, max_height, drag_seen, 3, 2, 80e3,
                              150e3, 800e3, 40.0)
    np.testing.assert_allclose(got[0], climb, rtol=1e-13, atol=1e-12)
    for value, expected in zip(got[1:], (start, maybe, manoeuvre), strict=True):
        assert np.array_equal(value, expected)
    assert np.array_equal(max_height, new_max, equal_nan=True) and np.array_equal(drag_seen, new_seen)


def test_expired_rows_matches_the_numpy_expressions() -> None:
    rng = np.random.default_rng(12)
    n, now = 80, 1_000.0
    x = _states(n)
    x[::5, :3] *= (6_378_137.0 - 3_000.0) / np.linalg.norm(x[::5, :3], axis=1, keepdims=True)  # underground
    impact_due = np.where(rng.random(n) < 0.3, rng.uniform(900.0, 1_100.0, n), np.nan)
    tentative, boost = rng.random(n) < 0.3, rng.random(n) < 0.3
    hits, last = rng.integers(1, 40, n), now - rng.uniform(0.0, 5_000.0, n)
    free_since = np.where(rng.random(n) < 0.2, np.nan, last - rng.uniform(0.0, 120.0, n))
    impacted = now > impact_due + 5.0
    reach = 6_378_137.0 + 1_000.0
    low = np.nonzero((x[:, :3] ** 2).sum(axis=1) < reach**2)[0]
    impacted[low] |= radial_height(x[low, :3]) < -2_000.0
    established = (hits >= 20) & ~boost & (last - free_since >= 60.0)
    limit = np.where(established, 4_000.0, np.where(boost, 15.0, 60.0))
    age = now - last
    stale = np.where(tentative, age > 12.0, age > limit)
    got = kernels.expired_rows(now, x, impact_due, tentative, hits, boost, last, free_since, 5.0, -2_000.0,
                               12.0, 20, 60.0, 4_000.0, 15.0, 60.0)
    assert np.array_equal(got, impacted | stale)


def test_track_facts_match_the_numpy_expressions() -> None:
    rng = np.random.default_rng(13)
    n, now = 70, 500.0
    x = _states(n)
    x[::3, :3] *= (6_378_137.0 + 60e3) / np.linalg.norm(x[::3, :3], axis=1, keepdims=True)
    a = rng.normal(size=(n, STATE_DIM, STATE_DIM))
    p = a @ a.transpose(0, 2, 1)
    boost, hits, tentative = rng.random(n) < 0.2, rng.integers(1, 6, n), rng.random(n) < 0.3
    last, drag_seen = now - rng.uniform(0.0, 30.0, n), rng.random(n) < 0.5
    x[::7, 9] = 0.0
    rows = rng.permutation(n)[:50]
    xr = x[rows]
    pos, vel = xr[:, :3], xr[:, 3:6]
    height = radial_height(pos)
    climb = np.einsum("ij,ij->i", vel, pos) / np.sqrt(np.einsum("ij,ij->i", pos, pos))
    descending = (height < 100e3) & (climb < 0.0)
    phase = np.where(boost[rows], 0, np.where(hits[rows] < 3, 1, np.where(descending, 2, 3)))
    status = np.where(tentative[rows], 0, np.where(now - last[rows] > 10.0, 1, 2))
    k = xr[:, 9]
    has_beta = drag_seen[rows] & (k > 1e-3)
    got = kernels.track_facts(rows, x, p, boost, hits, tentative, last, drag_seen, now, 3, 10.0, 100e3,
                              DRAG_SCALE)
    assert np.array_equal(got[0], phase) and np.array_equal(got[1], status)
    assert np.array_equal(got[2], has_beta)
    assert np.count_nonzero(phase == 2) and np.count_nonzero(has_beta)
    k = k[has_beta]
    np.testing.assert_array_equal(got[3][has_beta], DRAG_SCALE / k)
    np.testing.assert_array_equal(got[4][has_beta], DRAG_SCALE * np.sqrt(p[rows, 9, 9][has_beta]) / (k * k))


def test_integrator_choice_matches_the_numpy_expressions() -> None:
    rng = np.random.default_rng(14)
    x = _states(60)
    x[::3, :3] *= (6_378_137.0 + 90e3) / np.linalg.norm(x[::3, :3], axis=1, keepdims=True)
    pos, ceiling = x[:, :3], 100e3
    q_thrust = np.where(rng.random(len(x)) < 0.2, 4.0, 0.0)
    dt = rng.uniform(-10.0, 10.0, len(x))
    near = (pos * pos).sum(axis=1) < (6_378_137.0 + 1.2 * ceiling + 1_000.0) ** 2
    height = np.where(near, radial_height(pos), np.inf)
    fast = (q_thrust > 0.0) | (height < 1.2 * ceiling)
    got_height, got_fast = kernels.integrator_rows(pos, q_thrust, ceiling)
    assert np.array_equal(got_height, height) and np.array_equal(got_fast, fast)
    assert kernels.step_spans(dt, fast) == (float(np.max(np.abs(dt)[fast], initial=0.0)),
                                            float(np.max(np.abs(dt)[~fast], initial=0.0)))


def test_malformed_rows_matches_the_numpy_expression() -> None:
    rng = np.random.default_rng(15)
    m = 400
    v = rng.uniform(0.1, 10.0, (m, 10))
    v[rng.random((m, 10)) < 0.05] = np.nan
    v[rng.random((m, 10)) < 0.05] = -1.0
    v[rng.random((m, 10)) < 0.02] = np.inf
    ecef = rng.normal(size=(m, 3))
    ecef[rng.random((m, 3)) < 0.02] = np.nan
    radar, rate_given = rng.random(m) < 0.7, rng.random(m) < 0.4
    bad = ~np.isfinite(v[:, :5]).all(axis=1) | ~np.isfinite(ecef).all(axis=1)
    with np.errstate(invalid="ignore"):
        bad |= ~((v[:, 3] > 0.0) & (v[:, 4] > 0.0))
        radar_bad = ~((v[:, 5] > 0.0) & (v[:, 6] > 0.0) & np.isfinite(v[:, 5]) & np.isfinite(v[:, 6]))
        radar_bad |= rate_given & ~((v[:, 8] > 0.0) & np.isfinite(v[:, 7]))
    assert np.array_equal(kernels.malformed_rows(v, ecef, radar, rate_given), bad | (radar & radar_bad))
