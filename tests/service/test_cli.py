"""`commonsky admin ...` and `commonsky audit verify` against a real database file (in-process CLI)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from commonsky.cli import main
from commonsky.service import auth
from commonsky.service.db import Database
from commonsky.service.settings import ServiceSettings


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> Any:
    main(argv)
    return json.loads(capsys.readouterr().out)


def test_admin_commands_make_working_keys(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    created = _json(capsys, ["admin", "create-party", "icao", "--role", "authority", "--db", sqlite_url, "--json"])
    assert created["party"] == "icao" and created["key"].startswith(f"csk_{created['key_id']}_")
    database = Database(ServiceSettings(database_url=sqlite_url))
    assert auth.authenticate(database, created["key"]) == auth.Party(created["id"], "icao", auth.Role.AUTHORITY)
    second = _json(capsys, ["admin", "new-key", "icao", "--db", sqlite_url, "--json"])
    assert auth.authenticate(database, second["key"]) is not None
    _json(capsys, ["admin", "revoke-key", second["key_id"], "--db", sqlite_url, "--json"])
    assert auth.authenticate(database, second["key"]) is None
    assert auth.authenticate(database, created["key"]) is not None
    listed = _json(capsys, ["admin", "parties", "--db", sqlite_url, "--json"])
    assert listed == [{"name": "icao", "role": "authority", "id": created["id"]}]
    report = _json(capsys, ["audit", "verify", "--db", sqlite_url, "--json"])
    assert report == {"ok": True, "checked": 4, "broken_seq": None, "reason": ""}


@pytest.mark.parametrize(
    "argv,message",
    [
        (["admin", "create-party", "x", "--role", "pilot"], "unknown role 'pilot'"),
        (["admin", "create-party", "bad name", "--role", "operator"], "party name 'bad name'"),
        (["admin", "revoke-key", "0123456789abcdef"], "no active key"),
        (["serve", "--host", "0.0.0.0"], "is not loopback"),
    ],
)
def test_admin_errors_are_one_line(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--db", sqlite_url])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("commonsky: error: ") and message in err and err.count("\n") == 1
