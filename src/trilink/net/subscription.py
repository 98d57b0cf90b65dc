"""A node's subscription to its partners' reports: durable consumers, in order, de-duplicated, bounded.

Split from ``trilink.net.transport`` (publishing); ``Transport.subscribe`` makes one. Each
originator's inbox is read through a durable push consumer (AckPolicy.ALL, acknowledged by
prefix a few at a time, ``trilink.net.acks.PrefixAcks``); a gap or an error re-creates the
consumer from the per-originator mark, so nothing is delivered twice or out of order.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from trilink.net.acks import PrefixAcks, stream_seq
from trilink.net.loop import stop_tasks
from trilink.net.outbox_entry import HEADER_ORIGIN_SEQ, MSG_ID
from trilink.net.subjects import inbox_stream, token

if TYPE_CHECKING:
    from trilink.net.transport import Transport

log = logging.getLogger(__name__)


class GapError(Exception):
    """A delivery skipped over an earlier one; the consumer is re-created from the last mark."""


@dataclass(frozen=True)
class Delivery:
    """One partner report delivered to this nation."""

    origin: str
    kind: str
    msg_id: str
    data: bytes
    seq: int
    """Position in this nation's inbox from ``origin`` (1, 2, 3...; the resume mark)."""
    origin_seq: int
    """Position in the originator's outbox (0 when it came by the node's direct forward)."""
    _msg: Msg = field(repr=False, compare=False)
    _acks: "PrefixAcks | None" = field(default=None, repr=False, compare=False)

    async def ack(self) -> None:
        """Tell the server this report is processed (it will not be delivered again)."""
        if self._acks is None:
            await self._msg.ack()
        else:
            self._acks.done(self.seq)


class Subscription:
    """An async iterator of ``Delivery``; bounded buffer, per-originator order, de-duplicated.

    Use ``async with transport.subscribe() as sub: async for d in sub: ...; await d.ack()``.
    """

    def __init__(self, transport: "Transport", durable: str, origins: list[str], resume: dict[str, int],
                 batch: int) -> None:
        self.transport, self.durable, self.origins, self.batch = transport, durable, origins, batch
        self.marks = {o: resume.get(o, 0) for o in origins}
        self.dropped_duplicates = 0
        self.restarts = 0
        """Times a consumer was re-created after a gap, an error or a lost consumer."""
        self._queue: asyncio.Queue[Delivery] = asyncio.Queue(maxsize=batch)
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> "Subscription":
        """Start one receiving task per originator."""
        self._tasks = [asyncio.create_task(self._receive(o), name=f"subscribe {o}->{self.transport.nation}")
                       for o in self.origins]
        return self

    async def stop(self) -> None:
        """Stop receiving (unacknowledged deliveries come again); waits at most 5 s for the tasks."""
        await stop_tasks(self._tasks)
        self._tasks = []

    async def __aenter__(self) -> "Subscription":
        return await self.start()

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    def __aiter__(self) -> AsyncIterator[Delivery]:
        return self

    async def __anext__(self) -> Delivery:
        return await self._queue.get()

    async def next(self, timeout_s: float) -> Delivery | None:
        """The next delivery, or None if none arrives within ``timeout_s``."""
        try:
            return await asyncio.wait_for(self._queue.get(), timeout_s)
        except TimeoutError:
            return None

    async def _start_seq(self, stream: str, origin: str) -> int:
        """Where to (re)start: after the durable's ack floor or the resume mark, whichever is later.

        The consumer is re-created from there, so nothing handed out but never acknowledged
        (a killed process) waits for a redelivery timeout or comes out of order.
        """
        js = self.transport.js
        floor = 0
        try:
            info = await js.consumer_info(stream, self.durable)
            floor = info.ack_floor.stream_seq if info.ack_floor else 0
            await js.delete_consumer(stream, self.durable)
        except NotFoundError:
            pass
        first = (await js.stream_info(stream)).state.first_seq or 1
        return max(floor, self.marks[origin], first - 1) + 1

    async def _receive(self, origin: str) -> None:
        """Deliver ``origin``'s inbox in stream order; on any gap or error, re-create from the mark."""
        t = self.transport
        stream = inbox_stream(origin, t.nation)
        subject = f"tl.{token(origin)}.{token(t.nation)}.>"
        delay = 0.05
        while True:
            sub, acks = None, PrefixAcks()
            try:
                start = await self._start_seq(stream, origin)
                self.marks[origin] = max(self.marks[origin], start - 1)
                config = ConsumerConfig(ack_policy=AckPolicy.ALL, ack_wait=30.0,
                                        deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=start,
                                        max_ack_pending=4 * self.batch)
                problem: asyncio.Future[Exception] = asyncio.get_running_loop().create_future()
                last_msg = [time.monotonic()]

                async def on_msg(msg: Msg, problem: asyncio.Future[Exception] = problem,
                                 last_msg: list[float] = last_msg, acks: PrefixAcks = acks) -> None:
                    # In the subscription's own task, in stream order: no hop through another task.
                    last_msg[0] = time.monotonic()
                    if not problem.done():
                        try:
                            await self._offer(origin, msg, acks)
                        except Exception as exc:
                            if not problem.done():
                                problem.set_result(exc)

                # max_ack_pending bounds what is outstanding; idle seconds check the consumer (forward.py).
                sub = await t.js.subscribe(subject, durable=self.durable, stream=stream, config=config,
                                           cb=on_msg, manual_ack=True, pending_msgs_limit=8 * self.batch)
                delay = 0.05
                while True:
                    await asyncio.wait([problem], timeout=1.0)
                    if problem.done():
                        raise problem.result()
                    if time.monotonic() - last_msg[0] >= 1.0:
                        last_msg[0] = time.monotonic()
                        await sub.consumer_info()  # raises if the consumer is gone
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.debug("subscribe %s->%s: %s", origin, t.nation, exc)
                self.restarts += 1
                await asyncio.sleep(delay)
                delay = min(delay * 2.0, 1.0)
            finally:
                if sub is not None:
                    with contextlib.suppress(Exception):
                        await acks.flush()  # what was processed is not delivered again
                        await sub.unsubscribe()

    async def _offer(self, origin: str, msg: Msg, acks: PrefixAcks) -> None:
        seq = stream_seq(msg)
        if seq <= self.marks[origin]:
            self.dropped_duplicates += 1
            acks.duplicate(seq, msg)
            return
        if seq != self.marks[origin] + 1:  # something in between went missing in transit: start again
            raise GapError(f"{origin}: got {seq} after {self.marks[origin]}")
        headers = msg.headers or {}
        delivery = Delivery(origin, msg.subject.rsplit(".", 1)[-1], headers.get(MSG_ID, ""), msg.data, seq,
                            int(headers.get(HEADER_ORIGIN_SEQ, "0") or 0), msg, acks)
        acks.delivered(seq, msg)
        await self._queue.put(delivery)  # waits while the node is behind: back-pressure
        self.marks[origin] = seq
