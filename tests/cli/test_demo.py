"""``trilink demo`` option contract: bad input is one line and exit 2, before anything starts."""

import subprocess
import sys
from pathlib import Path

import pytest

from trilink.cli.common import UserError
from trilink.cli.demo import parse_speed


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trilink", *args], capture_output=True,
                          text=True, timeout=120, check=False)


def test_parse_speed() -> None:
    assert parse_speed(None) == 0.0
    assert parse_speed("max") is None and parse_speed("MAX") is None
    assert parse_speed("25") == 25.0
    for bad in ("0", "-3", "fast", "nan", "inf"):
        with pytest.raises(UserError):
            parse_speed(bad)


def test_bad_options_are_one_line(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    for args in (("demo", "--speed", "fast"), ("demo", "--scenario", "no-such-scenario", "--headless"),
                 ("demo", "--archive", str(not_a_dir)), ("demo", "--summary", "/no/such/dir/s.json")):
        result = run(*args)
        assert result.returncode == 2, (args, result)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr
