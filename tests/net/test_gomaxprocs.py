"""Servers sharing one host split its cores (GOMAXPROCS), unless the operator set it."""

import pytest

from trilink.net.server import shared_host_gomaxprocs


def test_cores_are_split_between_the_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOMAXPROCS", raising=False)
    assert shared_host_gomaxprocs(3, cpus=2) == 1
    assert shared_host_gomaxprocs(3, cpus=8) == 2
    assert shared_host_gomaxprocs(1, cpus=4) == 4


def test_the_operators_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOMAXPROCS", "4")
    assert shared_host_gomaxprocs(3, cpus=2) is None
