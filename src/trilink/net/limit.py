"""A bound on concurrent holders (publishes in flight) that stays O(1) with thousands waiting.

asyncio.Semaphore (Python 3.11) scans its whole waiter list in ``locked()`` and on every
release; with an open-loop publisher thousands of reports behind the bound, each publish
then costs time proportional to the backlog and a backlog feeds itself (seen in bench_net's
profiles under load). Here waiters queue in a deque and a release hands its slot straight to
the first waiter still waiting.
"""

import asyncio
from collections import deque


class InFlightLimit:
    """``async with limit:`` admits at most ``limit`` holders at once, first come first served."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"in-flight limit must be at least 1, not {limit}")
        self.limit = limit
        self.held = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def waiting(self) -> int:
        """How many are queued for a slot (cancelled ones may still be counted until skipped)."""
        return len(self._waiters)

    async def __aenter__(self) -> None:
        if self.held < self.limit and not self._waiters:
            self.held += 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(future)
        try:
            await future  # the releasing holder hands over its slot (``held`` unchanged)
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():  # handed a slot, then cancelled: pass it on
                self._release()
            raise

    async def __aexit__(self, *_exc: object) -> None:
        self._release()

    def _release(self) -> None:
        while self._waiters:
            future = self._waiters.popleft()
            if not future.done():
                future.set_result(None)
                return
        self.held -= 1
