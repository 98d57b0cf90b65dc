"""The event loop of the network shell: uvloop where installed, else asyncio's own.

One place decides it, so the node processes, ``trilink net up``, the demo and the benchmark
all run the same loop. uvloop (libuv) costs less CPU per socket read, timer and callback than
asyncio's selector loop; at 1,000 reports/s through three Python processes that is a
measurable part of each report's cost (docs/network.md, Latency).
"""

import asyncio
import os
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

#: Set to 0 to force asyncio's own loop (e.g. to compare the two).
ENV_VAR = "TRILINK_UVLOOP"


def loop_factory() -> Any:
    """The loop class to run on: ``uvloop.Loop`` unless missing or disabled by ``TRILINK_UVLOOP=0``."""
    if os.environ.get(ENV_VAR, "1") != "0":
        try:
            import uvloop
        except ImportError:
            return None
        return uvloop.Loop
    return None


def loop_name() -> str:
    """``"uvloop"`` or ``"asyncio"``: which loop ``run`` would use."""
    return "asyncio" if loop_factory() is None else "uvloop"


async def stop_tasks(tasks: list["asyncio.Task[None]"], timeout_s: float = 5.0) -> None:
    """Cancel ``tasks`` and wait at most ``timeout_s`` for them to end (the shell's stop path)."""
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=timeout_s)


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion on a new event loop of the chosen kind (like ``asyncio.run``)."""
    factory = loop_factory()
    if factory is None:
        return asyncio.run(coro)
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(coro)
