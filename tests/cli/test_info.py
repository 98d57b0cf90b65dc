"""The command's error contract: one line on stderr, exit 2, never a traceback."""

import subprocess
import sys


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trilink", *args], capture_output=True,
                          text=True, timeout=60, check=False)


def test_version() -> None:
    result = run("version")
    assert result.returncode == 0 and result.stdout.startswith("trilink ")


def test_unknown_command_and_option_are_one_line() -> None:
    for args in (("bogus",), ("network", "show", "--nope"), ("network", "show", "/no/such")):
        result = run(*args)
        assert result.returncode == 2, result
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr
