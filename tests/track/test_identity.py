"""Track-management rules on a hand-built track table: duplicates and the burnout test's power."""

import numpy as np

from trilink.model.network import load_network
from trilink.track import TrackerConfig, identity
from trilink.track.motion import STATE_DIM
from trilink.track.table import CONFIRMED, RADAR_BIT, TrackTable


def _table(states: list[np.ndarray], last: list[float]) -> TrackTable:
    tab = TrackTable()
    k = len(states)
    x = np.zeros((k, STATE_DIM))
    x[:, :6] = np.array(states)
    p = np.tile(np.eye(STATE_DIM), (k, 1, 1))
    p[:, :3, :3] *= 500.0**2
    p[:, 3:6, 3:6] *= 50.0**2
    t = np.array(last, dtype=float)
    tab.append(x, p, t, np.arange(1, k + 1), RADAR_BIT, np.zeros(k, dtype=bool), np.full(k, 300e3),
               np.arange(k))
    tab.status[:] = CONFIRMED
    return tab


def _config() -> TrackerConfig:
    return TrackerConfig.for_nation(load_network(), "JPN")


def test_a_starving_copy_beside_a_live_track_of_the_same_object_is_shadowed() -> None:
    state = np.array([-3.5e6, 3.5e6, 4.2e6, 1_000.0, 2_000.0, 1_500.0])
    # the copy's last plot was 15 s ago; the live track, 1 s ago, is where the copy's state says
    copy = state.copy()
    copy[:3] -= copy[3:6] * 14.0
    tab = _table([copy, state], last=[985.0, 999.0])
    assert identity.shadowed(tab, 1_000.0, _config()).tolist() == [True, False]


def test_two_live_pieces_or_a_distant_coaster_are_not_shadowed() -> None:
    state = np.array([-3.5e6, 3.5e6, 4.2e6, 1_000.0, 2_000.0, 1_500.0])
    other = state.copy()
    other[:3] += 200e3  # 200 km away: another object
    cfg = _config()
    assert not identity.shadowed(_table([state, state], last=[999.0, 999.0]), 1_000.0, cfg).any()
    assert not identity.shadowed(_table([other, state], last=[985.0, 999.0]), 1_000.0, cfg).any()


def test_a_burning_icbm_keeps_one_track_through_its_boost_at_each_nation() -> None:
    """Lofted Hwasong-17 (second stage burning to ~400 km): one track follows the missile through
    both burns. (The burnout test used to pass on a new track's ±30 m/s² thrust prior, so each
    nation tracked the boost as a new confirmed track every 4–8 s: 35 at JPN, 45 at KOR.)"""
    from tests.track import scoring

    result = scoring.simulate("lofted-icbm")
    missile = result.objects["M1"].trajectory
    for nation in ("JPN", "KOR", "USA"):
        rep = scoring.replay(result, nation, step=1.0, until=missile.burnout_time)
        holders = {t.track_id for f in rep.frames for t in f.tracks
                   if t.status.value != "tentative" and f.truth.get(t.track_id) == "M1"}
        # the missile's own track, plus a few short-lived copies around the two stagings
        assert len(holders) <= 4, f"{nation}: {len(holders)} tracks held M1 in boost: {sorted(holders)}"
        last = rep.frames[-1]
        held = [t.track_id for t in last.tracks if last.truth.get(t.track_id) == "M1"
                and t.status.value == "confirmed"]
        assert held and min(held) == min(holders), f"{nation}: the first track lost the missile: {held}"
