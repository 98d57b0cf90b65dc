"""The node's link to the sharing network: start the nations' NATS servers and connect nodes through net/.

``start_network`` generates a deployment for the network (``trilink.net.deploy``),
starts one real nats-server per nation and waits until each is ready, creates the
JetStream streams and starts each nation's courier; ``NodeTransport`` adapts a
nation's ``trilink.net.transport.Transport`` (acknowledged publish, durable
per-originator subscriptions) to what ``NodeService`` needs.
"""

import asyncio
import contextlib
import logging
import tempfile
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path

from trilink.model.network import NetworkConfig
from trilink.net.courier import Courier
from trilink.net.deploy import Deployment, write_deployment
from trilink.net.server import ServerProcess
from trilink.net.streams import ensure_streams
from trilink.net.transport import Transport, connect_nats
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


@dataclass
class RunningNetwork:
    """The servers, couriers and connections of a started network."""

    network: NetworkConfig
    deployment: Deployment
    servers: list[ServerProcess]
    couriers: list[Courier] = field(default_factory=list)
    courier_connections: list[object] = field(default_factory=list)
    _tmp: tempfile.TemporaryDirectory[str] | None = None

    async def transport(self, nation: str) -> NodeTransport:
        """A new node connection for ``nation``."""
        access = self.deployment.access(nation)
        return NodeTransport(await Transport.connect(self.network, access, name=f"{nation} node"))

    async def stop(self) -> None:
        """Stop couriers, then servers; remove the temporary directory."""
        for courier in self.couriers:
            await bounded(courier.stop(), 3.0, f"courier {courier.nation}")
        for nc in self.courier_connections:
            await bounded(nc.close(), 3.0, "courier connection")  # type: ignore[attr-defined]
        for server in self.servers:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(server.stop, 5.0)
        if self._tmp is not None:
            self._tmp.cleanup()


async def start_network(network: NetworkConfig, directory: Path | None = None) -> RunningNetwork:
    """Start one nats-server per nation on loopback, streams and couriers; ready when it returns."""
    tmp = None
    if directory is None:
        tmp = tempfile.TemporaryDirectory(prefix="trilink-net-")
        directory = Path(tmp.name)
    deployment = write_deployment(network, directory)
    servers = [ServerProcess(a.nation, Path(a.config_file), a.monitor_url,
                             directory / f"{a.nation.lower()}.log") for a in deployment.nations]
    running = RunningNetwork(network, deployment, servers, _tmp=tmp)
    try:
        for server in servers:
            server.start()
        await asyncio.gather(*(s.wait_ready() for s in servers))
        for access in deployment.nations:
            nc = await connect_nats(access.client_url, access.node_user, access.node_password,
                                    name=f"{access.nation} setup")
            await ensure_streams(nc.jetstream(), network, access.nation)
            await nc.close()
        for access in deployment.nations:
            nc = await connect_nats(access.client_url, access.courier_user, access.courier_password,
                                    name=f"{access.nation} courier")
            courier = Courier(nc, network, access.nation)
            courier.start()
            running.couriers.append(courier)
            running.courier_connections.append(nc)
    except BaseException:
        await running.stop()
        raise
    return running
