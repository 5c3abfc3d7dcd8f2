"""Shared test fixtures: the peers' golden files in ../shared/reference, the project root, the Diyala scenario
(`diyala`), and `cli`, which runs the real `commonsky` entry point in-process and captures what a user would see;
`pg_url`, a fresh PostgreSQL database per test."""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from commonsky.cli import main
from commonsky.sim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """../shared/reference beside the checkout (CI lays it there too). Missing means a broken checkout."""
    if not REFERENCE.is_dir():
        pytest.fail(f"golden files not found at {REFERENCE}: shared/reference must sit beside the checkout")
    return REFERENCE


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def diyala() -> Scenario:
    """The bundled Diyala scenario (immutable: one load serves every test)."""
    return load_scenario(ROOT / "scenarios" / "diyala-2014.yaml")


class CliResult(NamedTuple):
    """Exit code, stdout and stderr of one command (unpacks as a tuple too)."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture()
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    def run(*args: str) -> CliResult:
        code = 0
        try:
            main(list(args))
        except SystemExit as stop:
            code = int(stop.code or 0)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


# PostgreSQL: the throwaway cluster of scripts/pg.sh, started on demand (installing the Debian package if
# missing), so plain `pytest` works; each test that asks for `pg_url` gets a fresh database.
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
