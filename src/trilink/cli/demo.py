"""``trilink demo``: three nations share a simulated raid through real NATS servers; live view and summary."""

import asyncio
import contextlib
import json
import signal
import sys
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
    from trilink.net.loop import run  # uvloop where installed
    result = run(_run(options, headless=headless))
    console = Console(width=None if sys.stdout.isatty() else 150)
    from trilink.node.dashboard import summary_table

    console.print(summary_table(result))
    if summary is not None:
        summary.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        console.print(f"summary written to {summary}")
    if archive is not None:
        console.print(f"archives in {archive}: check with `trilink archive verify {archive}/JPN.sqlite`")
    return 0


async def _run(options: "object", *, headless: bool) -> dict:
    from trilink.node.dashboard import live_view
    from trilink.node.demo import SummaryRecorder, log_progress, run_demo, warheads
    from trilink.sim.scenario import load_scenario

    console = Console(stderr=True)
    try:
        scenario = load_scenario(options.scenario)
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    loop = asyncio.get_running_loop()
    live = None if headless or not sys.stdout.isatty() else Live(console=Console(), refresh_per_second=4)

    def on_tick(run: object) -> None:
        if live is not None:
            live.update(live_view(run))
        else:
            log_progress(run)

    servers: dict[str, object] = {}
    background: list[asyncio.Task[None]] = []

    async def start_pages(run: object) -> None:
        try:
            from trilink.web.live import serve_nodes

            servers.update(await serve_nodes(run.nodes, alerts=run.alerts))
            run.pages.update({nation: server.url for nation, server in servers.items()})
        except Exception as exc:        # the demo runs on without its pages
            console.print(f"web pages not served: {type(exc).__name__}: {exc}")

    started: dict[str, object] = {}

    def ready(run: object) -> None:
        started["run"] = run
        if live is not None:
            background.append(loop.create_task(start_pages(run)))
            live.start()

    inner = asyncio.create_task(run_demo(options, scenario=scenario, on_tick=on_tick, on_ready=ready))

    def interrupt() -> None:
        """Stop after the current tick (nodes drain, summary follows); before the run starts: cancel."""
        run_now = started.get("run")
        if run_now is not None:
            run_now.stop_requested = True
        elif not started.get("cancelled"):
            started["cancelled"] = True
            inner.cancel()

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, interrupt)
    run = None
    try:
        if live is None:
            console.print(f"simulating {scenario.name} and starting the servers …")
        run = await inner
    except asyncio.CancelledError:
        pass
    finally:
        if live is not None:
            live.stop()
        for server in servers.values():
            with contextlib.suppress(Exception):
                await server.stop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
    if run is None:
        console.print("interrupted before the nodes started")
        return SummaryRecorder(scenario.name, options.sharing, warheads(scenario), []).result()
    if run.interrupted:
        console.print("interrupted: summary of what happened so far")
    return run.recorder.result()
