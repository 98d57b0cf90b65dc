"""Scenario files: every error is ``file:line: message`` (check 5); same seed → same bytes (check 1);
built-in scenarios, inline networks, outages and the exercise flag."""

from pathlib import Path

import msgspec
import pytest

from trilink.model.config import ConfigError
from trilink.model.measurement import Measurement
from trilink.model.network import load_network
from trilink.sim import builtin_scenarios, load_scenario, measurements, run
from trilink.sim.output import encode_measurements, encode_truth

BASE = """\
name = "test IRBM"
description = "an IRBM for the tests"
start = "2017-08-28T20:56:00Z"
duration_s = 1200
seed = 17

[[launch]]
id = "M1"
time = "2017-08-28T20:58:00Z"
site = [39.2002, 125.6733]
missile = "hwasong-12"
aim = [41.05, 157.35]
apogee_km = 550
"""

INLINE_NETWORK = """
[network]
name = "one Korean radar"
exercise = false

[network.topology]
kind = "mesh"

[[network.nation]]
code = "KOR"

[[network.sensor]]
id = "gp"
nation = "KOR"
kind = "radar"
site = [36.9, 127.4, 100.0]
sigma_range_m = 50.0
reference_range_km = 500.0
"""


def write(tmp_path: Path, text: str, name: str = "scenario.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


ERRORS = [
    # (replace this, with this, the line that must be named contains, words in the message)
    ('missile = "hwasong-12"\n', 'missile = "hwasong-12"\nbogus = 1\n', "bogus = 1", "unknown field"),
    ('missile = "hwasong-12"\n', "", "[[launch]]", "missile"),
    ("apogee_km = 550", "apogee_km = 20", "apogee_km = 20", "impossible trajectory"),
    ('time = "2017-08-28T20:58:00Z"', 'time = "2017-08-32T20:58:00Z"', 'time = "2017-08-32',
     "ISO 8601"),
    ('start = "2017-08-28T20:56:00Z"', 'start = "2017-08-28T20:56:00"', 'start = "2017', "UTC offset"),
    ("site = [39.2002, 125.6733]", "site = [139.2002, 125.6733]", "site = [139", "not on Earth"),
    ('missile = "hwasong-12"', 'missile = "taepodong-9"', "taepodong", "unknown missile"),
    ('time = "2017-08-28T20:58:00Z"', 'time = "2017-08-28T23:58:00Z"', "T23:58", "outside the scenario"),
    ("aim = [41.05, 157.35]", "aim = [41.05]", "aim = [41.05]", "aim"),
    ("duration_s = 1200", "duration_s = -5", "duration_s", "positive"),
    ("duration_s = 1200", "duration_s = 1e12", "duration_s", "positive"),
    ("seed = 17", "seed = -1", "seed = -1", "seed"),
    ("seed = 17", "seed = 17\nnetwork = \"nowhere.toml\"", "nowhere.toml", "not found"),
    ("seed = 17", "seed = = 17", "seed = = 17", "TOML syntax error"),
    ("apogee_km = 550", 'apogee_km = 550\n\n[[outage]]\nsensor = "no-such-radar"\n'
     'start = "2017-08-28T21:00:00Z"\nend = "2017-08-28T21:01:00Z"', "no-such-radar", "not in the network"),
    ("apogee_km = 550", 'apogee_km = 550\n\n[[outage]]\nstart = "2017-08-28T21:00:00Z"\n'
     'end = "2017-08-28T20:01:00Z"', 'end = "2017-08-28T20:01', "after start"),
    ("apogee_km = 550", "apogee_km = 550\n" + INLINE_NETWORK.replace('code = "KOR"', 'code = "KORX"'),
     'code = "KORX"', "ISO 3166"),
]


@pytest.mark.parametrize(("old", "new", "marker", "words"), ERRORS,
                         ids=[e[3].split()[0] + str(i) for i, e in enumerate(ERRORS)])
def test_errors_name_file_and_line(tmp_path: Path, old: str, new: str, marker: str, words: str) -> None:
    assert old in BASE
    text = BASE.replace(old, new, 1)
    path = write(tmp_path, text)
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if marker in ln)
    with pytest.raises(ConfigError) as err:
        load_scenario(path)
    message = str(err.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert words in message, message
    assert "\n" not in message


def test_unknown_scenario_name() -> None:
    with pytest.raises(ConfigError, match="built-in"):
        load_scenario("no-such-scenario")


def test_same_seed_same_bytes_and_other_seed_differs(tmp_path: Path) -> None:
    """Check 1: the same scenario and seed give byte-identical measurements and truth."""
    path = write(tmp_path, BASE)
    first, second = run(load_scenario(path)), run(load_scenario(path))
    assert encode_measurements(first) == encode_measurements(second)
    assert encode_truth(first) == encode_truth(second)
    assert len(first.measurements) > 1000
    other = run(load_scenario(write(tmp_path, BASE.replace("seed = 17", "seed = 18"), "other.toml")))
    assert encode_measurements(other) != encode_measurements(first)
    # the lazy generator yields the very same measurements
    assert list(measurements(load_scenario(path))) == first.measurements
    # measurements.jsonl decodes as the shared model type
    line = encode_measurements(first).splitlines()[0]
    assert msgspec.json.decode(line, type=Measurement) == first.measurements[0]


def test_result_holds_truth_and_objects(tmp_path: Path) -> None:
    result = run(load_scenario(write(tmp_path, BASE)))
    assert set(result.truth) == {m.id for m in result.measurements}
    assert {o.kind for o in result.objects.values()} == {"warhead", "stage"}
    assert result.objects["M1"].missile == "hwasong-12"
    seen = {result.truth[m.id] for m in result.measurements}
    assert {"M1", None} <= seen
    assert result.exercise is True  # from the default network


def test_inline_network_and_exercise_flag(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, BASE + INLINE_NETWORK))
    assert scenario.exercise is False
    result = run(scenario)
    assert {m.sensor for m in result.measurements} == {"gp"}
    overridden = load_scenario(write(tmp_path, BASE.replace("seed = 17", "seed = 17\nexercise = true")
                                     + INLINE_NETWORK))
    assert overridden.exercise is True


def test_builtin_scenarios_are_listed() -> None:
    names = builtin_scenarios()
    for name in ("lofted-icbm", "irbm-hokkaido", "srbm-salvo", "mixed-raid", "demo-mixed",
                 "track-loss-2023-04-13"):
        assert names.get(name)


def test_network_argument_overrides_the_scenario_network(tmp_path: Path) -> None:
    """What ``--network FILE`` does: the given network's sensors, not the scenario's."""
    network_file = tmp_path / "net.toml"
    network_file.write_text(INLINE_NETWORK.replace("[network.", "[").replace("[[network.", "[[")
                            .replace("[network]\n", ""))
    network = load_network(network_file)
    scenario = load_scenario(write(tmp_path, BASE), network=network)
    assert {m.sensor for m in run(scenario).measurements} == {"gp"}
    later = run(load_scenario(write(tmp_path, BASE)), network=network)
    assert {m.sensor for m in later.measurements} == {"gp"}
