"""Atmosphere table against ussa1976; vectorised EOM against the scalar solve_ivp right-hand sides."""

import numpy as np
import ussa1976

from trilink.geo.frames import geodetic_to_ecef
from trilink.physics import eom
from trilink.physics.atmosphere import density, density_scalar
from trilink.physics.dynamics import acceleration, gravity, radial_height


def test_density_matches_ussa1976_off_grid() -> None:
    heights = np.sort(np.random.default_rng(0).uniform(0.0, 300e3, 300))
    ref = ussa1976.compute(z=heights, variables=["rho"])["rho"].values
    assert np.max(np.abs(density(heights) / ref - 1.0)) < 2e-3
    assert abs(float(density(0.0)) - 1.225) < 1e-4
    assert float(density(2_000e3)) == 0.0
    assert all(abs(density_scalar(h) / float(density(h)) - 1) < 1e-12 for h in heights[::30])


def test_vectorised_acceleration_equals_scalar_rhs() -> None:
    rng = np.random.default_rng(1)
    lat = rng.uniform(-1.4, 1.4, 50)
    lon = rng.uniform(-3, 3, 50)
    h = rng.uniform(0, 500e3, 50)
    pos = geodetic_to_ecef(lat, lon, h)
    vel = rng.normal(0, 3000, (50, 3))
    acc = acceleration(pos, vel, 5000.0)
    for i in range(50):
        ref = eom.free_rhs(0.0, [*pos[i], *vel[i]], 5000.0)[3:]
        assert np.allclose(acc[i], ref, rtol=1e-12, atol=1e-12)
    # radial height equals geodetic height on and near the ellipsoid
    assert np.max(np.abs(radial_height(geodetic_to_ecef(lat, lon, 0.0)))) < 1e-6
    assert np.max(np.abs(radial_height(geodetic_to_ecef(lat, lon, 50e3)) - 50e3)) < 5.0


def test_gravity_magnitude_and_j2() -> None:
    equator = geodetic_to_ecef(0.0, 0.0, 0.0)[None]
    pole = geodetic_to_ecef(np.pi / 2, 0.0, 0.0)[None]
    g_eq = np.linalg.norm(gravity(equator))
    g_pole = np.linalg.norm(gravity(pole))
    assert 9.80 < g_eq < 9.82 and 9.83 < g_pole < 9.84
    assert abs(np.linalg.norm(gravity(equator, j2=False)) - 3.986004418e14 / 6378137.0**2) < 1e-9
