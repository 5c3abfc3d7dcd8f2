"""The ``commonsky`` command. Each subcommand module under `commonsky.cli` is a thin shell over a library call.

A module registers itself with ``register(app)``; adding a command means adding its module name to
`COMMAND_MODULES`. Errors the user can fix (`CommonskyError`) become one line on stderr and exit code 2.
"""

from __future__ import annotations

import importlib
import sys

import typer

from commonsky.errors import CommonskyError

COMMAND_MODULES: tuple[str, ...] = (
    "geography",
    "maps",
    "report",
    "ingest",
    "detect",
    "replay",
    "analyze",
    "check",
    "serve",
    "audit",
    "coverage",
    "run",
    "feed",
)


def build_app() -> typer.Typer:
    """Assemble the typer app from the command modules (imported here, not at package import)."""
    app = typer.Typer(
        name="commonsky",
        help="Share one sky safely: zones from real geography, prior coordination, surveillance, safety nets.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"commonsky.cli.{name}")
        module.register(app)
    return app


def fail(message: str, code: int = 2) -> None:
    """Print ``commonsky: error: MESSAGE`` on one line and exit."""
    typer.echo(f"commonsky: error: {' '.join(message.split())}", err=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``commonsky`` console script."""
    app = build_app()
    try:
        result = app(args=argv, standalone_mode=False)
    except CommonskyError as error:
        fail(str(error))
    except typer.Abort:
        fail("aborted", 130)
    except typer.TyperException as error:  # typer's own click: usage errors, bad parameters, missing options
        format_message = getattr(error, "format_message", None)
        message = format_message() if callable(format_message) else str(error)
        ctx = getattr(error, "ctx", None)
        hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
        fail(f"{message}{hint}", int(getattr(error, "exit_code", 2) or 2))
    except OSError as error:
        fail(f"{error.strerror or error}: {error.filename}" if error.filename else str(error))
    if isinstance(result, int) and result != 0:
        sys.exit(result)
