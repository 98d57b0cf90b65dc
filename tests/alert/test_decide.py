"""The alert state machine on constructed pictures (acceptance checks 2, 3, 4 at the decision level)."""

import math

import numpy as np

from tests.alert.scenarios import (
    ICBM_FLIGHT_S,
    ICBM_IMPACT,
    IRBM_FLIGHT_S,
    IRBM_IMPACT,
    LAUNCH_TIME,
    SUNAN,
    assessment,
    ground_track,
    run_alerts,
    track_input,
)
from trilink.alert.decide import AlertDecision, AlertState, Kind, MsgType, TrackInput
from trilink.alert.evaluate import score_alerts
from trilink.alert.exposure import exposure
from trilink.alert.policy import AlertPolicy
from trilink.alert.text import wordings
from trilink.geo.zones import where
from trilink.model.assessment import MissileClass


def _chain_ok(decisions: list[AlertDecision]) -> None:
    """One incident: Alert first, then Updates/Cancel, each referencing every earlier message."""
    assert decisions[0].msg_type is MsgType.ALERT and not decisions[0].references
    for k, d in enumerate(decisions[1:], start=1):
        assert d.incident_id == decisions[0].incident_id
        assert d.msg_type in (MsgType.UPDATE, MsgType.CANCEL)
        assert d.references == tuple(x.identifier for x in decisions[:k])


def test_irbm_over_hokkaido_shelter_before_airspace_then_update_then_all_clear(
        irbm: tuple[AlertState, list[AlertDecision]]) -> None:
    state, decisions = irbm
    _chain_ok(decisions)
    first = decisions[0]
    truth = ground_track(SUNAN, IRBM_IMPACT, IRBM_FLIGHT_S, 550e3)
    score = score_alerts(decisions, truth, "JPN")
    hokkaido = next(a for a in score.reached if a.code == "JP-01")
    assert first.kind is Kind.SHELTER and hokkaido in first.sheltered_areas
    assert first.time < min(score.reached.values()), "shelter must come before the missile reaches Japan"
    print(f"\nIRBM: launch → first alert {first.time - LAUNCH_TIME:.0f} s (sharing on, constructed picture)")
    assert any(d.msg_type is MsgType.UPDATE and d.kind is Kind.SHELTER for d in decisions[1:])
    assert decisions[-1].kind is Kind.ALL_CLEAR and decisions[-1].response == "AllClear"
    assert not state.active, "nothing may stay standing after the all-clear"
    assert score.missed == ()
    # only areas under the predicted corridor or impact area are named
    for d in decisions:
        for item in d.areas:
            if item.shelter:
                assert item.overflight is not None or item.p_impact > 0.0


def test_lofted_icbm_into_japans_eez_gives_no_land_alert(
        icbm: tuple[AlertState, list[AlertDecision]]) -> None:
    _, decisions = icbm
    assert decisions, "a missile falling in the EEZ is announced"
    assert all(d.kind is not Kind.SHELTER and not d.sheltered_areas for d in decisions)
    notices = [d for d in decisions if d.kind is Kind.SEA_IMPACT]
    assert notices and notices[-1].exposure is not None
    ex = notices[-1].exposure
    assert ex.p_eez > 0.95 and ex.p_territorial_sea < 0.01 and ex.p_land == 0.0
    assert ex.impact_zone == "eez"
    assert 150e3 < ex.impact_coast_distance < 250e3 and ex.impact_bearing_area.code == "JP-01"
    answer = where(math.radians(ICBM_IMPACT[0]), math.radians(ICBM_IMPACT[1]))
    assert answer.eez_of == "JPN" and answer.territorial_sea_of is None and not answer.on_land
    english = wordings(notices[-1])[-1].description
    assert "inside the exclusive economic zone" in english and "outside its territorial waters" in english
    assert decisions[-1].kind is Kind.ALL_CLEAR and decisions[-1].time > LAUNCH_TIME + ICBM_FLIGHT_S


def test_short_track_says_only_what_is_known_and_is_corrected_on_the_same_channel(
        short_track: tuple[AlertState, list[AlertDecision]]) -> None:
    state, decisions = short_track
    _chain_ok(decisions)
    first = decisions[0]
    assert first.kind is Kind.SHELTER and first.provisional and first.certainty == "Possible"
    assert not first.exercise and all(not d.exercise for d in decisions)
    for w in wordings(first):
        text = w.headline + w.description
        assert "will fall" not in text and "expected to fall" not in text and "見込み" not in text
    en = wordings(first)[-1].description
    assert "may fall in or pass over" in en and "uncertain" in en
    # the provisional track vanished: its alert is withdrawn on the same channel, not left standing
    second = decisions[1]
    assert second.msg_type is MsgType.CANCEL and second.kind is Kind.CANCEL
    assert {a.area for a in second.areas} == set(first.sheltered_areas)
    assert second.time - first.time <= 60.0
    assert not state.active


def test_prediction_moving_away_never_leaves_an_alert_standing() -> None:
    policy = AlertPolicy()
    steps = []
    for k, impact in enumerate([(43.0, 141.5), (43.0, 141.5), (41.0, 155.0)]):
        now = LAUNCH_TIME + 100.0 + 10.0 * k
        a = assessment(now, SUNAN, impact, 800.0, 600e3, (15.0, 5.0), track_id="M")
        steps.append((now, [track_input(a)]))
    state, decisions = run_alerts("JPN", steps, policy)
    assert decisions[0].kind is Kind.SHELTER
    assert not state.active or all(not d.sheltered_areas or all(
        a.overflight or a.p_impact >= policy.clear_probability for a in d.areas if a.shelter)
        for d in state.active)


def test_hysteresis_keeps_an_area_until_the_clear_threshold() -> None:
    policy = AlertPolicy(shelter_probability=0.3, clear_probability=0.1, overflight_margin_km=0.0,
                         overflight_sigma_k=0.0)

    def picture(k: int, lon: float, track_id: str = "H") -> tuple[float, list[TrackInput]]:
        now = LAUNCH_TIME + 100.0 + 10.0 * k
        a = assessment(now, SUNAN, (43.2, lon), 700.0, 500e3, (30.0, 30.0), track_id=track_id)
        return now, [track_input(a)]

    # P(Hokkaido) ≈ 0.95, then ≈ 0.18 (between the thresholds), then ≈ 0.08 (below clear)
    steps = [picture(0, 141.35), picture(1, 139.7), picture(2, 139.5)]
    p = [exposure(s[1][0].assessment, "JPN", policy).areas[0].p_impact for s in steps]
    assert p[0] > 0.3 and 0.1 < p[1] < 0.3 and p[2] < 0.1, p
    _, decisions = run_alerts("JPN", steps, policy)
    assert decisions[0].kind is Kind.SHELTER and decisions[0].sheltered_areas[0].code == "JP-01"
    kept = [d for d in decisions if steps[1][0] == d.time]
    assert all(d.sheltered_areas for d in kept), "kept while above the clear threshold"
    final = [d for d in decisions if d.time == steps[2][0]]
    assert final and not final[-1].sheltered_areas and final[-1].areas[0].reason == "cleared"
    # the same 0.18 on a fresh incident is below the shelter threshold: no shelter
    _, fresh = run_alerts("JPN", [picture(1, 139.7, "F")], policy)
    assert all(not d.sheltered_areas for d in fresh)


def test_exercise_flag_reaches_every_decision(irbm: tuple[AlertState, list[AlertDecision]]) -> None:
    _, decisions = irbm
    assert all(d.exercise for d in decisions)
    assert all(w.headline.startswith(("EXERCISE", "【訓練】")) for d in decisions for w in wordings(d))


def test_no_alert_for_a_missile_far_from_japan() -> None:
    a = assessment(LAUNCH_TIME + 100.0, SUNAN, (39.5, 128.5), 400.0, 100e3, (5.0, 2.0),
                   MissileClass.SRBM, track_id="S")
    _, decisions = run_alerts("JPN", [(LAUNCH_TIME + 100.0, [track_input(a)])])
    assert decisions == []
    _, korean = run_alerts("KOR", [(LAUNCH_TIME + 100.0, [track_input(a)])])
    assert korean and korean[0].kind in (Kind.SEA_IMPACT, Kind.LAUNCH_NOTICE)
    assert wordings(korean[0])[0].language == "ko-KR"


def test_missed_and_false_counting() -> None:
    truth = ground_track(SUNAN, IRBM_IMPACT, IRBM_FLIGHT_S, 550e3)
    score = score_alerts([], truth, "JPN")
    assert score.missed and not score.false and score.first_alert_time is None
    assert {a.code for a in score.reached} >= {"JP-01"}
    assert np.all(np.diff(sorted(score.reached.values())) >= 0)


def test_a_firm_track_lost_keeps_its_shelter_until_the_threat_passes() -> None:
    steps = []
    for dt in (300.0, 310.0):
        a = assessment(LAUNCH_TIME + dt, SUNAN, IRBM_IMPACT, IRBM_FLIGHT_S, 550e3, (10.0, 3.0), track_id="L")
        steps.append((LAUNCH_TIME + dt, [track_input(a)]))
    steps += [(LAUNCH_TIME + dt, []) for dt in (330.0, 350.0, 600.0, IRBM_FLIGHT_S + 200.0)]
    state, decisions = run_alerts("JPN", steps)
    kinds = [d.kind for d in decisions]
    assert kinds == [Kind.SHELTER, Kind.TRACK_LOST, Kind.ALL_CLEAR], kinds
    lost = decisions[1]
    assert lost.certainty == "Possible" and lost.sheltered_areas == decisions[0].sheltered_areas
    assert "can no longer be confirmed" in wordings(lost)[-1].headline
    assert not state.active
