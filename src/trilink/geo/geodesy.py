"""Geodesic distance and azimuth on the WGS84 ellipsoid (pyproj's Geod, i.e. GeographicLib)."""

import numpy as np
from pyproj import Geod

WGS84_GEOD = Geod(ellps="WGS84")


def geodesic_inverse(lat1: np.ndarray | float, lon1: np.ndarray | float,
                     lat2: np.ndarray | float, lon2: np.ndarray | float
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Distance (m) and forward azimuth (rad clockwise from north) from point 1 to point 2."""
    az12, _az21, dist = WGS84_GEOD.inv(np.degrees(lon1), np.degrees(lat1),
                                       np.degrees(lon2), np.degrees(lat2))
    return np.asarray(dist, dtype=float), np.mod(np.radians(az12), 2.0 * np.pi)


def geodesic_direct(lat: np.ndarray | float, lon: np.ndarray | float,
                    azimuth: np.ndarray | float, distance: np.ndarray | float
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Point (lat, lon in rad) reached from (lat, lon) along ``azimuth`` (rad) for ``distance`` m."""
    lon2, lat2, _ = WGS84_GEOD.fwd(np.degrees(lon), np.degrees(lat),
                                   np.degrees(azimuth), distance)
    return np.radians(lat2), np.radians(lon2)


def geodesic_distance(lat1: np.ndarray | float, lon1: np.ndarray | float,
                      lat2: np.ndarray | float, lon2: np.ndarray | float) -> np.ndarray:
    """Geodesic distance in metres between points given in radians."""
    return geodesic_inverse(lat1, lon1, lat2, lon2)[0]
