"""Shared helpers of the network tests: bounded runs, polling, a publisher, a collector."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

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

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with __import__("contextlib").suppress(asyncio.CancelledError):
                await self.task
        await self.subscription.stop()


async def collect(transport: Transport, durable: str = "node") -> Collector:
    """Start collecting a transport's deliveries."""
    return await Collector(transport.subscribe(durable)).start()
