"""``trilink web replay ARCHIVE``: the operator page over an archive, with a time slider."""

import asyncio
import sqlite3
from pathlib import Path
from typing import Annotated

import typer

from trilink.cli.common import UserError


def register(app: typer.Typer) -> None:
    """Attach the ``web`` command group."""
    web_app = typer.Typer(help="The operator's page.", no_args_is_help=True)
    web_app.command("replay", help="Serve an archive's picture on the page with a time slider.")(replay)
    app.add_typer(web_app, name="web")


def replay(
    archive: Annotated[Path, typer.Argument(help="Archive (SQLite) written by a node")],
    host: Annotated[str, typer.Option(help="Address to bind (loopback by default)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port (0: any free port)", min=0, max=65535)] = 0,
    token: Annotated[str | None, typer.Option(help="Operator token (required off loopback)")] = None,
) -> None:
    """Re-fuse the archive and serve it until Ctrl-C."""
    from trilink.web.app import create_app
    from trilink.web.replay import ArchiveReplay, ReplayNodeView
    from trilink.web.server import WebConfigError, WebServer

    if not archive.is_file():
        raise UserError(f"{archive}: no such archive file")
    try:
        source = ArchiveReplay(archive)
    except (sqlite3.DatabaseError, ValueError, KeyError) as exc:
        raise UserError(f"{archive}: cannot replay: {exc}") from None
    if not source.times:
        raise UserError(f"{archive}: the archive holds no reports to replay")
    try:
        server = WebServer(create_app(ReplayNodeView(source), token=token, replay=source), host, port, token)
    except WebConfigError as exc:
        raise UserError(str(exc)) from None

    async def serve() -> None:
        await server.start()
        print(f"replay of {archive} ({len(source.times)} pictures) at {server.url}", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await server.stop()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        print("stopped")
