"""Publish track reports as they become ready; those that wait go together as one signed batch.

A node that issues reports one at a time (a report per track update, not per tracker step)
pays, per report, for a signature, an acknowledged store in its outbox, the courier's
forwarding to each partner, a store in each partner's inbox, a delivery and a signature check
at each partner — about 1.5 ms of CPU in all on the benchmark's machine. At a thousand reports
a second that is most of two cores, so queues form wherever a process waits for a core.

``ReportPublisher`` keeps at most ``max_in_flight`` messages per recipient set waiting for the
outbox's acknowledgement. A report that becomes ready while they are outstanding waits, and
everything that waited is sealed as one ``ReportBatch`` (one signature, one message on every
hop) when an acknowledgement frees a place. Nothing waits for company: a report that finds a
free place is sealed and published at once, alone, exactly as without this class. So batches
form only when reports arrive faster than the outbox acknowledges them — when a process fell
behind for a moment, which is when the queues that make the tail would otherwise form — and
their size follows the backlog (self-clocking, as Nagle's algorithm or "smart batching").

Guarantees are those of the messages themselves: a batch is released only to the recipient
set every one of its reports is marked releasable to (reports are kept apart by their
``releasable_to``; an empty one is stored nationally only), each report keeps its own header
and sequence, the batch takes the next sequence of the node's counter, and receivers verify
the batch's one signature and every report's fields, freshness and replay (``trilink.wire``).
The outbox, the courier and the inboxes store and forward the batch like any message:
durability, de-duplication and per-originator order are unchanged.
"""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from nats.js.api import PubAck

from trilink.net.transport import Transport
from trilink.wire.codec import seal
from trilink.wire.keys import Signer
from trilink.wire.messages import MAX_BATCH_REPORTS, ReportBatch, TrackReport, message_id
from trilink.wire.verify import MAX_BATCH_BYTES


@dataclass
class CoalesceStats:
    """What a publisher sent: reports, messages (a batch counts once) and the largest batch."""

    reports: int = 0
    messages: int = 0
    batches: int = 0
    largest: int = 0


@dataclass
class _Lane:
    """Reports for one recipient set: those waiting to be sealed, and how many messages are unacknowledged."""

    recipients: tuple[str, ...]
    waiting: list[tuple[TrackReport, "asyncio.Future[PubAck]"]] = field(default_factory=list)
    in_flight: int = 0


class ReportPublisher:
    """Seals and publishes a node's track reports through ``transport``, coalescing those that wait.

    ``take_sequence`` is the node's message sequence counter (a batch takes the next number,
    as ``NodeCore.take_sequence``); ``max_in_flight`` (per recipient set) is how many
    messages may await the outbox's acknowledgement before later reports wait and coalesce.
    """

    def __init__(self, transport: Transport, signer: Signer, take_sequence: Callable[[], int], *,
                 max_in_flight: int = 1, max_reports: int = MAX_BATCH_REPORTS,
                 max_bytes: int = MAX_BATCH_BYTES) -> None:
        if max_in_flight < 1 or not 1 <= max_reports <= MAX_BATCH_REPORTS:
            raise ValueError(f"max_in_flight must be ≥ 1 and max_reports in 1..{MAX_BATCH_REPORTS}")
        self.transport, self.signer, self.take_sequence = transport, signer, take_sequence
        self.max_in_flight = max_in_flight
        self.max_reports, self.max_bytes = max_reports, max_bytes
        self.stats = CoalesceStats()
        self._lanes: dict[tuple[tuple[str, ...], bool], _Lane] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def publish(self, report: TrackReport) -> PubAck:
        """Store ``report`` in the outbox for the partners it is releasable to; the outbox's PubAck.

        Returns once the nation's own server has it (alone or in a batch); raises what
        ``Transport.publish`` raises (the report's batch was not stored).
        """
        if report.origin != self.transport.nation:
            raise ValueError(f"a {report.origin} report cannot be published by {self.transport.nation}")
        key = (tuple(report.releasable_to), report.exercise)  # a batch has one recipient set and flag
        lane = self._lanes.get(key)
        if lane is None:
            self.transport.check_recipients(key[0])  # ValueError for a partner without an agreement
            lane = self._lanes[key] = _Lane(key[0])
        if lane.in_flight < self.max_in_flight and not lane.waiting:  # a free place: alone, at once
            data, msg_id, _ = self._seal([report])[0]
            lane.in_flight += 1
            try:
                return await self.transport.publish(data, msg_id=msg_id, recipients=lane.recipients)
            finally:
                self._done(lane)
        future: asyncio.Future[PubAck] = asyncio.get_running_loop().create_future()
        lane.waiting.append((report, future))
        return await future

    def _done(self, lane: _Lane) -> None:
        """A message of ``lane`` was acknowledged (or failed): what waited goes now."""
        lane.in_flight -= 1
        while lane.waiting and lane.in_flight < self.max_in_flight:
            taken, lane.waiting = lane.waiting[:self.max_reports], lane.waiting[self.max_reports:]
            start = 0
            for data, msg_id, count in self._seal([r for r, _ in taken]):
                futures = [f for _, f in taken[start:start + count]]
                start += count
                lane.in_flight += 1
                task = asyncio.get_running_loop().create_task(self._publish(lane, data, msg_id, futures))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    def _seal(self, reports: list[TrackReport]) -> list[tuple[bytes, str, int]]:
        """(sealed bytes, message id, reports in it) per message, in order: one report alone, else
        batches within the size limit."""
        stats = self.stats
        stats.reports += len(reports)
        if len(reports) == 1:
            stats.messages += 1
            return [(seal(reports[0], self.signer), message_id(reports[0]), 1)]
        first = reports[0]
        batch = ReportBatch(origin=first.origin, seq=self.take_sequence(),
                            issued_utc=max(time.time(), *(r.issued_utc for r in reports)),
                            releasable_to=first.releasable_to, exercise=first.exercise,
                            reports=tuple(reports))
        data = seal(batch, self.signer)
        if len(data) > self.max_bytes:  # too big for the receivers: two halves (each a new sequence)
            stats.reports -= len(reports)
            half = len(reports) // 2
            return self._seal(reports[:half]) + self._seal(reports[half:])
        stats.messages += 1
        stats.batches += 1
        stats.largest = max(stats.largest, len(reports))
        return [(data, message_id(batch), len(reports))]

    async def _publish(self, lane: _Lane, data: bytes, msg_id: str,
                       futures: list["asyncio.Future[PubAck]"]) -> None:
        try:
            ack = await self.transport.publish(data, msg_id=msg_id, recipients=lane.recipients)
        except Exception as exc:
            for future in futures:
                if not future.done():
                    future.set_exception(exc)
        else:
            for future in futures:
                if not future.done():
                    future.set_result(ack)
        finally:
            self._done(lane)


__all__ = ["CoalesceStats", "ReportPublisher"]
