"""``trilink keys generate|list|trust`` and ``trilink wire schema``: signing keys, trust store, wire schema.

Private keys are written with mode 0600 and never printed; only key ids and
public keys are shown.
"""

import json
import shutil
from pathlib import Path
from typing import Annotated

import msgspec
import typer
from rich.console import Console
from rich.table import Table

from trilink.cli.common import UserError
from trilink.model.nations import is_nation_code
from trilink.wire.codec import describe
from trilink.wire.keys import (
    KeyFileError,
    Signer,
    key_id_for,
    read_private,
    read_public,
    write_private,
    write_public,
)
from trilink.wire.schema import stale_schemas, write_schemas

DEFAULT_SCHEMA_DIR = Path("docs/wire")


def register(app: typer.Typer) -> None:
    """Attach the ``keys`` and ``wire`` command groups."""
    keys_app = typer.Typer(help="Ed25519 signing keys and the trust store of partners' public keys.",
                           no_args_is_help=True)
    keys_app.command("generate", help="Create a nation's signing key: DIR/<NATION>.key (0600) and .pub.")(
        keys_generate)
    keys_app.command("list", help="List the keys (private and public) and trusted keys in a directory.")(
        keys_list)
    keys_app.command("trust", help="Add a partner's public key file to a trust store directory.")(keys_trust)
    app.add_typer(keys_app, name="keys")
    wire_app = typer.Typer(help="The wire format.", no_args_is_help=True)
    wire_app.command("schema", help="Write the JSON Schema of the wire types (docs/wire/*.json).")(
        wire_schema)
    wire_app.command("show", help="Print a sealed message file as JSON (envelope and body; not verified).")(
        wire_show)
    app.add_typer(wire_app, name="wire")


def keys_generate(
    nation: Annotated[str, typer.Option(help="ISO 3166-1 alpha-3 code of the key's nation, e.g. JPN")],
    out: Annotated[Path, typer.Option(help="Directory to write <NATION>.key and <NATION>.pub into")],
    force: Annotated[bool, typer.Option(help="Replace an existing key of this nation")] = False,
) -> None:
    """Generate a key pair; print its key id and file names."""
    nation = nation.upper()
    if not is_nation_code(nation):
        raise UserError(f"--nation: {nation!r} is not an ISO 3166-1 alpha-3 code")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"--out: cannot create {out} ({exc.strerror})") from None
    signer = Signer.generate(nation)
    private, public = out / f"{nation}.key", out / f"{nation}.pub"
    try:
        write_private(private, signer, overwrite=force)
        write_public(public, nation, signer.public_key)
    except KeyFileError as exc:
        raise UserError(f"{exc} (use --force to replace it)") from None
    except OSError as exc:
        raise UserError(f"--out: cannot write in {out} ({exc.strerror})") from None
    print(f"key id {signer.key_id}")
    print(f"private key {private} (mode 0600: keep it on this node)")
    print(f"public key  {public} (give this to partners: trilink keys trust {public.name} --store DIR)")


def keys_list(
    directory: Annotated[Path, typer.Argument(help="A key directory or trust store")],
) -> None:
    """Show every key file in a directory with its nation and key id."""
    if not directory.is_dir():
        raise UserError(f"{directory}: not a directory")
    table = Table("file", "kind", "nation", "key id")
    for path in sorted([*directory.glob("*.key"), *directory.glob("*.pub")]):
        try:
            if path.suffix == ".key":
                signer = read_private(path)
                table.add_row(path.name, "private", signer.nation, signer.key_id)
            else:
                nation, public_key = read_public(path)
                table.add_row(path.name, "public", nation, key_id_for(nation, public_key))
        except KeyFileError as exc:
            table.add_row(path.name, "[red]unusable[/]", "", str(exc).removeprefix(f"{path}: "))
    if not table.rows:
        print(f"{directory}: no *.key or *.pub files")
        return
    Console().print(table)


def keys_trust(
    public_key: Annotated[Path, typer.Argument(help="A partner's <NATION>.pub file")],
    store: Annotated[Path, typer.Option(help="Trust store directory (created if missing)")],
) -> None:
    """Check a public key file and copy it into the trust store as <key id>.pub."""
    try:
        nation, key = read_public(public_key)
    except KeyFileError as exc:
        raise UserError(str(exc)) from None
    key_id = key_id_for(nation, key)
    try:
        store.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(public_key, store / f"{key_id}.pub")
    except OSError as exc:
        raise UserError(f"--store: cannot write in {store} ({exc.strerror})") from None
    print(f"trusted {key_id} for {nation} in {store}")


def wire_schema(
    out: Annotated[Path, typer.Option(help="Directory for the schema files")] = DEFAULT_SCHEMA_DIR,
    check: Annotated[bool, typer.Option(help="Only check the files are up to date (exit 1 if not)")] = False,
) -> int:
    """Write (or check) docs/wire/*.json from the wire types."""
    if check:
        stale = stale_schemas(out)
        if stale:
            print(f"stale schema files in {out}: {', '.join(stale)} (run: trilink wire schema)")
            return 1
        print(f"{out}: schema files are up to date")
        return 0
    try:
        written = write_schemas(out)
    except OSError as exc:
        raise UserError(f"--out: cannot write in {out} ({exc.strerror})") from None
    for path in written:
        print(f"wrote {path}")
    return 0


def wire_show(
    path: Annotated[Path, typer.Argument(help="A file holding one sealed message (MessagePack bytes)")],
) -> None:
    """Print the envelope and decoded body of a sealed message as JSON (signature not checked)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        view = describe(data)
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: not a trilink wire message ({exc})") from None
    print(json.dumps(view, indent=2, ensure_ascii=False))
