"""One forwarding session of the courier: a nation's outbox → one partner's inbox, pipelined.

A session starts at the courier's cursor and runs until something fails (``RetryError``; the
courier starts a new one from the first unacknowledged report) or it is cancelled:

- each outbox message is published to the partner as soon as it arrives (in the outbox
  subscription's callback), up to ``window`` awaiting acknowledgement — no wait for a whole
  window's acknowledgements before reading on;
- acknowledgements come back on one reply subscription (``trilink.net.acks``) and are settled
  in outbox order: the cursor moves over the acknowledged prefix only, and the outbox consumer
  (AckPolicy.ALL) is acknowledged up to it every ``window // 4`` reports or ``TICK_S`` (that
  acknowledgement only releases the server's bookkeeping: an ack per report cost the KOR
  server a consumer update per report and partner);
- each message carries ``Nats-Expected-Last-Msg-Id`` = the previous forwarded report's id, so
  the partner's stream refuses anything that would land out of order; the first after a
  (re)start goes alone, without that guard, and ``Nats-Msg-Id`` de-duplication absorbs what
  had already arrived;
- acknowledgements are coalesced without waiting (linger 0): a report is sent at once, and
  asks for the partner's acknowledgement unless more outbox messages are already queued
  behind it (then the last of the burst asks, and every ``window // 8``-th of a long one), an
  acknowledgement asked for is still on its way, or one was asked for less than
  ``ASK_INTERVAL_S`` ago (a later report asks; an idle tail asks at the next ``TICK_S`` by
  being sent again: same id, answered "duplicate").
  Because of the guard chain, the partner storing report *k* proves it stored every earlier
  one of the session in order, so one acknowledgement settles the whole prefix; a report
  refused silently (no reply subject) makes its successor's guard fail, and that refusal ends
  the session. In a burst (the tail) the partner's server, both links, the hub and this
  process handle one acknowledgement instead of one per report, and at a steady rate about
  one per round trip;
- the node forwards each report itself as it stores it (``trilink.net.direct``), behind the same
  guard: once a report the session sent is answered "duplicate", the session *confirms*
  instead of sending — every ``CONFIRM_EVERY_S`` it sends the newest report at least
  ``CONFIRM_AFTER_S`` old, asking, and that one answer settles the prefix; a refusal for the
  guard (the node's forwards stopped short) hands everything unsettled back to sending. A
  report whose recorded guard (``Tl-Guard-<PARTNER>``) is not the session's predecessor is
  taken on no trust: an answer settles nothing before it;
- a refusal, a missing route, or a head-of-line report unacknowledged for ``ack_timeout_s``
  ends the session.
"""

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import APIError

from trilink.net.acks import AckInbox, parse_pub_ack, stream_seq
from trilink.net.direct import guard_header
from trilink.net.outbox_entry import (
    EXPECTED_LAST_MSG_ID,
    HEADER_ORIGIN_SEQ,
    MSG_ID,
    CourierStats,
    OutboxEntry,
    RetryError,
    recipients_of,
)
from trilink.net.subjects import outbox_stream, token

#: How often the session checks the head's acknowledgement deadline and saves the cursor.
TICK_S = 0.25
#: Least time between two acknowledgements asked for because nothing was queued (a steady stream
#: then brings back about one per interval, not one per round trip; see _take).
ASK_INTERVAL_S = 0.01
#: How long a report the node forwarded itself waits before the courier confirms it (the node's
#: forward normally lands within a millisecond or two; a confirmation sent earlier would race it).
CONFIRM_AFTER_S = 0.02
#: How often a confirming session confirms (each confirmation and its answer cross every server;
#: bench_net at 1,000 reports/s, three alternating pairs: p99 4.5/4.8/4.1 ms at 50 ms, 4.8/5.3/4.4 at 10).
CONFIRM_EVERY_S = 0.05
#: JetStream's error code for a ``Nats-Expected-Last-Msg-Id`` that is not the stream's last id.
WRONG_LAST_MSG_ID = 10070
SAVE_EVERY_S = 0.5
IDLE_CHECK_S = 1.0


class ForwardSession:
    """Forward ``nation``'s outbox to ``partner`` from ``stats.cursor`` until failure (``await run()``)."""

    def __init__(self, nc: Client, js: JetStreamContext, nation: str, partner: str, kinds: Sequence[str],
                 stats: CourierStats, save_cursor: Callable[[int], Awaitable[None]], *,
                 window: int, ack_timeout_s: float) -> None:
        self.nc, self.js, self.nation, self.partner, self.kinds = nc, js, nation, partner, tuple(kinds)
        self.stats, self.save_cursor = stats, save_cursor
        self.window, self.ack_timeout_s = window, ack_timeout_s
        self.prefix = f"tl.{token(nation)}.{token(partner)}"
        self.outbox = outbox_stream(nation)
        self.expected = stats.cursor + 1
        self.guard: str | None = None  # id of the last report sent after a stored one, in order
        self.pending: deque[OutboxEntry] = deque()
        self.by_token: dict[str, OutboxEntry] = {}
        self.sub: JetStreamContext.PushSubscription | None = None
        self.unasked = 0  # reports sent since the last one that asked for an acknowledgement
        self.last_asked: OutboxEntry | None = None
        self.last_ask_at = 0.0
        self.ask_every = max(1, window // 8)
        self.failure: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.space = asyncio.Event()
        self.space.set()
        self.settled_unacked = 0
        self.to_ack: Msg | None = None  # the last settled outbox message, not yet acknowledged
        self.last_read = time.monotonic()
        self.closed = False
        self.acks = AckInbox(nc, self._on_ack)
        self.confirm_timer: asyncio.TimerHandle | None = None
        stats.confirming = False  # each session starts sending (a catch-up), until the node is seen ahead

    async def run(self) -> None:
        """Forward until something fails (raises ``RetryError``) or the task is cancelled."""
        stats = self.stats
        config = ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                                opt_start_seq=stats.cursor + 1, ack_policy=AckPolicy.ALL,
                                max_ack_pending=2 * self.window, ack_wait=120.0, mem_storage=True)
        sub = None
        try:
            await self.acks.start()
            # No flow control or idle heartbeats: max_ack_pending bounds what is outstanding, and
            # nats-py only reports missed heartbeats to error_cb. Instead an idle second checks that
            # the consumer still exists (a restarted server has lost this ephemeral one).
            sub = await self.js.subscribe(f"out.{token(self.nation)}.>", stream=self.outbox, config=config,
                                          cb=self._on_outbox, manual_ack=True, inactive_threshold=30.0,
                                          pending_msgs_limit=8 * self.window)
            self.sub = sub
            saved, saved_at = stats.cursor, time.monotonic()
            while True:
                await asyncio.wait([self.failure], timeout=TICK_S)
                if self.failure.done():
                    raise RetryError(self.failure.result())
                now = time.monotonic()
                head = self.pending[0] if self.pending else None
                if head is not None and head.sent_at and now - head.sent_at > self.ack_timeout_s:
                    raise RetryError(f"at outbox seq {stats.cursor + 1}: no acknowledgement in time")
                asked = self.last_asked
                if asked is not None and not asked.done and now - asked.sent_at > self.ack_timeout_s:
                    raise RetryError(f"at outbox seq {asked.seq}: no acknowledgement in time")
                if now - self.last_read >= IDLE_CHECK_S:
                    self.last_read = now
                    await sub.consumer_info()  # raises if the server lost the consumer (a restart)
                await self._ask_tail()  # the last report sent while an acknowledgement was on its way
                if self.to_ack is not None:
                    await self._ack_outbox()
                if stats.cursor != saved and now - saved_at >= SAVE_EVERY_S:
                    await self.save_cursor(stats.cursor)
                    saved, saved_at = stats.cursor, now
        finally:
            self._close()
            if sub is not None:
                with contextlib.suppress(Exception):
                    await sub.unsubscribe()
            await self.acks.stop()

    def _close(self) -> None:
        self.closed = True
        if self.confirm_timer is not None:
            self.confirm_timer.cancel()
            self.confirm_timer = None
        self.space.set()
        for entry in self.pending:
            if entry.waiter is not None and not entry.waiter.done():
                entry.waiter.set_result(None)

    def _fail(self, reason: str) -> None:
        if not self.failure.done():
            self.failure.set_result(reason)
        self._close()

    async def _on_outbox(self, msg: Msg) -> None:
        """Callback of the outbox consumer: forward (or skip) one message, in stream order."""
        if self.closed:
            return
        try:
            await self._take(msg)
        except Exception as exc:  # the session ends; the courier starts again from the cursor
            self._fail(f"{type(exc).__name__}: {exc}")

    async def _take(self, msg: Msg) -> None:
        seq = stream_seq(msg)
        self.last_read = time.monotonic()
        if seq < self.expected:  # a redelivery of something already read
            return
        if seq > self.expected:  # lost in delivery (or aged out of the outbox: then go on)
            info = await self.js.stream_info(self.outbox)
            if seq > max(self.expected, info.state.first_seq):
                raise RetryError(f"outbox delivery skipped {self.expected}..{seq - 1}")
        self.expected = seq + 1
        kind = msg.subject.rsplit(".", 1)[-1]
        addressed = self.partner in recipients_of(msg)
        if not addressed or kind not in self.kinds:
            self.stats.withheld += addressed
            self.pending.append(OutboxEntry(seq, msg, True))
            await self._advance()
            if self._queued() == 0:
                await self._ask_tail()
            return
        while len(self.pending) >= self.window and not self.closed:  # back-pressure
            self.space.clear()
            await self.space.wait()
        if self.closed:
            return
        msg_id = (msg.headers or {}).get(MSG_ID) or f"{self.nation}:{seq}"
        headers = {MSG_ID: msg_id, HEADER_ORIGIN_SEQ: str(seq)}
        first = self.guard is None
        if not first:
            headers[EXPECTED_LAST_MSG_ID] = self.guard  # type: ignore[assignment]
        entry = OutboxEntry(seq, msg, False)
        node_guard = (msg.headers or {}).get(guard_header(self.partner))
        entry.chained = node_guard is None or node_guard == self.guard
        if first:
            entry.waiter = asyncio.get_running_loop().create_future()
        self.pending.append(entry)
        self.stats.peak_in_flight = max(self.stats.peak_in_flight, len(self.pending))
        entry.subject, entry.headers = f"{self.prefix}.{kind}", headers
        self.guard = msg_id
        confirming = self.stats.confirming and not first
        if confirming and node_guard is not None and entry.chained:
            self._schedule_confirm(CONFIRM_AFTER_S)  # the node sent it: confirm it later, with those after it
            return
        entry.sent_at = time.monotonic()
        # Asks if nothing is queued behind it, no acknowledgement is on its way and none was asked
        # for in the last ASK_INTERVAL_S (and every ask_every-th, so the window keeps moving): the
        # guard chain makes one cover the rest. Each acknowledgement crosses every server back to
        # here, so at a steady rate one per interval instead of one per round trip saves the
        # servers and this process messages; delivery does not wait for acknowledgements.
        self.unasked += 1
        # While confirming, a report the node did not forward (or forwarded behind another guard) is
        # sent at once, asking: a refusal for its guard hands everything unsettled back to sending.
        await self._send(entry, ask=first or confirming or self.unasked >= self.ask_every
                         or (self._queued() == 0 and not self._asking()
                             and entry.sent_at - self.last_ask_at >= ASK_INTERVAL_S))
        if entry.waiter is not None:  # the first after a (re)start goes alone: nothing may overtake it
            await asyncio.wait([entry.waiter], timeout=self.ack_timeout_s)
            if not entry.done and not self.closed:
                raise RetryError(f"at outbox seq {seq}: no acknowledgement in time")

    def _queued(self) -> int:
        """Outbox messages already delivered to this process and waiting behind the current one."""
        return self.sub.pending_msgs if self.sub is not None else 0

    async def _send(self, entry: OutboxEntry, *, ask: bool) -> None:
        """Publish one report to the partner; with ``ask``, on a reply subject for its acknowledgement."""
        reply = ""
        if ask:
            ack_token, reply = self.acks.reply()
            self.by_token[ack_token] = entry
            entry.asked = True
            self.unasked = 0
            self.last_asked = entry
            self.last_ask_at = time.monotonic()
            self.stats.asked += 1
        self.stats.sent += 1
        await self.nc.publish(entry.subject, entry.msg.data, reply=reply, headers=entry.headers)

    def _asking(self) -> bool:
        """Whether an acknowledgement asked for is still on its way (it will settle what precedes it)."""
        return self.last_asked is not None and not self.last_asked.done

    async def _ask_tail(self) -> None:
        """Nothing follows the last report sent without asking: send it again, asking.

        The same ``Nats-Msg-Id`` and guard: the partner answers "duplicate" if it stored the
        report (which settles it and everything before), or refuses it as the original was.
        """
        tail = next((e for e in reversed(self.pending) if e.sent_at), None)
        if tail is not None and not tail.done and not tail.asked and not self.closed and not self._asking():
            tail.asked_again = True
            await self._send(tail, ask=True)

    async def _on_ack(self, ack_token: str, msg: Msg) -> None:
        """Callback of the reply subscription: one partner acknowledgement (settles the prefix up to it)."""
        entry = self.by_token.pop(ack_token, None)
        if entry is None or self.closed:
            return
        try:
            ack = parse_pub_ack(msg)
        except APIError as exc:
            if exc.err_code == WRONG_LAST_MSG_ID and self.stats.confirming and not entry.done:
                await self._stop_confirming(entry)  # the node's forwards stopped short of it: send
                return
            self._fail(f"at outbox seq {entry.seq}: {type(exc).__name__} {exc}".strip())
            return
        except Exception as exc:
            self._fail(f"at outbox seq {entry.seq}: {type(exc).__name__} {exc}".strip())
            return
        if ack.duplicate and not entry.asked_again and not entry.confirms and entry.sent_at:
            self.stats.confirming = True  # the node's direct forward was there first: confirm from now on
        self._settle(entry, stored_after_guard=not ack.duplicate and EXPECTED_LAST_MSG_ID in entry.headers,
                     duplicate=bool(ack.duplicate) and not entry.asked_again)
        if entry.waiter is not None and not entry.waiter.done():
            entry.waiter.set_result(None)
        await self._advance()
        await self._ask_unsettled()

    def _settle(self, entry: OutboxEntry, *, stored_after_guard: bool, duplicate: bool) -> None:
        """``entry`` is stored at the partner; so is each report before it while the chain proves it.

        A report stored behind the courier's own guard proves its predecessor stored, and so does
        one the node forwarded behind the same guard (``chained``). A report the node forwarded
        behind a different guard proves nothing about the courier's predecessor: settling stops
        there, and what precedes it needs an acknowledgement of its own (``_ask_unsettled``).
        """
        if not entry.done:
            entry.done = True
            self._count(entry, duplicate=duplicate)
        extends = stored_after_guard or entry.chained
        reached = False
        for earlier in reversed(self.pending):
            if not reached:
                reached = earlier is entry
                continue
            if not extends:
                return
            if not earlier.done:
                earlier.done = True
                self._count(earlier, duplicate=False)
            extends = earlier.chained

    async def _ask_unsettled(self) -> None:
        """Ask again for the newest report sent but left unsettled before a settled one (a chain break)."""
        if self._asking() or self.closed:
            return
        seen_done = False
        for entry in reversed(self.pending):
            if entry.done:
                seen_done = True
            elif seen_done and entry.sent_at:
                entry.asked_again = True
                await self._send(entry, ask=True)
                return

    def _count(self, entry: OutboxEntry, *, duplicate: bool) -> None:
        stats = self.stats
        stats.forwarded += 1
        if not entry.sent_at or (entry.confirms and duplicate):
            stats.direct += 1
        elif duplicate:
            stats.duplicates += 1
        stats.last_forward_monotonic = time.monotonic()

    def _schedule_confirm(self, delay_s: float) -> None:
        if self.confirm_timer is None and not self.closed:
            self.confirm_timer = asyncio.get_running_loop().call_later(delay_s, self._confirm_due)

    def _confirm_due(self) -> None:
        self.confirm_timer = None
        if not self.closed:
            task = asyncio.get_running_loop().create_task(self._confirm())
            task.add_done_callback(self._confirm_done)

    def _confirm_done(self, task: "asyncio.Task[None]") -> None:
        if not task.cancelled() and task.exception() is not None:
            self._fail(f"confirming: {type(task.exception()).__name__} {task.exception()}")

    async def _confirm(self) -> None:
        """Confirm the node's direct forwards: send the newest report old enough, asking.

        The partner answers "duplicate" when the node's forward stored it, and because every
        forward carries the same guard as the courier's own send, that proves every report
        before it is stored too (one answer settles them all). A report not there yet but whose
        predecessor is gets stored by this send. A refusal for the guard (the node's forwards
        stopped short: a link was cut, the node restarted) ends confirming: the session sends
        everything unsettled itself, in order.
        """
        if not self.stats.confirming or self.closed:
            return
        now = time.monotonic()
        unsettled = [e for e in self.pending if not e.done and not e.sent_at]
        if not unsettled:
            return
        if not self._asking():
            ready = [e for e in unsettled if now - e.arrived >= CONFIRM_AFTER_S]
            if ready:
                newest = ready[-1]
                newest.confirms = True
                newest.sent_at = now
                await self._send(newest, ask=True)
        oldest = next((e for e in self.pending if not e.done and not e.sent_at), None)
        if oldest is not None:
            self._schedule_confirm(max(CONFIRM_EVERY_S, CONFIRM_AFTER_S - (now - oldest.arrived)))

    async def _stop_confirming(self, refused: OutboxEntry) -> None:
        """The partner refused a confirmation for its guard: send every unsettled report, in order."""
        self.stats.confirming = False
        refused.sent_at, refused.asked, refused.confirms = 0.0, False, False
        for entry in list(self.pending):
            if not entry.done and not entry.sent_at and not self.closed:
                entry.sent_at = time.monotonic()
                self.unasked += 1
                await self._send(entry, ask=self.unasked >= self.ask_every)
        await self._ask_tail()

    async def _advance(self) -> None:
        """Move the cursor over the settled prefix; acknowledge the outbox up to it now and then."""
        last: Msg | None = None
        while self.pending and self.pending[0].done:
            entry = self.pending.popleft()
            self.stats.cursor = entry.seq
            last = entry.msg
            self.settled_unacked += 1
        if len(self.pending) < self.window:
            self.space.set()
        if last is not None:
            self.to_ack = last
        if self.settled_unacked >= max(1, self.window // 4):
            await self._ack_outbox()

    async def _ack_outbox(self) -> None:
        """Acknowledge the outbox consumer up to the cursor (AckPolicy.ALL: one ack covers all before)."""
        msg, self.to_ack, self.settled_unacked = self.to_ack, None, 0
        if msg is not None:
            await msg.ack()
