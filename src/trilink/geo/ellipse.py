"""Uncertainty ellipses on the ground: from a 2x2 east-north covariance to axes and polygons.

Used wherever an ellipse leaves trilink (CAP polygons, GeoJSON, CZML, KML):
one construction, so every output draws the same ellipse.
"""

import math

import numpy as np

from trilink.geo.geodesy import geodesic_direct
from trilink.model.assessment import Ellipse


def chi2_2d_scale(probability: float) -> float:
    """k such that the ellipse xᵀP⁻¹x ≤ k² holds ``probability`` of a 2-D Gaussian (k² = −2 ln(1−p))."""
    return math.sqrt(-2.0 * math.log(1.0 - probability))


def ellipse_from_covariance(covariance_en: np.ndarray, probability: float = 0.95) -> Ellipse:
    """The probability ellipse of a 2x2 east-north covariance (m²)."""
    cov = 0.5 * (np.asarray(covariance_en, dtype=float) + np.asarray(covariance_en, dtype=float).T)
    values, vectors = np.linalg.eigh(cov)
    values = np.clip(values, 0.0, None)
    k = chi2_2d_scale(probability)
    major = vectors[:, 1]
    orientation = math.atan2(major[0], major[1]) % math.pi  # azimuth of (east, north) vector
    return Ellipse(semi_major=k * math.sqrt(values[1]), semi_minor=k * math.sqrt(values[0]),
                   orientation=orientation, probability=probability, covariance_en=cov)


def ellipse_polygon(lat: float, lon: float, ellipse: Ellipse, points: int = 72
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Closed polygon (first = last) of an ellipse centred at (lat, lon), radians in and out."""
    theta = np.linspace(0.0, 2.0 * math.pi, points, endpoint=False)
    # offsets along the major / minor axes, then rotate to east-north
    a = ellipse.semi_major * np.cos(theta)
    b = ellipse.semi_minor * np.sin(theta)
    sin_o, cos_o = math.sin(ellipse.orientation), math.cos(ellipse.orientation)
    east = a * sin_o + b * cos_o
    north = a * cos_o - b * sin_o
    distance = np.hypot(east, north)
    azimuth = np.arctan2(east, north)
    lats, lons = geodesic_direct(np.full(points, lat), np.full(points, lon), azimuth, distance)
    lats = np.append(lats, lats[0])
    lons = np.append(lons, lons[0])
    return lats, lons
