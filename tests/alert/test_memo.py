"""The identity memos in front of the alert logic's costly pure functions answer only for the same objects."""

import dataclasses
from types import SimpleNamespace

import numpy as np

from tests.alert.scenarios import IRBM_FLIGHT_S, LAUNCH_TIME, SUNAN, assessment
from trilink.alert.exposure import _exposure, exposure
from trilink.alert.inputs import assessment_from_fused
from trilink.alert.policy import AlertPolicy
from trilink.geo.frames import geodetic_to_ecef


def test_exposure_memo_returns_the_same_answer_only_for_the_same_assessment() -> None:
    policy = AlertPolicy(samples=300)
    a = assessment(LAUNCH_TIME + 100.0, SUNAN, (41.0, 141.0), IRBM_FLIGHT_S, 550e3, (50e3, 15e3))
    first = exposure(a, "JPN", policy)
    assert exposure(a, "JPN", policy) is first
    assert first == _exposure(a, "JPN", policy)
    moved = assessment(LAUNCH_TIME + 100.0, SUNAN, (38.0, 133.0), IRBM_FLIGHT_S, 550e3, (50e3, 15e3))
    other = exposure(moved, "JPN", policy)
    assert other is not first and other.impact_bearing_area != first.impact_bearing_area
    copy = dataclasses.replace(a)
    assert exposure(copy, "JPN", policy) is not first  # equal content, new object: computed afresh
    assert exposure(a, "JPN", AlertPolicy(samples=300)) is not first  # another policy object


def test_assessment_from_a_picture_track_is_built_once_per_track_object() -> None:
    impact = SimpleNamespace(lat=np.radians(41.0), lon=np.radians(141.0), time=LAUNCH_TIME + 600.0,
                             covariance_en=np.diag([4e8, 1e8]))
    state = np.concatenate([geodetic_to_ecef(np.radians(40.0), np.radians(130.0), 300e3), np.zeros(3)])
    track = SimpleNamespace(fused_id="JPN-F1", time=LAUNCH_TIME + 200.0, state=state, impact=impact,
                            assessment=None, phase="midcourse", missile_class="irbm")
    first = assessment_from_fused(track)
    assert first is not None and assessment_from_fused(track) is first
    twin = SimpleNamespace(**vars(track))
    again = assessment_from_fused(twin)
    assert again is not first
    assert (again.impact.lat, again.impact.lon, again.impact.time) == (first.impact.lat, first.impact.lon,
                                                                       first.impact.time)
