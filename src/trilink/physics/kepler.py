"""Analytic free flight over a spherical, non-rotating Earth (Kepler ellipses between two surface points).

Used for initial guesses and profile definitions in the shooting solver and as the
reference of the integration-accuracy test. Angles in radians, lengths in metres;
``psi`` is the central (range) angle between launch and impact.
"""

import math

from trilink.geo.wgs84 import GM, MEAN_RADIUS


class NoEllipseError(ValueError):
    """No bound ground-to-ground ellipse has the requested shape."""


def min_energy_flight_path_angle(psi: float) -> float:
    """Flight-path angle of the minimum-energy ground-to-ground trajectory, rad."""
    return math.pi / 4.0 - psi / 4.0


def speed_parameter(psi: float, gamma: float) -> float:
    """Q = v²r/μ needed to cover central angle ``psi`` at flight-path angle ``gamma`` (same radius)."""
    t = math.tan(psi / 2.0)
    return t / (math.cos(gamma) * (math.sin(gamma) + t * math.cos(gamma)))


def ellipse_from_angle(psi: float, gamma: float, radius: float = MEAN_RADIUS
                       ) -> tuple[float, float, float]:
    """(speed m/s, apogee height m, eccentricity) of the ground-to-ground ellipse for ``psi`` at ``gamma``."""
    q = speed_parameter(psi, gamma)
    if q >= 2.0:
        raise NoEllipseError("trajectory would escape")
    c2 = math.cos(gamma) ** 2
    e = math.hypot(1.0 - q * c2, q * math.sin(gamma) * math.cos(gamma))
    p = radius * q * c2
    return math.sqrt(q * GM / radius), p / (1.0 - e) - radius, e


def ellipse_from_apogee(psi: float, apogee: float, radius: float = MEAN_RADIUS
                        ) -> tuple[float, float, float]:
    """(speed m/s, flight-path angle rad, eccentricity) of the ground-to-ground ellipse with this apogee."""
    if apogee <= 0.0:
        raise NoEllipseError("apogee must be above the ground")
    ra = radius + apogee
    e = apogee / (ra - radius * math.cos(psi / 2.0))
    p = ra * (1.0 - e)
    a = p / (1.0 - e * e)
    v = math.sqrt(GM * (2.0 / radius - 1.0 / a))
    h = math.sqrt(GM * p)
    gamma = math.acos(min(1.0, h / (radius * v)))
    return v, gamma, e


def time_of_flight(psi: float, speed: float, gamma: float, radius: float = MEAN_RADIUS) -> float:
    """Kepler time (s) from launch to impact on the sphere for this speed and flight-path angle."""
    q = speed * speed * radius / GM
    c2 = math.cos(gamma) ** 2
    e = math.hypot(1.0 - q * c2, q * math.sin(gamma) * math.cos(gamma))
    a = radius / (2.0 - q)
    # true anomaly of the launch point (apogee at ν = π), then eccentric and mean anomalies
    cos_nu = (q * c2 - 1.0) / e
    nu = math.acos(max(-1.0, min(1.0, cos_nu)))
    ecc_anomaly = 2.0 * math.atan2(math.sqrt(1.0 - e) * math.sin(nu / 2.0),
                                   math.sqrt(1.0 + e) * math.cos(nu / 2.0))
    mean_anomaly = ecc_anomaly - e * math.sin(ecc_anomaly)
    return 2.0 * (math.pi - mean_anomaly) * math.sqrt(a**3 / GM)


def range_angle(speed: float, gamma: float, radius: float = MEAN_RADIUS) -> float:
    """Central angle (rad) covered by a ground-to-ground free flight with this speed and flight-path angle."""
    q = speed * speed * radius / GM
    c2 = math.cos(gamma) ** 2
    e = math.hypot(1.0 - q * c2, q * math.sin(gamma) * math.cos(gamma))
    cos_nu = (q * c2 - 1.0) / e
    return 2.0 * (math.pi - math.acos(max(-1.0, min(1.0, cos_nu))))
