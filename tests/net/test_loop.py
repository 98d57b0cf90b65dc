"""trilink.net.loop: uvloop where installed, asyncio's own loop when asked (or when uvloop is missing)."""

import asyncio

import pytest

from trilink.net import loop


async def _loop_type() -> str:
    await asyncio.sleep(0)
    return type(asyncio.get_running_loop()).__module__


def test_run_uses_uvloop_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("uvloop")
    monkeypatch.delenv(loop.ENV_VAR, raising=False)
    assert loop.loop_name() == "uvloop"
    assert loop.run(_loop_type()).startswith("uvloop")


def test_run_falls_back_to_asyncio(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(loop.ENV_VAR, "0")
    assert loop.loop_name() == "asyncio"
    assert loop.run(_loop_type()).startswith("asyncio")


def test_run_without_uvloop_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(loop.ENV_VAR, raising=False)
    monkeypatch.setitem(__import__("sys").modules, "uvloop", None)  # import fails as if not installed
    assert loop.loop_factory() is None
    assert loop.run(_loop_type()).startswith("asyncio")
