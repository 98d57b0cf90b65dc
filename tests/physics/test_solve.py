"""Trajectory solving: acceptance check 3 (calibration launches), aim, staging, impossible requests."""

import math

import numpy as np
import pytest

from trilink.cli.calibrate import TOLERANCE, fly_launch
from trilink.geo.frames import ecef_to_geodetic
from trilink.geo.geodesy import geodesic_distance
from trilink.physics.calibration import CALIBRATION_LAUNCHES
from trilink.physics.catalogue import MISSILES, UnknownMissileError, get_missile
from trilink.physics.solve import FlightError, solve_flight

R = math.radians


@pytest.mark.parametrize("launch", CALIBRATION_LAUNCHES,
                         ids=[f"{c.missile}-{c.range_km:.0f}km" for c in CALIBRATION_LAUNCHES])
def test_calibration_launch_flight_time(launch) -> None:
    result = fly_launch(launch)
    assert result.flight is not None, result.error
    f = result.flight
    assert abs(f.apogee / 1e3 - launch.apogee_km) <= max(0.002 * launch.apogee_km, 0.5)
    assert abs(f.ground_range / 1e3 - launch.range_km) <= max(0.0005 * launch.range_km, 0.5)
    if launch.flight_time_s is not None:
        assert abs(result.time_error) <= TOLERANCE, f"{f.flight_time:.0f} s vs {launch.flight_time_s:.0f} s"
    traj = f.trajectory
    assert np.all(np.diff(traj.times) <= 1.0 + 1e-9) and np.all(np.diff(traj.times) > 0)
    assert traj.launch_time == pytest.approx(launch.launch_time)
    assert traj.stage_burnouts and traj.stage_burnouts[-1] == pytest.approx(f.burnout_time)
    _lat, _lon, h = ecef_to_geodetic(traj.positions[-1])
    assert abs(float(h)) < 1.0


def test_aim_point_is_hit_and_stages_fall_separately() -> None:
    site = (R(39.2002), R(125.6733))
    aim = (R(41.0), R(138.5))
    f = solve_flight(*site, aim=aim, apogee=4_000e3, missile="hwasong-15", launch_time=1.7e9)
    miss = float(geodesic_distance(f.impact_lat, f.impact_lon, *aim))
    assert miss < 1_000.0
    assert len(f.separated) == 2
    for stage, t_sep in zip(f.separated, f.trajectory.stage_burnouts, strict=True):
        assert stage.launch_time == pytest.approx(t_sep)
        assert stage.impact_time > t_sep
        assert abs(float(ecef_to_geodetic(stage.positions[-1])[2])) < 1.0
    assert f.max_speed >= f.burnout_speed > 1_000.0


def test_profiles_order_apogees() -> None:
    site = (R(39.2002), R(125.6733))
    kw = {"azimuth": R(90.0), "ground_range": 1_000e3, "missile": "hwasong-12"}
    apogees = [solve_flight(*site, profile=p, **kw).apogee for p in ("depressed", "min-energy", "lofted")]
    assert apogees[0] < apogees[1] < apogees[2]


def test_impossible_requests_raise_one_line_flight_errors() -> None:
    site = (R(39.2002), R(125.6733))
    cases = [
        {"azimuth": R(90), "ground_range": 3_000e3, "apogee": 20e3},   # apogee too low for the range
        {"azimuth": R(90), "ground_range": 2_000e3, "missile": "kn-25"},  # beyond the missile
        {"aim": site},                                                   # aim equals site
        {"azimuth": R(90), "ground_range": 500e3, "missile": "scud-z"},  # unknown missile
    ]
    for kw in cases:
        with pytest.raises(FlightError) as info:
            solve_flight(*site, **kw)
        assert "\n" not in str(info.value) and str(info.value)


def test_catalogue_keys_and_errors() -> None:
    for key in ("kn-25", "kn-23", "hwasong-12", "hwasong-15", "hwasong-17", "hwasong-18"):
        assert get_missile(key.upper()) is MISSILES[key]
    with pytest.raises(KeyError) as info:
        get_missile("nodong-9")
    assert isinstance(info.value, UnknownMissileError)
    assert "hwasong-18" in str(info.value) and "nodong-9" in str(info.value)
    for spec in MISSILES.values():
        assert spec.reentry_ballistic_coefficient > 1_000 and spec.rv_rcs > 0 and spec.booster_rcs > 0
        assert all(s.spent_ballistic_coefficient > 0 and s.spent_rcs > 0 for s in spec.stages)


def test_pull_up_extends_a_depressed_flight() -> None:
    from trilink.physics.flight import BoostPlan, fly

    kn23 = get_missile("kn-23")
    plan = BoostPlan(R(60.0), R(8.0), kn23.total_burn_time)
    ballistic = fly(kn23, R(39.1677), R(127.4817), plan, dense=False)
    pulled = fly(kn23, R(39.1677), R(127.4817), plan, dense=False, pull_up=True)
    assert pulled.apogee == pytest.approx(ballistic.apogee)
    assert pulled.ground_range > ballistic.ground_range + 50e3
    f = solve_flight(R(39.1677), R(127.4817), azimuth=R(60.0), ground_range=500e3, apogee=45e3,
                     missile="kn-23", pull_up=True)
    assert f.pull_up and f.separated == []
    with pytest.raises(FlightError):
        solve_flight(R(39.1677), R(127.4817), azimuth=R(60.0), ground_range=500e3, missile="hwasong-12",
                     pull_up=True)
