"""Start a whole network (servers, streams, couriers) and stop it: the code behind ``trilink net up``.

``async with start_network(network, directory) as running:`` generates the deployment if the
directory has none, starts one nats-server per nation, waits until each answers ``/healthz``
and every leaf link is up (polling, never sleeping blindly), creates the JetStream streams,
starts each nation's courier (all of them on one thread of lower priority,
``trilink.net.courier_thread``), and on exit stops what it started (SIGTERM, then SIGKILL).
"""

import asyncio
import contextlib
import gc
import json
import time
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from nats.aio.client import Client

from trilink.model.network import NetworkConfig
from trilink.net.courier import Courier
from trilink.net.courier_thread import CourierThread
from trilink.net.deploy import ACCESS_FILE, Deployment, NationAccess, read_deployment, write_deployment
from trilink.net.server import ServerError, ServerProcess, shared_host_gomaxprocs
from trilink.net.streams import ensure_streams
from trilink.net.transport import Transport, connect_nats


def leaf_count(monitor_url: str) -> int:
    """Number of leaf links a server has up now (its ``/leafz``); -1 if it does not answer."""
    try:
        with urllib.request.urlopen(f"{monitor_url}/leafz", timeout=0.5) as response:
            return int(json.load(response).get("leafnodes", 0))
    except (OSError, ValueError):
        return -1


def start_order(deployment: Deployment) -> list[list[str]]:
    """Nations in groups: each group links only to servers of earlier groups (hub first)."""
    level: dict[str, int] = {}

    def depth(nation: str, seen: frozenset[str] = frozenset()) -> int:
        if nation not in level:
            targets = [t for t in deployment.access(nation).links_to if t not in seen]
            level[nation] = 1 + max((depth(t, seen | {nation}) for t in targets), default=-1)
        return level[nation]

    for access in deployment.nations:
        depth(access.nation)
    return [[n for n in level if level[n] == k] for k in range(max(level.values(), default=-1) + 1)]


@dataclass
class RunningNetwork:
    """Servers (and couriers) of a deployment started by this process."""

    network: NetworkConfig
    deployment: Deployment
    servers: dict[str, ServerProcess]
    couriers: dict[str, Courier] = field(default_factory=dict)
    """Each nation's courier; they run on ``courier_thread``'s loop (read their stats, don't await them)."""
    courier_thread: CourierThread | None = None
    startup_s: float = 0.0
    """Seconds from spawning the servers to all of them ready with their links up."""
    _courier_conns: dict[str, Client] = field(default_factory=dict)

    def access(self, nation: str) -> NationAccess:
        """Where a nation's server listens and how its roles log in."""
        return self.deployment.access(nation)

    async def connect(self, nation: str, **options: float) -> Transport:
        """A node transport for ``nation`` (close it when done)."""
        return await Transport.connect(self.network, self.access(nation), **options)

    def expected_links(self, nation: str) -> int:
        """How many leaf links the nation's server has when every link is up."""
        own = self.access(nation).links_to
        return len(own) + sum(nation in a.links_to for a in self.deployment.nations)

    async def wait_links(self, timeout_s: float = 30.0, nations: list[str] | None = None) -> None:
        """Poll ``/leafz`` until every (or each named) server has all its links; ServerError if not."""
        chosen = nations or list(self.servers)
        deadline = time.monotonic() + timeout_s
        while True:
            counts = {n: await asyncio.to_thread(leaf_count, self.servers[n].monitor_url) for n in chosen}
            if all(counts[n] >= self.expected_links(n) for n in chosen):
                return
            if time.monotonic() > deadline:
                raise ServerError(f"leaf links not up after {timeout_s:g} s: {counts}")
            await asyncio.sleep(0.05)

    def stop_server(self, nation: str, kill: bool = False) -> None:
        """Stop one nation's server (SIGTERM, or SIGKILL when ``kill``)."""
        self.servers[nation].stop(kill=kill)

    async def start_server(self, nation: str, timeout_s: float = 30.0) -> None:
        """(Re)start one nation's server and wait until it is ready with its links up."""
        server = self.servers[nation]
        server.start()
        await server.wait_ready(timeout_s)
        await self.wait_links(timeout_s)

    async def stop_courier(self, nation: str) -> None:
        """Stop one nation's courier and close its connection (its cursor stays where it was saved)."""
        if self.courier_thread is not None and (nation in self.couriers or nation in self._courier_conns):
            await self.courier_thread.call(self._stop_courier(nation))

    async def _stop_courier(self, nation: str) -> None:  # on the couriers' loop
        courier, nc = self.couriers.pop(nation, None), self._courier_conns.pop(nation, None)
        if courier is not None:
            await courier.stop()
        if nc is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(nc.close(), 5.0)

    async def close(self) -> None:
        """Stop couriers, then every server this process started."""
        if self.courier_thread is not None:
            for nation in list(dict.fromkeys([*self.couriers, *self._courier_conns])):  # half-started too
                with contextlib.suppress(Exception):
                    await self.stop_courier(nation)
            await self.courier_thread.stop()
            self.courier_thread = None
        for server in self.servers.values():
            await asyncio.to_thread(server.stop)


async def _start_courier(running: RunningNetwork, nation: str) -> None:
    """Connect ``nation``'s courier, make its streams and start it (on the couriers' loop)."""
    access = running.access(nation)
    nc = await connect_nats(access.client_url, access.courier_user, access.courier_password,
                            name=f"{nation} courier")
    running._courier_conns[nation] = nc
    await ensure_streams(nc.jetstream(), running.network, nation)
    courier = Courier(nc, running.network, nation)
    courier.start()
    running.couriers[nation] = courier


@contextlib.asynccontextmanager
async def start_network(network: NetworkConfig, directory: Path, *, regenerate: bool = False,
                        remote_addresses: dict[str, dict[str, tuple[str, int]]] | None = None,
                        leaf_ports: dict[str, int] | None = None, couriers: bool = True,
                        ready_timeout_s: float = 30.0) -> AsyncIterator[RunningNetwork]:
    """Run every nation's server of ``network`` from ``directory`` until the block exits.

    ``couriers=False`` starts the bare servers and links: no streams, no couriers (a floor
    for benchmarks: core NATS over the same accounts and links).
    """
    directory = directory.resolve()
    if regenerate or remote_addresses or leaf_ports or not (directory / ACCESS_FILE).exists():
        deployment = write_deployment(network, directory, remote_addresses, leaf_ports)
    else:
        deployment = read_deployment(directory)
    threads = shared_host_gomaxprocs(len(deployment.nations))  # all of them run on this host
    servers = {a.nation: ServerProcess(a.nation, Path(a.config_file), a.monitor_url,
                                       directory / f"{a.nation.lower()}.log", gomaxprocs=threads)
               for a in deployment.nations}
    running = RunningNetwork(network, deployment, servers)
    try:
        started = time.monotonic()
        for level in start_order(deployment):  # a server starts once those it links to are ready
            for nation in level:
                servers[nation].start()
            for nation in level:
                await servers[nation].wait_ready(ready_timeout_s)
        await running.wait_links(ready_timeout_s)
        running.startup_s = time.monotonic() - started
        if couriers:
            running.courier_thread = CourierThread().start()
            for nation in servers:
                await running.courier_thread.call(_start_courier(running, nation))
            # The couriers forward every report for as long as the network runs, and the connections,
            # streams and modules made above live as long: collect once and freeze them, as the node does
            # at start (node/service.py), so the collector's full passes stop walking them. bench_net at
            # 1,000 reports/s, three alternating pairs: share p99 4.7 / 6.4 / 7.5 ms against 8.4 / 6.6 / 7.9.
            gc.collect()
            gc.freeze()
        yield running
    finally:
        await running.close()
