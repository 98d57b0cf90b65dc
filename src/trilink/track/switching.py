"""The variable-structure switch of a track's motion model: boost (thrust state) on and off.

Boost on for new rising tracks (and for those born beside a boosting track) and for unmodelled
accelerations; off when the thrust is known to be small for a few updates, or the track falls.
The burnout *hypothesis* tested at each scan (a two-model GLR) lives with the association in
``tracker``; this module holds the decisions taken after each update. Pure functions of the table.
"""

import numpy as np
from scipy.stats import chi2

from trilink.physics.dynamics import radial_height
from trilink.track import kernels
from trilink.track.config import TrackerConfig
from trilink.track.motion import no_thrust, zero_thrust
from trilink.track.table import IR_BIT, TrackTable

THRUST = slice(6, 9)
BOOST_START_HEIGHT = 150_000.0
"""A rising object first seen below this height gets the boost model (IR tracks always do) ..."""
BOOST_NEIGHBOUR_RADIUS = 20_000.0
"""... and so does one, up to ``BOOST_MAX_HEIGHT``, born this close (m) to a track that is boosting
with its thrust not consistent with zero at its last update, updated in the last
``BOOST_NEIGHBOUR_AGE`` s: the burning stack's new track at staging, or a burning missile's track
started again (a lofted ICBM's second stage burns at 400–500 km; tracked without thrust it is lost
every few scans). Ballistic objects near each other (a raid, debris) do not count."""
BOOST_NEIGHBOUR_AGE = 30.0
BOOST_MAX_HEIGHT = 800_000.0
"""No missile still burns above this height: unexplained innovations there are not thrust."""
INITIAL_THRUST = 15.0
"""Thrust acceleration (m/s²) assumed along the velocity when the boost model is switched on."""
BURNOUT_GATE = float(chi2.ppf(0.95, 3))
"""χ²(3) 95 %: a thrust estimate closer to zero than this is consistent with no thrust."""


def switch_models(tab: TrackTable, cfg: TrackerConfig, rows: np.ndarray, plume: bool = False) -> None:
    """Boost on for new rising tracks and unmodelled accelerations; off at burnout."""
    height = radial_height(tab.x[rows, :3])
    climb, start, maybe, manoeuvre = kernels.switch_rows(
        rows, tab.x, height, tab.boost, tab.hits, tab.kinds, tab.nis, tab.max_height, tab.drag_seen,
        cfg.confirm_hits, IR_BIT, 0.8 * cfg.drag_ceiling, BOOST_START_HEIGHT, BOOST_MAX_HEIGHT,
        cfg.reboost_nis)
    if np.count_nonzero(maybe):
        start[maybe] = near_boosting(tab, rows[maybe])
    boost = tab.boost[rows]
    ir = (tab.kinds[rows] & IR_BIT) > 0
    on = rows[start | manoeuvre]
    if len(on):
        v = tab.x[on, 3:6]
        up = tab.x[on, :3] / np.linalg.norm(tab.x[on, :3], axis=-1, keepdims=True)
        speed = np.linalg.norm(v, axis=-1, keepdims=True)
        direction = np.where(speed > 300.0, v / np.maximum(speed, 1.0), up)
        tab.x[on, THRUST] = INITIAL_THRUST * direction
        tab.p[on, 6:9, :] = 0.0
        tab.p[on, :, 6:9] = 0.0
        idx = np.arange(6, 9)
        tab.p[on[:, None], idx, idx] = cfg.thrust_prior_sigma**2
        tab.boost[on] = True
        tab.boosted[on] = True
        tab.calm[on] = 0
        tab.boost_hits[on] = tab.hits[on]
        tab.nis[on] = 0.0
    on_boost = rows[boost]
    if len(on_boost):
        test, thrust, a_along, sd_along = kernels.thrust_evidence(tab.x[on_boost], tab.p[on_boost])
        # a plume seen means the engine burns; otherwise thrust consistent with zero, or tiny
        small = (test < BURNOUT_GATE) | (thrust < cfg.burnout_accel)
        # ... and confidently (95 %, one-sided) below the least thrust a burning missile has along
        # its flight: a wide estimate is consistent with zero yet says nothing
        known = a_along + 1.645 * sd_along < cfg.burnout_min_thrust
        calm = small & (not plume)
        tab.calm[on_boost] = np.where(calm, tab.calm[on_boost] + 1, 0)
        quiet = tab.calm[on_boost]
        falling = (climb[boost] < -100.0) & ~ir[boost]
        calm_off = ((quiet >= cfg.burnout_updates) & known) | (quiet >= cfg.burnout_updates_unknown)
        off = on_boost[calm_off | falling]
        if len(off):
            # calm at every update since the boost model came on: it never burned while tracked
            steady = quiet >= tab.hits[on_boost] - tab.boost_hits[on_boost]
            never = on_boost[calm_off & ~falling & steady]
            thrust_off(tab, off, never=never)


def near_boosting(tab: TrackTable, rows: np.ndarray) -> np.ndarray:
    """Which of ``rows`` were born near a track that is visibly thrusting, updated recently."""
    recent = tab.last >= tab.t[rows].min() - BOOST_NEIGHBOUR_AGE
    others = np.nonzero(tab.boost & (tab.calm == 0) & recent)[0]
    if not len(others):
        return np.zeros(len(rows), dtype=bool)
    near = np.zeros(len(rows), dtype=bool)
    for k, r in enumerate(rows.tolist()):
        o = others[(others != r) & (tab.last[others] >= tab.t[r] - BOOST_NEIGHBOUR_AGE)]
        ahead = tab.moved(o, tab.t[r])[:, :3]
        near[k] = bool(len(o)) and float(np.min(np.linalg.norm(ahead - tab.x[r, :3], axis=-1))) \
            < BOOST_NEIGHBOUR_RADIUS
    return near


def thrust_off(tab: TrackTable, rows: np.ndarray, never: np.ndarray | None = None) -> None:
    """Switch to the ballistic model: the thrust state is removed.

    Rows in ``never`` showed no thrust while tracked: their states are conditioned on zero thrust
    throughout (what a ballistic filter would have estimated); the others burned out, and the
    thrust already in their velocity stands (``no_thrust``).
    """
    burnt = rows
    if never is not None and len(never):
        tab.x[never], tab.p[never] = zero_thrust(tab.x[never], tab.p[never])
        burnt = rows[~np.isin(rows, never)]
    tab.x[burnt], tab.p[burnt] = no_thrust(tab.x[burnt], tab.p[burnt])
    tab.boost[rows] = False
    tab.nis[rows] = 0.0
    tab.ended[rows] = tab.t[rows]
