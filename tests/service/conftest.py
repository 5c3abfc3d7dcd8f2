"""Fixtures for the broker: SQLite and PostgreSQL settings, an app client, parties with keys.

PostgreSQL: `pg_url` (tests/conftest.py) gives each test a fresh database on the throwaway cluster of
scripts/pg.sh, started on demand, so plain `pytest` works.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from commonsky.airspace.volume import Volume
from commonsky.service.broker import Broker
from commonsky.service.db import Database
from commonsky.service.migrate import upgrade
from commonsky.service.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'broker.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Both backends: the test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'broker.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A migrated database on each backend (`database_url`), disposed after the test."""
    database = Database(ServiceSettings(database_url=database_url, sqlite_synchronous="NORMAL"))
    upgrade(database)
    yield database
    database.dispose()


@pytest.fixture
def told() -> list[tuple[str, dict[str, Any]]]:
    """What `broker` told the parties, in order: (party id, event)."""
    return []


@pytest.fixture
def broker(database_url: str, told: list[tuple[str, dict[str, Any]]]) -> Iterator[Broker]:
    """A `Broker` on a migrated database of each backend, with a probe budget no test reaches; it tells `told`."""
    settings = ServiceSettings(database_url=database_url, sqlite_synchronous="NORMAL", probe_budget_units=1e12)
    database = Database(settings)
    upgrade(database)
    yield Broker(database, settings, notify=lambda party_id, event: told.append((party_id, event)))
    database.dispose()


def volumes_meet(a: Volume, b: Volume) -> bool:
    """Whether two volumes share some airspace at some time: an area, an overlap of windows and of bands (written
    here from the volumes' parts, not by the broker's own test)."""
    area = a.footprint.intersection(b.footprint).area
    when = max(a.window.start_s, b.window.start_s) < min(a.window.end_s, b.window.end_s)
    level = max(a.band.floor.value_m, b.band.floor.value_m) < min(a.band.ceiling.value_m, b.band.ceiling.value_m)
    return area > 1e-9 and when and level


def settings_for(url: str, **overrides: object) -> ServiceSettings:
    """Test settings: fast SQLite commits (durability has its own test) and a generous rate limit."""
    base: dict[str, object] = {
        "database_url": url,
        "sqlite_synchronous": "NORMAL",
        "rate_per_s": 1e6,
        "rate_burst": 1_000_000,
        "probe_budget_units": 1e12,  # the probe budget has its own tests
    }
    base.update(overrides)
    return ServiceSettings(**base)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Caller:
    """A party as a client sees itself: its name, role and ready-made auth header."""

    name: str
    role: str
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


FileIntent = Callable[..., dict[str, Any]]


def _file_intent(client: Any, who: Caller, volumes: list[dict[str, Any]], priority: int = 0) -> dict[str, Any]:
    body: dict[str, Any] = {"volumes": volumes, "priority": priority}
    seen = client.post("/intents/check", json=body, headers=who.headers)
    assert seen.status_code == 200, seen.text
    response = client.post("/intents", json={**body, "key": seen.json()["key"]}, headers=who.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


@pytest.fixture
def file_intent() -> FileIntent:
    """``file_intent(client, caller, volumes, priority=0)``: file as an F3548 client does, with the key of a check
    made just before (nothing races in these tests); asserts 201 and returns the answer."""
    return _file_intent


@pytest.fixture
def make_client(request: pytest.FixtureRequest) -> Callable[..., tuple[object, Callable[[str, str], Caller]]]:
    """``client, party = make_client(url, **settings)``; ``party(name, role)`` creates a party and returns a Caller."""
    from fastapi.testclient import TestClient

    from commonsky.service import auth
    from commonsky.service.app import create_app

    def make(url: str, **overrides: object) -> tuple[TestClient, Callable[[str, str], Caller]]:
        app = create_app(settings_for(url, **overrides))
        client = TestClient(app)
        client.__enter__()
        request.addfinalizer(lambda: client.__exit__(None, None, None))

        def party(name: str, role: str) -> Caller:
            _, issued = auth.create_party(app.state.services.db, name, role)
            return Caller(name, role, issued.key)

        return client, party

    return make


@pytest.fixture
def start_server(request: pytest.FixtureRequest) -> Callable[..., tuple[str, object]]:
    """``base_url, process = start_server(db_url, log_path, port=None, **env)``: `commonsky serve` on 127.0.0.1.

    Waits (bounded, ~20 s) for /health; the process is killed at teardown if still running.
    """
    import os

    from commonsky.web.serving import serve_process

    def start(url: str, log: Path, port: int | None = None, **env: str) -> tuple[str, subprocess.Popen[bytes]]:
        environment = {
            **os.environ,
            "COMMONSKY_RATE_PER_S": "100000",
            "COMMONSKY_RATE_BURST": "100000",
            "COMMONSKY_PROBE_BUDGET_UNITS": "1e12",
            **env,
        }
        base, process = serve_process(url, log, env=environment, port=port, timeout_s=20.0)
        request.addfinalizer(lambda: (process.poll() is None and process.kill(), process.wait(timeout=20)))
        return base, process

    return start
