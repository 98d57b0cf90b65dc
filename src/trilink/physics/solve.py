"""Trajectory solving: the boost plan that flies from a site to an aim point with a given apogee or profile.

Shooting with ``scipy.optimize.root`` (MINPACK Levenberg–Marquardt) over (launch azimuth, final pitch,
cutoff time) of the full model (``flight.fly``): residuals are the apogee error and
the along- and cross-range miss at the aim point. A Kepler ellipse gives the
starting point. Profiles without an apogee are defined on the ground-to-ground
Kepler ellipse for the range (central angle ψ): ``min-energy`` takes its apogee at
the minimum-energy flight-path angle γ* = 45° − ψ/4, ``depressed`` at γ*/2;
``lofted`` flies the named missile at full energy on the high branch (without a
missile: the apogee at (γ* + 90°)/2). Without a named missile the smallest catalogue
missile able to fly the request is used. Nothing here is tuned to a launch.
"""

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import root

from trilink.geo.frames import ecef_to_geodetic
from trilink.geo.geodesy import geodesic_direct, geodesic_inverse
from trilink.geo.wgs84 import MEAN_RADIUS
from trilink.physics import kepler
from trilink.physics.capability import candidates, within_gauge
from trilink.physics.catalogue import MissileSpec, UnknownMissileError, get_missile
from trilink.physics.flight import BoostPlan, Shot, fall, fly, to_trajectory
from trilink.physics.trajectory import Trajectory

PROFILES = ("min-energy", "lofted", "depressed")
_SEARCH_RTOL = 1e-8
_APOGEE_TOL = 0.002
"""Relative apogee agreement accepted (and at least 0.5 km)."""
_RANGE_TOL = 0.0005
"""Relative along/cross-range miss accepted (and at least 0.5 km)."""


class FlightError(ValueError):
    """The requested flight is impossible (or not found); the message is one line saying why."""


@dataclass(frozen=True)
class Flight:
    """A solved flight: the warhead's trajectory, the spent stages, and its headline figures (SI, epoch s)."""

    trajectory: Trajectory
    """Payload / re-entry vehicle (for SRBMs the whole body) from launch to impact, samples ≤ 1 s apart."""
    separated: list[Trajectory] = field(repr=False)
    """Spent stages from their separation to their impact, first stage first (the last one is the
    final stage, with any unused upper stages, left at cutoff; none for SRBMs that keep their body)."""
    missile: MissileSpec
    plan: BoostPlan
    site_lat: float
    site_lon: float
    site_height: float
    launch_time: float
    apogee: float
    """Highest geodetic height, m."""
    ground_range: float
    """Geodesic distance site → impact, m."""
    impact_lat: float
    impact_lon: float
    burnout_time: float
    """Epoch s of the end of powered flight."""
    burnout_altitude: float
    burnout_speed: float
    """ECEF speed at burnout, m/s."""
    max_speed: float
    """Highest ECEF speed over the flight, m/s."""
    profile: str | None = None
    pull_up: bool = False
    """Whether the flight uses the missile's terminal pull-up manoeuvre."""

    @property
    def flight_time(self) -> float:
        """Seconds from launch to impact."""
        return self.trajectory.flight_time

    @property
    def impact_time(self) -> float:
        """Epoch s of impact."""
        return self.trajectory.impact_time


def _missile(missile: str | MissileSpec | None) -> MissileSpec | None:
    if missile is None or isinstance(missile, MissileSpec):
        return missile
    try:
        return get_missile(missile)
    except UnknownMissileError as exc:
        raise FlightError(str(exc)) from None


def _aim(site_lat: float, site_lon: float, aim: tuple[float, float] | None, azimuth: float | None,
         ground_range: float | None) -> tuple[float, float, float, float]:
    """Aim point (lat, lon), range and azimuth from either an aim point or azimuth + range."""
    if aim is not None and (azimuth is not None or ground_range is not None):
        raise FlightError("give either an aim point or an azimuth and range, not both")
    if aim is not None:
        dist, az = geodesic_inverse(site_lat, site_lon, aim[0], aim[1])
        dist, az = float(dist), float(az)
        if dist < 1_000.0:
            raise FlightError("aim point equals the launch site (less than 1 km away)")
        return aim[0], aim[1], dist, az
    if azimuth is None or ground_range is None:
        raise FlightError("give an aim point, or both an azimuth and a ground range")
    if not math.isfinite(azimuth) or not math.isfinite(ground_range):
        raise FlightError("azimuth and ground range must be finite numbers")
    if ground_range < 1_000.0:
        raise FlightError(f"ground range {ground_range / 1e3:g} km is too short (minimum 1 km)")
    if ground_range > 0.45 * 2.0 * math.pi * MEAN_RADIUS:
        raise FlightError(f"ground range {ground_range / 1e3:g} km is beyond any ballistic flight")
    lat, lon = geodesic_direct(site_lat, site_lon, azimuth, ground_range)
    return float(lat), float(lon), float(ground_range), float(azimuth) % (2 * math.pi)


def _profile_apogee(profile: str, psi: float) -> float:
    """Apogee height of the profile's Kepler ellipse for central angle ``psi`` (see module docstring)."""
    gamma_me = kepler.min_energy_flight_path_angle(psi)
    gamma = {"min-energy": gamma_me, "depressed": 0.5 * gamma_me,
             "lofted": 0.5 * (gamma_me + 0.5 * math.pi)}[profile]
    return kepler.ellipse_from_angle(psi, gamma)[1]


@dataclass
class _Problem:
    missile: MissileSpec
    site_lat: float
    site_lon: float
    site_height: float
    aim_lat: float
    aim_lon: float
    ground_range: float
    azimuth: float
    apogee: float | None
    """Target apogee (None: full energy, lofted branch)."""
    pull_up: bool = False


_PITCH_MIN, _PITCH_MAX = math.radians(-5.0), math.radians(89.9)


def _bounds(p: _Problem) -> tuple[np.ndarray, np.ndarray]:
    return (np.array([-0.5, _PITCH_MIN, _min_fraction(p.missile)]),
            np.array([0.5, _PITCH_MAX, 1.0]))


def _to_plan_x(p: _Problem, u: np.ndarray) -> np.ndarray:
    """Solver variables → bounded plan parameters (Δazimuth, pitch, cutoff fraction), smoothly (sin²)."""
    lo, hi = _bounds(p)
    n = len(u)
    return lo[:n] + (hi[:n] - lo[:n]) * np.sin(np.asarray(u, dtype=float)) ** 2


def _from_plan_x(p: _Problem, x: np.ndarray) -> np.ndarray:
    """Inverse of ``_to_plan_x`` (parameters are clipped just inside their bounds)."""
    lo, hi = _bounds(p)
    n = len(x)
    frac = np.clip((np.asarray(x, dtype=float) - lo[:n]) / (hi[:n] - lo[:n]), 1e-6, 1.0 - 1e-6)
    return np.arcsin(np.sqrt(frac))


def _shoot(p: _Problem, x: np.ndarray, cache: dict) -> Shot | None:
    key = tuple(np.round(x, 13))
    if key not in cache:
        cutoff = float(x[2]) * p.missile.total_burn_time if len(x) > 2 else p.missile.total_burn_time
        plan = BoostPlan(p.azimuth + float(x[0]), float(x[1]), cutoff)
        try:
            cache[key] = fly(p.missile, p.site_lat, p.site_lon, plan, site_height=p.site_height,
                             dense=False, rtol=_SEARCH_RTOL, pull_up=p.pull_up)
        except ValueError:
            cache[key] = None
    return cache[key]


def _miss(p: _Problem, shot: Shot | None) -> tuple[float, float]:
    """Along- and cross-range miss (m) of a shot's impact relative to the aim point."""
    if shot is None:
        return -p.ground_range, 0.0
    daz = (shot.impact_azimuth - p.azimuth + math.pi) % (2 * math.pi) - math.pi
    return shot.ground_range * math.cos(daz) - p.ground_range, shot.ground_range * math.sin(daz)


def _residuals(u: np.ndarray, p: _Problem, cache: dict) -> np.ndarray:
    shot = _shoot(p, _to_plan_x(p, u), cache)
    along, cross = _miss(p, shot)
    scale = max(p.ground_range, 50e3)
    res = [along / scale, cross / scale]
    if p.apogee is not None:
        apo = shot.apogee if shot is not None else 0.0
        res.append((apo - p.apogee) / max(p.apogee, 20e3))
    return np.array(res)


def _min_fraction(m: MissileSpec) -> float:
    return min(0.9, 2.5 * m.vertical_rise / m.total_burn_time)


def _starts(p: _Problem, cache: dict):
    """Initial (Δazimuth, pitch, cutoff fraction): the Kepler guess, then the best points of a coarse grid."""
    first = _kepler_start(p, cache)
    yield first
    f_min = _min_fraction(p.missile)
    grid = [np.array([0.0, math.radians(a), f]) for a in (2, 8, 18, 30, 50, 75)
            for f in np.linspace(f_min, 1.0, 4)]
    grid.sort(key=lambda g: float(np.linalg.norm(_residuals(_from_plan_x(p, g), p, cache)[::2])))
    yield from grid[:2]


def _kepler_start(p: _Problem, cache: dict) -> np.ndarray:
    """Initial (Δazimuth, pitch, cutoff fraction) from the Kepler ellipse and one full-energy flight."""
    psi = p.ground_range / MEAN_RADIUS
    speed, gamma, _e = kepler.ellipse_from_apogee(psi, p.apogee)
    pitch = min(max(gamma, math.radians(1.0)), math.radians(89.0))
    full = _shoot(p, np.array([0.0, pitch, 1.0]), cache)
    f_min = _min_fraction(p.missile)
    if full is None:
        return np.array([0.0, pitch, 1.0])
    v_full = float(np.linalg.norm(full.burnout_state[3:]))
    # ideal Δv as a function of burn time, with losses taken proportional to burn time
    times = np.linspace(f_min, 1.0, 200) * p.missile.total_burn_time
    dv = np.array([_ideal_dv(p.missile, t) for t in times])
    losses = (dv[-1] - v_full) * times / times[-1]
    achieved = dv - losses
    frac = float(np.interp(speed, achieved, times / times[-1])) if speed < achieved[-1] else 1.0
    return np.array([0.0, pitch, max(frac, f_min)])


def _ideal_dv(m: MissileSpec, t: float) -> float:
    """Ideal Δv (m/s) after burning ``t`` seconds."""
    total, mass, elapsed = 0.0, m.lift_off_mass, 0.0
    for stage in m.stages:
        burn = min(stage.burn_time, max(t - elapsed, 0.0))
        end = mass - stage.mass_flow * burn
        total += stage.specific_impulse * 9.80665 * math.log(mass / end)
        if burn < stage.burn_time:
            break
        mass = end - stage.dry_mass
        elapsed += stage.burn_time
    return total


def _solve_apogee(p: _Problem, quick: bool = False) -> tuple[BoostPlan, str | None]:
    """Shooting in (Δazimuth, pitch, cutoff) to apogee and aim point; returns a plan or a failure reason.

    ``quick``: only from the Kepler start (when a pull-up attempt follows a failure).
    """
    cache: dict = {}
    for x0 in _starts(p, cache):
        # the Kepler guess can be poor (SRBMs whose burnout height is comparable to the apogee):
        # then the solver restarts from the best points of a coarse grid
        result = root(_residuals, _from_plan_x(p, x0), args=(p, cache), method="lm",
                      options={"eps": 1e-6, "xtol": 1e-10, "ftol": 1e-12, "maxiter": 60})
        x = _to_plan_x(p, result.x)
        plan = BoostPlan(p.azimuth + x[0], x[1], x[2] * p.missile.total_burn_time)
        reason = _failure(p, _shoot(p, x, cache), x)
        if reason is None or quick:
            break
    return plan, reason


def _failure(p: _Problem, shot: Shot | None, x: np.ndarray) -> str | None:
    """None when the shot meets the targets, else a one-line reason."""
    along, cross = _miss(p, shot)
    ok_range = max(abs(along), abs(cross)) <= max(_RANGE_TOL * p.ground_range, 500.0)
    ok_apo = p.apogee is None or (shot is not None and abs(shot.apogee - p.apogee)
                                  <= max(_APOGEE_TOL * p.apogee, 500.0))
    if ok_range and ok_apo:
        return None
    name = p.missile.name.split(" (")[0]
    rng = p.ground_range / 1e3
    full_energy = len(x) < 3 or x[2] > 0.999
    if full_energy and (shot is None or along < 0 or (p.apogee is not None and shot.apogee < p.apogee)):
        what = f"range {rng:.0f} km" + (f" with apogee {p.apogee / 1e3:.0f} km" if p.apogee else "")
        return f"{what} is beyond the {name}'s capability"
    if p.apogee is not None:
        return f"no {name} trajectory found with apogee {p.apogee / 1e3:.0f} km and range {rng:.0f} km"
    return f"no lofted {name} trajectory found for range {rng:.0f} km"


def _solve_lofted(p: _Problem) -> tuple[BoostPlan, str | None]:
    """Full energy, high branch: scan the final pitch down from vertical, then shoot in (Δazimuth, pitch)."""
    cache: dict = {}
    hi = math.radians(89.5)
    pitch = hi
    while pitch > math.radians(5.0):
        shot = _shoot(p, np.array([0.0, pitch]), cache)
        if shot is not None and shot.ground_range >= p.ground_range:
            break
        hi, pitch = pitch, pitch - math.radians(3.0)
    else:
        name = p.missile.name.split(" (")[0]
        return (BoostPlan(p.azimuth, hi, p.missile.total_burn_time),
                f"range {p.ground_range / 1e3:.0f} km is beyond the {name}'s capability")
    u0 = _from_plan_x(p, np.array([0.0, 0.5 * (pitch + hi)]))
    result = root(_residuals, u0, args=(p, cache), method="lm",
                  options={"eps": 1e-6, "xtol": 1e-10, "ftol": 1e-12, "maxiter": 80})
    x = _to_plan_x(p, result.x)
    plan = BoostPlan(p.azimuth + x[0], x[1], p.missile.total_burn_time)
    return plan, _failure(p, _shoot(p, x, cache), x)


def solve_flight(site_lat: float, site_lon: float, *, aim: tuple[float, float] | None = None,
                 azimuth: float | None = None, ground_range: float | None = None,
                 apogee: float | None = None, profile: str | None = None,
                 missile: str | MissileSpec | None = None, launch_time: float = 0.0,
                 site_height: float = 0.0, pull_up: bool = False) -> Flight:
    """Solve and fly a launch from the site (rad, m) to ``aim`` or ``azimuth``+``ground_range``.

    Give a target ``apogee`` (m) or a ``profile`` (min-energy by default). A missile
    with a pull-up manoeuvre uses it when ``pull_up`` is set, or when a purely
    ballistic flight cannot meet the request. Raises FlightError (one line) when the
    request is impossible or beyond the missile.
    """
    if not (math.isfinite(site_lat) and abs(site_lat) <= math.pi / 2 and math.isfinite(site_lon)):
        raise FlightError("launch site latitude/longitude out of range")
    if apogee is not None and profile is not None:
        raise FlightError("give either an apogee or a profile, not both")
    if profile is not None and profile not in PROFILES:
        raise FlightError(f"unknown profile {profile!r}; known: {', '.join(PROFILES)}")
    named = _missile(missile)
    if pull_up and named is not None and not named.pull_up:
        raise FlightError(f"the {named.name} has no pull-up manoeuvre")
    aim_lat, aim_lon, rng, az = _aim(site_lat, site_lon, aim, azimuth, ground_range)
    psi = rng / MEAN_RADIUS
    if apogee is not None:
        if not math.isfinite(apogee) or apogee <= 0.0:
            raise FlightError(f"apogee must be a positive height, got {apogee / 1e3:g} km")
        speed, _gamma, _e = kepler.ellipse_from_apogee(psi, apogee)
        if apogee < _profile_apogee("min-energy", psi) and speed > 0.93 * math.sqrt(kepler.GM / MEAN_RADIUS):
            raise FlightError(f"apogee {apogee / 1e3:g} km is too low to reach a range of {rng / 1e3:.0f} km")
    profile_used = profile or ("min-energy" if apogee is None else None)
    target = apogee
    if target is None and not (profile_used == "lofted" and named is not None):
        target = _profile_apogee(profile_used, psi)
    if named is not None and not within_gauge(named, rng, target):
        what = f"range {rng / 1e3:.0f} km" + (f" with apogee {target / 1e3:.0f} km" if target else "")
        raise FlightError(f"{what} is beyond the {named.name.split(' (')[0]}'s capability")
    reasons = []
    for spec in candidates(named, psi, target):
        for glide in ((True,) if pull_up else (False, True) if spec.pull_up else (False,)):
            problem = _Problem(spec, site_lat, site_lon, site_height, aim_lat, aim_lon, rng, az, target,
                               glide)
            quick = spec.pull_up and not glide and not pull_up
            plan, reason = _solve_apogee(problem, quick) if target is not None else _solve_lofted(problem)
            if reason is None:
                return _final(spec, plan, site_lat, site_lon, site_height, launch_time, profile_used,
                              glide)
            reasons.append(reason)
    if named is not None:
        raise FlightError(reasons[0])
    what = f"apogee {target / 1e3:.0f} km and range {rng / 1e3:.0f} km"
    raise FlightError(f"no catalogue missile can fly {what}")


def _final(m: MissileSpec, plan: BoostPlan, site_lat: float, site_lon: float, site_height: float,
           launch_time: float, profile: str | None, pull_up: bool) -> Flight:
    """Fly the solved plan at full accuracy and package it."""
    shot = fly(m, site_lat, site_lon, plan, site_height=site_height, dense=True, pull_up=pull_up)
    traj = to_trajectory(shot.pieces, launch_time, shot.burnout_time, shot.apogee_time, shot.stage_ends)
    separated = [fall(state, t, beta, launch_time) for t, state, beta in shot.separations]
    speeds = np.linalg.norm(traj.velocities, axis=1)
    burnout_alt = float(ecef_to_geodetic(shot.burnout_state[:3])[2])
    return Flight(trajectory=traj, separated=separated, missile=m, plan=plan, site_lat=site_lat,
                  site_lon=site_lon, site_height=site_height, launch_time=launch_time,
                  apogee=shot.apogee, ground_range=shot.ground_range, impact_lat=shot.impact_lat,
                  impact_lon=shot.impact_lon, burnout_time=launch_time + shot.burnout_time,
                  burnout_altitude=burnout_alt, burnout_speed=float(np.linalg.norm(shot.burnout_state[3:])),
                  max_speed=float(speeds.max()), profile=profile, pull_up=pull_up)
