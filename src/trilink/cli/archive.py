"""``trilink archive verify|replay FILE``: check a node archive's hash chain; re-run its picture."""

import sqlite3
from pathlib import Path
from typing import Annotated

import typer

from trilink.cli.common import UserError
from trilink.node.archive import verify_archive


def register(app: typer.Typer) -> None:
    """Attach the ``archive`` command group."""
    archive_app = typer.Typer(help="Check and replay node archives.", no_args_is_help=True)
    archive_app.command("verify", help="Check the hash chain; exit 1 naming the first bad record.")(verify)
    archive_app.command("replay", help="Re-run the fused picture from an archive's reports.")(replay)
    app.add_typer(archive_app, name="archive")


def verify(file: Annotated[Path, typer.Argument(help="Archive file (SQLite) written by a node")]) -> int:
    """Exit 0 when every record matches its hash and link; 1 naming the first bad record."""
    try:
        result = verify_archive(file)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None
    except sqlite3.DatabaseError as exc:
        print(f"{file}: FAILED: not a readable archive ({exc})")
        return 1
    if result.ok:
        print(f"{file}: OK, {result.records} records, head {result.head.hex()[:16]}")
        return 0
    print(f"{file}: FAILED at record {result.bad_seq}: {result.reason} "
          f"({result.records} records before it are intact)")
    return 1


def replay(
    file: Annotated[Path, typer.Argument(help="Archive file (SQLite) written by a node")],
    json_out: Annotated[bool, typer.Option("--json", help="Print the replayed picture as JSON")] = False,
) -> int:
    """Re-fuse the archived own tracks and partners' reports and compare with the archived picture."""
    from trilink.node.replay import format_replay, replay_archive

    try:
        outcome = replay_archive(file)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None
    except (sqlite3.DatabaseError, ValueError) as exc:
        raise UserError(f"{file}: cannot replay: {exc}") from None
    print(format_replay(outcome, as_json=json_out))
    return 0 if outcome.consistent else 1
