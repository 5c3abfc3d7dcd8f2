"""`commonsky admin ...` and `commonsky serve` (`cli.serve`): admin commands against a real database file
(in-process CLI) make working keys, their errors are one line; `commonsky serve` in its own process migrates the
database, says which database it uses, and answers."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from commonsky.cli import main
from commonsky.service import auth
from commonsky.service.db import Database
from commonsky.service.settings import ServiceSettings
from commonsky.web.serving import serve_process


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'broker.db'}"


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


def test_serve_migrates_says_its_database_and_answers(sqlite_url: str, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    base, process = serve_process(sqlite_url, log, timeout_s=30.0)
    try:
        with urllib.request.urlopen(base + "/health", timeout=5.0) as answer:
            assert json.loads(answer.read()) == {"status": "ok"}
        database = Database(ServiceSettings(database_url=sqlite_url))
        party, issued = auth.create_party(database, "ops", "operator")  # the schema is there: it was migrated
        request = urllib.request.Request(base + "/parties/me", headers={"Authorization": f"Bearer {issued.key}"})
        with urllib.request.urlopen(request, timeout=5.0) as answer:
            assert json.loads(answer.read())["id"] == party.id
        database.dispose()
    finally:
        process.kill()
        process.wait(timeout=20)
    assert log.read_text().splitlines()[0] == f"commonsky serve: database {sqlite_url}"
