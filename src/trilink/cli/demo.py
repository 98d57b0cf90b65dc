"""``trilink demo``: three nations share a simulated raid through real NATS servers; live view and summary."""

import asyncio
import contextlib
import json
import logging
import signal
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.live import Live

from trilink.cli.common import UserError
from trilink.model.config import ConfigError
from trilink.node.logs import setup_logging

DEMO_HELP = """Run three nations' nodes on real NATS servers against a simulated raid, with a live
dashboard and a final summary (docs/demo.md)."""


def register(app: typer.Typer) -> None:
    """Attach the ``demo`` command."""
    app.command("demo", help=DEMO_HELP)(demo)


def parse_speed(text: str | None) -> float | None:
    """``None`` → 0 (automatic), ``max`` → None (as fast as possible), a number > 0 → that number."""
    if text is None:
        return 0.0
    if text.strip().lower() == "max":
        return None
    try:
        value = float(text)
    except ValueError:
        raise UserError(f"--speed: {text!r} is not a number or 'max'") from None
    if not value > 0.0 or value != value or value == float("inf"):
        raise UserError(f"--speed: {text!r} must be a number > 0 or 'max'")
    return value


def demo(
    scenario: Annotated[str, typer.Option("--scenario", help="Built-in scenario name or scenario file")] =
    "demo-mixed",
    speed: Annotated[str | None, typer.Option("--speed", help="Speed-up N, or 'max' (default: ~4 minutes)")] =
    None,
    no_sharing: Annotated[bool, typer.Option("--no-sharing", help="Each nation alone")] = False,
    archive: Annotated[Path | None, typer.Option("--archive", help="Write node archives in DIR")] = None,
    headless: Annotated[bool, typer.Option("--headless", help="No live dashboard, no web server")] = False,
    summary: Annotated[Path | None, typer.Option("--summary", help="Write the summary JSON to FILE")] = None,
    log_json: Annotated[bool, typer.Option("--log-json", help="Structured log lines as JSON")] = False,
) -> int:
    """Run the demo to its end (or Ctrl-C) and print the summary."""
    from trilink.node.demo import DemoOptions

    chosen_speed = parse_speed(speed)
    if archive is not None:
        if archive.exists() and not archive.is_dir():
            raise UserError(f"--archive: {archive} exists and is not a directory")
        archive.mkdir(parents=True, exist_ok=True)
    if summary is not None and summary.parent and not summary.parent.exists():
        raise UserError(f"--summary: directory {summary.parent} does not exist")
    setup_logging(json_lines=log_json, level="WARNING" if not headless else "INFO")
    options = DemoOptions(scenario=scenario, speed=chosen_speed, sharing=not no_sharing, archive_dir=archive)
    result = asyncio.run(_run(options, headless=headless))
    console = Console()
    from trilink.node.dashboard import summary_table

    console.print(summary_table(result))
    if summary is not None:
        summary.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        console.print(f"summary written to {summary}")
    if archive is not None:
        console.print(f"archives in {archive}: check with `trilink archive verify {archive}/JPN.sqlite`")
    return 0


async def _run(options: "object", *, headless: bool) -> dict:
    from trilink.node.clock import SimClock
    from trilink.node.dashboard import live_view
    from trilink.node.demo import (
        DemoRun,
        SummaryRecorder,
        automatic_speed,
        drive,
        log_progress,
        make_nodes,
        scenario_end,
        warheads,
    )
    from trilink.sim.run import run as simulate
    from trilink.sim.scenario import load_scenario

    log = logging.getLogger("trilink.demo")
    console = Console(stderr=True)
    try:
        scenario = load_scenario(options.scenario)
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    began = time.monotonic()
    with console.status(f"simulating {scenario.name} …"):
        simulation = await asyncio.to_thread(simulate, scenario)
    log.info("simulated", extra={"fields": {"measurements": len(simulation.measurements),
                                            "wall_s": round(time.monotonic() - began, 1)}})
    network = simulation.network
    missiles = warheads(scenario)
    end = scenario_end(scenario, missiles)
    if options.speed == 0.0:
        options.speed = automatic_speed(scenario.start, end)
    clock = SimClock(scenario.start, speed=None)
    running = None
    transports = {}
    if options.sharing:
        from trilink.node.netlink import start_network

        with console.status("starting the NATS servers …"):
            running = await start_network(network)
            for nation in network.nation_codes():
                if network.sensors_of(nation):
                    transports[nation] = await running.transport(nation)
    nodes = make_nodes(network, options, clock, transports)
    for nation, node in nodes.items():
        node.submit(m for m in simulation.measurements if m.nation == nation)
        await node.start()
    recorder = SummaryRecorder(scenario.name, options.sharing, missiles, list(nodes))
    run = DemoRun(options, scenario, nodes, recorder, scenario.start, end, scenario.start)
    loop = asyncio.get_running_loop()

    def interrupt() -> None:
        run.interrupted = True
        if drive_task is not None:
            drive_task.cancel()

    drive_task = None
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, interrupt)
    try:
        if headless or not sys.stdout.isatty():
            drive_task = asyncio.create_task(drive(run, clock, log_progress))
            with contextlib.suppress(asyncio.CancelledError):
                await drive_task
        else:
            with Live(live_view(run), console=Console(), refresh_per_second=4, transient=False) as live:
                drive_task = asyncio.create_task(drive(run, clock, lambda r: live.update(live_view(r))))
                with contextlib.suppress(asyncio.CancelledError):
                    await drive_task
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
        for node in nodes.values():
            with contextlib.suppress(Exception):
                await node.close()
        if running is not None:
            await running.stop()
    if run.interrupted:
        console.print("interrupted: summary of what happened so far")
    return recorder.result()
