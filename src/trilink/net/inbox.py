"""A subscription's messages through a callback into a local queue.

nats-py's ``Subscription.next_msg`` creates a task and a timer per message; at a thousand
reports a second on a busy machine that overhead is the courier's bottleneck. A callback that
only enqueues, read with ``get_nowait`` while messages are waiting, costs a fraction of it.
The queue needs no bound of its own: every consumer feeding one has ``max_ack_pending`` set,
so the server never has more than that outstanding.
"""

import asyncio

from nats.aio.msg import Msg


class MessageQueue:
    """Pass ``callback`` as a subscription's ``cb``; read with ``get`` / ``drain``."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[Msg] = asyncio.Queue()

    async def callback(self, msg: Msg) -> None:
        """Enqueue one message (the subscription's callback)."""
        self._queue.put_nowait(msg)

    async def get(self, timeout_s: float) -> Msg | None:
        """The next message, or None after ``timeout_s`` without one."""
        if not self._queue.empty():
            return self._queue.get_nowait()
        try:
            return await asyncio.wait_for(self._queue.get(), timeout_s)
        except TimeoutError:
            return None

    def drain(self, limit: int) -> list[Msg]:
        """Up to ``limit`` messages already waiting, without waiting."""
        out: list[Msg] = []
        while len(out) < limit and not self._queue.empty():
            out.append(self._queue.get_nowait())
        return out
