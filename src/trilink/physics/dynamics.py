"""Equations of motion of a point mass in the rotating ECEF frame, vectorised over states.

Acceleration = J2 gravity − 2ω×v − ω×(ω×r) + drag (+ thrust, added by the boost model).
Drag uses the US Standard Atmosphere 1976 (``atmosphere.density``) with the air at rest
in ECEF and a ballistic coefficient β = m/(C_D·A) in kg/m²: a_drag = −ρ|v|v/(2β).

Heights here are "radial heights" |r| − r_ellipsoid(geocentric latitude). They are
exactly zero on the ellipsoid (so the ground-impact event is the geodetic-height-zero
crossing) and differ from the geodetic height by far less than a metre below 100 km,
where drag matters, at a fraction of the cost of a geodetic conversion.

The arithmetic runs in compiled kernels (``trilink.physics.kernels``); these functions
accept any leading shape (…, 3) / (…, 6) and hand the kernels flat contiguous arrays.
"""

import numpy as np

from trilink.geo.wgs84 import SEMI_MAJOR_AXIS, SEMI_MINOR_AXIS
from trilink.physics import kernels

_A2 = SEMI_MAJOR_AXIS**2
_B2 = SEMI_MINOR_AXIS**2


def _rows(values: np.ndarray | list[float], width: int) -> tuple[np.ndarray, tuple[int, ...]]:
    """A C-contiguous float64 (N, width) view or copy of ``values`` (…, width), and its original shape."""
    a = np.asarray(values, dtype=float)
    return np.ascontiguousarray(a.reshape(-1, width)), a.shape


def per_row_betas(ballistic_coefficient: np.ndarray | float | None, n: int) -> tuple[np.ndarray, bool]:
    """β per row (N,) for the kernels, and whether drag acts (a β was given)."""
    if ballistic_coefficient is None:
        return (_ONES[:n] if n <= len(_ONES) else np.ones(n)), False
    beta = np.asarray(ballistic_coefficient, dtype=float)
    if beta.ndim == 0:
        return np.full(n, float(beta)), True
    if beta.shape != (n,):
        beta = np.broadcast_to(beta, (n,))
    return np.ascontiguousarray(beta), True


_ONES = np.ones(4096)
_ONES.flags.writeable = False


def gravity(positions: np.ndarray, *, j2: bool = True) -> np.ndarray:
    """Gravitational acceleration (…, 3) of point mass + J2 at ECEF positions (…, 3)."""
    r, shape = _rows(positions, 3)
    out = np.empty_like(r)
    kernels.gravity_into(r, j2, out)
    return out.reshape(shape)


def frame_acceleration(positions: np.ndarray, velocities: np.ndarray) -> np.ndarray:
    """Coriolis plus centrifugal acceleration (…, 3) in ECEF: −2ω×v − ω×(ω×r)."""
    r, shape = _rows(positions, 3)
    v, _ = _rows(velocities, 3)
    out = np.empty_like(r)
    kernels.frame_acceleration_into(r, v, out)
    return out.reshape(shape)


def ellipsoid_radius(positions: np.ndarray) -> np.ndarray:
    """Radius (…,) of the WGS84 ellipsoid along the geocentric direction of each position."""
    r = np.asarray(positions, dtype=float)
    p2 = r[..., 0] ** 2 + r[..., 1] ** 2
    z2 = r[..., 2] ** 2
    return np.sqrt((p2 + z2) / (p2 / _A2 + z2 / _B2))


def radial_height(positions: np.ndarray) -> np.ndarray:
    """|r| − ellipsoid radius (…,) in metres: zero exactly on the ellipsoid (see module doc)."""
    r, shape = _rows(positions, 3)
    return kernels.radial_heights(r).reshape(shape[:-1])


def drag(positions: np.ndarray, velocities: np.ndarray,
         ballistic_coefficient: np.ndarray | float) -> np.ndarray:
    """Drag acceleration (…, 3) for ballistic coefficient(s) β (kg/m², scalar or per position)."""
    r, shape = _rows(positions, 3)
    v, _ = _rows(velocities, 3)
    beta, _ = per_row_betas(ballistic_coefficient, len(r))
    out = np.empty_like(r)
    kernels.drag_into(r, v, beta, out)
    return out.reshape(shape)


def acceleration(positions: np.ndarray, velocities: np.ndarray,
                 ballistic_coefficient: np.ndarray | float | None = None) -> np.ndarray:
    """Free-flight acceleration (…, 3) in ECEF: J2 gravity, Coriolis, centrifugal, and drag if β given."""
    r, shape = _rows(positions, 3)
    v, _ = _rows(velocities, 3)
    return state_derivative(np.hstack([r, v]), ballistic_coefficient)[:, 3:].reshape(shape)


def state_derivative(states: np.ndarray,
                     ballistic_coefficient: np.ndarray | float | None = None) -> np.ndarray:
    """d/dt of ECEF states (…, 6) in free flight."""
    s, shape = _rows(states, 6)
    beta, with_drag = per_row_betas(ballistic_coefficient, len(s))
    return kernels.state_derivatives(s, beta, with_drag).reshape(shape)
