"""``trilink where``: the stable JSON contract and the one-line error for bad coordinates."""

import json
import subprocess
import sys


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trilink", "where", *args], capture_output=True,
                          text=True, timeout=120, check=False)


def test_json_for_oshima_oshima_and_the_sea_west_of_it() -> None:
    result = run("41.510,139.367", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["country"] == "JPN" and data["area"] == "Hokkaido" and data["on_land"] is True
    assert data["territorial_sea_of"] is None and data["eez_of"] is None
    assert data["coast_distance_km"]["JPN"] == 0.0 and data["coast_distance_km"]["KOR"] > 500


def test_text_output() -> None:
    result = run("37.5665,126.978")
    assert result.returncode == 0, result.stderr
    assert "KOR" in result.stdout and "KR-11" in result.stdout


def test_bad_coordinates_exit_2_with_one_line() -> None:
    for arg in ("95,10", "abc", "10,", "nan,1"):
        result = run(arg)
        assert result.returncode == 2, (arg, result)
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
