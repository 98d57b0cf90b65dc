"""The transport a node uses: publish its reports, receive its partners' — acknowledged, durable, in order.

``publish`` stores a report in the nation's outbox on its own server (JetStream acknowledgement,
``Nats-Msg-Id`` de-duplication); the courier (``trilink.net.courier``) forwards it to each
recipient the caller names, and only there. ``subscribe`` reads the nation's inboxes through
durable consumers (push, acknowledged in order, bounded): after a cut or a restart the node receives
what it missed, in each originator's order. Delivery is at-least-once from the server; the
subscription drops anything at or below a per-originator high-water mark (``Delivery.seq``),
so a node that records the mark with its data and passes it back as ``resume`` sees every
report exactly once.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import PubAck
from nats.js.errors import NotFoundError

from trilink.model.network import NetworkConfig
from trilink.net.acks import AckInbox, parse_pub_ack
from trilink.net.deploy import NationAccess
from trilink.net.direct import DirectChain, guard_header
from trilink.net.limit import InFlightLimit
from trilink.net.outbox_entry import EXPECTED_LAST_MSG_ID, HEADER_TO, MSG_ID
from trilink.net.plan import released_subjects
from trilink.net.subjects import KINDS, outbox_stream, outbox_subject
from trilink.net.subscription import Delivery, GapError, Subscription

log = logging.getLogger(__name__)

__all__ = ["Delivery", "GapError", "Subscription", "Transport", "TransportError", "connect_nats"]

#: How far back a starting node looks in its outbox for the last report released to each partner.
SEED_SCAN = 64
#: How often overdue publish acknowledgements are looked for (their timeout is this much late at most).
SWEEP_S = 0.1


class TransportError(RuntimeError):
    """The transport could not do what was asked (one line saying what and why)."""


async def connect_nats(url: str, user: str, password: str, *, name: str,
                       connect_timeout_s: float = 10.0,
                       on_error: Callable[[Exception], None] | None = None) -> Client:
    """Connect with endless reconnection (0.25–2 s apart, jittered) after a guarded first connect."""
    errors: list[Exception] = []

    async def error_cb(exc: Exception) -> None:
        errors.append(exc)
        if on_error is not None:
            on_error(exc)
        else:
            log.warning("nats %s: %s", name, exc)

    try:
        return await asyncio.wait_for(nats.connect(
            url, user=user, password=password, name=name, error_cb=error_cb,
            allow_reconnect=True, max_reconnect_attempts=-1, reconnect_time_wait=0.25,
            connect_timeout=2, ping_interval=5, max_outstanding_pings=3,
            pending_size=8 * 1024 * 1024), connect_timeout_s)
    except (TimeoutError, OSError, nats.errors.Error) as exc:
        message = f"cannot connect to {url} as {user}: {type(exc).__name__} {exc}".strip()
        raise TransportError(message) from None


class Transport:
    """One nation's connection for publishing and subscribing (``await Transport.connect(...)``)."""

    def __init__(self, nc: Client, network: NetworkConfig, nation: str, *,
                 max_in_flight: int = 256, publish_timeout_s: float = 10.0, direct: bool = True) -> None:
        self.nc, self.network, self.nation = nc, network, nation
        self.js = nc.jetstream()
        self.partners = [a.recipient for a in network.agreement if a.releaser == nation]
        self.sources = [a.releaser for a in network.agreement if a.recipient == nation]
        self.publish_timeout_s = publish_timeout_s
        self._in_flight = InFlightLimit(max_in_flight)
        self._outbox = outbox_stream(nation)
        self._subjects = {kind: outbox_subject(nation, kind) for kind in KINDS}
        self._to_all = ",".join(self.partners)
        self._acks: AckInbox | None = None
        self._acks_lock = asyncio.Lock()
        self._waiting: dict[str, tuple[asyncio.Future[Msg], float]] = {}  # token → (future, deadline)
        self._sweeper: asyncio.TimerHandle | None = None
        self.direct = DirectChain(self._released) if direct else None
        """Sends each report to its partners as it is stored (``trilink.net.direct``); None: courier only."""
        self.direct_sent = 0
        """Direct forwards sent (the courier confirms them, or sends what did not arrive)."""
        self._direct_subjects = {(partner, subject.rsplit(".", 1)[-1]): subject for partner in self.partners
                                 for subject in released_subjects(network, nation, partner)}
        """(partner, kind) → wire subject, for each kind an agreement releases (what is forwarded)."""

    @classmethod
    async def connect(cls, network: NetworkConfig, access: NationAccess, *, name: str = "",
                      on_error: Callable[[Exception], None] | None = None, **options: float) -> "Transport":
        """Log in to the nation's own server as its node user."""
        nc = await connect_nats(access.client_url, access.node_user, access.node_password,
                                name=name or f"{access.nation} node", on_error=on_error)
        transport = cls(nc, network, access.nation, **options)  # type: ignore[arg-type]
        await transport.seed_direct()
        return transport

    async def close(self) -> None:
        """Flush and close the connection."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.nc.close(), 5.0)

    async def __aenter__(self) -> "Transport":
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    def check_recipients(self, recipients: Sequence[str] | None) -> list[str]:
        """The recipients of a report: all partners when None; ValueError for one without an agreement."""
        if recipients is None:
            return list(self.partners)
        chosen = list(dict.fromkeys(recipients))
        for r in chosen:
            if r not in self.partners:
                raise ValueError(f"{self.nation} has no agreement releasing to {r!r}")
        return chosen

    async def publish(self, report: bytes, *, msg_id: str, recipients: Sequence[str] | None = None,
                      kind: str = "report") -> PubAck:
        """Store ``report`` in the outbox for ``recipients`` (None: every partner; []: national only).

        Returns once the nation's own server has it on disk; retries (same ``msg_id``, so never
        twice) until ``publish_timeout_s``, then raises TransportError. At most ``max_in_flight``
        publishes wait at once: callers beyond that wait here (back-pressure).
        """
        if not msg_id or any(c in msg_id for c in " \r\n"):
            raise ValueError(f"msg_id {msg_id!r} must be non-empty without spaces")
        subject = self._subjects.get(kind) or outbox_subject(self.nation, kind)  # ValueError if unknown
        chosen = self.partners if recipients is None else self.check_recipients(recipients)
        to = self._to_all if recipients is None else ",".join(chosen)
        headers = {MSG_ID: msg_id, HEADER_TO: to}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.publish_timeout_s
        delay = 0.05
        async with self._in_flight:
            if self.direct is not None and chosen:
                await self._forward(report, msg_id, chosen, kind, headers)
            while True:
                try:
                    ack = await self._publish_once(subject, report, headers, 2.0)
                except (nats.errors.Error, TimeoutError) as exc:
                    if loop.time() + delay > deadline:
                        if self.direct is not None:  # partners may hold it, the outbox may not: begin again
                            self.direct.forget()
                        raise TransportError(f"publish {msg_id} to {subject} not acknowledged: "
                                             f"{type(exc).__name__} {exc}".strip()) from None
                    await asyncio.sleep(delay)
                    delay = min(delay * 2.0, 1.0)
                    continue
                if ack.stream != self._outbox:  # checked here, not by a header stored with every report
                    raise TransportError(f"publish {msg_id} to {subject} was stored in {ack.stream}, "
                                         f"not {self._outbox}")
                return ack

    async def seed_direct(self) -> None:
        """Continue the direct chains where the outbox ends: per partner, the last report released to it.

        Without this a restarted node could not forward its first report to each partner (its
        guard unknown), and the forwards after it would be refused until the courier sent it.
        Reads at most ``SEED_SCAN`` messages back; a partner not found there starts unseeded.
        ``connect`` calls it before the first publish (calling it later could break the order).
        """
        if self.direct is not None:
            try:
                last = (await self.js.stream_info(self._outbox)).state.last_seq
                wanted = set(self.partners)
                seq = last
                while wanted and seq >= max(1, last - SEED_SCAN + 1):
                    try:
                        msg = await self.js.get_msg(self._outbox, seq)
                    except NotFoundError:  # deleted or aged out
                        seq -= 1
                        continue
                    headers = msg.headers or {}
                    kind = (msg.subject or "").rsplit(".", 1)[-1]
                    for partner in headers.get(HEADER_TO, "").split(","):
                        if partner in wanted and self._released(partner, kind):
                            self.direct.last_to[partner] = headers.get(MSG_ID, "")
                            wanted.discard(partner)
                    seq -= 1
            except (nats.errors.Error, TimeoutError) as exc:
                log.debug("direct forwards of %s unseeded: %s", self.nation, exc)
                self.direct.forget()

    def _released(self, partner: str, kind: str) -> bool:
        return (partner, kind) in self._direct_subjects

    async def _forward(self, report: bytes, msg_id: str, to: Sequence[str], kind: str,
                       headers: dict[str, str]) -> None:
        """Send ``report`` to its partners now, each behind its guard; record the guards in ``headers``.

        Best effort: the courier confirms what arrived and sends the rest.
        """
        assert self.direct is not None
        for partner, guard in self.direct.link(msg_id, to, kind).items():
            try:
                await self.nc.publish(self._direct_subjects[(partner, kind)], report,
                                      headers={MSG_ID: msg_id, EXPECTED_LAST_MSG_ID: guard})
            except nats.errors.Error:  # not sent (the connection is down): the courier sends this one
                self.direct.forget(partner)
                continue
            headers[guard_header(partner)] = guard
            self.direct_sent += 1

    async def _publish_once(self, subject: str, data: bytes, headers: dict[str, str],
                            timeout_s: float) -> PubAck:
        """One publish with a reply on the transport's acknowledgement inbox; the stream's PubAck."""
        if self._acks is None:
            async with self._acks_lock:
                if self._acks is None:
                    self._acks = await AckInbox(self.nc, self._on_ack).start()
        token, reply = self._acks.reply()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Msg] = loop.create_future()
        self._waiting[token] = (future, loop.time() + timeout_s)
        if self._sweeper is None:
            self._sweeper = loop.call_later(SWEEP_S, self._sweep)
        try:
            await self.nc.publish(subject, data, reply=reply, headers=headers)
            return parse_pub_ack(await future)
        finally:
            del self._waiting[token]

    def _on_ack(self, token: str, msg: Msg) -> None:
        waiting = self._waiting.get(token)
        if waiting is not None and not waiting[0].done():
            waiting[0].set_result(msg)

    def _sweep(self) -> None:
        """Time out the publishes whose acknowledgement is overdue (one timer for all, not one each)."""
        now = asyncio.get_running_loop().time()
        for future, deadline in list(self._waiting.values()):
            if deadline > now:
                break  # tokens are in publish order and share one timeout: the rest are later
            if not future.done():
                future.set_exception(TimeoutError())
        self._sweeper = asyncio.get_running_loop().call_later(SWEEP_S, self._sweep) if self._waiting else None

    def subscribe(self, durable: str = "node", *, origins: Sequence[str] | None = None,
                  resume: Mapping[str, int] | None = None, batch: int = 64) -> "Subscription":
        """Partner reports through durable consumers named ``durable`` (one per originator)."""
        chosen = list(self.sources if origins is None else origins)
        for origin in chosen:
            if origin not in self.sources:
                raise ValueError(f"no agreement releases {origin}'s reports to {self.nation}")
        return Subscription(self, durable, chosen, dict(resume or {}), batch)
