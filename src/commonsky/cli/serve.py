"""`commonsky serve` (the broker over HTTP) and `commonsky admin ...` (parties and keys, straight to the database).

Settings come from ``COMMONSKY_*`` environment variables (see `commonsky.service.settings`); ``--db`` overrides
``COMMONSKY_DATABASE_URL``. There is no default credential: create the first authority with
``commonsky admin create-party NAME --role authority``; its key is printed once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from commonsky.cli._output import print_json
from commonsky.errors import InputError

if TYPE_CHECKING:
    from commonsky.service.db import Database
    from commonsky.service.settings import ServiceSettings

DbOption = Annotated[
    str | None, typer.Option("--db", help="Database URL (default: $COMMONSKY_DATABASE_URL or sqlite:///commonsky.db).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def load_settings(db: str | None = None, **overrides: Any) -> ServiceSettings:
    """Settings from the environment plus explicit overrides; invalid ones become one-line `InputError`s."""
    from pydantic import ValidationError

    from commonsky.service.settings import ServiceSettings

    given = {k: v for k, v in overrides.items() if v is not None}
    if db is not None:
        given["database_url"] = db
    try:
        return ServiceSettings(**given)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "settings"
        raise InputError(f"{where}: {first.get('msg', 'invalid')}") from None


def open_database(db: str | None) -> Database:
    from commonsky.service.db import Database
    from commonsky.service.migrate import upgrade

    database = Database(load_settings(db))
    upgrade(database)
    return database


def serve(
    db: DbOption = None,
    host: Annotated[str | None, typer.Option(help="Listen address (loopback unless COMMONSKY_ALLOW_REMOTE).")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port.")] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
    dss_public_key: Annotated[
        list[str] | None, typer.Option(help="PEM public key trusted to sign DSS tokens (repeatable); turns on /dss/v1.")
    ] = None,
    dss_audience: Annotated[list[str] | None, typer.Option(help="Accepted DSS token audience (repeatable).")] = None,
) -> None:
    """Run the broker (FastAPI; OpenAPI at /docs). Migrates the database first."""
    import uvicorn

    from commonsky.service.app import create_app

    dss = {"dss_public_keys": tuple(dss_public_key or ()) or None, "dss_audiences": tuple(dss_audience or ()) or None}
    settings = load_settings(db, host=host, port=port, **dss)
    app = create_app(settings)
    # say which database this is before anything else (password masked): a party must know what it writes to
    typer.echo(f"commonsky serve: database {settings.safe_database_url()}", err=True)
    uvicorn.run(
        app, host=settings.host, port=settings.port, log_level=log_level, access_log=True, timeout_graceful_shutdown=5
    )


admin = typer.Typer(
    help="Parties and API keys, written straight to the database (the service may be running).", no_args_is_help=True
)


@admin.command("create-party")
def create_party(
    name: str,
    role: Annotated[str, typer.Option(help="authority, operator or observer.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a party and print its first API key (shown once; only its hash is stored)."""
    from commonsky.service import auth

    party, issued = auth.create_party(open_database(db), name, role, actor="admin-cli")
    if as_json:
        print_json(
            {"party": party.name, "role": party.role.value, "id": party.id, "key_id": issued.key_id, "key": issued.key}
        )
    else:
        typer.echo(f"party {party.name} ({party.role.value}) created; API key (shown once):\n{issued.key}")


@admin.command("new-key")
def new_key(name: str, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Issue another API key for a party (rotation)."""
    from commonsky.service import auth

    issued = auth.issue_key(open_database(db), name, actor="admin-cli")
    if as_json:
        print_json({"party": name, "key_id": issued.key_id, "key": issued.key})
    else:
        typer.echo(issued.key)


@admin.command("revoke-key")
def revoke_key(key_id: str, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Revoke an API key by its id (the 16 hex digits after ``csk_``)."""
    from commonsky.service import auth

    auth.revoke_key(open_database(db), key_id, actor="admin-cli")
    if as_json:
        print_json({"revoked": key_id})
    else:
        typer.echo(f"revoked {key_id}")


@admin.command("parties")
def parties(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List parties and their roles."""
    from sqlalchemy import select

    from commonsky.service.models import PartyRow

    database = open_database(db)
    with database.read() as session:
        rows = [(r.name, r.role, r.id) for r in session.scalars(select(PartyRow).order_by(PartyRow.name))]
    if as_json:
        print_json([{"name": n, "role": r, "id": i} for n, r, i in rows])
    else:
        for n, r, i in rows:
            typer.echo(f"{n}\t{r}\t{i}")


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.add_typer(admin, name="admin")
