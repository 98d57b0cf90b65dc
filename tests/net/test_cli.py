"""``trilink net config`` and ``trilink net up`` as a user runs them."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from trilink.net.server import healthz_ok

TRILINK = [sys.executable, "-m", "trilink"]


def test_net_config_writes_a_deployment(tmp_path: Path) -> None:
    result = subprocess.run([*TRILINK, "net", "config", "--out", str(tmp_path)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.glob("*.conf")) == ["jpn.conf", "kor.conf", "usa.conf"]
    assert "USA:" in result.stdout and "deployment.json" in result.stdout


def test_net_config_bad_network_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[nation]]\ncode = "USA"\n[topology]\nkind = "hub"\nhub = "JPN"\n', encoding="utf-8")
    result = subprocess.run([*TRILINK, "net", "config", str(bad), "--out", str(tmp_path / "o")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "hub" in result.stderr and "Traceback" not in result.stderr


def test_net_up_runs_until_sigterm(tmp_path: Path) -> None:
    process = subprocess.Popen([*TRILINK, "net", "up", "--dir", str(tmp_path)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 60
        assert process.stdout is not None
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("all ready"):
                break
        assert any(line.startswith("all ready") for line in lines), lines
        access = json.loads((tmp_path / "deployment.json").read_text())
        monitors = [n["monitor_url"] for n in access["nations"]]
        assert all(healthz_ok(url) for url in monitors)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert not any(healthz_ok(url) for url in monitors)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def test_net_up_refuses_another_networks_directory(tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text('name = "other"\n[[nation]]\ncode = "USA"\n[[nation]]\ncode = "JPN"\n', encoding="utf-8")
    made = subprocess.run([*TRILINK, "net", "config", str(other), "--out", str(tmp_path / "d")],
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    result = subprocess.run([*TRILINK, "net", "up", "--dir", str(tmp_path / "d")], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2 and "holds a deployment of the network 'other'" in result.stderr
