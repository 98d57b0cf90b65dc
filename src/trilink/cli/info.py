"""``trilink version`` and ``trilink network show``: what this install and a network hold."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from trilink import __version__
from trilink.cli.common import UserError
from trilink.model.config import ConfigError
from trilink.model.network import load_network


def register(app: typer.Typer) -> None:
    """Attach the commands of this module."""
    app.command("version", help="Print trilink's version.")(version)
    network_app = typer.Typer(help="Inspect network descriptions.", no_args_is_help=True)
    network_app.command("show", help="Show a network's nations, sensors and agreements.")(
        network_show)
    app.add_typer(network_app, name="network")


def version() -> None:
    """Print the version."""
    print(f"trilink {__version__}")


def network_show(
    network: Annotated[Path | None, typer.Argument(help="Network TOML (default: built-in)")] = None,
) -> None:
    """Print the network as tables."""
    try:
        net = load_network(network)
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    console = Console()
    console.print(f"[bold]{net.name}[/]  topology: {net.topology.kind}"
                  f"{' via ' + str(net.topology.hub) if net.topology.kind == 'hub' else ''}"
                  f"  {'EXERCISE' if net.exercise else 'ACTUAL'}")
    sensors = Table("sensor", "nation", "kind", "model", "lat", "lon", "update s", "latency s")
    for s in net.sensor:
        sensors.add_row(s.id, s.nation, s.kind, s.model, f"{s.site[0]:.2f}", f"{s.site[1]:.2f}",
                        f"{s.update_interval_s:g}", f"{s.latency_s:g}")
    console.print(sensors)
    agreements = Table("releaser", "recipient", "sensor kinds", "region")
    for a in net.agreement:
        agreements.add_row(a.releaser, a.recipient,
                           ", ".join(a.sensor_kinds) if a.sensor_kinds else "all",
                           str(a.region) if a.region else "anywhere")
    console.print(agreements)
