"""Acceptance check 3: residuals against truth have mean ≈ 0 and the model's standard deviation
(within 5 %) over ≥ 10,000 samples, for every measured quantity; noise grows as 1/√SNR."""

import math

import msgspec
import numpy as np

from tests.conftest import trilink_full
from tests.sim.flights import SUNAN, kepler_arc, warhead
from trilink.model.network import load_network
from trilink.sim.engine import Plan, stream
from trilink.sim.geometry import SensorSite, look
from trilink.sim.radar import noise_scale, signal_to_noise


def _residuals(kind: str, launches: int, burn: float = 300.0) -> dict[str, np.ndarray]:
    network = load_network()
    network = msgspec.structs.replace(
        network, sensor=tuple(s for s in network.sensor if s.kind == kind))
    objects = tuple(
        warhead(kepler_arc(*SUNAN, 75.0 + 3 * i, 5200.0 + 20 * i, 70.0, t0=10.0 * i, burn=burn),
                name=f"M{i}", rcs=0.5, boost_rcs=3.0)
        for i in range(launches))
    by_id = {o.id: o for o in objects}
    sites = {s.id: SensorSite.from_degrees(*s.site) for s in network.sensor}
    columns: dict[str, list[float]] = {k: [] for k in ("az", "el", "range", "range_rate")}
    for m, truth in stream(Plan(objects, network, 0.0, 2500.0, seed=11, false_alarm_factor=0.0)):
        assert truth is not None
        position, velocity = by_id[truth].trajectory.state_at(np.array([m.time]))
        g = look(sites[m.sensor], position, velocity)
        d_az = (m.azimuth - g.azimuth[0] + math.pi) % (2 * math.pi) - math.pi
        columns["az"].append(d_az / m.sigma_azimuth)
        columns["el"].append((m.elevation - g.elevation[0]) / m.sigma_elevation)
        if m.range is not None:
            columns["range"].append((m.range - g.range[0]) / m.sigma_range)
        if m.range_rate is not None:
            columns["range_rate"].append((m.range_rate - g.range_rate[0]) / m.sigma_range_rate)
    return {k: np.array(v) for k, v in columns.items() if v}


def _check(normalised: np.ndarray) -> None:
    assert len(normalised) >= 10_000, len(normalised)
    assert abs(normalised.mean()) < 4.0 / math.sqrt(len(normalised)) + 0.01, normalised.mean()
    assert abs(normalised.std() - 1.0) <= 0.05, normalised.std()


def test_radar_residuals_match_the_model() -> None:
    residuals = _residuals("radar", 16 if trilink_full() else 7)
    assert set(residuals) == {"az", "el", "range", "range_rate"}
    for values in residuals.values():
        _check(values)


def test_space_ir_residuals_match_the_model() -> None:
    # the test object's plume burns all flight long, so each launch gives ~1,400 lines of sight
    residuals = _residuals("space_ir", 16 if trilink_full() else 8, burn=1e6)
    assert set(residuals) == {"az", "el"}
    for values in residuals.values():
        _check(values)


def test_noise_grows_as_snr_falls() -> None:
    sensor = load_network().sensor[0]
    near, far = signal_to_noise(sensor, np.array([0.1, 0.1]), np.array([500e3, 1000e3]))
    assert math.isclose(near / far, 16.0)
    scale = noise_scale(sensor, np.array([near, far]))
    assert math.isclose(scale[1] / scale[0], 4.0)
    assert math.isclose(noise_scale(sensor, np.array([far]))[0], 1.0)  # reference SNR at 1000 km
