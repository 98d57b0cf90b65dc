"""Shared helpers of the network tests: bounded runs, polling, a publisher, a collector."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from trilink.net.outbox_entry import CourierStats
from trilink.net.running import RunningNetwork
from trilink.net.transport import Delivery, Subscription, Transport

T = TypeVar("T")


def run(coro: Awaitable[T], timeout_s: float = 120.0) -> T:
    """Run a coroutine with a hard bound on its duration."""
    async def bounded() -> T:
        return await asyncio.wait_for(coro, timeout_s)
    return asyncio.run(bounded())


async def poll(condition: Callable[[], bool], timeout_s: float, what: str, step_s: float = 0.02) -> float:
    """Wait until ``condition()`` holds; return the seconds it took; AssertionError naming ``what``."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout_s:
            raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")
        await asyncio.sleep(step_s)
    return time.monotonic() - start


def report_bytes(origin: str, i: int, size: int = 400) -> bytes:
    """An opaque stand-in for a signed report (the wire layer is tested on its own)."""
    head = f"{origin}:{i:06d}:".encode()
    return head + b"x" * (size - len(head))


@dataclass
class Collector:
    """Collects deliveries (acknowledging each) with their arrival times."""

    subscription: Subscription
    received: list[Delivery] = field(default_factory=list)
    arrival: list[float] = field(default_factory=list)
    task: asyncio.Task[None] | None = None

    async def start(self) -> "Collector":
        await self.subscription.start()
        self.task = asyncio.create_task(self._run())
        return self

    async def _run(self) -> None:
        async for delivery in self.subscription:
            self.received.append(delivery)
            self.arrival.append(time.monotonic())
            await delivery.ack()

    def ids(self, origin: str) -> list[str]:
        return [d.msg_id for d in self.received if d.origin == origin]

    async def expect_once_in_order(self, origin: str, ids: list[str], timeout_s: float = 30.0) -> None:
        """Wait for ``ids`` from ``origin``, then check that each came once and in order."""
        await poll(lambda: len(self.received) >= len(ids), timeout_s, f"{len(ids)} reports")
        await asyncio.sleep(0.3)  # anything doubled would arrive now
        assert self.ids(origin) == ids
        assert [d.seq for d in self.received if d.origin == origin] == list(range(1, len(ids) + 1))

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with __import__("contextlib").suppress(asyncio.CancelledError):
                await self.task
        await self.subscription.stop()


async def courier_caught_up(running: RunningNetwork, origin: str, partner: str, cursor: int,
                            timeout_s: float = 5.0) -> CourierStats:
    """Wait until ``origin``'s courier has settled ``cursor`` reports for ``partner``; its stats."""
    stats = running.couriers[origin].stats[partner]
    await poll(lambda: stats.cursor == cursor, timeout_s, f"the {origin} courier's cursor at {cursor}")
    return stats


async def collect(transport: Transport, durable: str = "node") -> Collector:
    """Start collecting a transport's deliveries."""
    return await Collector(transport.subscribe(durable)).start()
