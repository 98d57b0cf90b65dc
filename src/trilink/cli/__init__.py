"""The ``trilink`` command: one typer app, one module per command group.

Every error a user can cause (bad option, bad file, bad value) ends as one line
on stderr and exit code 2; no traceback reaches the terminal.
"""

import importlib
import sys

import typer

from trilink.cli.common import UserError

app = typer.Typer(
    name="trilink",
    help="Allied ballistic-missile warning sharing: simulate, track, share, fuse, alert.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


#: Command modules under trilink.cli; each has ``register(app)``. Add yours here.
COMMAND_MODULES = ["info", "archive", "keys", "net", "simulate", "demo", "node", "fly", "calibrate", "where",
                   "web", "evaluate"]


def _register() -> None:
    """Attach every command module (imported here so each stays independent)."""
    for name in COMMAND_MODULES:
        importlib.import_module(f"trilink.cli.{name}").register(app)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script: run the app, turning user errors into one line."""
    _register()
    args = sys.argv[1:] if argv is None else argv
    try:
        result = app(args=args, prog_name="trilink", standalone_mode=False)
    except UserError as exc:
        print(f"trilink: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        print("trilink: interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    except Exception as exc:
        # click's exceptions (typer may vendor its own copy of click, so match by shape)
        kind = type(exc).__name__
        if kind == "NoArgsIsHelpError":
            ctx = getattr(exc, "ctx", None)
            print(ctx.get_help() if ctx is not None else "")
            raise SystemExit(0) from None
        if kind == "Abort":
            print("trilink: aborted", file=sys.stderr)
            raise SystemExit(130) from None
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
            message = " ".join(str(exc.format_message()).split())
            print(f"trilink: error: {message}", file=sys.stderr)
            raise SystemExit(exc.exit_code) from None
        raise
    raise SystemExit(result if isinstance(result, int) else 0)
