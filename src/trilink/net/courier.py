"""The courier: forwards a nation's outbox to each partner's inbox, in order, nothing lost, nothing doubled.

Why not JetStream sourcing: across domains it catches up 20–50 s after a link returns (the
server retries a failed source with a growing back-off; nats.md). The courier instead keeps,
per partner, a cursor into the national outbox and publishes each released report to the
partner's intake subject ``tl.<origin>.<partner>.<kind>`` with a JetStream acknowledgement from
the partner's inbox stream. On any failure it retries (every ``retry_max_s`` at most) from the
first unacknowledged report, so catch-up starts as soon as the link is back.

Order and exactly-once (``trilink.net.forward``): reports are pipelined, up to ``window``
awaiting acknowledgement, each carrying ``Nats-Expected-Last-Msg-Id`` = the previous report's
id, so the partner's stream refuses anything that would land out of order; the cursor moves
over the acknowledged prefix only; after a failure the first report is re-sent alone, without
that guard, and ``Nats-Msg-Id`` de-duplication absorbs whatever had already arrived.
Since session 5 the node sends each report on itself as it stores it (``trilink.net.direct``)
and the courier mostly confirms those forwards; it still sends whatever did not arrive.
The cursor is kept in the national key-value bucket ``TL_COURIER`` so a restarted courier
resumes where it was (re-sending at most what de-duplication absorbs).
"""

import asyncio
import contextlib
import logging

from nats.aio.client import Client
from nats.js.errors import KeyNotFoundError

from trilink.model.network import NetworkConfig
from trilink.net.forward import ForwardSession
from trilink.net.loop import stop_tasks
from trilink.net.outbox_entry import (
    EXPECTED_LAST_MSG_ID,
    HEADER_ORIGIN_SEQ,
    HEADER_TO,
    MSG_ID,
    CourierStats,
    RetryError,
    recipients_of,
)
from trilink.net.subjects import COURIER_BUCKET, released_kinds, token

log = logging.getLogger(__name__)

__all__ = ["EXPECTED_LAST_MSG_ID", "HEADER_ORIGIN_SEQ", "HEADER_TO", "MSG_ID", "Courier", "CourierStats",
           "RetryError", "recipients_of"]


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
        await stop_tasks(self._tasks)
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

        async def save(cursor: int) -> None:
            await self._save_cursor(partner, cursor)

        session = ForwardSession(self.nc, self.js, self.nation, partner, kinds, stats, save,
                                 window=self.window, ack_timeout_s=self.ack_timeout_s)
        await session.run()
