"""The courier: forwards a nation's outbox to each partner's inbox, in order, nothing lost, nothing doubled.

Why not JetStream sourcing: across domains it catches up 20–50 s after a link returns (the
server retries a failed source with a growing back-off; nats.md). The courier instead keeps,
per partner, a cursor into the national outbox and publishes each released report to the
partner's intake subject ``tl.<origin>.<partner>.<kind>`` with a JetStream acknowledgement from
the partner's inbox stream. On any failure it retries (every ``retry_max_s`` at most) from the
first unacknowledged report, so catch-up starts as soon as the link is back.

Order and exactly-once: messages are pipelined up to ``window`` at a time, each carrying
``Nats-Expected-Last-Msg-Id`` = the previous report's id, so the partner's stream refuses
anything that would land out of order; after a failure the first report is re-sent alone,
without that guard, and ``Nats-Msg-Id`` de-duplication absorbs whatever had already arrived.
The cursor is kept in the national key-value bucket ``TL_COURIER`` so a restarted courier
resumes where it was (re-sending at most what de-duplication absorbs).
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import KeyNotFoundError

from trilink.model.network import NetworkConfig
from trilink.net.inbox import MessageQueue
from trilink.net.subjects import COURIER_BUCKET, outbox_stream, released_kinds, token

log = logging.getLogger(__name__)

HEADER_TO = "Tl-To"
HEADER_ORIGIN_SEQ = "Tl-Origin-Seq"
MSG_ID = "Nats-Msg-Id"
EXPECTED_LAST_MSG_ID = "Nats-Expected-Last-Msg-Id"


@dataclass
class CourierStats:
    """Counters of one origin→partner forwarding path."""

    forwarded: int = 0
    duplicates: int = 0
    withheld: int = 0
    """Reports addressed to the partner of a kind the agreement does not release."""
    retries: int = 0
    cursor: int = 0
    last_error: str = ""
    last_forward_monotonic: float = 0.0


class RetryError(Exception):
    """Forwarding stopped at a report; start again from it."""


def recipients_of(msg: Msg) -> list[str]:
    """The partners an outbox message is addressed to (its ``Tl-To`` header)."""
    value = (msg.headers or {}).get(HEADER_TO, "")
    return [r for r in value.split(",") if r]


class Courier:
    """Forwards ``nation``'s outbox to every partner its agreements name (one task per partner)."""

    def __init__(self, nc: Client, network: NetworkConfig, nation: str, *, window: int = 128,
                 ack_timeout_s: float = 2.0, retry_max_s: float = 0.5) -> None:
        self.nc, self.network, self.nation = nc, network, nation
        self.js = nc.jetstream()
        self.window, self.ack_timeout_s, self.retry_max_s = window, ack_timeout_s, retry_max_s
        self.partners = [a.recipient for a in network.agreement if a.releaser == nation]
        self.stats = {p: CourierStats() for p in self.partners}
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        """Start one forwarding task per partner."""
        self._tasks = [asyncio.create_task(self._run(p), name=f"courier {self.nation}->{p}")
                       for p in self.partners]

    async def stop(self) -> None:
        """Stop forwarding (cursors stay where they were saved); waits at most 5 s for the tasks."""
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5.0)
        self._tasks = []

    async def _load_cursor(self, partner: str) -> int:
        kv = await self.js.key_value(COURIER_BUCKET)
        try:
            entry = await kv.get(token(partner))
        except KeyNotFoundError:
            return 0
        return int(entry.value or b"0")

    async def _save_cursor(self, partner: str, cursor: int) -> None:
        kv = await self.js.key_value(COURIER_BUCKET)
        await kv.put(token(partner), str(cursor).encode())

    async def _run(self, partner: str) -> None:
        stats = self.stats[partner]
        delay = 0.05
        while True:
            try:
                stats.cursor = await self._load_cursor(partner)
                await self._forward(partner, stats)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                stats.retries += 1
                stats.last_error = f"{type(exc).__name__}: {exc}"
                log.debug("courier %s->%s: %s", self.nation, partner, stats.last_error)
                with contextlib.suppress(Exception):
                    await self._save_cursor(partner, stats.cursor)
                await asyncio.sleep(delay)
                delay = min(delay * 2.0, self.retry_max_s)
                continue
            delay = 0.05

    async def _forward(self, partner: str, stats: CourierStats) -> None:
        """Forward from ``stats.cursor`` until something fails (raises) or the task is cancelled."""
        agreement = self.network.agreement_between(self.nation, partner)
        kinds = released_kinds(agreement.alerts) if agreement else ()
        origin, dest = token(self.nation), token(partner)
        config = ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                                opt_start_seq=stats.cursor + 1, ack_policy=AckPolicy.ALL,
                                max_ack_pending=2 * self.window, ack_wait=120.0, mem_storage=True)
        inbox = MessageQueue()
        # No flow control or idle heartbeats: max_ack_pending bounds what is outstanding, and nats-py
        # only reports missed heartbeats to error_cb. Instead an idle second checks that the consumer
        # still exists (a restarted server has lost this ephemeral one) and starts again if not.
        sub = await self.js.subscribe(f"out.{origin}.>", stream=outbox_stream(self.nation), config=config,
                                      cb=inbox.callback, manual_ack=True, inactive_threshold=30.0,
                                      pending_msgs_limit=8 * self.window)
        guard: str | None = None  # id of the last report known to be stored at the partner
        saved, saved_at = stats.cursor, time.monotonic()
        expected = stats.cursor + 1
        try:
            while True:
                first = await inbox.get(1.0)
                if first is None:
                    await sub.consumer_info()  # raises if the server lost the consumer (a restart)
                msgs = [] if first is None else [first, *inbox.drain(self.window - 1)]
                msgs = [m for m in msgs if m.metadata.sequence.stream >= expected]  # drop redeliveries
                for msg in msgs:
                    seq = msg.metadata.sequence.stream
                    if seq > expected:  # lost in delivery (or aged out of the outbox: then go on)
                        info = await self.js.stream_info(outbox_stream(self.nation))
                        if seq > max(expected, info.state.first_seq):
                            raise RetryError(f"outbox delivery skipped {expected}..{seq - 1}")
                    expected = seq + 1
                if msgs:
                    guard = await self._send(msgs, partner, kinds, f"tl.{origin}.{dest}", guard, stats)
                    await msgs[-1].ack()  # AckPolicy.ALL: lets the server send the next window
                if stats.cursor != saved and (not msgs or time.monotonic() - saved_at > 0.5):
                    await self._save_cursor(partner, stats.cursor)
                    saved, saved_at = stats.cursor, time.monotonic()
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def _send(self, msgs: Sequence[Msg], partner: str, kinds: Sequence[str], prefix: str,
                    guard: str | None, stats: CourierStats) -> str | None:
        """Publish a batch to the partner, in order; advance the cursor over what is stored."""
        batch: list[tuple[int, str, asyncio.Future[object] | None]] = []
        for msg in msgs:
            seq = msg.metadata.sequence.stream
            kind = msg.subject.rsplit(".", 1)[-1]
            msg_id = (msg.headers or {}).get(MSG_ID, f"{self.nation}:{seq}")
            if partner not in recipients_of(msg):
                batch.append((seq, "", None))
                continue
            if kind not in kinds:
                stats.withheld += 1
                batch.append((seq, "", None))
                continue
            headers = {MSG_ID: msg_id, HEADER_ORIGIN_SEQ: str(seq)}
            if guard is not None:
                headers[EXPECTED_LAST_MSG_ID] = guard
            future = await self.js.publish_async(f"{prefix}.{kind}", msg.data, headers=headers)
            if guard is None:  # the first after a (re)start goes alone: nothing may overtake it
                await self._settle(future, seq, stats)
                future = None
            batch.append((seq, msg_id, future))
            guard = msg_id
        pending = [f for _seq, _id, f in batch if f is not None]
        if pending:  # one wait for the whole window (no task per report)
            await asyncio.wait(pending, timeout=self.ack_timeout_s)
        failure: str | None = None
        for seq, _msg_id, future in batch:
            if failure is not None:
                if future is not None:
                    future.cancel()
                continue
            if future is not None:
                if not future.done():
                    failure = "no acknowledgement in time"
                elif future.cancelled() or future.exception() is not None:
                    failure = "cancelled" if future.cancelled() else repr(future.exception())
                else:
                    self._count(future.result(), seq, stats)
                if failure is not None:
                    future.cancel()
                    continue
            stats.cursor = seq
        if failure is not None:
            raise RetryError(f"at outbox seq {stats.cursor + 1}: {failure}")
        return guard

    async def _settle(self, future: "asyncio.Future[object]", seq: int, stats: CourierStats) -> None:
        """Wait for one acknowledgement and count it."""
        try:
            ack = await asyncio.wait_for(future, self.ack_timeout_s)
        except BaseException:
            future.cancel()
            raise
        self._count(ack, seq, stats)

    @staticmethod
    def _count(ack: object, seq: int, stats: CourierStats) -> None:
        if getattr(ack, "duplicate", False):
            stats.duplicates += 1
        else:
            stats.forwarded += 1
        stats.last_forward_monotonic = time.monotonic()
        stats.cursor = max(stats.cursor, seq)
