"""Fly one missile from a launch site with a given boost plan: powered flight, then free flight to impact.

Powered flight: a vertical rise, then a pitch program whose thrust elevation falls
from 90° to ``pitch_final`` at cutoff (``eom.thrust_direction``), in an Earth-fixed plane through the
launch azimuth; stages burn in turn at constant thrust and mass flow and separate
at their burnout; ``cutoff`` (≤ the total burn) ends thrust early (energy
management). After cutoff the payload (re-entry vehicle) flies free with its own
ballistic coefficient, and every spent stage falls with its own. Integration is
``solve_ivp`` (DOP853) per segment, with events for apogee and ground impact.
"""

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
from scipy.integrate import solve_ivp

from trilink.geo.frames import ecef_to_geodetic, enu_rotation, geodetic_to_ecef
from trilink.geo.geodesy import geodesic_inverse
from trilink.physics import eom
from trilink.physics.catalogue import MissileSpec
from trilink.physics.trajectory import Trajectory

SAMPLE_STEP = 1.0
"""Seconds between stored trajectory samples."""
MAX_FREE_FLIGHT = 30_000.0
"""s; no ballistic flight from Earth's surface lasts longer."""
MAX_STEP = 600.0
"""s; keeps DOP853's first trial step from leaving the Earth's neighbourhood."""
RTOL = 1e-10
ATOL = 1e-4


@dataclass(frozen=True)
class BoostPlan:
    """The free parameters of a flight: launch azimuth, final thrust elevation and cutoff time."""

    azimuth: float
    """rad clockwise from north."""
    pitch_final: float
    """rad above the local horizontal at cutoff."""
    cutoff: float
    """s after launch at which thrust ends (≤ the missile's total burn time)."""


@dataclass
class _Piece:
    t0: float
    t1: float
    sol: object | None
    y0: np.ndarray
    y1: np.ndarray


@dataclass(frozen=True)
class Shot:
    """Summary of one flight (what the shooting solver compares with its targets)."""

    apogee: float
    """Highest geodetic height, m."""
    apogee_time: float
    """s after launch."""
    impact_time: float
    """s after launch."""
    impact_state: np.ndarray
    burnout_state: np.ndarray
    burnout_time: float
    impact_lat: float
    impact_lon: float
    ground_range: float
    """Geodesic distance launch site → impact, m."""
    impact_azimuth: float
    """Geodesic azimuth launch site → impact, rad."""
    pieces: list[_Piece] = field(default_factory=list, repr=False)
    separations: list[tuple[float, np.ndarray, float]] = field(default_factory=list, repr=False)
    """(time after launch, ECEF state, ballistic coefficient) of every spent stage."""
    stage_ends: tuple[float, ...] = ()


def _apogee_event(_t: float, s: list[float], *_args: object) -> float:
    ux, uy, uz = eom.up(s[0], s[1], s[2])
    return s[3] * ux + s[4] * uy + s[5] * uz


_apogee_event.direction = -1  # type: ignore[attr-defined]


def _impact_event(_t: float, s: list[float], *args: object) -> float:
    model = args[-1] if args and isinstance(args[-1], eom.Model) else eom.FULL
    return eom.height(s[0], s[1], s[2], model)


_impact_event.terminal = True  # type: ignore[attr-defined]
_impact_event.direction = -1  # type: ignore[attr-defined]


def free_flight(state: np.ndarray, t0: float, beta: float | None, *, model: eom.Model = eom.FULL,
                rtol: float = RTOL, atol: float = ATOL, dense: bool = True,
                t_max: float = MAX_FREE_FLIGHT, max_step: float = np.inf, lift_to_drag: float = 0.0):
    """solve_ivp free flight of one ECEF state from ``t0`` to impact (events: apogee, impact).

    With ``lift_to_drag`` > 0 (and a ballistic coefficient) the pull-up lift of ``eom.glide_rhs`` acts.
    """
    if lift_to_drag > 0.0 and beta is not None:
        fun, args = eom.glide_rhs, (beta, lift_to_drag)
    else:
        fun, args = eom.free_rhs, (beta, model)
    return solve_ivp(fun, (t0, t0 + t_max), np.asarray(state, dtype=float), method="DOP853",
                     rtol=rtol, atol=atol, args=args, dense_output=dense, max_step=max_step,
                     events=(_apogee_event, _impact_event))


def _segments(missile: MissileSpec, plan: BoostPlan, normal: tuple[float, float, float]
              ) -> tuple[list[eom.BurnSegment], list[tuple[float, float, float]], list[float]]:
    """Burn segments up to cutoff; spent stages as (time, mass, β); end time of each stage's burn."""
    drag_area = missile.boost_drag_coefficient * math.pi * missile.diameter**2 / 4.0
    t_rise = min(missile.vertical_rise, 0.5 * plan.cutoff)
    segs: list[eom.BurnSegment] = []
    spent: list[tuple[float, float, float]] = []
    ends: list[float] = []
    t, mass = 0.0, missile.lift_off_mass
    for i, stage in enumerate(missile.stages):
        end = min(t + stage.burn_time, plan.cutoff)
        cuts = sorted({t, end, *([t_rise] if t < t_rise < end else [])})
        for a, b in itertools.pairwise(cuts):
            segs.append(eom.BurnSegment(a, b, mass - stage.mass_flow * (a - t), stage.mass_flow,
                                        stage.thrust, drag_area, b <= t_rise, normal,
                                        t_rise, plan.cutoff, plan.pitch_final, missile.pitch_shape))
        mass -= stage.mass_flow * (end - t)
        last = i == len(missile.stages) - 1
        ends.append(end)
        if end >= plan.cutoff - 1e-9 or last:
            if missile.separating_payload:
                spent.append((end, mass - missile.payload_mass, stage.spent_ballistic_coefficient))
            return segs, spent, ends
        spent.append((end, stage.dry_mass, stage.spent_ballistic_coefficient))
        mass -= stage.dry_mass
        t = end
    return segs, spent, ends


def fly(missile: MissileSpec, site_lat: float, site_lon: float, plan: BoostPlan, *,
        site_height: float = 0.0, dense: bool = True, rtol: float = RTOL, pull_up: bool = False) -> Shot:
    """Fly ``missile`` from the site with ``plan``: boost, then the re-entry vehicle to impact.

    ``pull_up`` adds the missile's terminal pull-up lift (``eom.glide_rhs``) after apogee.
    """
    if not 0.0 < plan.cutoff <= missile.total_burn_time + 1e-9:
        raise ValueError(f"cutoff {plan.cutoff} s outside (0, {missile.total_burn_time}] s")
    rot = enu_rotation(site_lat, site_lon)
    east, north, upv = rot[0], rot[1], rot[2]
    horizontal = math.sin(plan.azimuth) * east + math.cos(plan.azimuth) * north
    normal = tuple(float(c) for c in np.cross(upv, horizontal))
    segs, spent, ends = _segments(missile, plan, normal)
    y = geodetic_to_ecef(site_lat, site_lon, site_height).astype(float)
    y = np.concatenate([y, np.zeros(3)])
    pieces: list[_Piece] = []
    stage_end_states: dict[float, np.ndarray] = {}
    for seg in segs:
        sol = solve_ivp(eom.boost_rhs, (seg.t_start, seg.t_end), y, method="DOP853", rtol=rtol,
                        atol=ATOL, args=(seg,), dense_output=dense)
        y_end = sol.y[:, -1]
        if eom.height(*y_end[:3]) < 0.0:
            raise ValueError("the missile hit the ground during powered flight")
        pieces.append(_Piece(seg.t_start, seg.t_end, sol.sol if dense else None, y, y_end))
        y = y_end
        stage_end_states[seg.t_end] = y
    t_cut = segs[-1].t_end
    burnout = y
    sol = free_flight(burnout, t_cut, missile.reentry_ballistic_coefficient, rtol=rtol, dense=dense,
                      max_step=MAX_STEP, lift_to_drag=missile.lift_to_drag if pull_up else 0.0)
    if sol.t_events[1].size == 0:
        raise ValueError("free flight did not reach the ground")
    t_imp = float(sol.t_events[1][0])
    impact = sol.y_events[1][0]
    pieces.append(_Piece(t_cut, t_imp, sol.sol if dense else None, burnout, impact))
    if sol.t_events[0].size:
        t_apo = float(sol.t_events[0][0])
        apo_state = sol.y_events[0][0]
    else:
        t_apo, apo_state = t_cut, burnout
    apogee = float(ecef_to_geodetic(apo_state[:3])[2])
    lat, lon, _h = ecef_to_geodetic(impact[:3])
    dist, az = geodesic_inverse(site_lat, site_lon, float(lat), float(lon))
    separations = [(t, stage_end_states[t], beta) for t, _m, beta in spent]
    stage_ends = tuple(ends)
    return Shot(apogee, t_apo, t_imp, impact, burnout, t_cut, float(lat), float(lon), float(dist),
                float(az), pieces, separations, stage_ends)


def sample_pieces(pieces: list[_Piece], step: float = SAMPLE_STEP, extra: tuple[float, ...] = ()
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Times (s after launch, ≤ ``step`` apart, including piece ends and ``extra``) and states (K, 6)."""
    t_end = pieces[-1].t1
    grid = np.arange(pieces[0].t0, t_end, step)
    nodes = [p.t0 for p in pieces] + [t_end, *extra]
    times = np.unique(np.concatenate([grid, np.asarray(nodes, dtype=float)]))
    times = times[(times >= pieces[0].t0) & (times <= t_end)]
    states = np.empty((len(times), 6))
    bounds = np.array([p.t1 for p in pieces])
    which = np.minimum(np.searchsorted(bounds, times, side="left"), len(pieces) - 1)
    for k, piece in enumerate(pieces):
        mask = which == k
        if mask.any():
            states[mask] = piece.sol(times[mask]).T
    return times, states


def to_trajectory(pieces: list[_Piece], launch_time: float, burnout_time: float, apogee_time: float,
                  stage_ends: tuple[float, ...] = ()) -> Trajectory:
    """A Trajectory (epoch times) sampled ≤ 1 s apart from solved pieces (times in s after launch)."""
    times, states = sample_pieces(pieces, extra=(apogee_time, *stage_ends))
    return Trajectory(times=times + launch_time, positions=states[:, :3].copy(),
                      velocities=states[:, 3:].copy(), launch_time=launch_time + pieces[0].t0,
                      burnout_time=launch_time + burnout_time, impact_time=launch_time + pieces[-1].t1,
                      apogee_time=launch_time + apogee_time,
                      stage_burnouts=tuple(launch_time + t for t in stage_ends))


def fall(state: np.ndarray, t0: float, beta: float, launch_time: float) -> Trajectory:
    """Trajectory of an unpowered object (a spent stage) from ``state`` at ``t0`` s after launch to impact."""
    sol = free_flight(state, t0, beta)
    t_imp = float(sol.t_events[1][0]) if sol.t_events[1].size else float(sol.t[-1])
    t_apo = float(sol.t_events[0][0]) if sol.t_events[0].size else t0
    piece = _Piece(t0, t_imp, sol.sol, np.asarray(state), sol.y[:, -1])
    return to_trajectory([piece], launch_time, t0, t_apo)
