"""The node's imperative shell: clock, measurement intake, transport, archive, metrics around ``NodeCore``.

One asyncio task drives the node: every ``tick`` of the node's clock it hands the
measurements delivered so far to the core, publishes what the core releases and
appends what it asks to archive. Partners' messages arrive through the
transport's callback; they are verified at once and fused as soon as the loop
is free (several arrivals are coalesced into one fusion). ``close()`` drains:
the last measurements are processed, the archive is flushed, the transport
closed. SIGTERM handling lives with the command (``trilink node``), which calls
``close()``.
"""

import asyncio
import gc
import heapq
import itertools
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol

from trilink.model import Measurement
from trilink.node.archive import Archive
from trilink.node.core import Entry, NodeCore, StepResult
from trilink.node.logs import fields
from trilink.node.metrics import NodeMetrics
from trilink.wire.messages import ReportStatus, TrackReport

log = logging.getLogger("trilink.node")

Handler = Callable[[bytes], Awaitable[None]]


class Clock(Protocol):
    """What the service needs of a clock (``WallClock`` or ``SimClock``)."""

    def now(self) -> float: ...

    async def sleep_until(self, t: float) -> None: ...


class Transport(Protocol):
    """How a node reaches its partners (``trilink.node.transport.NatsTransport`` in practice)."""

    async def start(self, handler: Handler) -> None:
        """Begin delivering partners' sealed messages to ``handler``."""

    async def publish(self, msg_id: str, data: bytes, recipients: tuple[str, ...]) -> None:
        """Publish one sealed message released to ``recipients`` (acknowledged, de-duplicated by id)."""

    async def close(self) -> None:
        """Stop delivering and disconnect."""


class NodeService:
    """One running node: feeds the core on its clock, publishes, receives, fuses, archives, counts."""

    def __init__(self, core: NodeCore, clock: Clock, *, transport: Transport | None = None,
                 archive: Archive | None = None, metrics: NodeMetrics | None = None,
                 tick: float = 1.0, fuse_on_arrival: bool = True) -> None:
        self.core, self.clock, self.transport, self.archive = core, clock, transport, archive
        self.metrics = metrics or NodeMetrics(core.nation)
        self.tick = tick
        self.fuse_on_arrival = fuse_on_arrival
        """False: fuse only when ``fuse_now`` is called (a driver that fuses once per tick)."""
        self.nation = core.nation
        self._queue: list[tuple[float, int, Measurement]] = []
        self._order = itertools.count()
        self._fuse_task: asyncio.Task[None] | None = None
        self._since_fuse: list[float] = []
        self._latest: dict[tuple[str, str], float] = {}
        """Newest state time counted per partner track (a report repeating it brings no new plot)."""
        self.picture_latencies: deque[float] = deque(maxlen=100_000)
        """Node-clock seconds from a partner's last sensor update to the fused picture holding it."""
        self.received_messages = 0
        self.published = 0
        self.publish_failures = 0
        self.on_picture: list[Callable[[NodeService], None]] = []
        self.on_step: list[Callable[[NodeService, float], None]] = []
        """Called after every step with the node-clock time (e.g. the alert engine)."""
        self._background: set[asyncio.Task[None]] = set()
        self.closed = False

    # ------------------------------------------------------------------ intake
    def submit(self, measurements: Iterable[Measurement]) -> None:
        """Queue measurements; each is handed to the tracker once the clock passes its delivery time."""
        for m in measurements:
            heapq.heappush(self._queue, (m.delivered, next(self._order), m))

    def _due(self, now: float) -> list[Measurement]:
        out = []
        while self._queue and self._queue[0][0] <= now:
            out.append(heapq.heappop(self._queue)[2])
        return out

    @property
    def pending_measurements(self) -> int:
        """Measurements queued but not yet delivered to the tracker."""
        return len(self._queue)

    # ------------------------------------------------------------------ steps
    async def start(self) -> None:
        """Connect the transport's delivery to this node; freeze start-up objects (see below)."""
        # Modules, the network, the tracker, fusion and connections live as long as the node; left to the
        # cyclic collector, each of its full passes walks them all (measured: 100-140 ms pauses at
        # random steps, the p99 of the partner-picture latency). Collect once, then freeze them.
        gc.collect()
        gc.freeze()
        if self.transport is not None:
            await self.transport.start(self.handle_incoming)

    async def step(self, now: float | None = None) -> StepResult:
        """Process the measurements delivered by ``now`` (default: the clock), publish, then fuse, archive."""
        now = self.clock.now() if now is None else now
        measurements = self._due(now)
        began = time.perf_counter()
        result = self.core.step(measurements, now, fuse=False)
        self.metrics.step_seconds.observe(time.perf_counter() - began)
        self.metrics.measurements.inc(len(measurements))
        self._record(result.entries)
        # all of a step's messages in flight at once (the transport bounds how many wait for acks); the
        # own picture is fused after: partners need not wait for it
        await asyncio.gather(*(self._publish(out.recipients, out.msg_id, out.data)
                               for out in result.outgoing if out.recipients))
        if self.fuse_on_arrival and self._fuse_at(now):
            result.picture_changed = True
        for callback in self.on_step:
            callback(self, now)
        return result

    def publish_later(self, msg_id: str, data: bytes, recipients: tuple[str, ...]) -> None:
        """Publish a sealed message from synchronous code (a callback); failures are counted, not raised."""
        task = asyncio.get_running_loop().create_task(self._publish(recipients, msg_id, data))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _publish(self, recipients: tuple[str, ...], msg_id: str, data: bytes) -> None:
        if self.transport is None:
            return
        try:
            await self.transport.publish(msg_id, data, recipients)
            self.published += len(recipients)
            for recipient in recipients:
                self.metrics.reports_sent.labels(self.nation, recipient).inc()
        except Exception as exc:  # a partner's outage must not stop the node: count, log, go on
            self.publish_failures += 1
            log.warning("publish failed", extra=fields(nation=self.nation, recipients=",".join(recipients),
                                                       msg_id=msg_id, error=f"{type(exc).__name__}: {exc}"))

    async def handle_incoming(self, data: bytes) -> None:
        """Verify one partner message now; fuse soon (coalescing arrivals)."""
        self.received_messages += 1
        outcome = self.core.receive(data, self.clock.now())
        self._record([outcome.entry])
        if outcome.report is None:
            if outcome.reason is not None:
                self.metrics.reject(outcome.reason)
            return
        report = outcome.report
        self.metrics.reports_received.labels(self.nation, report.origin).inc(len(outcome.reports))
        self.metrics.report_latency.observe(max(0.0, self.clock.now() - report.issued_utc))
        self._since_fuse.extend(self._new_states(outcome.reports))
        if self.fuse_on_arrival and (self._fuse_task is None or self._fuse_task.done()):
            self._fuse_task = asyncio.get_running_loop().create_task(self._fuse_soon())

    def _new_states(self, reports: Iterable[TrackReport]) -> list[float]:
        """State times of the reports that carry a newer state than their track's last (a track that
        missed a scan is re-reported with its old state: the picture already holds that plot)."""
        out = []
        for r in reports:
            key, t = (r.origin, r.track_id), r.state.t_utc
            if r.status == ReportStatus.DROPPED:
                self._latest.pop(key, None)
            elif t > self._latest.get(key, -math.inf):
                self._latest[key] = t
                out.append(t)
        return out

    async def _fuse_soon(self) -> None:
        await asyncio.sleep(0)          # let arrivals already in the socket buffer join this fusion
        self.fuse_now()

    def fuse_now(self) -> None:
        """Fuse what arrived since the last fusion (also called by the demo driver between ticks)."""
        self._fuse_at(self.clock.now())

    def _fuse_at(self, now: float) -> bool:
        """Fuse at node-clock ``now`` if anything is new; whether the picture changed."""
        result = self.core.fuse(now)
        self._record(result.entries)
        if result.picture_changed:
            done = self.clock.now()
            for t in self._since_fuse:
                self.picture_latencies.append(done - t)
            self._since_fuse.clear()
            self._picture_changed()
        return result.picture_changed

    def _picture_changed(self) -> None:
        self.metrics.picture_changes.inc()
        picture = self.core.picture
        if picture is not None:
            self.metrics.fused_tracks.set(sum(1 for t in picture.tracks if str(t.status) != "dropped"))
        self.metrics.own_tracks.set(len(self.core.tracks))
        for callback in self.on_picture:
            callback(self)

    def _record(self, entries: list[Entry]) -> None:
        if self.archive is None:
            return
        for e in entries:
            self.archive.append(e.kind, e.time, e.body, e.blob)

    def record_alert(self, time_s: float, body: dict[str, object]) -> None:
        """Archive one alert decision (the alert engine's output)."""
        if self.archive is not None:
            self.archive.append("alert", time_s, body)

    # ------------------------------------------------------------------ life-cycle
    async def run(self, stop: asyncio.Event, until: float | None = None) -> None:
        """Step on the clock every ``tick`` until ``stop`` is set (or the clock passes ``until``)."""
        next_t = self.clock.now()
        while not stop.is_set() and (until is None or next_t <= until):
            await self.clock.sleep_until(next_t)
            await self.step()
            if self.archive is not None:
                self.archive.flush()
            next_t += self.tick
            if self.clock.now() > next_t + 10 * self.tick:      # fell behind: don't replay missed ticks
                next_t = self.clock.now()

    async def close(self) -> None:
        """Drain and flush: process what was delivered, fuse, flush the archive, close the transport."""
        if self.closed:
            return
        self.closed = True
        try:
            await self.step()
            self.fuse_now()
        finally:
            if self.transport is not None:
                await self.transport.close()
            if self.archive is not None:
                self.archive.close()
            log.info("node stopped", extra=fields(nation=self.nation, published=self.published,
                                                  received=self.received_messages))
