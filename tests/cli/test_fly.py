"""``trilink fly`` contract: JSON keys, samples, and exit 2 with one line for every bad input."""

import itertools
import json
import subprocess
import sys

import pytest


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trilink", "fly", *args], capture_output=True,
                          text=True, timeout=300, check=False)


def test_json_contract_with_samples() -> None:
    result = run("--site", "39.2002,125.6733", "--aim", "41.0,137.5", "--apogee-km", "800",
                 "--missile", "Hwasong-12", "--samples", "7", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    for key in ("flight_time_s", "apogee_km", "range_km", "impact", "burnout", "max_speed_mps", "trajectory"):
        assert key in out
    assert set(out["impact"]) >= {"lat", "lon"}
    assert set(out["burnout"]) >= {"time_s", "altitude_km", "speed_mps"}
    assert abs(out["apogee_km"] - 800) < 2 and abs(out["impact"]["lat"] - 41.0) < 0.02
    traj = out["trajectory"]
    assert len(traj) == 7 and set(traj[0]) == {"t", "lat", "lon", "alt_km"}
    steps = [b["t"] - a["t"] for a, b in itertools.pairwise(traj)]
    assert max(steps) - min(steps) < 1e-2 and traj[0]["t"] == 0.0
    assert abs(traj[-1]["t"] - out["flight_time_s"]) < 1e-2 and abs(traj[-1]["alt_km"]) < 0.01
    assert out["max_speed_mps"] >= out["burnout"]["speed_mps"]


def test_readable_summary_with_profile() -> None:
    result = run("--site", "39.2,125.67", "--azimuth", "80", "--range-km", "500", "--profile", "depressed")
    assert result.returncode == 0, result.stderr
    assert "flight time" in result.stdout and "apogee" in result.stdout


@pytest.mark.parametrize("args", [
    ("--site", "95,125", "--aim", "41,137"),                                   # latitude out of range
    ("--site", "39.2,125.67", "--aim", "39.2,125.67"),                         # aim equals site
    ("--site", "39.2,125.67", "--azimuth", "90", "--range-km", "3000", "--apogee-km", "20"),  # apogee too low
    ("--site", "39.2,125.67", "--azimuth", "90", "--range-km", "3000", "--missile", "kn-25"),  # beyond it
    ("--site", "39.2,125.67", "--aim", "41,137", "--missile", "taepodong-9"),  # unknown missile
    ("--site", "39.2,12x", "--aim", "41,137"),                                 # malformed numbers
    ("--site", "39.2,125.67", "--azimuth", "ninety", "--range-km", "500"),
    ("--site", "39.2,125.67", "--azimuth", "90", "--range-km", "-5"),
    ("--site", "39.2,125.67", "--azimuth", "90"),                              # range missing
    ("--site", "39.2,125.67", "--aim", "41,137", "--profile", "sideways"),
    ("--site", "39.2,125.67", "--aim", "41,137", "--samples", "1"),
])
def test_bad_input_exits_2_with_one_line(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stdout == ""


def test_calibrate_prints_every_launch_within_tolerance() -> None:
    result = subprocess.run([sys.executable, "-m", "trilink", "calibrate", "--json"], capture_output=True,
                            text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["ok"] and len(out["launches"]) == 5
    for row in out["launches"]:
        assert "solved" in row, row
        if row["reported"]["flight_time_s"] is not None:
            assert abs(row["flight_time_error"]) <= 0.07
