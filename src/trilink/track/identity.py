"""Which track keeps a missile's identity when the missile comes apart (staging, re-entry vehicle release).

A track's identity — its id, start time and early history, which the launch estimate and
every partner's picture rely on — should stay with the missile's payload. Two rules,
applied to the track table after each update's scans:

- in boost, when a stage drops, the identity goes with the still-thrusting stack
  (``follow_the_thrust``);
- once the pieces fly ballistic, with the smaller object: the re-entry vehicle, not its
  spent stage (``keep_warhead_identity``).
"""

import numpy as np
from scipy.spatial import cKDTree
from scipy.stats import chi2

from trilink.track import filter
from trilink.track.config import TrackerConfig
from trilink.track.table import CONFIRMED, TrackTable

THRUST = slice(6, 9)
SPLIT_RADIUS = 30_000.0
"""Metres within which two tracks are tested for being one missile's pieces."""
SPLIT_MIN_PLOTS = 5
"""Plots with SNR each track needs before its RCS is trusted for the warhead/stage identity."""
STAGING_LEAD = 15.0
"""s: the stack's new track may start this long before the older track's boost ends ..."""
STAGING_WINDOW = 20.0
"""... or up to this long after it."""
STAGING_MIN_PLOTS = 6
"""Plots a new boosting track needs before its thrust counts as real (staging test)."""
STAGING_THRUST = 5.0
"""m/s²: smallest thrust estimate taken as a burning stage (staging test)."""
STAGING_GATE = float(chi2.ppf(0.999, 3))
"""χ²(3) 99.9 %: a thrust estimate this far from zero is real."""


def follow_the_thrust(tab: TrackTable, now: float) -> None:
    """At staging the missile's identity goes with the still-thrusting stack, not the spent stage.

    When a stage drops in boost, the older track's burnout branch may explain the falling
    stage's plots (its engine "stopped") while the thrusting stack starts a new track next
    to it. A confirmed track whose boost ended at ``t_end`` (``tab.ended``) and a track born
    within [t_end − STAGING_LEAD, t_end + STAGING_WINDOW] within ``SPLIT_RADIUS`` of it whose
    thrust is real (χ²(3) 99.9 % against zero, above STAGING_THRUST, after
    STAGING_MIN_PLOTS plots) exchange identities: the older id, start and history follow
    the thrust. A re-entry vehicle released after a true burnout starts no thrusting track.
    """
    pending = np.isfinite(tab.ended)
    if not pending.any():
        return
    tab.ended[pending & (now - tab.ended > STAGING_LEAD + STAGING_WINDOW)] = np.nan
    old = np.nonzero(np.isfinite(tab.ended) & (tab.status == CONFIRMED) & ~tab.boost)[0]
    new = np.nonzero(tab.boost & (tab.status == CONFIRMED) & (tab.hits >= STAGING_MIN_PLOTS)
                     & (tab.calm == 0))[0]
    if not len(old) or not len(new):
        return
    thrust = tab.x[new, THRUST]
    info = filter.spd_inverse(tab.p[new, 6:9, 6:9])[0]
    test = (thrust * (info @ thrust[..., None])[..., 0]).sum(axis=-1)
    thrusting = new[(test > STAGING_GATE) & (np.linalg.norm(thrust, axis=-1) > STAGING_THRUST)]
    for a in old.tolist():
        born = tab.first[thrusting]
        near = thrusting[(born >= tab.ended[a] - STAGING_LEAD) & (born <= tab.ended[a] + STAGING_WINDOW)
                         & (born > tab.first[a])]
        if not len(near):
            continue
        ahead = tab.moved(np.full(len(near), a), tab.t[near])[:, :3]
        dist = np.linalg.norm(tab.x[near, :3] - ahead, axis=-1)
        if dist.min() < SPLIT_RADIUS:
            b = int(near[np.argmin(dist)])
            tab.swap_identity(a, b)
            tab.ended[a] = tab.ended[b] = np.nan
            thrusting = thrusting[thrusting != b]


def keep_warhead_identity(tab: TrackTable, config: TrackerConfig) -> None:
    """When a missile splits (RV and spent stage), the older track goes with the smaller object.

    Right after separation the pieces differ by centimetres per second, so which plot
    continues which track is a coin toss; their cross-sections differ by 10–20 dB. Two
    confirmed tracks that are statistically the same state (χ²(6) gate) exchange
    identities if the older one follows the larger object — boosting tracks too: the last
    stage's track keeps a thrust estimate for seconds after the engine stops.
    """
    rows = np.nonzero((tab.status == CONFIRMED) & (tab.rcs_n >= SPLIT_MIN_PLOTS))[0]
    if len(rows) < 2:
        return
    tree = cKDTree(tab.x[rows, :3])
    for i, j in tree.query_pairs(SPLIT_RADIUS, output_type="ndarray"):
        a, b = int(rows[i]), int(rows[j])
        if tab.first[a] > tab.first[b]:
            a, b = b, a  # a is the older track
        if tab.rcs_db[a] - tab.rcs_db[b] < config.split_rcs_db:
            continue
        xa, xb = tab.moved(np.array([a, b]), max(tab.t[a], tab.t[b]))
        if _same_state(tab, a, b, xa - xb, config):
            tab.swap_identity(a, b)


def shadowed(tab: TrackTable, now: float, config: TrackerConfig) -> np.ndarray:
    """Confirmed tracks that starve beside a live track of the same object: a duplicate to delete.

    A track with no plot for ``coast_after`` whose state is, within the χ²(6) split gate, that
    of a confirmed track updated in that time lost its plots to the other: it is the same
    object (a burning missile's track started again, a staging fragment), not a second one —
    two real pieces each keep getting their own plots. Without this the starving copy coasts
    as an established track for up to an hour.
    """
    gone = np.zeros(len(tab), dtype=bool)
    confirmed = tab.status == CONFIRMED
    age = now - tab.last
    starving = np.nonzero(confirmed & (age > config.coast_after))[0]
    live = np.nonzero(confirmed & (age <= config.coast_after))[0]
    if not len(starving) or not len(live):
        return gone
    live_now, starving_now = tab.moved(live, now), tab.moved(starving, now)
    tree = cKDTree(live_now[:, :3])
    for k, a in enumerate(starving.tolist()):
        reach = SPLIT_RADIUS + float(np.sqrt(np.trace(tab.p[a, :3, :3])))
        for j in tree.query_ball_point(starving_now[k, :3], reach):
            if _same_state(tab, a, int(live[j]), starving_now[k] - live_now[j], config):
                gone[a] = True
                break
    return gone


def _same_state(tab: TrackTable, a: int, b: int, difference: np.ndarray, config: TrackerConfig) -> bool:
    """Whether two tracks' 6-D states ``difference`` apart are one state (χ²(6) split gate)."""
    cov = tab.p[a, :6, :6] + tab.p[b, :6, :6]
    return float(difference @ np.linalg.solve(cov, difference)) < config.split_gate
