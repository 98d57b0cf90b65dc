"""The built-in scenarios: they fly, their coverage maps are in the docs (check 7), and the
track-loss replay has a short track and then minutes of silence."""

import math
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import trilink_full
from trilink.geo.frames import ecef_to_geodetic
from trilink.geo.geodesy import geodesic_distance
from trilink.sim import builtin_scenarios, load_scenario, run

DOCS = Path(__file__).resolve().parents[2] / "docs"
QUICK = ["irbm-hokkaido", "lofted-icbm"]


def test_every_builtin_has_a_coverage_map_referenced_from_the_docs() -> None:
    text = (DOCS / "scenarios.md").read_text(encoding="utf-8")
    for name in builtin_scenarios():
        image = DOCS / "img" / f"coverage-{name}.png"
        assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", image
        assert f"](img/coverage-{name}.png)" in text, name


@pytest.mark.parametrize("name", list(builtin_scenarios()) if trilink_full() else QUICK)
def test_builtin_flies_to_its_aim(name: str) -> None:
    scenario = load_scenario(name)
    for launch in scenario.launches:
        trajectory = scenario.objects[launch.id].trajectory
        lat, lon, _h = ecef_to_geodetic(trajectory.positions[-1])
        assert launch.aim is not None
        miss = geodesic_distance(lat, lon, math.radians(launch.aim[0]), math.radians(launch.aim[1]))
        assert miss < 25e3, (name, launch.id, miss)
        if launch.apogee_km is not None:
            heights = ecef_to_geodetic(trajectory.positions)[2]
            assert abs(heights.max() / 1e3 - launch.apogee_km) < 0.05 * launch.apogee_km + 2.0


def test_track_loss_replay_is_a_short_track_then_silence() -> None:
    scenario = load_scenario("track-loss-2023-04-13")
    (outage,) = scenario.outages
    launch = scenario.launch_times["M1"]
    assert outage.sensor is None and outage.nation is None
    assert outage.end - outage.start >= 600.0 and outage.start - launch < 120.0
    result = run(scenario)
    true_times = np.array([m.time for m in result.measurements if result.truth[m.id] is not None])
    before = true_times[true_times < outage.start]
    assert len(before) > 20 and before.min() - launch < 60.0
    assert not np.any((true_times >= outage.start) & (true_times < outage.end))
    assert np.any(true_times >= outage.end)  # the fall is seen again
