"""``trilink evaluate alerts``: missed and false civil alerts over Monte-Carlo runs of the alert scenarios.

Each run goes through the real chain offline (simulator, every nation's tracker and
reports, verification, fusion at the scored nation, ``decide`` on every picture);
see ``trilink.eval``.
"""

import json
import math
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from trilink.cli.common import UserError
from trilink.model.config import ConfigError


def register(app: typer.Typer) -> None:
    """Attach the ``evaluate`` command group."""
    evaluate_app = typer.Typer(help="Monte-Carlo evaluation of the whole chain against the simulated truth.",
                               no_args_is_help=True)
    evaluate_app.command("alerts", help="Missed and false alerts over N seeded runs of each alert scenario.")(
        alerts)
    app.add_typer(evaluate_app, name="evaluate")


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def alerts(
    runs: Annotated[int, typer.Option("--runs", help="Seeded runs per scenario")] = 100,
    scenario: Annotated[list[str] | None, typer.Option(
        "--scenario", help="Scenario name or file (repeatable; default: the three alert scenarios)")] = None,
    sharing: Annotated[bool, typer.Option("--sharing/--no-sharing",
                                          help="Fuse partners' reports (default) or not")] = True,
    nation: Annotated[str, typer.Option("--nation", help="Nation whose alerts are scored")] = "JPN",
    workers: Annotated[int, typer.Option("--workers", help="Worker processes")] = 2,
    first_seed: Annotated[int, typer.Option("--first-seed", help="Seed offset of the first run")] = 0,
    hop_delay_ms: Annotated[float | None, typer.Option(
        "--hop-delay-ms", help="Sharing delay per network hop (default: measured, see docs/evaluation.md)")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per scenario")] = False,
    log: Annotated[Path | None, typer.Option(
        "--log", help="Append each run's summary to this file as a JSON line, as runs finish")] = None,
) -> None:
    """Run the campaign and print, per scenario: runs, missed alerts, runs with a missed alert, false
    alerts, runs with a false alert, first-shelter time after launch (median / max)."""
    from trilink.eval.campaign import ALERT_SCENARIOS, RunSummary, campaign, run_json
    from trilink.eval.pipeline import HOP_DELAY_S, PipelineOptions
    from trilink.sim.scenario import load_scenario

    if runs < 1:
        raise UserError(f"--runs: must be at least 1 (got {runs})")
    if workers < 1:
        raise UserError(f"--workers: must be at least 1 (got {workers})")
    if first_seed < 0:
        raise UserError(f"--first-seed: must be ≥ 0 (got {first_seed})")
    if hop_delay_ms is not None and not (math.isfinite(hop_delay_ms) and hop_delay_ms >= 0.0):
        raise UserError(f"--hop-delay-ms: must be a number ≥ 0 (got {hop_delay_ms})")
    if log is not None and not log.parent.is_dir():
        raise UserError(f"--log: directory {log.parent} does not exist")
    names = list(scenario) if scenario else list(ALERT_SCENARIOS)
    for name in names:
        try:
            loaded = load_scenario(name)
        except ConfigError as exc:
            raise UserError(f"--scenario: {exc}") from None
        if not loaded.network.sensors_of(nation.upper()):
            raise UserError(f"--nation: {nation} has no sensors in the network of scenario {name}")
    delay = HOP_DELAY_S if hop_delay_ms is None else hop_delay_ms / 1000.0
    options = PipelineOptions(nation=nation.upper(), sharing=sharing, hop_delay_s=delay)
    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, disable=as_json or not console.is_terminal) as progress:
        task = progress.add_task("runs", total=runs * len(names))

        def on_run(run: RunSummary) -> None:
            progress.advance(task)
            if log is not None:
                with log.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(run_json(run), ensure_ascii=False) + "\n")

        try:
            results = campaign(names, runs, options, workers=workers, first_seed=first_seed, on_run=on_run)
        except OSError as exc:
            raise UserError(f"--log: cannot write {log}: {exc.strerror}") from None
    if as_json:
        for result in results:
            print(json.dumps(result.to_json(), ensure_ascii=False))
        return
    table = Table("scenario", "runs", "missed", "runs w/ missed", "false", "runs w/ false",
                  "first shelter s med / max",
                  title=f"{options.nation} alerts, sharing {'on' if sharing else 'off'}")
    for r in results:
        shelter = (f"{_seconds(r.first_shelter_median_s)} / {_seconds(r.first_shelter_max_s)}"
                   if r.runs_with_shelter else "no shelter")
        table.add_row(r.scenario, str(r.runs), str(r.missed), str(r.runs_with_missed), str(r.false),
                      str(r.runs_with_false), shelter)
    Console().print(table)
    for r in results:
        if r.missed_areas or r.false_areas:
            print(f"{r.scenario}: missed {r.missed_areas or '{}'}; false {r.false_areas or '{}'}")
