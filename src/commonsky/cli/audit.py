"""`commonsky audit verify`: check the broker's hash-chained audit log and name the first broken link."""

from __future__ import annotations

from typing import Annotated

import typer

from commonsky.cli._output import print_json
from commonsky.cli.serve import DbOption, JsonOption

audit = typer.Typer(help="The broker's append-only, hash-chained audit log.", no_args_is_help=True)


@audit.command("verify")
def verify(
    db: DbOption = None,
    as_json: JsonOption = False,
    batch: Annotated[int, typer.Option(help="Rows read per query.", min=1)] = 5_000,
) -> None:
    """Walk the chain; exit 0 when intact, 1 with the first broken link otherwise."""
    from commonsky.cli.serve import load_settings
    from commonsky.service import audit as chain
    from commonsky.service.db import Database

    result = chain.verify(Database(load_settings(db)), batch=batch)
    if as_json:
        print_json(result.to_json())
    elif result.ok:
        typer.echo(f"audit chain intact: {result.checked} entries")
    else:
        typer.echo(
            f"audit chain BROKEN at entry {result.broken_seq}: {result.reason} "
            f"({result.checked} entries before it are intact)"
        )
    if not result.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(audit, name="audit")
