"""``trilink scenarios`` and ``trilink simulate``: outputs, the byte-identical rerun, errors (exit 2)."""

import subprocess
import sys
from pathlib import Path

import msgspec

from tests.sim.test_scenario import BASE
from trilink.model.measurement import Measurement
from trilink.sim.output import TruthRecord


def trilink(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trilink", *args], capture_output=True, text=True,
                          timeout=300, check=False)


def test_scenarios_lists_the_builtins() -> None:
    result = trilink("scenarios")
    assert result.returncode == 0, result.stderr
    for name in ("lofted-icbm", "irbm-hokkaido", "srbm-salvo", "mixed-raid", "demo-mixed",
                 "track-loss-2023-04-13"):
        assert name in result.stdout


def test_simulate_writes_outputs_plot_and_table_and_reruns_identically(tmp_path: Path) -> None:
    scenario = tmp_path / "irbm.toml"
    scenario.write_text(BASE)
    first = trilink("simulate", str(scenario), "--out", str(tmp_path / "a"),
                    "--plot", str(tmp_path / "map.png"))
    assert first.returncode == 0, first.stderr
    assert "usa-tpy2-shariki" in first.stdout and "KOR" in first.stdout
    assert (tmp_path / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    measurements = (tmp_path / "a" / "measurements.jsonl").read_bytes().splitlines()
    truth = (tmp_path / "a" / "truth.jsonl").read_bytes().splitlines()
    assert len(measurements) == len(truth) > 1000
    decoded = [msgspec.json.decode(line, type=Measurement) for line in measurements]
    records = [msgspec.json.decode(line, type=TruthRecord) for line in truth]
    assert [m.id for m in decoded] == [r.measurement for r in records]
    assert {r.object for r in records} >= {"M1", None}
    second = trilink("simulate", str(scenario), "--out", str(tmp_path / "b"))
    assert second.returncode == 0, second.stderr
    for name in ("measurements.jsonl", "truth.jsonl"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_scenario_error_is_one_line_with_file_line_and_exit_2(tmp_path: Path) -> None:
    scenario = tmp_path / "bad.toml"
    scenario.write_text(BASE.replace("site = [39.2002, 125.6733]", "site = [139.2002, 125.6733]"))
    result = trilink("simulate", str(scenario), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert f"{scenario}:10: " in lines[0] and "not on Earth" in lines[0]


def test_other_bad_input_exits_2(tmp_path: Path) -> None:
    for args in (("simulate", "no-such-scenario", "--out", str(tmp_path)),
                 ("simulate", "irbm-hokkaido", "--out", str(tmp_path), "--plot", str(tmp_path / "x.jpg")),
                 ("simulate", "irbm-hokkaido", "--out", str(tmp_path), "--network", "/no/such.toml"),
                 ("simulate", "irbm-hokkaido")):
        result = trilink(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
