"""Capability gauges of catalogue missiles: what each can reach at full energy (cached).

The solver uses them to refuse clearly impossible requests at once and, without a
named missile, to skip candidates that are clearly too weak before shooting.
"""

import math
from dataclasses import dataclass

import numpy as np

from trilink.geo.wgs84 import MEAN_RADIUS
from trilink.physics import kepler
from trilink.physics.catalogue import MISSILES, MissileSpec
from trilink.physics.flight import BoostPlan, Shot, fly

_RTOL = 1e-8


@dataclass(frozen=True)
class Gauge:
    """What a missile reaches at full energy (see ``gauge``)."""

    speed: float
    """Burnout speed of a full-energy flight at 40° final pitch, m/s."""
    apogee: float
    """Apogee of a full-energy flight at 85° final pitch, m."""
    ground_range: float
    """Longest range of full-energy flights at 25°, 35° and 45° final pitch, m."""


_GAUGES: dict[str, Gauge] = {}


def gauge(m: MissileSpec) -> Gauge:
    """Capability gauge of a missile (cached): a few full-energy eastward flights from 40° N."""
    if m.key not in _GAUGES:
        def shot(pitch_deg: float) -> Shot:
            return fly(m, 0.7, 2.2, BoostPlan(math.pi / 2, math.radians(pitch_deg), m.total_burn_time),
                       dense=False, rtol=_RTOL)
        speed = float(np.linalg.norm(shot(40.0).burnout_state[3:]))
        _GAUGES[m.key] = Gauge(speed, shot(85.0).apogee, max(shot(p).ground_range for p in (25, 35, 45)))
    return _GAUGES[m.key]


def within_gauge(m: MissileSpec, ground_range: float, apogee: float | None) -> bool:
    """False when the request is clearly beyond the missile (margins cover azimuth and site effects)."""
    g = gauge(m)
    if apogee is not None and apogee > 1.05 * g.apogee:
        return False
    return m.pull_up or ground_range <= 1.1 * g.ground_range


def candidates(named: MissileSpec | None, psi: float, apogee: float | None) -> list[MissileSpec]:
    """The named missile, or every catalogue missile not clearly too weak, smallest first."""
    if named is not None:
        return [named]
    need = kepler.ellipse_from_apogee(psi, apogee)[0] if apogee is not None else 0.0
    ranked = sorted(MISSILES.values(), key=lambda m: m.ideal_delta_v)
    return [m for m in ranked if need < 1.15 * gauge(m).speed + 300.0
            and within_gauge(m, psi * MEAN_RADIUS, apogee)] or ranked[-1:]
