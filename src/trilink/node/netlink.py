"""The node's link to the sharing network: start the nations' NATS servers and connect nodes through net/.

``start_network`` runs ``trilink.net.start_network`` (the code behind ``trilink net up``):
a fresh deployment, one real nats-server per nation, ready with its links up, the
JetStream streams and each nation's courier; ``NodeTransport`` adapts a
nation's ``trilink.net.transport.Transport`` (acknowledged publish, durable
per-originator subscriptions) to what ``NodeService`` needs.
"""

import asyncio
import contextlib
import logging
import tempfile
from collections.abc import Awaitable
from pathlib import Path

from trilink.model.network import NetworkConfig
from trilink.net.running import RunningNetwork as NetRunning
from trilink.net.running import start_network as net_start_network
from trilink.net.transport import Transport
from trilink.node.service import Handler

log = logging.getLogger("trilink.node")


async def bounded(awaitable: Awaitable[object], timeout: float, what: str) -> None:
    """Await a clean-up step for at most ``timeout`` s; one that hangs is abandoned (logged)."""
    task = asyncio.ensure_future(awaitable)
    done, _ = await asyncio.wait({task}, timeout=timeout)
    if not done:
        task.cancel()
        log.warning("clean-up step abandoned", extra={"fields": {"step": what, "timeout_s": timeout}})
    elif not task.cancelled() and task.exception() is not None:
        log.debug("clean-up step failed", extra={"fields": {"step": what, "error": repr(task.exception())}})


class NodeTransport:
    """One nation's publish/subscribe for its node (the ``service.Transport`` protocol)."""

    def __init__(self, transport: Transport, durable: str = "node") -> None:
        self.transport, self.durable = transport, durable
        self._task: asyncio.Task[None] | None = None
        self._subscription = None

    async def start(self, handler: Handler) -> None:
        """Deliver every partner report to ``handler`` (then acknowledge it)."""
        if not self.transport.sources:
            return
        self._subscription = await self.transport.subscribe(self.durable).start()
        self._task = asyncio.create_task(self._pump(handler), name=f"{self.transport.nation} inbox")

    async def _pump(self, handler: Handler) -> None:
        assert self._subscription is not None
        async for delivery in self._subscription:
            try:
                await handler(delivery.data)
            except Exception:       # a bug in handling one message must not stop the inbox
                log.exception("handling a delivery failed")
            await delivery.ack()

    async def publish(self, msg_id: str, data: bytes, recipients: tuple[str, ...]) -> None:
        """Store in the nation's outbox for ``recipients`` (acknowledged, de-duplicated by ``msg_id``)."""
        await self.transport.publish(data, msg_id=msg_id, recipients=list(recipients))

    async def close(self) -> None:
        """Stop the inbox and close the connection (each step bounded: shutdown never hangs)."""
        if self._task is not None:
            self._task.cancel()
            await bounded(self._task, 2.0, "inbox task")
        if self._subscription is not None:
            await bounded(self._subscription.stop(), 3.0, "subscription")
        await bounded(self.transport.close(), 3.0, "connection")


class RunningNetwork:
    """A network started for nodes: ``trilink.net.start_network``'s servers, streams and couriers."""

    def __init__(self, context: contextlib.AbstractAsyncContextManager[NetRunning],
                 running: NetRunning, tmp: tempfile.TemporaryDirectory[str] | None) -> None:
        self._context, self.running, self._tmp = context, running, tmp
        self.network, self.deployment = running.network, running.deployment

    async def transport(self, nation: str) -> NodeTransport:
        """A new node connection for ``nation``."""
        access = self.deployment.access(nation)
        return NodeTransport(await Transport.connect(self.network, access, name=f"{nation} node"))

    async def stop(self) -> None:
        """Stop couriers, then servers (bounded); remove the temporary directory."""
        await bounded(self._context.__aexit__(None, None, None), 60.0, "network")
        if self._tmp is not None:
            self._tmp.cleanup()


async def start_network(network: NetworkConfig, directory: Path | None = None) -> RunningNetwork:
    """Start one nats-server per nation on loopback, streams and couriers; ready when it returns.

    The same code as ``trilink net up`` (``trilink.net.start_network``: servers started hub first,
    links waited for, servers sharing this host splitting its cores), with a fresh deployment in
    ``directory`` (a temporary one when None).
    """
    tmp = None
    if directory is None:
        tmp = tempfile.TemporaryDirectory(prefix="trilink-net-")
        directory = Path(tmp.name)
    context = net_start_network(network, directory, regenerate=True)
    try:
        running = await context.__aenter__()
    except BaseException:
        if tmp is not None:
            tmp.cleanup()
        raise
    return RunningNetwork(context, running, tmp)
