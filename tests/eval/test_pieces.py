"""The campaign's pure pieces (hops, schedule, sums, truth path) and the CLI's argument errors."""

import subprocess
import sys

import numpy as np
import pytest

from trilink.eval.campaign import RunSummary, summarise
from trilink.eval.pipeline import PipelineOptions, _schedule, hops, truth_path
from trilink.model.network import load_network


def test_hub_topology_routes_partner_reports_through_the_hub() -> None:
    network = load_network()
    assert hops(network, "KOR", "JPN") == 2
    assert hops(network, "USA", "JPN") == 1
    assert hops(network, "JPN", "USA") == 1


def test_schedule_is_fine_around_the_launch_and_coarse_elsewhere() -> None:
    times = np.array(_schedule(0.0, 2000.0, [100.0], PipelineOptions()))
    steps = np.diff(np.concatenate([[0.0], times]))
    assert times[-1] == 2000.0
    assert set(steps[(times > 100.0) & (times <= 500.0)]) == {1.0}
    assert set(steps[(times > 510.0) & (times < 1990.0)]) == {4.0}


def _run(seed: int, missed: tuple[str, ...], false: tuple[str, ...], shelter: float | None) -> RunSummary:
    return RunSummary(scenario="s", seed=seed, sharing=True, missed=missed, false=false, reached=(),
                      alerted=(), first_shelter_s=shelter, first_alert_s=shelter, incidents=1, decisions=1,
                      pictures=1, reports_received={}, rejected={}, fusion_rejections={},
                      alert_contributors=(), wall_s=1.0)


def test_summary_counts_areas_and_runs() -> None:
    result = summarise("s", True, [_run(1, ("Aomori",), (), 80.0), _run(2, (), ("Akita", "Iwate"), 60.0),
                                   _run(3, ("Aomori", "Hokkaido"), ("Akita",), None)])
    assert (result.runs, result.missed, result.runs_with_missed) == (3, 3, 2)
    assert (result.false, result.runs_with_false) == (3, 2)
    assert result.runs_with_shelter == 2
    assert (result.first_shelter_median_s, result.first_shelter_max_s) == (70.0, 80.0)
    assert result.missed_areas == {"Aomori": 2, "Hokkaido": 1}
    assert result.false_areas == {"Akita": 2, "Iwate": 1}


def test_truth_path_merges_objects_in_time_order() -> None:
    class Trajectory:
        def __init__(self, times: list[float], heights: list[float]) -> None:
            self.times = times
            self.positions = [[6378137.0 + h, 0.0, 0.0] for h in heights]

    class Obj:
        def __init__(self, trajectory: Trajectory) -> None:
            self.trajectory = trajectory

    path = truth_path([Obj(Trajectory([0.0, 2.0], [0.0, 200.0])), Obj(Trajectory([1.0], [100.0]))])
    assert path.shape == (3, 4)
    assert list(path[:, 0]) == [0.0, 1.0, 2.0]
    np.testing.assert_allclose(path[:, 3], [0.0, 100.0, 200.0], atol=1e-3)


@pytest.mark.parametrize(("args", "needle"), [
    (["--runs", "0"], "--runs"),
    (["--scenario", "no-such-scenario"], "--scenario"),
    (["--workers", "0"], "--workers"),
    (["--hop-delay-ms", "-1"], "--hop-delay-ms"),
    (["--nation", "XXX"], "--nation"),
    (["--log", "/nonexistent-dir/runs.jsonl"], "--log"),
])
def test_bad_arguments_give_one_line_and_exit_2(args: list[str], needle: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "trilink", "evaluate", "alerts", *args],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in proc.stderr


def _fake_campaign(names: list[str], runs: int, options: PipelineOptions, *, workers: int, first_seed: int,
                   on_run: object) -> list:
    finished = [_run(i, ("Aomori",) if i == 0 else (), ("Akita",), 84.0) for i in range(runs)]
    for run in finished:
        on_run(run)  # type: ignore[operator]
    return [summarise(name, options.sharing, finished) for name in names]


def test_table_json_and_run_log(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                tmp_path: object) -> None:
    """The command's outputs, with the campaign replaced by a stand-in (a real run is minutes)."""
    import json
    from pathlib import Path

    import trilink.eval.campaign
    from trilink.cli import main

    monkeypatch.setattr(trilink.eval.campaign, "campaign", _fake_campaign)
    log = Path(str(tmp_path)) / "runs.jsonl"
    with pytest.raises(SystemExit) as exit_info:
        main(["evaluate", "alerts", "--runs", "3", "--scenario", "irbm-hokkaido", "--log", str(log)])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "irbm-hokkaido" in out and "84 / 84" in out and "missed {'Aomori': 1}" in out
    assert [json.loads(line)["seed"] for line in log.read_text().splitlines()] == [0, 1, 2]
    with pytest.raises(SystemExit):
        main(["evaluate", "alerts", "--runs", "2", "--scenario", "irbm-hokkaido", "--no-sharing", "--json"])
    row = json.loads(capsys.readouterr().out)
    assert (row["runs"], row["missed"], row["false"], row["sharing"]) == (2, 1, 2, False)
