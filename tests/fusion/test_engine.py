"""The fusion step: association with biases, stable ids, lost/dropped, disagreement, bad input."""

import numpy as np

from tests.fusion.builders import T0, diag_cov, midcourse_state, source
from trilink.fusion import (
    FusedStatus,
    FusionConfig,
    FusionEngine,
    ImpactPoint,
    SourceStatus,
)
from trilink.fusion.predict import physics_propagator
from trilink.geo.frames import enu_rotation

P_SHARP = diag_cov(100.0, 5.0)


def _engine(**kw: object) -> FusionEngine:
    return FusionEngine(FusionConfig(nation="JPN", **kw))


def _truth(x0: np.ndarray, t: float) -> np.ndarray:
    return physics_propagator(x0[None], np.array([T0]), t)[0]


def _noisy(rng: np.random.Generator, x: np.ndarray, cov: np.ndarray) -> np.ndarray:
    return x + np.linalg.cholesky(cov) @ rng.normal(size=6)


def _bias(lat_deg: float, lon_deg: float, east: float, north: float) -> np.ndarray:
    e, n, _ = enu_rotation(np.radians(lat_deg), np.radians(lon_deg))
    return np.concatenate([east * e + north * n, np.zeros(3)])


def test_own_track_and_partner_reports_fuse_into_one_track(rng: np.random.Generator) -> None:
    x = midcourse_state()
    eng = _engine()
    picture = eng.update([source("JPN", "J1", _noisy(rng, x, P_SHARP), P_SHARP),
                          source("KOR", "K7", _noisy(rng, _truth(x, T0 - 1.5), 4 * P_SHARP), 4 * P_SHARP,
                                 time=T0 - 1.5),
                          source("USA", "U2", _noisy(rng, _truth(x, T0 - 0.5), 9 * P_SHARP), 9 * P_SHARP,
                                 time=T0 - 0.5)], T0)
    (track,) = picture.tracks
    assert track.fused_id == "JPN-F1"
    assert track.sources == (("JPN", "J1"), ("KOR", "K7"), ("USA", "U2"))
    assert track.nations == {"JPN", "KOR", "USA"}
    assert track.status is FusedStatus.ACTIVE
    assert np.linalg.det(track.covariance) <= np.linalg.det(P_SHARP) * (1 + 1e-9)
    assert picture.changed == {"JPN-F1"}


def test_registration_bias_within_allowance_still_associates(rng: np.random.Generator) -> None:
    """KOR's radar is registered 1.2 km off: far outside its 100 m covariance, inside the bias allowance."""
    x = midcourse_state()
    korea = x + _bias(40.0, 134.0, 900.0, -800.0)
    pictures = {}
    for bias in (0.0, 500.0):
        eng = _engine(bias_position=bias)
        pictures[bias] = eng.update([source("JPN", "J1", x, P_SHARP),
                                     source("KOR", "K1", korea, P_SHARP)], T0)
    assert len(pictures[500.0].tracks) == 1
    assert len(pictures[0.0].tracks) == 2  # without the allowance the gate fails: the allowance is what works


def test_salvo_is_assigned_globally_one_to_one(rng: np.random.Generator) -> None:
    """Three missiles 3 km apart in a line; partners' reports shifted by biases; each lands on its own."""
    base = midcourse_state()
    missiles = [base + _bias(40.0, 134.0, 3000.0 * i, 0.0) for i in range(3)]
    own = [source("JPN", f"J{i}", m, P_SHARP) for i, m in enumerate(missiles)]
    eng = _engine()
    eng.update(own, T0)
    shift = _bias(40.0, 134.0, 1100.0, 0.0)  # KOR's bias pulls every report towards the next missile
    picture = eng.update([source("KOR", f"K{i}", m + shift, diag_cov(300.0, 8.0))
                          for i, m in enumerate(missiles)], T0)
    for i in range(3):
        track = picture.containing("KOR", f"K{i}")
        assert track is not None and ("JPN", f"J{i}") in track.sources
    assert len(picture.tracks) == 3


def test_partner_reports_are_associated_among_themselves_before_any_own_track(
        rng: np.random.Generator) -> None:
    x = midcourse_state()
    eng = _engine()
    picture = eng.update([source("KOR", "K1", _noisy(rng, x, P_SHARP), P_SHARP),
                          source("USA", "U1", _noisy(rng, x, P_SHARP), P_SHARP)], T0)
    (track,) = picture.tracks
    assert track.nations == {"KOR", "USA"}
    later = eng.update([source("JPN", "J9", _truth(x, T0 + 2), P_SHARP, time=T0 + 2)], T0 + 2)
    assert [t.fused_id for t in later.tracks] == [track.fused_id]
    assert later.tracks[0].nations == {"JPN", "KOR", "USA"}


def test_fused_ids_are_stable_over_a_flight(rng: np.random.Generator) -> None:
    x0 = midcourse_state()
    second = midcourse_state(38.0, 130.0, 150e3)
    eng = _engine()
    ids = []
    for k in range(12):
        t = T0 + 4.0 * k
        x = _truth(x0, t)
        srcs = [source("JPN", "J1", _noisy(rng, x, P_SHARP), P_SHARP, time=t),
                source("KOR", "K3", _noisy(rng, _truth(second, t - 1.0), P_SHARP), P_SHARP, time=t - 1.0)]
        if k % 3 == 0:  # the USA reports less often
            srcs.append(source("USA", "U8", _noisy(rng, _truth(x0, t - 0.5), 4 * P_SHARP), 4 * P_SHARP,
                               time=t - 0.5))
        picture = eng.update(srcs, t + 0.2)
        ids.append({t_.fused_id: t_.sources for t_ in picture.tracks})
    assert all(i == ids[-1] for i in ids[3:])
    assert ids[-1] == {"JPN-F1": (("JPN", "J1"), ("USA", "U8")), "JPN-F2": (("KOR", "K3"),)}


def test_assignment_is_sticky_until_the_gate_clearly_fails() -> None:
    x = midcourse_state()
    p = diag_cov(100.0, 1.0)
    e = _bias(40.0, 134.0, 1.0, 0.0)[:3]
    eng = _engine(bias_position=0.0, bias_velocity=0.0)
    eng.update([source("JPN", "J1", x, p), source("KOR", "K1", x, p)], T0)
    sigma = np.sqrt(2.0) * 100.0  # std of the difference along one axis
    # d² = 20: outside the 16.8 entry gate, inside the 27.9 release gate → stays.
    nudged = x.copy()
    nudged[:3] += e * sigma * np.sqrt(20.0)
    picture = eng.update([source("JPN", "J1", x, p, time=T0 + 1e-6), source("KOR", "K1", nudged, p,
                                                                            time=T0 + 1e-6)], T0 + 1e-6)
    assert len(picture.tracks) == 1
    # A fresh pair at the same separation would not be associated.
    fresh = _engine(bias_position=0.0, bias_velocity=0.0).update(
        [source("JPN", "J1", x, p), source("KOR", "K1", nudged, p)], T0)
    assert len(fresh.tracks) == 2
    # d² = 40: clearly fails → the partner's track leaves; our own keeps the id.
    far = x.copy()
    far[:3] += e * sigma * np.sqrt(40.0)
    picture = eng.update([source("KOR", "K1", far, p, time=T0 + 2e-6)], T0 + 2e-6)
    assert picture.containing("JPN", "J1").fused_id == "JPN-F1"
    assert picture.containing("KOR", "K1").fused_id == "JPN-F2"


def test_lost_then_dropped_by_timeouts() -> None:
    x = midcourse_state()
    eng = _engine(lost_after=10.0, drop_after=30.0)
    eng.update([source("KOR", "K1", x, P_SHARP)], T0)
    assert eng.update([], T0 + 5).tracks[0].status is FusedStatus.ACTIVE
    lost = eng.update([], T0 + 20).tracks[0]
    assert lost.status is FusedStatus.LOST
    assert np.trace(lost.covariance) > np.trace(P_SHARP)  # extrapolated, and less sure
    dropped = eng.update([], T0 + 31)
    assert [(t.fused_id, t.status) for t in dropped.tracks] == [("JPN-F1", FusedStatus.DROPPED)]
    assert "JPN-F1" in dropped.changed
    assert eng.update([], T0 + 32).tracks == ()


def test_originator_lost_and_dropped_status() -> None:
    x = midcourse_state()
    eng = _engine()
    eng.update([source("KOR", "K1", x, P_SHARP)], T0)
    lost = eng.update([source("KOR", "K1", x, P_SHARP, time=T0, status=SourceStatus.LOST)], T0 + 1)
    assert lost.tracks[0].status is FusedStatus.LOST
    gone = eng.update([source("KOR", "K1", x, P_SHARP, time=T0 + 1, status=SourceStatus.DROPPED)], T0 + 2)
    assert gone.tracks[0].status is FusedStatus.DROPPED
    assert eng.update([], T0 + 3).tracks == ()


def test_lost_fused_track_is_picked_up_again_under_the_same_id(rng: np.random.Generator) -> None:
    x0 = midcourse_state()
    eng = _engine(lost_after=5.0, drop_after=60.0)
    eng.update([source("KOR", "K1", x0, P_SHARP)], T0)
    assert eng.update([], T0 + 20).tracks[0].status is FusedStatus.LOST
    x = _truth(x0, T0 + 25)
    picture = eng.update([source("JPN", "J4", _noisy(rng, x, P_SHARP), P_SHARP, time=T0 + 25)], T0 + 25)
    assert [(t.fused_id, t.status) for t in picture.tracks] == [("JPN-F1", FusedStatus.ACTIVE)]


def _impact(lat_deg: float, lon_deg: float, sigma: float) -> ImpactPoint:
    return ImpactPoint(np.radians(lat_deg), np.radians(lon_deg), np.diag([sigma**2, sigma**2]), T0 + 400)


def test_impact_disagreement_is_flagged_not_hidden() -> None:
    x = midcourse_state()
    eng = _engine()
    agree = eng.update([source("KOR", "K1", x, P_SHARP, impact=_impact(39.0, 139.0, 5e3)),
                        source("USA", "U1", x, P_SHARP, impact=_impact(39.02, 139.03, 5e3))], T0)
    assert agree.disagreements == ()
    fused_impact = agree.tracks[0].impact
    assert fused_impact is not None and 39.0 <= np.degrees(fused_impact.lat) <= 39.02
    disagree = eng.update([source("USA", "U1", x, P_SHARP, time=T0 + 0.1,
                                  impact=_impact(39.5, 139.0, 5e3))], T0 + 0.1)  # 55 km north
    (d,) = disagree.disagreements
    assert d.fused_id == "JPN-F1" and {d.source_a, d.source_b} == {("KOR", "K1"), ("USA", "U1")}
    assert d.mahalanobis_sq > d.threshold and 50e3 < d.distance < 60e3
    assert disagree.tracks[0].disagreements == (d,)


def test_sharp_impact_predictions_a_registration_bias_apart_are_not_a_disagreement() -> None:
    x = midcourse_state()
    near = [source("KOR", "K1", x, P_SHARP, impact=_impact(39.0, 139.0, 150.0)),
            source("USA", "U1", x, P_SHARP, impact=_impact(39.006, 139.0, 150.0))]  # 670 m apart
    assert _engine().update(near, T0).disagreements == ()
    assert len(_engine(disagreement_bias=0.0).update(near, T0).disagreements) == 1


def test_provenance_of_a_fused_track_lists_every_contributor() -> None:
    x = midcourse_state()
    eng = _engine()
    picture = eng.update([source("JPN", "J1", x, P_SHARP),
                          source("USA", "U5", x, P_SHARP, provenance=frozenset({("KOR", "K2")}))], T0)
    assert picture.tracks[0].contributors == {("JPN", "J1"), ("USA", "U5"), ("KOR", "K2")}


def test_to_track_converts_for_assessment() -> None:
    x = midcourse_state()
    track = _engine().update([source("KOR", "K1", x, P_SHARP)], T0).tracks[0].to_track("JPN")
    assert track.track_id == "JPN-F1" and track.nation == "JPN" and track.time == T0
    assert np.array_equal(track.state, x)


def test_the_update_function_is_pure() -> None:
    from trilink.fusion import PictureState, update

    x = midcourse_state()
    config = FusionConfig(nation="JPN")
    s0 = PictureState(nation="JPN")
    s1, p1 = update(s0, [source("KOR", "K1", x, P_SHARP)], T0, config)
    _, p1_again = update(s0, [source("KOR", "K1", x, P_SHARP)], T0, config)
    assert s0.records == {} and s0.sources == {}
    assert [t.fused_id for t in p1.tracks] == [t.fused_id for t in p1_again.tracks]
    assert "JPN-F1" in s1.records


def test_own_nation_not_named_first_still_gets_ids_from_the_node() -> None:
    x = midcourse_state()
    eng = FusionEngine(FusionConfig(nation="KOR"))
    picture = eng.update([source("JPN", "J1", x, P_SHARP), source("KOR", "K1", x, P_SHARP)], T0)
    assert [t.fused_id for t in picture.tracks] == ["KOR-F1"]


def _fake_assessor(calls: list[tuple[str, float]], failing: str = "JPN-F2") -> object:
    from trilink.model import Assessment, MissileClass, Phase, Track

    def fake_assess(track: Track, now: float) -> Assessment:
        calls.append((track.track_id, now))
        assert track.history is not None and track.history.shape[1] == 7
        if track.track_id == failing:
            raise ValueError("no impact ahead")
        return Assessment(track_id=track.track_id, time=now, phase=Phase.MIDCOURSE, launch=None, impact=None,
                          apogee=None, ground_range=None, time_to_impact=100.0, ground_track=np.zeros((0, 4)),
                          missile_class=MissileClass.IRBM, class_reason="test")

    return fake_assess


def test_fused_tracks_are_assessed_when_they_change_and_otherwise_every_few_seconds() -> None:
    calls: list[tuple[str, float]] = []
    x, y = midcourse_state(), midcourse_state(30.0, 125.0)
    eng = _engine(assess=_fake_assessor(calls), reassess_min=1.0, reassess_after=5.0)
    first = eng.update([source("KOR", "K1", x, P_SHARP), source("KOR", "K2", y, P_SHARP)], T0)
    assert first.tracks[0].assessment is not None and first.tracks[0].assessment.time == T0
    assert first.tracks[1].assessment is None  # the assessor's ValueError is "no assessment", not a crash
    calls.clear()
    eng.update([], T0 + 0.5)
    assert calls == []  # nothing changed, nothing stale
    again = eng.update([source("KOR", "K1", _truth(x, T0 + 2), P_SHARP, time=T0 + 2)], T0 + 2)
    assert calls == [("JPN-F1", T0 + 2)]  # re-fused → re-assessed
    assert again.track("JPN-F1").assessment.time == T0 + 2
    assert len(again.track("JPN-F1").history) == 2
    calls.clear()
    eng.update([source("KOR", "K1", _truth(x, T0 + 2.5), P_SHARP, time=T0 + 2.5)], T0 + 2.5)
    assert calls == []  # changed, but assessed 0.5 s ago
    late = eng.update([], T0 + 7.5)
    assert sorted(calls) == [("JPN-F1", T0 + 7.5), ("JPN-F2", T0 + 7.5)]  # stale after 5 s
    assert late.track("JPN-F1").assessment.time == T0 + 7.5


def test_assessments_per_update_are_budgeted() -> None:
    calls: list[tuple[str, float]] = []
    eng = _engine(assess=_fake_assessor(calls, failing=""), assess_per_update=2)
    srcs = [source("KOR", f"K{i}", midcourse_state(30.0 + 2 * i, 125.0), P_SHARP) for i in range(5)]
    eng.update(srcs, T0)
    assert len(calls) == 2
    eng.update([], T0 + 0.1)
    eng.update([], T0 + 0.2)
    assert sorted(c[0] for c in calls) == sorted(f"JPN-F{i}" for i in range(1, 6))


def test_fused_tracks_that_converge_are_merged_under_the_older_id() -> None:
    """KOR's first report is 8 km off (a poor early track): two fused tracks; once it converges, one."""
    x = midcourse_state()
    eng = _engine()
    early = eng.update([source("USA", "U1", x, P_SHARP),
                        source("KOR", "K1", x + _bias(40, 134, 8e3, 0), P_SHARP)], T0)
    assert [t.sources for t in early.tracks] == [(("KOR", "K1"),), (("USA", "U1"),)]
    assert [t.fused_id for t in early.tracks] == ["JPN-F1", "JPN-F2"]
    later = eng.update([source("KOR", "K1", _truth(x, T0 + 1), P_SHARP, time=T0 + 1),
                        source("USA", "U1", _truth(x, T0 + 1), P_SHARP, time=T0 + 1)], T0 + 1)
    status = {t.fused_id: (t.status, t.merged_into, t.sources) for t in later.tracks}
    assert status == {"JPN-F1": (FusedStatus.ACTIVE, None, (("KOR", "K1"), ("USA", "U1"))),
                      "JPN-F2": (FusedStatus.DROPPED, "JPN-F1", ())}
    assert later.changed == {"JPN-F1", "JPN-F2"}
    assert [t.fused_id for t in eng.update([], T0 + 2).tracks] == ["JPN-F1"]


def test_two_tracks_of_one_nation_are_never_merged() -> None:
    x = midcourse_state()
    eng = _engine()
    picture = eng.update([source("KOR", "K1", x, P_SHARP), source("KOR", "K2", x, P_SHARP)], T0)
    assert len(picture.tracks) == 2
    picture = eng.update([source("USA", "U1", x, P_SHARP)], T0 + 0.01)
    assert sum(len(t.sources) for t in picture.tracks) == 3 and len(picture.tracks) == 2


def test_passing_the_same_sources_again_is_free_of_side_effects() -> None:
    x = midcourse_state()
    srcs = [source("JPN", "J1", x, P_SHARP), source("KOR", "K1", x, 2 * P_SHARP)]
    eng = _engine()
    first = eng.update(srcs, T0)
    again = eng.update([source("JPN", "J1", x, P_SHARP), source("KOR", "K1", x, 2 * P_SHARP)], T0 + 1)
    assert again.rejected == () and again.changed == frozenset()
    (a,), (b,) = first.tracks, again.tracks
    assert b.fused_id == a.fused_id and b.time == T0 + 1 and b.n_updates == a.n_updates
    assert np.trace(b.covariance) > np.trace(a.covariance)  # carried forward: predicted, a little less sure


def test_replaying_the_same_inputs_gives_the_same_picture(rng: np.random.Generator) -> None:
    """Archive replay relies on it: same sources, same times → bit-identical pictures."""
    x0, y0 = midcourse_state(), midcourse_state(39.0, 133.0)
    batches = []
    for k in range(6):
        t = T0 + k
        batch = [source(n, f"{n}1", _noisy(rng, _truth(z, t), P_SHARP), P_SHARP, time=t)
                 for n, z in (("JPN", x0), ("KOR", x0), ("USA", y0))]
        batches.append((list(reversed(batch)) if k % 2 else batch, t + 0.5))
    runs = []
    for _ in range(2):
        eng = _engine()
        runs.append([eng.update(b, now) for b, now in batches])
    for a, b in zip(*runs, strict=True):
        assert [t.fused_id for t in a.tracks] == [t.fused_id for t in b.tracks]
        for ta, tb in zip(a.tracks, b.tracks, strict=True):
            assert np.array_equal(ta.state, tb.state) and np.array_equal(ta.covariance, tb.covariance)


def test_a_nations_new_track_of_the_same_object_joins_when_its_old_one_coasts(
        rng: np.random.Generator) -> None:
    """KOR re-initialises its track (boost, re-acquisition): K2 joins the fused track K1 is coasting in."""
    x0 = midcourse_state()
    eng = _engine()
    eng.update([source("JPN", "J1", x0, P_SHARP), source("KOR", "K1", _noisy(rng, x0, P_SHARP), P_SHARP)], T0)
    x1 = _truth(x0, T0 + 2)
    picture = eng.update([source("KOR", "K1", x0, P_SHARP, time=T0, status=SourceStatus.LOST),
                          source("KOR", "K2", _noisy(rng, x1, P_SHARP), P_SHARP, time=T0 + 2),
                          source("JPN", "J1", _noisy(rng, x1, P_SHARP), P_SHARP, time=T0 + 2)], T0 + 2)
    assert [(t.fused_id, t.sources) for t in picture.tracks] == [
        ("JPN-F1", (("JPN", "J1"), ("KOR", "K1"), ("KOR", "K2")))]


def test_a_fragment_opened_while_the_old_track_was_current_merges_once_it_coasts(
        rng: np.random.Generator) -> None:
    x0 = midcourse_state()
    eng = _engine()
    eng.update([source("USA", "U1", x0, P_SHARP), source("KOR", "K1", x0, P_SHARP)], T0)
    x1 = _truth(x0, T0 + 1)
    two = eng.update([source("KOR", "K2", _noisy(rng, x1, P_SHARP), P_SHARP, time=T0 + 1)], T0 + 1)
    assert len(two.tracks) == 2  # K1 and K2 both current: KOR says two objects
    x2 = _truth(x0, T0 + 2)
    one = eng.update([source("KOR", "K1", x0, P_SHARP, time=T0, status=SourceStatus.LOST),
                      source("KOR", "K2", _noisy(rng, x2, P_SHARP), P_SHARP, time=T0 + 2)], T0 + 2)
    status = {t.fused_id: (t.status, t.merged_into) for t in one.tracks}
    assert status == {"JPN-F1": (FusedStatus.ACTIVE, None), "JPN-F2": (FusedStatus.DROPPED, "JPN-F1")}
