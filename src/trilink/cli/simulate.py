"""``trilink scenarios`` and ``trilink simulate``: list the built-in scenarios, run one to files."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from trilink.cli.common import UserError
from trilink.model.config import ConfigError
from trilink.model.network import load_network


def register(app: typer.Typer) -> None:
    """Attach the commands of this module."""
    app.command("scenarios", help="List the built-in scenarios.")(scenarios)
    app.command("simulate", help="Simulate a scenario: measurements.jsonl, truth.jsonl, a summary.")(
        simulate)


def scenarios() -> None:
    """Print each built-in scenario's name and one-line description."""
    from trilink.sim.scenario import builtin_scenarios

    try:
        found = builtin_scenarios()
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    table = Table("scenario", "description")
    for name, description in found.items():
        table.add_row(name, description)
    Console().print(table)


def simulate(
    scenario: Annotated[str, typer.Argument(help="Scenario TOML file, or a built-in scenario name")],
    out: Annotated[Path, typer.Option("--out", help="Directory for measurements.jsonl and truth.jsonl")],
    network: Annotated[Path | None, typer.Option("--network", help="Network TOML overriding the "
                                                 "scenario's (default: the scenario's or built-in)")]
    = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Also draw the coverage map to this PNG")]
    = None,
) -> None:
    """Run the scenario, write its outputs and print a per-sensor table."""
    from trilink.sim.output import encode_measurements, encode_truth, sensor_summary
    from trilink.sim.run import run
    from trilink.sim.scenario import load_scenario

    if plot is not None and plot.suffix.lower() != ".png":
        raise UserError(f"--plot: {plot} must end in .png")
    console = Console(stderr=True)
    try:
        net = load_network(network) if network is not None else None
        with console.status("flying the launches…"):
            loaded = load_scenario(scenario, network=net)
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"--out: cannot create {out}: {exc.strerror}") from None
    with Progress(TextColumn("[bold]simulating[/] {task.description}"), BarColumn(),
                  TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(),
                  console=console) as progress:
        task = progress.add_task(loaded.name, total=1.0)
        result = run(loaded, progress=lambda fraction: progress.update(task, completed=fraction))
    try:
        (out / "measurements.jsonl").write_bytes(encode_measurements(result))
        (out / "truth.jsonl").write_bytes(encode_truth(result))
    except OSError as exc:
        raise UserError(f"--out: cannot write into {out}: {exc.strerror}") from None
    table = Table("sensor", "nation", "kind", "first (s)", "measurements", "false",
                  title=f"{loaded.name} ({'EXERCISE' if result.exercise else 'ACTUAL'})",
                  caption="first: first detection, seconds after launch; false: false alarms")
    for row in sensor_summary(result):
        first = "—" if row.first_detection_s is None else f"{row.first_detection_s:.1f}"
        table.add_row(row.sensor, row.nation, row.kind, first, str(row.measurements),
                      str(row.false_alarms))
    Console().print(table)
    print(f"{len(result.measurements)} measurements of {len(result.objects)} objects → "
          f"{out / 'measurements.jsonl'}, {out / 'truth.jsonl'}")
    if plot is not None:
        from trilink.sim.plot import coverage_map

        try:
            coverage_map(result, plot)
        except OSError as exc:
            raise UserError(f"--plot: cannot write {plot}: {exc.strerror}") from None
        print(f"coverage map → {plot}")
