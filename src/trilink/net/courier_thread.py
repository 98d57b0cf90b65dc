"""The couriers' own thread: an event loop beside the caller's, at a lower CPU priority.

Since the node sends each report on itself (``trilink.net.direct``), a courier's steady work
is background work: confirming what the partners hold, and catching up after a cut. On a host
it shares with the servers and the nodes (a national centre's one machine, or bench_net's two
cores), a courier running at the live path's priority takes turns from it: each of its
wake-ups can hold a report's next hop back by a scheduler slice. ``start_network`` therefore
runs the couriers on a thread of their own whose scheduling priority is lowered by
``COURIER_NICE`` (Linux keeps a nice value per thread). The kernel then runs them whenever the
live path is not waiting for a core, and gives them all of it when nothing else wants it (a
catch-up on a quiet host). Elsewhere the thread runs at the caller's priority.
"""

import asyncio
import contextlib
import logging
import os
import sys
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from trilink.net.loop import loop_factory

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How much lower the couriers' thread runs than the process that starts it (nice +10: about a
#: tenth of a contended core's share against a nice-0 thread; all of an idle one).
COURIER_NICE = 10


def lower_thread_priority(increment: int) -> bool:
    """Lower the calling thread's CPU priority by ``increment`` nice steps; whether that was done.

    Linux only: there ``setpriority`` on a thread id touches that thread alone (POSIX would
    renice the whole process, the servers' parent included).
    """
    if increment <= 0 or not sys.platform.startswith("linux"):
        return False
    tid = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + increment)
    except OSError as exc:
        log.debug("courier thread keeps its priority: %s", exc)
        return False
    return True


class CourierThread:
    """An event loop on a daemon thread (``start``), lowered by ``nice``; ``call`` runs work on it."""

    def __init__(self, nice: int = COURIER_NICE) -> None:
        self.nice = nice
        self.lowered = False
        """Whether the thread's priority was lowered (False off Linux or when refused)."""
        self.native_id = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> "CourierThread":
        """Start the thread and its loop (uvloop where installed, as ``trilink.net.loop``)."""
        ready = threading.Event()

        def main() -> None:
            self.native_id = threading.get_native_id()
            self.lowered = lower_thread_priority(self.nice)
            factory = loop_factory()
            loop = factory() if factory is not None else asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            ready.set()
            try:
                loop.run_forever()
            finally:
                with contextlib.suppress(Exception):
                    leftover = asyncio.all_tasks(loop)
                    for task in leftover:
                        task.cancel()
                    if leftover:
                        loop.run_until_complete(asyncio.wait(leftover, timeout=5.0))
                loop.close()

        self._thread = threading.Thread(target=main, name="trilink couriers", daemon=True)
        self._thread.start()
        ready.wait()
        return self

    async def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the thread's loop and return its result (or raise its exception) here."""
        if self._loop is None:
            coro.close()
            raise RuntimeError("the courier thread is not running")
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self._loop))

    async def stop(self, timeout_s: float = 10.0) -> None:
        """Stop the loop (its remaining tasks are cancelled) and wait at most ``timeout_s`` for the thread."""
        loop, thread, self._loop = self._loop, self._thread, None
        if loop is not None and thread is not None:
            with contextlib.suppress(RuntimeError):  # already closed
                loop.call_soon_threadsafe(loop.stop)
            await asyncio.to_thread(thread.join, timeout_s)


__all__ = ["COURIER_NICE", "CourierThread", "lower_thread_priority"]
