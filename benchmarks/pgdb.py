"""A throwaway database on the project's PostgreSQL test server (scripts/pg.sh) for the service benchmarks."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_ADMIN = "host=127.0.0.1 port=54329 user=commonsky dbname=postgres"


def postgres_url(prefix: str) -> str | None:
    """A new empty database named ``prefix`` and 8 hex digits (None when the server cannot be started)."""
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        ["bash", str(root / "scripts" / "pg.sh"), "start"], capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode != 0:
        return None
    import psycopg

    name = f"{prefix}{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_ADMIN, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"postgresql+psycopg://commonsky@127.0.0.1:54329/{name}"


def drop(url: str) -> None:
    """Drop the database of ``url`` (made by `postgres_url`)."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def database(prefix: str) -> Iterator[str]:
    """A new empty database for the ``with`` block (`postgres_url`), dropped after it; `RuntimeError` when the
    server cannot be started."""
    url = postgres_url(prefix)
    if url is None:
        raise RuntimeError("scripts/pg.sh could not start PostgreSQL")
    try:
        yield url
    finally:
        drop(url)
