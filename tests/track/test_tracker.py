"""Tracker behaviour on controlled measurements: rejections, late plots, IR initiation, deletion."""

import itertools
import math

import msgspec
import numpy as np
import pytest

from tests.track import helpers
from trilink.model.network import load_network
from trilink.model.track import TrackStatus
from trilink.track import Tracker, TrackerConfig


@pytest.fixture(scope="module")
def irbm():
    return helpers.fly()


def _run(measurements, nation: str, step: float = 1.0, config: TrackerConfig | None = None):
    tracker = Tracker(config or TrackerConfig.for_nation(load_network(), nation))
    seen = []
    for now, batch in helpers.batches(measurements, step):
        seen.append((now, tracker.update(batch, now)))
    return tracker, seen


def test_bad_foreign_late_and_future_measurements_are_counted_not_raised(irbm) -> None:
    ms, _ = helpers.observe([irbm], helpers.sensors("USA", ["radar"]), seed=2)
    good = ms[:50]
    now = good[-1].delivered
    bad = [msgspec.structs.replace(good[0], id=10_001, sigma_azimuth=0.0),
           msgspec.structs.replace(good[1], id=10_002, nation="JPN"),
           msgspec.structs.replace(good[2], id=10_003, time=now - 100.0),
           msgspec.structs.replace(good[3], id=10_004, time=now + 50.0),
           msgspec.structs.replace(good[4], id=10_005, range=None)]
    tracker = Tracker(TrackerConfig.for_nation(load_network(), "USA"))
    for t, batch in helpers.batches(good, 1.0):
        tracker.update(batch, t)
    tracks = tracker.update(bad, now)
    assert dict(tracker.rejections) == {"malformed": 2, "foreign": 1, "too late": 1, "future": 1}
    assert any(t.status == TrackStatus.CONFIRMED for t in tracks)


def test_late_measurements_within_the_window_are_used(irbm) -> None:
    """Plots delivered up to 8 s late, out of order, update the track as well as in-order ones."""
    ms, _ = helpers.observe([irbm], helpers.sensors("USA", ["radar"]), seed=4,
                            start=irbm.burnout_time + 30.0, end=irbm.burnout_time + 330.0)
    rng = np.random.default_rng(5)
    delayed = [msgspec.structs.replace(m, delivered=m.delivered + float(rng.uniform(0, 8.0))) for m in ms]
    delayed.sort(key=lambda m: m.delivered)
    assert any(a.time > b.time for a, b in itertools.pairwise(delayed))
    tracker, seen = _run(delayed, "USA")
    assert not tracker.rejections
    final = [t for t in seen[-1][1] if t.status != TrackStatus.TENTATIVE]
    assert len(final) == 1
    track = final[0]
    assert track.n_updates >= len(ms) - 3  # every plot but the initiating ones' companions
    pos, vel = irbm.state_at(track.time)
    err = np.concatenate([track.state[:3] - pos, track.state[3:] - vel])
    assert float(err @ np.linalg.solve(track.covariance, err)) < 30.0
    assert np.linalg.norm(err[:3]) < 100.0


def test_space_ir_lines_of_sight_start_and_confirm_a_boost_track(irbm) -> None:
    ms, _ = helpers.observe([irbm], helpers.sensors("USA", ["space_ir"]), seed=6)
    assert ms and all(m.range is None for m in ms)
    _tracker, seen = _run(ms, "USA")
    confirmed = [(now, t) for now, tracks in seen for t in tracks if t.status == TrackStatus.CONFIRMED]
    assert confirmed
    _now, track = confirmed[-1]
    assert track.phase.value == "boost"
    pos, _ = irbm.state_at(track.time)
    assert np.linalg.norm(track.state[:3] - pos) < 10_000.0
    assert {t.track_id for _, t in confirmed} == {confirmed[0][1].track_id}


def test_track_is_deleted_once_after_impact() -> None:
    srbm = helpers.fly("kn-23", azimuth_deg=100.0, pitch_deg=25.0)
    ms, _ = helpers.observe([srbm], helpers.sensors("KOR", ["radar"]), seed=7)
    tracker = Tracker(TrackerConfig.for_nation(load_network(), "KOR"))
    statuses: dict[str, list[str]] = {}
    now = 0.0
    for now, batch in helpers.batches(ms, 1.0):
        for t in tracker.update(batch, now):
            statuses.setdefault(t.track_id, []).append(t.status.value)
    for extra in range(1, 400):
        for t in tracker.update([], now + extra):
            statuses.setdefault(t.track_id, []).append(t.status.value)
    confirmed = [k for k, v in statuses.items() if "confirmed" in v]
    assert confirmed
    for k in confirmed:
        assert statuses[k].count("deleted") == 1 and statuses[k][-1] == "deleted"
    assert len(tracker.table) == 0
    assert math.isfinite(srbm.impact_time)
