"""``trilink node``: run one nation's node — tracker, signed reports, partners' reports, fused picture."""

import asyncio
import contextlib
import logging
import signal
from pathlib import Path
from typing import Annotated

import typer

from trilink.cli.common import UserError
from trilink.model.config import ConfigError

NODE_HELP = """Run one nation's node: measurements from the simulator (--scenario) or an external feed
(--feed-udp, --feed-nats), reports to and from partners over the deployment's NATS server
(--deployment), archive, metrics. SIGTERM or Ctrl-C drains and flushes. See docs/node.md."""


def register(app: typer.Typer) -> None:
    """Attach the ``node`` command."""
    app.command("node", help=NODE_HELP)(node)


def _host_port(text: str, name: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    try:
        number = int(port)
    except ValueError:
        raise UserError(f"{name}: {text!r} is not HOST:PORT") from None
    if not 0 <= number <= 65535:
        raise UserError(f"{name}: port {number} is out of range")
    return host or "127.0.0.1", number


def node(
    nation: Annotated[str, typer.Option("--nation", help="ISO 3166-1 alpha-3 code of this node's nation")],
    network: Annotated[Path | None, typer.Option("--network", help="Network TOML (default: built-in)")]
    = None,
    scenario: Annotated[str | None, typer.Option("--scenario", help="Exercise: simulate this scenario")]
    = None,
    speed: Annotated[float, typer.Option("--speed", help="Exercise: scenario speed-up")] = 1.0,
    feed_udp: Annotated[str | None, typer.Option("--feed-udp", help="HOST:PORT for JSON-lines measurements")]
    = None,
    feed_nats: Annotated[bool, typer.Option("--feed-nats", help="Also take measurements on the NATS "
                                                                "subject trilink.feed.<NATION>.measurements")]
    = False,
    deployment: Annotated[Path | None, typer.Option("--deployment", help="Directory written by "
                                                                        "'trilink net up/config'")] = None,
    key: Annotated[Path | None, typer.Option("--key", help="This nation's private key (PEM)")] = None,
    trust: Annotated[Path | None, typer.Option("--trust", help="Directory of trusted public keys")] = None,
    archive: Annotated[Path | None, typer.Option("--archive", help="Archive file (SQLite)")] = None,
    metrics_port: Annotated[int | None, typer.Option("--metrics-port", help="Serve /metrics here")] = None,
    report_interval: Annotated[float, typer.Option("--report-interval", help="Seconds between reports")]
    = 2.0,
    duration: Annotated[float | None, typer.Option("--duration", help="Stop after this many seconds")] = None,
    log_json: Annotated[bool, typer.Option("--log-json", help="Structured log lines as JSON")] = False,
) -> int:
    """Run until SIGTERM/Ctrl-C (or --duration, or the end of the exercise)."""
    from trilink.model.network import load_network
    from trilink.node.logs import setup_logging

    setup_logging(json_lines=log_json)
    try:
        net = load_network(network)
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    if nation not in net.nation_codes():
        raise UserError(f"--nation: {nation!r} is not in the network ({', '.join(net.nation_codes())})")
    if not net.sensors_of(nation) and scenario is not None:
        raise UserError(f"--nation: {nation} has no sensors in the network")
    if not speed > 0.0:
        raise UserError("--speed must be > 0")
    if not report_interval > 0.0:
        raise UserError("--report-interval must be > 0")
    udp = _host_port(feed_udp, "--feed-udp") if feed_udp else None
    if deployment is not None and not (deployment / "deployment.json").is_file():
        raise UserError(f"--deployment: {deployment} has no deployment.json (run 'trilink net up --dir DIR')")
    signer, trust_store = _keys(nation, key, trust)
    from trilink.net.loop import run  # uvloop where installed
    run(_serve(net, nation, scenario, speed, udp, feed_nats, deployment, signer, trust_store, archive,
               metrics_port, report_interval, duration))
    return 0


def _keys(nation: str, key: Path | None, trust: Path | None) -> tuple[object, object]:
    from trilink.wire.keys import KeyFileError, Signer, TrustStore, read_private

    try:
        signer = read_private(key, nation) if key is not None else Signer.generate(nation)
        store = TrustStore.load(trust) if trust is not None else TrustStore.of(signer)
    except (KeyFileError, OSError, ValueError) as exc:
        raise UserError(f"keys: {exc}") from None
    if key is None:
        logging.getLogger("trilink.node").warning(
            "no --key: signing with a fresh key partners do not trust", extra={"fields": {"nation": nation}})
    return signer, store


async def _serve(net, nation, scenario, speed, udp, feed_nats, deployment, signer, trust, archive_path,
                 metrics_port, report_interval, duration) -> None:
    from trilink.node.archive import Archive
    from trilink.node.clock import SimClock, WallClock
    from trilink.node.core import NodeCore, NodeSettings
    from trilink.node.feeds import start_nats_feed, start_udp_feed
    from trilink.node.metrics import NodeMetrics
    from trilink.node.service import NodeService
    from trilink.wire.convert import initial_sequence

    log = logging.getLogger("trilink.node")
    clock: SimClock | WallClock = WallClock()
    measurements = []
    end = None
    if scenario is not None:
        from trilink.sim.run import run as simulate
        from trilink.sim.scenario import load_scenario

        try:
            sc = load_scenario(scenario, net)
        except ConfigError as exc:
            raise UserError(str(exc)) from None
        simulation = await asyncio.to_thread(simulate, sc, net)
        measurements = [m for m in simulation.measurements if m.nation == nation]
        clock = SimClock(sc.start, speed=speed)
        end = sc.end
    transport = None
    if deployment is not None:
        from trilink.net.deploy import read_deployment
        from trilink.net.transport import Transport
        from trilink.node.netlink import NodeTransport

        access = read_deployment(deployment).access(nation)
        transport = NodeTransport(await Transport.connect(net, access, name=f"{nation} node"))
    metrics = NodeMetrics(nation)
    if metrics_port is not None:
        metrics.serve(metrics_port)
    core = NodeCore(net, NodeSettings(nation=nation, report_interval=report_interval, batch_reports=True),
                    signer, trust, first_sequence=initial_sequence(clock.now()))
    service = NodeService(core, clock, transport=transport,
                          archive=Archive(archive_path) if archive_path else None, metrics=metrics)
    service.submit(measurements)
    await service.start()
    feeds = []

    def reject(reason: str) -> None:
        metrics.reject("bad_measurement")

    if udp is not None:
        feeds.append(await start_udp_feed(udp[0], udp[1], nation, service.submit, reject))
    if feed_nats and transport is not None:
        await start_nats_feed(transport.transport.nc, nation, service.submit, reject)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    if duration is not None:
        loop.call_later(duration, stop.set)
    log.info("node running", extra={"fields": {"nation": nation, "measurements": len(measurements),
                                               "sharing": transport is not None}})
    try:
        await service.run(stop, until=end)
    finally:
        for feed in feeds:
            feed.close()
        await service.close()
