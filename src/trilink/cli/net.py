"""``trilink net config`` and ``trilink net up``: generate a deployment's server files; run its servers."""

import asyncio
import contextlib
import signal
from pathlib import Path
from typing import Annotated

import typer

from trilink.cli.common import UserError
from trilink.model.config import ConfigError
from trilink.model.network import NetworkConfig, load_network


def register(app: typer.Typer) -> None:
    """Attach the ``net`` command group."""
    net_app = typer.Typer(help="The sharing network: NATS servers, accounts, links.", no_args_is_help=True)
    net_app.command("config", help="Write every server's configuration, TLS material and access file.")(
        net_config)
    net_app.command("up", help="Start the network's servers on this machine until Ctrl-C.")(net_up)
    app.add_typer(net_app, name="net")


def _network(path: Path | None) -> NetworkConfig:
    try:
        return load_network(path)
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot read network file {path}: {exc.strerror}") from None


def net_config(
    network: Annotated[Path | None, typer.Argument(help="Network TOML (default: built-in)")] = None,
    out: Annotated[Path, typer.Option("--out", help="Directory to write into")] = Path("trilink-net"),
) -> None:
    """Generate the deployment files."""
    from trilink.net.deploy import write_deployment

    net = _network(network)
    try:
        deployment = write_deployment(net, out)
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror or exc}") from None
    for access in deployment.nations:
        print(f"{access.nation}: {access.config_file}  clients {access.client_url}"
              f"{f'  leaf links :{access.leaf_port}' if access.leaf_port else ''}")
    print(f"access file (users, passwords): {Path(deployment.directory) / 'deployment.json'}")


def net_up(
    network: Annotated[Path | None, typer.Argument(help="Network TOML (default: built-in)")] = None,
    directory: Annotated[Path | None, typer.Option(
        "--dir", help="Deployment directory (generated there if absent; default: ./trilink-net)")] = None,
) -> None:
    """Run the servers and couriers until interrupted."""
    net = _network(network)
    target = directory if directory is not None else Path("trilink-net")
    try:
        from trilink.net.loop import run  # uvloop where installed
        run(_up(net, target))
    except OSError as exc:
        raise UserError(f"cannot start the network in {target}: {exc.strerror or exc}") from None


async def _up(network: NetworkConfig, directory: Path) -> None:
    from trilink.net.deploy import ACCESS_FILE, read_deployment
    from trilink.net.running import start_network
    from trilink.net.server import ServerError

    if (directory / ACCESS_FILE).exists():
        existing = read_deployment(directory).name
        if existing != network.name:
            raise UserError(f"{directory} holds a deployment of the network {existing!r}, not "
                            f"{network.name!r}: use another --dir or remove it")

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with start_network(network, directory) as running:
            for access in running.deployment.nations:
                print(f"{access.nation}: clients {access.client_url}  monitor {access.monitor_url}"
                      f"{f'  leaf links :{access.leaf_port}' if access.leaf_port else ''}", flush=True)
            print(f"all ready in {running.startup_s:.2f} s; access file "
                  f"{Path(running.deployment.directory) / 'deployment.json'}; Ctrl-C to stop", flush=True)
            await stop.wait()
            print("stopping", flush=True)
    except ServerError as exc:
        raise UserError(str(exc)) from None
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(sig)
