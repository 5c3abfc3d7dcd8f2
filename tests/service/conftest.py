"""Fixtures for the broker: SQLite and PostgreSQL settings, an app client, parties with keys.

PostgreSQL: the session fixture starts the throwaway cluster of scripts/pg.sh when nothing answers on its port
(installing the Debian package if missing), so plain `pytest` works; each test gets a fresh database.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from commonsky.service.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
PG_PORT = 54329
PG_ADMIN = f"host=127.0.0.1 port={PG_PORT} user=commonsky dbname=postgres connect_timeout=3"


def _pg_answers() -> bool:
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN):
            return True
    except psycopg.OperationalError:
        return False


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The admin DSN of the test cluster, started on demand."""
    if not _pg_answers():
        done = subprocess.run(
            ["bash", str(ROOT / "scripts" / "pg.sh"), "start"], capture_output=True, text=True, timeout=600, check=False
        )
        if done.returncode != 0 or not _pg_answers():
            pytest.fail(f"could not start PostgreSQL with scripts/pg.sh: {done.stderr.strip()[-500:]}")
    return PG_ADMIN


@pytest.fixture
def pg_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database for one test; dropped afterwards."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield f"postgresql+psycopg://commonsky@127.0.0.1:{PG_PORT}/{name}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


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


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def start_server(request: pytest.FixtureRequest) -> Callable[..., tuple[str, object]]:
    """``base_url, process = start_server(db_url, log_path, port=None, **env)``: `commonsky serve` on 127.0.0.1.

    Waits (bounded, ~20 s) for /health; the process is killed at teardown if still running.
    """
    import os
    import sys
    import time

    import httpx

    def start(url: str, log: Path, port: int | None = None, **env: str) -> tuple[str, subprocess.Popen[bytes]]:
        port = port or _free_port()
        environment = {
            **os.environ,
            "COMMONSKY_RATE_PER_S": "100000",
            "COMMONSKY_RATE_BURST": "100000",
            "COMMONSKY_PROBE_BUDGET_UNITS": "1e12",
            **env,
        }
        with log.open("ab") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "commonsky.cli", "serve", "--db", url, "--port", str(port)],
                stdout=sink,
                stderr=subprocess.STDOUT,
                env=environment,
            )
        request.addfinalizer(lambda: (process.poll() is None and process.kill(), process.wait(timeout=20)))
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(f"{base}/health", timeout=1.0).status_code == 200:
                    return base, process
            except httpx.HTTPError:
                time.sleep(0.1)
        process.kill()
        raise AssertionError(f"server did not start: {log.read_text()[-2000:]}")

    return start
