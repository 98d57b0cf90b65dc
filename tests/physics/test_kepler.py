"""Acceptance check 4a: the integrator against analytic Kepler flight (drag-free, non-rotating, sphere)."""

import math

import numpy as np
import pytest

from trilink.geo.wgs84 import MEAN_RADIUS
from trilink.physics import eom, kepler
from trilink.physics.flight import free_flight

SPHERE = eom.Model(j2=False, rotating=False, drag=False, spherical_radius=MEAN_RADIUS)


@pytest.mark.parametrize(("speed", "gamma_deg"), [(3000.0, 45.0), (5000.0, 30.0), (6800.0, 84.5),
                                                  (2400.0, 15.0)])
def test_time_of_flight_and_range_match_kepler(speed: float, gamma_deg: float) -> None:
    gamma = math.radians(gamma_deg)
    r0 = np.array([MEAN_RADIUS, 0.0, 0.0])
    v0 = speed * np.array([math.sin(gamma), math.cos(gamma), 0.0])
    sol = free_flight(np.concatenate([r0, v0]), 0.0, None, model=SPHERE, dense=False)
    t_imp = sol.t_events[1][0]
    r1 = sol.y_events[1][0][:3]
    psi = math.acos(float(np.dot(r0, r1)) / (np.linalg.norm(r0) * np.linalg.norm(r1)))
    tof_ref = kepler.time_of_flight(kepler.range_angle(speed, gamma), speed, gamma)
    psi_ref = kepler.range_angle(speed, gamma)
    assert abs(t_imp / tof_ref - 1.0) < 1e-3
    assert abs(psi / psi_ref - 1.0) < 1e-3
    # in fact the agreement is far tighter than the 0.1 % the issue asks for
    assert abs(t_imp / tof_ref - 1.0) < 1e-7 and abs(psi / psi_ref - 1.0) < 1e-7


def test_ellipse_helpers_are_consistent() -> None:
    psi = 2_700e3 / MEAN_RADIUS
    speed, gamma, _e = kepler.ellipse_from_apogee(psi, 550e3)
    assert abs(kepler.range_angle(speed, gamma) / psi - 1.0) < 1e-9
    assert abs(kepler.ellipse_from_angle(psi, gamma)[1] - 550e3) < 1e-3
