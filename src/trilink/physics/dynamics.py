"""Equations of motion of a point mass in the rotating ECEF frame, vectorised over states.

Acceleration = J2 gravity − 2ω×v − ω×(ω×r) + drag (+ thrust, added by the boost model).
Drag uses the US Standard Atmosphere 1976 (``atmosphere.density``) with the air at rest
in ECEF and a ballistic coefficient β = m/(C_D·A) in kg/m²: a_drag = −ρ|v|v/(2β).

Heights here are "radial heights" |r| − r_ellipsoid(geocentric latitude). They are
exactly zero on the ellipsoid (so the ground-impact event is the geodetic-height-zero
crossing) and differ from the geodetic height by far less than a metre below 100 km,
where drag matters, at a fraction of the cost of a geodetic conversion.
"""

import numpy as np

from trilink.geo.wgs84 import GM, J2, OMEGA_EARTH, SEMI_MAJOR_AXIS, SEMI_MINOR_AXIS
from trilink.physics.atmosphere import density

_A2 = SEMI_MAJOR_AXIS**2
_B2 = SEMI_MINOR_AXIS**2
_J2_FACTOR = 1.5 * J2 * GM * SEMI_MAJOR_AXIS**2
_W2 = OMEGA_EARTH**2


def gravity(positions: np.ndarray, *, j2: bool = True) -> np.ndarray:
    """Gravitational acceleration (N, 3) of point mass + J2 at ECEF positions (N, 3)."""
    r = np.asarray(positions, dtype=float)
    x, y, z = r[..., 0], r[..., 1], r[..., 2]
    r2 = x * x + y * y + z * z
    rn = np.sqrt(r2)
    k = -GM / (r2 * rn)
    if not j2:
        return k[..., None] * r
    z2r2 = z * z / r2
    c = _J2_FACTOR / (r2 * r2 * rn)
    cxy = k - c * (1.0 - 5.0 * z2r2)
    cz = k - c * (3.0 - 5.0 * z2r2)
    return np.stack([cxy * x, cxy * y, cz * z], axis=-1)


def frame_acceleration(positions: np.ndarray, velocities: np.ndarray) -> np.ndarray:
    """Coriolis plus centrifugal acceleration (N, 3) in ECEF: −2ω×v − ω×(ω×r)."""
    r = np.asarray(positions, dtype=float)
    v = np.asarray(velocities, dtype=float)
    ax = 2.0 * OMEGA_EARTH * v[..., 1] + _W2 * r[..., 0]
    ay = -2.0 * OMEGA_EARTH * v[..., 0] + _W2 * r[..., 1]
    return np.stack([ax, ay, np.zeros_like(ax)], axis=-1)


def ellipsoid_radius(positions: np.ndarray) -> np.ndarray:
    """Radius (…,) of the WGS84 ellipsoid along the geocentric direction of each position."""
    r = np.asarray(positions, dtype=float)
    p2 = r[..., 0] ** 2 + r[..., 1] ** 2
    z2 = r[..., 2] ** 2
    return np.sqrt((p2 + z2) / (p2 / _A2 + z2 / _B2))


def radial_height(positions: np.ndarray) -> np.ndarray:
    """|r| − ellipsoid radius (…,) in metres: zero exactly on the ellipsoid (see module doc)."""
    r = np.asarray(positions, dtype=float)
    return np.linalg.norm(r, axis=-1) - ellipsoid_radius(r)


def drag(positions: np.ndarray, velocities: np.ndarray,
         ballistic_coefficient: np.ndarray | float) -> np.ndarray:
    """Drag acceleration (N, 3) for ballistic coefficient(s) β (kg/m², scalar or (N,))."""
    v = np.asarray(velocities, dtype=float)
    rho = density(radial_height(positions))
    speed = np.linalg.norm(v, axis=-1)
    k = -0.5 * rho * speed / np.asarray(ballistic_coefficient, dtype=float)
    return k[..., None] * v


def acceleration(positions: np.ndarray, velocities: np.ndarray,
                 ballistic_coefficient: np.ndarray | float | None = None) -> np.ndarray:
    """Free-flight acceleration (N, 3) in ECEF: J2 gravity, Coriolis, centrifugal, and drag if β given."""
    acc = gravity(positions) + frame_acceleration(positions, velocities)
    if ballistic_coefficient is not None:
        acc = acc + drag(positions, velocities, ballistic_coefficient)
    return acc


def state_derivative(states: np.ndarray,
                     ballistic_coefficient: np.ndarray | float | None = None) -> np.ndarray:
    """d/dt of ECEF states (N, 6) in free flight."""
    s = np.asarray(states, dtype=float)
    return np.concatenate([s[..., 3:], acceleration(s[..., :3], s[..., 3:], ballistic_coefficient)],
                          axis=-1)
