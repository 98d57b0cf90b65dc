"""Acceptance checks 2, 3 and 4 end to end: the built-in scenarios through the simulator, the
trackers, NATS sharing, fusion, the JPN node's common picture and its alert engine. Each test
prints the time from launch to the first alert, the areas alerted and every decision."""

import asyncio
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from trilink.alert.decide import AlertDecision, Kind, decide
from trilink.alert.evaluate import score_alerts
from trilink.alert.inputs import inputs_from_picture
from trilink.geo.frames import ecef_to_geodetic


def truth_path(trajectory: object) -> np.ndarray:
    """(K, 4) [t, lat, lon, h] of a simulated trajectory."""
    times = np.asarray(trajectory.times, dtype=float)
    lat, lon, height = ecef_to_geodetic(np.asarray(trajectory.positions, dtype=float))
    return np.column_stack([times, lat, lon, height])


def run_scenario(scenario: str, nation: str, observe: Callable[[Any], None] | None = None
                 ) -> tuple[Any, list[AlertDecision]]:
    """Run the demo (sharing on); the node's own alert decisions, then five more minutes of quiet.

    The decisions are the node's (``trilink.node.alerting``, deciding on every new picture); the
    demo stops 150 s after the last impact, so one more pure ``decide`` with the last picture
    five minutes later shows nothing is left standing.
    """
    from trilink.node.demo import DemoOptions, run_demo

    run = asyncio.run(run_demo(DemoOptions(scenario=scenario, speed=None, sharing=True), on_tick=observe))
    alerts = run.alerts[nation]
    issued = list(alerts.decisions)
    picture = run.nodes[nation].core.picture
    tracks = inputs_from_picture(picture.tracks) if picture is not None else []
    _, decisions = decide(alerts.state, tracks, run.now + 300.0, alerts.policy)
    return run, issued + decisions


def report(title: str, run: Any, decisions: list[AlertDecision], nation: str = "JPN") -> Any:
    """Print the first alert time, the areas alerted and each decision; the missed/false score."""
    missile = run.recorder.missiles[0]
    score = score_alerts(decisions, truth_path(missile.trajectory), nation)
    first = min((d.time for d in decisions), default=None)
    zone = run.recorder.result()["missiles"][0]["nodes"][nation]["impact_zone"]
    print(f"\n{title} end to end (sharing on): launch → first alert "
          f"{'none' if first is None else f'{first - missile.launch_time:.0f} s'}; "
          f"incidents {len({d.incident_id for d in decisions})}; "
          f"reached {sorted(a.name for a in score.reached)}, "
          f"alerted {sorted(a.name for a in score.alerted)}, "
          f"missed {[a.name for a in score.missed]}, false {[a.name for a in score.false]}; "
          f"impact zone {zone}")
    for d in sorted(decisions, key=lambda d: d.time):
        ex = d.exposure
        probs = "" if ex is None else (f" P(land) {ex.p_land:.3f} P(ts) {ex.p_territorial_sea:.3f} "
                                       f"P(EEZ) {ex.p_eez:.3f}")
        print(f"  {d.time - missile.launch_time:6.0f} s {d.incident_id} {d.msg_type.value} {d.kind.value} "
              f"{d.certainty} tracks {list(d.track_ids)} {[(a.area.name, a.reason) for a in d.areas]}{probs}")
    return score


def _each_incident_ends_on_its_channel(decisions: list[AlertDecision]) -> None:
    """Every incident: one Alert, then Updates/Cancel referencing every earlier message; closed at the end."""
    for incident in {d.incident_id for d in decisions}:
        chain = [d for d in decisions if d.incident_id == incident]
        assert chain[0].msg_type.value == "Alert" and all(d.msg_type.value != "Alert" for d in chain[1:])
        for k, d in enumerate(chain):
            assert d.references == tuple(c.identifier for c in chain[:k])
        assert chain[-1].kind in (Kind.ALL_CLEAR, Kind.CANCEL), f"{incident} left standing: {chain[-1].kind}"
        assert not chain[-1].sheltered_areas


def _full_only(what: str) -> None:
    from tests.conftest import trilink_full

    if not trilink_full():
        pytest.skip(f"end-to-end {what} run takes many minutes on the shared machine: TRILINK_FULL=1")


@pytest.mark.slow
def test_irbm_over_hokkaido_end_to_end_shelter_before_airspace_within_90_s() -> None:
    """Acceptance check 2 end to end (TRILINK_FULL=1; the decision-level version always runs)."""
    _full_only("IRBM")
    run, decisions = run_scenario("irbm-hokkaido", "JPN")
    score = report("IRBM over Hokkaido", run, decisions)
    missile = run.recorder.missiles[0]
    assert decisions, "the JPN node alerted"
    first = min(decisions, key=lambda d: d.time)
    assert first.time - missile.launch_time < 90.0
    assert first.kind is Kind.SHELTER and "Hokkaido" in {a.name for a in first.sheltered_areas}
    assert first.time < min(score.reached.values())
    assert score.missed == ()
    assert any(d.msg_type.value == "Update" for d in decisions)
    _each_incident_ends_on_its_channel(decisions)


@pytest.mark.slow
def test_lofted_icbm_end_to_end_no_land_alert_impact_in_the_eez() -> None:
    """Acceptance check 3 end to end: no land alert; the impact reported inside Japan's EEZ, outside
    its territorial sea (TRILINK_FULL=1; the decision-level version always runs)."""
    _full_only("lofted-ICBM")
    run, decisions = run_scenario("lofted-icbm", "JPN")
    report("Lofted ICBM", run, decisions)
    assert not [d for d in decisions if d.sheltered_areas], "a land (shelter) alert was issued"
    zone = run.recorder.result()["missiles"][0]["nodes"]["JPN"]["impact_zone"]
    assert zone["eez_of"] == "JPN" and zone["territorial_sea_of"] is None and zone["country"] is None
    sea = [d for d in decisions if d.kind is Kind.SEA_IMPACT]
    assert sea, "the node said where the missile would fall"
    last = sea[-1].exposure
    assert last.p_eez > 0.9 and last.p_territorial_sea < 0.01 and last.p_land == 0.0
    # The missile's own incident (the first) says where it falls; other incidents may come from a
    # staging fragment or the spent stage falling into the sea — never a land alert (above).
    missile_incident = decisions[0].incident_id
    assert any(d.incident_id == missile_incident for d in sea)
    _each_incident_ends_on_its_channel(decisions)


@pytest.mark.slow
def test_track_lost_after_detection_end_to_end_says_only_what_is_known() -> None:
    """Acceptance check 4 end to end (TRILINK_FULL=1; the decision-level version always runs)."""
    from trilink.alert.text import wordings

    _full_only("track-loss")
    run, decisions = run_scenario("track-loss-2023-04-13", "JPN")
    score = report("Track lost after detection (2023-04-13)", run, decisions)
    assert score.missed == ()
    for d in decisions:
        if d.sheltered_areas:  # nothing reached Japan: any shelter is a guess, and must say so
            assert d.provisional and d.certainty == "Possible"
            assert all("expected to fall" not in w.description and "見込み" not in w.description
                       for w in wordings(d))
    _each_incident_ends_on_its_channel(decisions)
