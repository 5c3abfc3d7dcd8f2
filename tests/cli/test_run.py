"""`commonsky run` in the terminal (--no-serve --fast) and its input errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = str(ROOT / "scenarios" / "diyala-2014.yaml")


def test_run_fast_reports_tracks_and_alerts(cli: Callable[..., Any]) -> None:
    result = cli(
        "run",
        SCENARIO,
        "--no-serve",
        "--fast",
        "--start",
        "2014-12-02T06:30:00Z",
        "--until",
        "2014-12-02T06:40:00Z",
        "--json",
    )
    assert result.code == 0, result.err
    out = result.json()
    assert out["time"] == "2014-12-02T06:40:00Z" and out["ticks"] == 600
    assert out["tracks"] >= 3 and out["alerts_raised"] >= 1
    assert out["work_ms_p50"] > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--speed", "0"], "speed"),
        (["--until", "tomorrow"], "--until"),
        (["--start", "2015-01-01T00:00:00Z"], "outside"),
        (["--start", "2014-12-02T08:00:00Z", "--until", "2014-12-02T07:00:00Z"], "after --start"),
        (["--synthetic", "-1"], "negative"),
        (["--tick", "0"], "--tick 0: a picture tick lasts from 0.1 to 10 s"),
        (["--tick", "nan"], "--tick nan"),
        (["--tick", "11"], "--tick 11"),
        (["--area", "/nonexistent/area.geojson"], "/nonexistent/area.geojson: no such file"),
    ],
)
def test_run_rejects_bad_input(cli: Callable[..., Any], args: list[str], message: str) -> None:
    result = cli("run", SCENARIO, "--no-serve", "--fast", *args)
    assert result.code == 2
    assert result.err.startswith("commonsky: error:") and message in result.err
    assert result.err.count("\n") == 1


def test_run_tick_sets_the_picture_period(cli: Callable[..., Any]) -> None:
    args = ("run", SCENARIO, "--no-serve", "--fast", "--start", "2014-12-02T06:30:00Z")
    result = cli(*args, "--until", "2014-12-02T06:32:00Z", "--tick", "0.5", "--json")
    assert result.code == 0, result.err
    out = result.json()
    assert out["time"] == "2014-12-02T06:32:00Z" and out["ticks"] == 240


def test_serving_beyond_loopback_needs_consent(cli: Callable[..., Any]) -> None:
    result = cli("run", SCENARIO, "--host", "0.0.0.0")
    assert result.code == 2 and "--allow-remote" in result.err


def test_run_names_a_missing_scenario(cli: Callable[..., Any], tmp_path: Path) -> None:
    result = cli("run", str(tmp_path / "nope.yaml"), "--no-serve")
    assert result.code == 2 and "nope.yaml" in result.err


def test_run_database_defaults_to_a_fresh_file_of_the_run(tmp_path: Path) -> None:
    from commonsky.cli.run import database_url

    assert database_url(None, tmp_path) == f"sqlite:///{tmp_path / 'broker.db'}"
    assert database_url(str(tmp_path / "keep.db"), tmp_path / "other") == f"sqlite:///{tmp_path / 'keep.db'}"
    assert database_url("postgresql+psycopg://u@h/db", tmp_path) == "postgresql+psycopg://u@h/db"


def test_run_writes_keys_to_an_owner_only_file(tmp_path: Path) -> None:
    from commonsky.cli.run import write_keys
    from commonsky.service.auth import Party, Role
    from commonsky.service.seed import Seeded, SeededParty

    seeded = Seeded((SeededParty(Party("p1", "authority", Role.AUTHORITY), "csk_secret_a"),), {}, ())
    path = tmp_path / "keys.txt"
    write_keys(seeded, path)
    assert path.read_text() == "authority authority csk_secret_a\n"
    assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(FileExistsError):  # never overwrites
        write_keys(seeded, path)


def test_run_refuses_a_bad_database(cli: Callable[..., Any]) -> None:
    result = cli("run", SCENARIO, "--db", "mysql://h/db", "--port", "1")
    assert result.code == 2 and "database_url" in result.err


def test_run_refuses_a_database_already_seeded(cli: Callable[..., Any], tmp_path: Path) -> None:
    from commonsky.service.auth import create_party
    from commonsky.service.db import Database
    from commonsky.service.migrate import upgrade
    from commonsky.service.settings import ServiceSettings

    url = f"sqlite:///{tmp_path / 'used.db'}"
    database = Database(ServiceSettings(database_url=url))
    upgrade(database)
    create_party(database, "coalition", "operator")
    database.dispose()
    result = cli("run", SCENARIO, "--db", str(tmp_path / "used.db"), "--port", "1")
    assert result.code == 2 and "already holds parties coalition" in result.err
