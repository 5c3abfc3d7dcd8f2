"""Which database errors are worth retrying, told apart by the driver's error code (never by message text)."""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import OperationalError

# SQLite primary result codes (the low byte of an extended code): the database or a table is locked by another
# connection. https://www.sqlite.org/rescode.html
_SQLITE_TRANSIENT = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED
# PostgreSQL SQLSTATEs: serialization_failure, deadlock_detected, lock_not_available.
_PG_TRANSIENT = {"40001", "40P01", "55P03"}


def transient(error: OperationalError) -> bool:
    """True when ``error`` is a lock or serialisation failure that the same transaction may pass if run again."""
    orig = error.orig
    if isinstance(orig, sqlite3.Error):
        code = getattr(orig, "sqlite_errorcode", None)
        return isinstance(code, int) and (code & 0xFF) in _SQLITE_TRANSIENT
    sqlstate = getattr(orig, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate in _PG_TRANSIENT
