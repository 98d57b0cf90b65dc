"""WGS84 frame conversions: geodetic ↔ ECEF ↔ local ENU / AER, vectorised over numpy arrays.

Why not call pymap3d directly: its per-call overhead (~160 µs for a scalar) is too
much for the tracker's and simulator's inner loops, and the formulas are short and
closed-form (Zhu/Heikkinen for ECEF → geodetic, exact to < 1 mm). The tests check
every function here against pymap3d over the whole globe, so pymap3d remains the
reference. All angles radians, distances metres; arrays broadcast over leading axes.
"""

import numpy as np

from trilink.geo.wgs84 import ECCENTRICITY_SQ, SEMI_MAJOR_AXIS, SEMI_MINOR_AXIS

_A = SEMI_MAJOR_AXIS
_B = SEMI_MINOR_AXIS
_E2 = ECCENTRICITY_SQ
_EP2 = (_A * _A - _B * _B) / (_B * _B)


def geodetic_to_ecef(lat: np.ndarray | float, lon: np.ndarray | float,
                     height: np.ndarray | float = 0.0) -> np.ndarray:
    """Geodetic latitude, longitude (rad) and ellipsoidal height (m) → ECEF (..., 3) metres."""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    height = np.asarray(height, dtype=float)
    sin_lat = np.sin(lat)
    cos_lat = np.cos(lat)
    n = _A / np.sqrt(1.0 - _E2 * sin_lat * sin_lat)
    x = (n + height) * cos_lat * np.cos(lon)
    y = (n + height) * cos_lat * np.sin(lon)
    z = (n * (1.0 - _E2) + height) * sin_lat
    return np.stack(np.broadcast_arrays(x, y, z), axis=-1)


def ecef_to_geodetic(ecef: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ECEF (..., 3) metres → (lat, lon, height) in rad, rad, m (Heikkinen's closed form)."""
    ecef = np.asarray(ecef, dtype=float)
    x, y, z = ecef[..., 0], ecef[..., 1], ecef[..., 2]
    p = np.hypot(x, y)
    z2 = z * z
    f = 54.0 * _B * _B * z2
    g = p * p + (1.0 - _E2) * z2 - _E2 * (_A * _A - _B * _B)
    c = _E2 * _E2 * f * p * p / (g * g * g)
    s = np.cbrt(1.0 + c + np.sqrt(c * c + 2.0 * c))
    k = s + 1.0 + 1.0 / s
    pp = f / (3.0 * k * k * g * g)
    q = np.sqrt(1.0 + 2.0 * _E2 * _E2 * pp)
    r0 = -(pp * _E2 * p) / (1.0 + q) + np.sqrt(
        np.maximum(0.5 * _A * _A * (1.0 + 1.0 / q) - pp * (1.0 - _E2) * z2 / (q * (1.0 + q))
                   - 0.5 * pp * p * p, 0.0))
    u = np.sqrt((p - _E2 * r0) ** 2 + z2)
    v = np.sqrt((p - _E2 * r0) ** 2 + (1.0 - _E2) * z2)
    z0 = _B * _B * z / (_A * v)
    height = u * (1.0 - _B * _B / (_A * v))
    lat = np.arctan2(z + _EP2 * z0, p)
    lon = np.arctan2(y, x)
    return lat, lon, height


def enu_rotation(lat: np.ndarray | float, lon: np.ndarray | float) -> np.ndarray:
    """Rotation (..., 3, 3) whose rows are the local east, north and up unit vectors in ECEF."""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    sl, cl = np.sin(lat), np.cos(lat)
    so, co = np.sin(lon), np.cos(lon)
    zero = np.zeros_like(sl * so)
    east = np.stack(np.broadcast_arrays(-so, co, zero), axis=-1)
    north = np.stack(np.broadcast_arrays(-sl * co, -sl * so, cl), axis=-1)
    up = np.stack(np.broadcast_arrays(cl * co, cl * so, sl), axis=-1)
    return np.stack([east, north, up], axis=-2)


def ecef_to_enu(ecef: np.ndarray, lat0: float, lon0: float, height0: float = 0.0) -> np.ndarray:
    """ECEF points (..., 3) → local ENU (..., 3) metres about the geodetic origin."""
    origin = geodetic_to_ecef(lat0, lon0, height0)
    rot = enu_rotation(lat0, lon0)
    return (np.asarray(ecef, dtype=float) - origin) @ rot.T


def enu_to_ecef(enu: np.ndarray, lat0: float, lon0: float, height0: float = 0.0) -> np.ndarray:
    """Local ENU (..., 3) metres about a geodetic origin → ECEF (..., 3)."""
    origin = geodetic_to_ecef(lat0, lon0, height0)
    rot = enu_rotation(lat0, lon0)
    return np.asarray(enu, dtype=float) @ rot + origin


def enu_to_aer(enu: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ENU (..., 3) → azimuth (rad clockwise from north, [0, 2π)), elevation (rad), slant range."""
    enu = np.asarray(enu, dtype=float)
    e, n, u = enu[..., 0], enu[..., 1], enu[..., 2]
    horizontal = np.hypot(e, n)
    azimuth = np.mod(np.arctan2(e, n), 2.0 * np.pi)
    elevation = np.arctan2(u, horizontal)
    return azimuth, elevation, np.hypot(horizontal, u)


def aer_to_enu(azimuth: np.ndarray | float, elevation: np.ndarray | float,
               slant_range: np.ndarray | float) -> np.ndarray:
    """Azimuth, elevation (rad) and slant range (m) → ENU (..., 3) metres."""
    azimuth = np.asarray(azimuth, dtype=float)
    elevation = np.asarray(elevation, dtype=float)
    horizontal = slant_range * np.cos(elevation)
    return np.stack(np.broadcast_arrays(horizontal * np.sin(azimuth),
                                        horizontal * np.cos(azimuth),
                                        slant_range * np.sin(elevation)), axis=-1)


def ecef_to_aer(target_ecef: np.ndarray, lat0: float, lon0: float,
                height0: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Azimuth, elevation, slant range of ECEF targets seen from a geodetic observer."""
    return enu_to_aer(ecef_to_enu(target_ecef, lat0, lon0, height0))
