"""Scalar right-hand sides of the equations of motion for ``solve_ivp`` (one state, plain floats).

These repeat the physics of ``dynamics`` (J2 gravity, Coriolis, centrifugal, drag)
with ``math`` on floats because solve_ivp calls them one state at a time, where
numpy's per-call overhead (~100 µs) would dominate; the tests check both agree to
round-off. They also add thrust for the boost phase and, optionally, the lift of a
pull-up manoeuvre. Options select the reference models used by the accuracy tests:
``j2=False`` (spherical gravity) and ``rotating=False`` (inertial frame).
"""

import math
from dataclasses import dataclass

from trilink.geo.wgs84 import GM, J2, OMEGA_EARTH, SEMI_MAJOR_AXIS, SEMI_MINOR_AXIS
from trilink.physics.atmosphere import density_scalar

_A2 = SEMI_MAJOR_AXIS**2
_B2 = SEMI_MINOR_AXIS**2
_J2_FACTOR = 1.5 * J2 * GM * SEMI_MAJOR_AXIS**2
_W = OMEGA_EARTH
_W2 = OMEGA_EARTH**2


@dataclass(frozen=True)
class Model:
    """Which terms the free-flight equations include (the defaults are the full model)."""

    j2: bool = True
    rotating: bool = True
    drag: bool = True
    spherical_radius: float | None = None
    """When set, the ground is a sphere of this radius (Kepler reference case)."""


FULL = Model()


def height(x: float, y: float, z: float, model: Model = FULL) -> float:
    """Radial height above the ellipsoid (or the model's sphere), metres; see ``dynamics``."""
    r = math.sqrt(x * x + y * y + z * z)
    if model.spherical_radius is not None:
        return r - model.spherical_radius
    p2 = x * x + y * y
    z2 = z * z
    return r - math.sqrt((p2 + z2) / (p2 / _A2 + z2 / _B2))


def up(x: float, y: float, z: float) -> tuple[float, float, float]:
    """Outward ellipsoid normal at the point's geodetic direction (unit vector)."""
    nx, ny, nz = x / _A2, y / _A2, z / _B2
    n = math.sqrt(nx * nx + ny * ny + nz * nz)
    return nx / n, ny / n, nz / n


def gravity_frame(x: float, y: float, z: float, vx: float, vy: float, vz: float,
                  model: Model = FULL) -> tuple[float, float, float]:
    """Gravity (+ J2) plus, in the rotating frame, Coriolis and centrifugal acceleration."""
    r2 = x * x + y * y + z * z
    rn = math.sqrt(r2)
    k = -GM / (r2 * rn)
    if model.j2:
        z2r2 = z * z / r2
        c = _J2_FACTOR / (r2 * r2 * rn)
        cxy = k - c * (1.0 - 5.0 * z2r2)
        cz = k - c * (3.0 - 5.0 * z2r2)
    else:
        cxy = cz = k
    ax, ay, az = cxy * x, cxy * y, cz * z
    if model.rotating:
        ax += 2.0 * _W * vy + _W2 * x
        ay += -2.0 * _W * vx + _W2 * y
    return ax, ay, az


def free_rhs(_t: float, s: list[float], beta: float | None, model: Model = FULL) -> list[float]:
    """d/dt of an ECEF state in free flight; drag when ``beta`` (kg/m²) is given."""
    x, y, z, vx, vy, vz = s
    ax, ay, az = gravity_frame(x, y, z, vx, vy, vz, model)
    if beta is not None and model.drag:
        h = height(x, y, z, model)
        if h < 1_000_000.0:
            k = -0.5 * density_scalar(h) * math.sqrt(vx * vx + vy * vy + vz * vz) / beta
            ax += k * vx
            ay += k * vy
            az += k * vz
    return [vx, vy, vz, ax, ay, az]


PULL_UP_CEILING = 80_000.0
"""m; the pull-up lift acts only below this height, while descending."""
PULL_UP_SINK_RATE = 300.0
"""m/s of descent at which the pull-up lift is fully applied (it fades to zero in level flight)."""


def glide_rhs(t: float, s: list[float], beta: float, lift_to_drag: float) -> list[float]:
    """Free flight with a terminal pull-up: while descending in the atmosphere, lift L = (L/D)·D
    acts perpendicular to the velocity, upward in the vertical plane (a quasi-ballistic SRBM)."""
    out = free_rhs(t, s, beta)
    x, y, z, vx, vy, vz = s
    h = height(x, y, z)
    ux, uy, uz = up(x, y, z)
    v_up = vx * ux + vy * uy + vz * uz
    if h > PULL_UP_CEILING or v_up >= 0.0:
        return out
    v2 = vx * vx + vy * vy + vz * vz
    # full lift once sinking faster than PULL_UP_SINK_RATE, fading to none when level (continuous)
    lift = lift_to_drag * 0.5 * density_scalar(h) * v2 / beta * min(-v_up / PULL_UP_SINK_RATE, 1.0)
    lx, ly, lz = ux - v_up * vx / v2, uy - v_up * vy / v2, uz - v_up * vz / v2
    ln = math.sqrt(lx * lx + ly * ly + lz * lz)
    if ln > 0.0:
        out[3] += lift * lx / ln
        out[4] += lift * ly / ln
        out[5] += lift * lz / ln
    return out


@dataclass(frozen=True)
class BurnSegment:
    """One interval of powered flight with a single stage burning and a fixed steering law."""

    t_start: float
    t_end: float
    mass_start: float
    mass_flow: float
    thrust: float
    drag_area: float
    """C_D · A of the stack, m²."""
    vertical: bool
    plane_normal: tuple[float, float, float]
    """Unit normal of the (Earth-fixed) flight plane; downrange = normal × up."""
    pitch_start_time: float
    pitch_end_time: float
    pitch_final: float
    """Thrust elevation above the local horizontal at ``pitch_end_time``, rad."""
    pitch_shape: float = 0.5
    """Exponent of the pitch program (see ``thrust_direction``)."""


def thrust_direction(seg: BurnSegment, t: float, x: float, y: float, z: float
                     ) -> tuple[float, float, float]:
    """Unit thrust vector: local vertical during the rise, then the pitch program.

    The thrust elevation falls from 90° to the final pitch as a power (``pitch_shape``,
    0.5 by default, less for SRBMs) of the elapsed fraction of the programmed burn: a
    quick pitch-over, then a slow approach
    to the final attitude, so the burnout flight-path angle stays close to the final
    pitch and depressed, standard and lofted paths are all reachable.
    """
    ux, uy, uz = up(x, y, z)
    if seg.vertical:
        return ux, uy, uz
    frac = min(max((t - seg.pitch_start_time) / (seg.pitch_end_time - seg.pitch_start_time), 0.0), 1.0)
    theta = 0.5 * math.pi - (0.5 * math.pi - seg.pitch_final) * frac**seg.pitch_shape
    nx, ny, nz = seg.plane_normal
    dx, dy, dz = ny * uz - nz * uy, nz * ux - nx * uz, nx * uy - ny * ux
    dn = math.sqrt(dx * dx + dy * dy + dz * dz)
    c, s = math.cos(theta) / dn, math.sin(theta)
    return c * dx + s * ux, c * dy + s * uy, c * dz + s * uz


def boost_rhs(t: float, s: list[float], seg: BurnSegment) -> list[float]:
    """d/dt of an ECEF state during a burn: gravity, frame terms, thrust and drag of the stack."""
    x, y, z, vx, vy, vz = s
    ax, ay, az = gravity_frame(x, y, z, vx, vy, vz)
    mass = seg.mass_start - seg.mass_flow * (t - seg.t_start)
    tx, ty, tz = thrust_direction(seg, t, x, y, z)
    a_t = seg.thrust / mass
    k = -0.5 * density_scalar(height(x, y, z)) * math.sqrt(vx * vx + vy * vy + vz * vz) \
        * seg.drag_area / mass
    return [vx, vy, vz, ax + a_t * tx + k * vx, ay + a_t * ty + k * vy, az + a_t * tz + k * vz]
