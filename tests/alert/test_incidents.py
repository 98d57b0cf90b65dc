"""One missile, one incident: picture tracks of the same flight share an incident; distinct ones do not."""

from tests.alert import scenarios as sc
from trilink.alert.decide import Kind, MsgType, TrackInput, decide, initial_state
from trilink.alert.incidents import same_missile
from trilink.alert.policy import AlertPolicy
from trilink.model.assessment import MissileClass, Phase

POLICY = AlertPolicy(samples=500)
NEAR_HOKKAIDO = (41.9, 139.2)
"""An impact just off Hokkaido's west coast (inside its territorial sea's reach)."""


def _icbm(now: float, impact: tuple[float, float], sigma_km: float, track_id: str, n: int = 20,
          first: float = sc.LAUNCH_TIME + 30.0) -> TrackInput:
    a = sc.assessment(now, sc.SUNAN, impact, sc.ICBM_FLIGHT_S, 6000e3, (sigma_km, sigma_km / 2.0),
                      MissileClass.ICBM, track_id=track_id)
    return sc.track_input(a, n_updates=n, first_time=first)


def test_a_second_track_of_the_same_missile_continues_the_incident() -> None:
    t = sc.LAUNCH_TIME + 600.0
    firm = _icbm(t, sc.ICBM_IMPACT, 8.0, "F1")
    state, first = decide(initial_state("JPN", exercise=True), [firm], t, POLICY)
    assert [d.msg_type for d in first] == [MsgType.ALERT]
    # a young duplicate (a partner's re-initialised track) with a wide ellipse reaching the coast
    young = _icbm(t + 10.0, (41.6, 137.6), 150.0, "F7", n=2, first=t + 8.0)
    state, later = decide(state, [_icbm(t + 10.0, sc.ICBM_IMPACT, 8.0, "F1"), young], t + 10.0, POLICY)
    assert all(d.incident_id == first[0].incident_id for d in later)
    assert len([i for i in state.incidents.values() if not i.closed]) == 1
    incident = state.incidents[first[0].incident_id]
    assert incident.track_ids == {"F1", "F7"} and incident.track_id == "F1"  # the firm track speaks
    assert not incident.sheltered
    # the first track is gone, the duplicate carries on: no "track lost", the same incident
    state, after = decide(state, [_icbm(t + 60.0, (41.6, 137.6), 150.0, "F7", n=8, first=t + 8.0)],
                          t + 60.0, POLICY)
    assert all(d.incident_id == first[0].incident_id and d.kind is not Kind.TRACK_LOST for d in after)
    for d in after:
        assert d.msg_type is MsgType.UPDATE and first[0].identifier in d.references
    # all its tracks gone: the incident ends (provisional speaker → cancel) on the same channel
    state, end = decide(state, [], t + 60.0 + POLICY.lost_track_s, POLICY)
    assert [d.incident_id for d in end] == [first[0].incident_id]
    assert all(i.closed for i in state.incidents.values())


def test_distinct_missiles_keep_their_own_incidents() -> None:
    t = sc.LAUNCH_TIME + 600.0
    tracks = [_icbm(t, sc.ICBM_IMPACT, 8.0, "F1"), _icbm(t, NEAR_HOKKAIDO, 8.0, "F2")]
    _, decisions = decide(initial_state("JPN", exercise=True), tracks, t, POLICY)
    assert {d.incident_id for d in decisions} == {"JPN-F1", "JPN-F2"}
    assert [d.kind for d in decisions if d.incident_id == "JPN-F2"] == [Kind.SHELTER]  # never hidden
    assert not same_missile(tracks[0].assessment, tracks[1].assessment, POLICY)


def test_a_member_whose_prediction_moves_away_leaves_the_incident() -> None:
    t = sc.LAUNCH_TIME + 600.0
    state, _ = decide(initial_state("JPN", exercise=True),
                      [_icbm(t, sc.ICBM_IMPACT, 8.0, "F1"), _icbm(t, sc.ICBM_IMPACT, 30.0, "F2")], t, POLICY)
    assert state.incidents["JPN-F1"].track_ids == {"F1", "F2"}
    state, decisions = decide(state, [_icbm(t + 10, sc.ICBM_IMPACT, 8.0, "F1"),
                                      _icbm(t + 10, NEAR_HOKKAIDO, 8.0, "F2")], t + 10, POLICY)
    assert state.incidents["JPN-F1"].track_ids == {"F1"}
    assert [d.kind for d in decisions if d.incident_id == "JPN-F2"] == [Kind.SHELTER]


def test_two_incidents_that_turn_out_to_be_one_missile_become_one() -> None:
    """A re-acquired track first predicted near Hokkaido opens its own incident; once its prediction
    agrees with the older incident's, its incident is cancelled, naming the one that carries on."""
    from trilink.alert.text import wordings

    t = sc.LAUNCH_TIME + 600.0
    tracks = [_icbm(t, sc.ICBM_IMPACT, 8.0, "F1"), _icbm(t, NEAR_HOKKAIDO, 8.0, "F2")]
    state, first = decide(initial_state("JPN", exercise=True), tracks, t, POLICY)
    assert {d.incident_id for d in first} == {"JPN-F1", "JPN-F2"}
    state, later = decide(state, [_icbm(t + 10, sc.ICBM_IMPACT, 8.0, "F1"),
                                  _icbm(t + 10, sc.ICBM_IMPACT, 12.0, "F2")], t + 10, POLICY)
    cancel = [d for d in later if d.incident_id == "JPN-F2"]
    assert [(d.msg_type, d.continued_in) for d in cancel] == [(MsgType.CANCEL, "JPN-F1")]
    assert "JPN-F1" in wordings(cancel[0])[-1].headline and not cancel[0].sheltered_areas
    assert state.incidents["JPN-F2"].closed and not state.incidents["JPN-F1"].closed
    assert state.incidents["JPN-F1"].track_ids == {"F1", "F2"}
    state, _ = decide(state, [_icbm(t + 20, sc.ICBM_IMPACT, 12.0, "F2")], t + 20, POLICY)
    assert [i.incident_id for i in state.incidents.values() if not i.closed] == ["JPN-F1"]


def test_a_tentative_track_neither_opens_an_incident_nor_speaks() -> None:
    """A boost fragment with one or two updates predicting land raises nothing; with three it may."""
    t = sc.LAUNCH_TIME + 350.0
    state, none = decide(initial_state("JPN", exercise=True), [_icbm(t, NEAR_HOKKAIDO, 8.0, "F9", n=2)], t,
                         POLICY)
    assert none == [] and not state.incidents
    firm_enough = _icbm(t + 2, NEAR_HOKKAIDO, 8.0, "F9", n=POLICY.min_track_updates)
    _, some = decide(state, [firm_enough], t + 2, POLICY)
    assert [d.kind for d in some] == [Kind.SHELTER]


def test_a_fused_impact_point_gets_a_time_sigma_from_its_spread() -> None:
    """Without one, a ±200 km young prediction could never be the same flight as a firm one minutes apart."""
    from types import SimpleNamespace

    import numpy as np

    from trilink.alert.inputs import assessment_from_fused
    from trilink.fusion.source import ImpactPoint
    from trilink.geo.frames import geodetic_to_ecef

    t = sc.LAUNCH_TIME + 400.0
    state = np.concatenate([geodetic_to_ecef(np.radians(40.5), np.radians(132.0), 900e3), np.zeros(3)])

    def fused(sigma_m: float) -> SimpleNamespace:
        impact = ImpactPoint(np.radians(41.5), np.radians(137.1), np.diag([sigma_m**2, (sigma_m / 2) ** 2]),
                             t + 3600.0)
        return SimpleNamespace(fused_id="F1", time=t, state=state, impact=impact, assessment=None,
                               phase=Phase.MIDCOURSE, missile_class=MissileClass.ICBM)

    wide, sharp = assessment_from_fused(fused(200e3)), assessment_from_fused(fused(2e3))
    assert wide.impact.sigma_time > 600.0 and sharp.impact.sigma_time < 60.0  # σ/ground speed to go
