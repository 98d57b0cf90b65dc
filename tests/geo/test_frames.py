"""Frames against pymap3d (the maintained reference) over the whole globe."""

import numpy as np
import pymap3d
import pytest

from trilink.geo import frames
from trilink.geo.geodesy import geodesic_direct, geodesic_inverse
from trilink.geo.units import iso_time, parse_lat_lon, parse_time

RNG = np.random.default_rng(42)
LAT = RNG.uniform(-np.pi / 2, np.pi / 2, 5000)
LON = RNG.uniform(-np.pi, np.pi, 5000)
HEIGHT = RNG.uniform(-1e3, 4.0e7, 5000)


def test_geodetic_ecef_round_trip_matches_pymap3d() -> None:
    ecef = frames.geodetic_to_ecef(LAT, LON, HEIGHT)
    ref = np.stack(pymap3d.geodetic2ecef(LAT, LON, HEIGHT, deg=False), axis=-1)
    assert np.abs(ecef - ref).max() < 1e-6
    lat, lon, height = frames.ecef_to_geodetic(ecef)
    assert np.abs(lat - LAT).max() < 1e-11
    assert np.abs(np.angle(np.exp(1j * (lon - LON)))).max() < 1e-11
    assert np.abs(height - HEIGHT).max() < 1e-3


def test_enu_and_aer_match_pymap3d() -> None:
    target = frames.geodetic_to_ecef(LAT[:500], LON[:500], HEIGHT[:500])
    lat0, lon0, h0 = 0.7, 2.3, 120.0
    enu = frames.ecef_to_enu(target, lat0, lon0, h0)
    ref = np.stack(pymap3d.ecef2enu(*target.T, lat0, lon0, h0, deg=False), axis=-1)
    assert np.abs(enu - ref).max() < 1e-5
    az, el, rng = frames.ecef_to_aer(target, lat0, lon0, h0)
    raz, rel, rrng = pymap3d.ecef2aer(*target.T, lat0, lon0, h0, deg=False)
    assert np.abs(np.angle(np.exp(1j * (az - raz)))).max() < 1e-9
    assert np.abs(el - rel).max() < 1e-9
    assert np.abs(rng - rrng).max() < 1e-5
    back = frames.enu_to_ecef(frames.aer_to_enu(az, el, rng), lat0, lon0, h0)
    assert np.abs(back - target).max() < 1e-4


def test_geodesic_distance_and_direct_are_consistent() -> None:
    lat1, lon1 = np.radians(39.2002), np.radians(125.6733)
    lat2, lon2 = np.radians(41.510), np.radians(139.367)
    dist, az = geodesic_inverse(lat1, lon1, lat2, lon2)
    assert 1_150e3 < dist < 1_250e3
    lat3, lon3 = geodesic_direct(lat1, lon1, az, dist)
    assert abs(lat3 - lat2) < 1e-9 and abs(lon3 - lon2) < 1e-9


def test_units_at_the_edge() -> None:
    assert parse_time("2022-11-18T01:14:00Z") == 1668734040.0
    assert iso_time(1668734040.0) == "2022-11-18T01:14:00.000Z"
    lat, _lon = parse_lat_lon("39.2,125.7")
    assert lat == pytest.approx(np.radians(39.2))
    for bad in ("91,0", "a,b", "1", "nan,3"):
        with pytest.raises(ValueError):
            parse_lat_lon(bad)
    with pytest.raises(ValueError):
        parse_time("2022-11-18T01:14:00")
