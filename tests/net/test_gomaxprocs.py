"""Servers on one host split its cores (GOMAXPROCS) and collect less often (GOGC); the operator wins."""

import pytest

from trilink.net.server import server_environment, shared_host_gomaxprocs


def test_cores_are_split_between_the_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOMAXPROCS", raising=False)
    assert shared_host_gomaxprocs(3, cpus=2) == 1
    assert shared_host_gomaxprocs(3, cpus=8) == 2
    assert shared_host_gomaxprocs(1, cpus=4) == 4


def test_the_operators_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOMAXPROCS", "4")
    assert shared_host_gomaxprocs(3, cpus=2) is None


def test_servers_collect_less_often_unless_the_operator_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOGC", raising=False)
    monkeypatch.delenv("GOMEMLIMIT", raising=False)
    env = server_environment(1)
    assert env["GOMAXPROCS"] == "1" and env["GOGC"] == "400" and env["GOMEMLIMIT"] == "1GiB"
    monkeypatch.setenv("GOGC", "100")
    assert server_environment(None)["GOGC"] == "100"
