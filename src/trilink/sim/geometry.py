"""Sensor-to-target geometry: local AER, range-rate and the radar line of sight with refraction.

The radar horizon uses the classic effective-Earth model (k = 4/3 by default, per
sensor in the network file): refraction bends rays as if the Earth's radius were
k times larger. Over WGS84 we use, for each ray, the Euler radius of curvature
of the ellipsoid at the sensor in the ray's azimuth, and the exact ellipsoidal
ENU geometry for the direction itself. Written by hand because no maintained
library exposes a vectorised refracted line-of-sight test; the formulas are the
textbook ones (Skolnik, *Radar Handbook*, ch. 26) and the tests check them
against the horizon figures in the reference.
"""

from dataclasses import dataclass

import numpy as np

from trilink.geo.frames import enu_rotation, geodetic_to_ecef
from trilink.geo.wgs84 import ECCENTRICITY_SQ, SEMI_MAJOR_AXIS


@dataclass(frozen=True)
class SensorSite:
    """A sensor's position as the geometry needs it: geodetic (rad, m), ECEF and ENU rotation."""

    lat: float
    lon: float
    height: float
    ecef: np.ndarray
    """(3,) ECEF metres."""
    rotation: np.ndarray
    """(3, 3) rows east, north, up in ECEF."""

    @classmethod
    def from_degrees(cls, lat_deg: float, lon_deg: float, height_m: float) -> "SensorSite":
        """Build from the network file's (lat°, lon°, height m)."""
        lat, lon = np.radians(lat_deg), np.radians(lon_deg)
        return cls(float(lat), float(lon), float(height_m),
                   geodetic_to_ecef(lat, lon, height_m), enu_rotation(lat, lon))


@dataclass(frozen=True)
class Look:
    """Geometry of targets seen from one sensor, arrays of shape (N,)."""

    azimuth: np.ndarray
    """Radians clockwise from north, [0, 2π), geometric."""
    elevation: np.ndarray
    """Geometric elevation, radians, in the sensor's local ENU frame."""
    range: np.ndarray
    """Slant range, metres."""
    range_rate: np.ndarray
    """Slant-range rate, m/s, positive opening (sensor fixed in ECEF)."""


def look(site: SensorSite, positions: np.ndarray, velocities: np.ndarray) -> Look:
    """Azimuth, elevation, range and range-rate of ECEF targets (N, 3) from a fixed sensor."""
    rel = positions - site.ecef
    enu = rel @ site.rotation.T
    e, n, u = enu[:, 0], enu[:, 1], enu[:, 2]
    horizontal = np.hypot(e, n)
    slant = np.hypot(horizontal, u)
    azimuth = np.mod(np.arctan2(e, n), 2.0 * np.pi)
    elevation = np.arctan2(u, horizontal)
    range_rate = np.einsum("ij,ij->i", rel, velocities) / np.maximum(slant, 1e-9)
    return Look(azimuth, elevation, slant, range_rate)


def euler_radius(lat: float, azimuth: np.ndarray) -> np.ndarray:
    """Radius of curvature (m) of the WGS84 ellipsoid at latitude ``lat`` in direction ``azimuth``."""
    s2 = np.sin(lat) ** 2
    w = 1.0 - ECCENTRICITY_SQ * s2
    meridian = SEMI_MAJOR_AXIS * (1.0 - ECCENTRICITY_SQ) / w ** 1.5
    prime_vertical = SEMI_MAJOR_AXIS / np.sqrt(w)
    return 1.0 / (np.cos(azimuth) ** 2 / meridian + np.sin(azimuth) ** 2 / prime_vertical)


def apparent_elevation(site: SensorSite, geometry: Look, k_factor: float) -> np.ndarray:
    """Elevation (rad) at which a refracting atmosphere shows each target (effective-Earth model).

    The target's ground distance and height are taken on the osculating sphere of the
    ellipsoid at the sensor (Euler radius in the ray's azimuth); the same distance and
    heights are then placed on a sphere k times larger, where rays are straight. A target
    is above the radio horizon when this elevation is ≥ 0.
    """
    radius = euler_radius(site.lat, geometry.azimuth)
    centre_height = radius + site.height
    horizontal = geometry.range * np.cos(geometry.elevation)
    vertical = centre_height + geometry.range * np.sin(geometry.elevation)
    central_angle = np.arctan2(horizontal, vertical)
    target_radius = np.hypot(horizontal, vertical)
    target_height = target_radius - radius
    effective = k_factor * radius
    angle = central_angle / k_factor
    r_t = effective + target_height
    return np.arctan2(r_t * np.cos(angle) - (effective + site.height), r_t * np.sin(angle))


def in_sector(azimuth: np.ndarray, boresight: float | None, half_width: float) -> np.ndarray:
    """Whether azimuths (rad) lie within boresight ± half_width (rad); None = all-round."""
    if boresight is None or half_width >= np.pi:
        return np.ones(np.shape(azimuth), dtype=bool)
    offset = np.mod(azimuth - boresight + np.pi, 2.0 * np.pi) - np.pi
    return np.abs(offset) <= half_width


def earth_blocks(observer: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Whether the WGS84 ellipsoid hides each target (N, 3) from an observer (3,) (straight rays)."""
    scale = np.array([1.0, 1.0, 1.0 / (1.0 - _FLATTENING)])
    o = observer * scale
    t = targets * scale
    d = t - o
    dd = np.einsum("ij,ij->i", d, d)
    s = np.clip(-(d @ o) / np.maximum(dd, 1e-9), 0.0, 1.0)
    closest = o + s[:, None] * d
    return np.einsum("ij,ij->i", closest, closest) < SEMI_MAJOR_AXIS ** 2


_FLATTENING = 1.0 - np.sqrt(1.0 - ECCENTRICITY_SQ)
