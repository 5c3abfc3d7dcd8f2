"""Transient database errors are told apart by the driver's error code: real lock conflicts on SQLite and
PostgreSQL are transient, a missing table is not."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from commonsky.service.transient import transient


def _error(run: object) -> OperationalError:
    with pytest.raises(OperationalError) as caught:
        run()  # type: ignore[operator]
    return caught.value


def test_sqlite_busy_is_transient_and_a_missing_table_is_not(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}", connect_args={"timeout": 0, "isolation_level": None})
    with engine.connect() as holder, engine.connect() as other:
        holder.exec_driver_sql("BEGIN IMMEDIATE")
        busy = _error(lambda: other.exec_driver_sql("BEGIN IMMEDIATE"))
        assert transient(busy)
        holder.exec_driver_sql("ROLLBACK")
        missing = _error(lambda: other.exec_driver_sql("SELECT * FROM nowhere"))
        assert not transient(missing)
    engine.dispose()


@pytest.mark.postgres
def test_postgres_lock_not_available_is_transient(pg_url: str) -> None:
    engine = create_engine(pg_url)
    with engine.begin() as setup:
        setup.execute(text("CREATE TABLE t (id int primary key)"))
        setup.execute(text("INSERT INTO t VALUES (1)"))
    with engine.connect() as holder, engine.connect() as other:
        holder.execute(text("SELECT id FROM t WHERE id = 1 FOR UPDATE"))
        locked = _error(lambda: other.execute(text("SELECT id FROM t WHERE id = 1 FOR UPDATE NOWAIT")))
        assert transient(locked)
        other.rollback()
        holder.rollback()
    engine.dispose()
