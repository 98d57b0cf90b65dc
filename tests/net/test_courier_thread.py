"""The couriers run on a thread of their own at lower CPU priority; servers and nodes keep theirs."""

import asyncio
import os
import sys
import threading
from pathlib import Path

import pytest

from tests.net.helpers import collect, courier_caught_up, run
from trilink.model.network import load_network
from trilink.net import start_network
from trilink.net.courier_thread import COURIER_NICE, CourierThread

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")


def _nice(tid: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, tid)


def test_call_runs_on_the_thread_and_returns_or_raises() -> None:
    async def scenario() -> None:
        thread = CourierThread(nice=0).start()

        async def where() -> int:
            return threading.get_native_id()

        async def fails() -> None:
            raise ValueError("bad")

        assert await thread.call(where()) == thread.native_id != threading.get_native_id()
        with pytest.raises(ValueError, match="bad"):
            await thread.call(fails())
        await thread.stop()
        with pytest.raises(RuntimeError, match="not running"):
            await thread.call(where())

    asyncio.run(scenario())


@linux_only
def test_couriers_yield_to_the_servers_and_the_caller(tmp_path: Path) -> None:
    """Only the couriers' thread is lowered: the servers (started before it) and the caller keep theirs."""
    own = _nice(threading.get_native_id())

    async def scenario() -> None:
        async with start_network(load_network(), tmp_path) as running:
            thread = running.courier_thread
            assert thread is not None and thread.lowered
            assert _nice(thread.native_id) == min(19, own + COURIER_NICE)
            assert _nice(threading.get_native_id()) == own
            for server in running.servers.values():
                assert server.process is not None and _nice(server.process.pid) == own
            kor, jpn = await running.connect("KOR"), await running.connect("JPN")
            at_jpn = await collect(jpn)
            for i in range(20):
                await kor.publish(f"r{i}".encode(), msg_id=f"KOR:t:{i}")
            await at_jpn.expect_once_in_order("KOR", [f"KOR:t:{i}" for i in range(20)])
            await courier_caught_up(running, "KOR", "JPN", 20, 10.0)
            await at_jpn.stop()
            for t in (kor, jpn):
                await t.close()
            await running.stop_courier("KOR")
            assert "KOR" not in running.couriers

    run(scenario(), 60.0)
