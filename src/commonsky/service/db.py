"""Storage: engine, sessions and the locks that serialise acceptance decisions.

How "two conflicting intents are never both accepted" holds under concurrency:

- SQLite (one process): every write transaction starts with ``BEGIN IMMEDIATE``, taking the database's single
  write lock before it reads anything, so decisions are strictly serial. WAL keeps readers unblocked.
- PostgreSQL (several processes): a decision takes transaction-scoped advisory locks on the grid cells its
  lon/lat box covers, in sorted order, after a *shared* lock on a global key (a zone change or a box too big for
  ``max_lock_cells`` takes that global key *exclusively*). Two intents that conflict overlap in space, so their
  boxes share a cell and their decisions are serialised; READ COMMITTED gives each statement after the lock a
  fresh snapshot, and PostgreSQL publishes the commit before it releases the locks. The audit chain takes one
  more advisory lock last of all, so lock order is global -> cells -> audit everywhere: no deadlock.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from commonsky.service import idempotency
from commonsky.service.settings import ServiceSettings

_NS_GLOBAL = 0x0C5A  # advisory lock namespaces (first int of the two-int form)
_NS_CELL = 0x0C5B
_NS_AUDIT = 0x0C5C
# A write's region lock in one round trip: the shared global lock and each cell's lock. The cells are taken in
# ascending order (unnest yields the sorted array in order, and the aggregate takes each lock before the next row),
# so two writers never wait on each other in a cycle; the global lock may come before or after them, because its
# exclusive holders (zone writes) take no cell lock.
_LOCK_CELLS = text(
    "SELECT pg_advisory_xact_lock_shared(:ns, 0),"
    " (SELECT count(pg_advisory_xact_lock(:cell_ns, c)) FROM unnest(CAST(:cells AS integer[])) AS c)"
)
_WRITE = "commonsky_write"


class Database:
    """One engine and its session factories. Thread-safe (sessions are not: one per request/thread)."""

    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self.is_sqlite = settings.is_sqlite
        self.engine = _sqlite_engine(settings) if self.is_sqlite else _postgres_engine(settings)
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(self.engine.execution_options(**{_WRITE: True}), expire_on_commit=False)
        self._local_writer: AbstractContextManager[Any] = threading.Lock() if self.is_sqlite else nullcontext()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read session; closing it rolls back, and loaded rows stay readable (detached, not expired)."""
        with self._reader() as session:
            yield session

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read session whose statements all see one snapshot (SQLite: one read transaction under WAL;
        PostgreSQL: REPEATABLE READ), so what is read first and what is read last agree."""
        with self._reader() as session:
            if not self.is_sqlite:
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction, committed on success. On SQLite it holds the write lock from its first statement;
        writers of this process queue on a mutex first, so they hand over at once instead of polling SQLite's busy
        handler (which sleeps up to 100 ms between tries). Other processes (admin CLI) still meet busy_timeout.

        A request made with an ``Idempotency-Key`` spends it in its first committed write (`service.idempotency`)."""
        claim = idempotency.pending()
        with self._local_writer, self._writer() as session, session.begin():
            yield session
            if claim is not None:
                claim.record(session, self.is_sqlite)  # the key is spent exactly when the write commits
        if claim is not None:
            claim.recorded = True

    def lock_region(self, session: Session, box: tuple[float, float, float, float] | None) -> None:
        """Serialise with every decision whose lon/lat box shares a cell with ``box`` (None: with everything)."""
        if self.is_sqlite:
            session.connection()  # BEGIN IMMEDIATE already holds the database write lock
            return
        cells = None if box is None else lock_cells(box, self.settings.lock_cell_deg)
        if cells is None or len(cells) > self.settings.max_lock_cells:
            session.execute(text("SELECT pg_advisory_xact_lock(:ns, 0)"), {"ns": _NS_GLOBAL})
            return
        session.execute(_LOCK_CELLS, {"ns": _NS_GLOBAL, "cell_ns": _NS_CELL, "cells": cells})

    def lock_audit(self, session: Session) -> None:
        """Serialise appends to the audit chain (always the last lock a transaction takes)."""
        if not self.is_sqlite:
            session.execute(text("SELECT pg_advisory_xact_lock(:ns, 0)"), {"ns": _NS_AUDIT})

    def dispose(self) -> None:
        self.engine.dispose()


def lock_cells(box: tuple[float, float, float, float], cell_deg: float) -> list[int]:
    """Sorted int32 keys of the ``cell_deg`` grid cells covering ``(min_lon, min_lat, max_lon, max_lat)``."""
    min_lon, min_lat, max_lon, max_lat = box
    ix0, ix1 = math.floor(min_lon / cell_deg), math.floor(max_lon / cell_deg)
    iy0, iy1 = math.floor(min_lat / cell_deg), math.floor(max_lat / cell_deg)
    span = math.ceil(180.0 / cell_deg) + 2  # iy in [-span, span)
    return sorted((ix * 2 * span) + (iy + span) for ix in range(ix0, ix1 + 1) for iy in range(iy0, iy1 + 1))


def _sqlite_engine(settings: ServiceSettings) -> Engine:
    url = make_url(settings.database_url)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 60.0, "isolation_level": None},
        hide_parameters=True,
        pool_size=settings.db_pool_size,
        max_overflow=0,
        pool_timeout=settings.db_pool_timeout_s,
    )
    synchronous = settings.sqlite_synchronous

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # pysqlite's own transaction handling is off (isolation_level=None): we say when the write lock is taken.
        immediate = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _postgres_engine(settings: ServiceSettings) -> Engine:
    return create_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=0,
        pool_timeout=settings.db_pool_timeout_s,
        pool_pre_ping=True,
        isolation_level="READ COMMITTED",
        hide_parameters=True,  # SQL errors must never carry key hashes or payloads into logs
    )
