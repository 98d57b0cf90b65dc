"""The hand-written look geometry against pymap3d (the maintained reference), and range-rate
against a finite difference."""

import numpy as np
import pymap3d
from hypothesis import given, settings
from hypothesis import strategies as st

from trilink.geo.frames import geodetic_to_ecef
from trilink.sim.geometry import SensorSite, earth_blocks, look

lats = st.floats(-80.0, 80.0)
lons = st.floats(-180.0, 180.0)


@settings(max_examples=60, deadline=None)
@given(lats, lons, st.floats(0.0, 3000.0), lats, lons, st.floats(1e3, 3e6))
def test_look_matches_pymap3d(lat0: float, lon0: float, h0: float, lat: float, lon: float,
                              h: float) -> None:
    site = SensorSite.from_degrees(lat0, lon0, h0)
    target = geodetic_to_ecef(np.radians(lat), np.radians(lon), h).reshape(1, 3)
    geometry = look(site, target, np.zeros_like(target))
    az, el, rng = pymap3d.ecef2aer(*target[0], lat0, lon0, h0)
    assert abs(np.degrees(geometry.elevation[0]) - el) < 1e-6
    assert abs(geometry.range[0] - rng) < 1e-3
    if abs(el) < 89.0:
        d_az = (np.degrees(geometry.azimuth[0]) - az + 180.0) % 360.0 - 180.0
        assert abs(d_az) < 1e-6


def test_range_rate_is_the_derivative_of_range() -> None:
    site = SensorSite.from_degrees(40.98, 140.36, 20.0)
    position = geodetic_to_ecef(np.radians(40.0), np.radians(133.0), 300e3).reshape(1, 3)
    velocity = np.array([[1500.0, -3000.0, 2500.0]])
    dt = 1e-3
    ahead = look(site, position + velocity * dt, velocity).range[0]
    behind = look(site, position - velocity * dt, velocity).range[0]
    rate = look(site, position, velocity).range_rate[0]
    assert abs(rate - (ahead - behind) / (2 * dt)) < 1e-3


def test_earth_hides_the_far_side_from_geo() -> None:
    satellite = geodetic_to_ecef(0.0, np.radians(105.0), 35_786e3)
    near = geodetic_to_ecef(np.radians(39.0), np.radians(125.7), 50e3).reshape(1, 3)
    far = geodetic_to_ecef(np.radians(39.0), np.radians(-75.0), 50e3).reshape(1, 3)
    assert not earth_blocks(satellite, near)[0]
    assert earth_blocks(satellite, far)[0]
