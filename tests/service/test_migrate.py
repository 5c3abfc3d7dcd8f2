"""Storage: Alembic migrations create exactly the models, on both backends; SQLite runs in WAL; lock cells."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from commonsky.service.db import Database, lock_cells
from commonsky.service.dss import tables as _dss_tables  # noqa: F401  (registers the DSS tables)
from commonsky.service.migrate import current_revision, upgrade
from commonsky.service.models import Base
from commonsky.service.settings import ServiceSettings


def test_migrations_match_models_and_are_idempotent(database_url: str) -> None:
    database = Database(ServiceSettings(database_url=database_url))
    assert current_revision(database) is None
    upgrade(database)
    upgrade(database)
    assert current_revision(database) == "0005"
    with database.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    assert diff == []
    database.dispose()


def test_sqlite_is_wal_with_the_chosen_durability(sqlite_url: str) -> None:
    for level, code in (("FULL", 2), ("NORMAL", 1)):
        database = Database(ServiceSettings(database_url=sqlite_url, sqlite_synchronous=level))  # type: ignore[arg-type]
        with database.read() as session:
            assert session.connection().exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert session.connection().exec_driver_sql("PRAGMA synchronous").scalar() == code
        database.dispose()


def test_lock_cells_cover_the_box_and_overlapping_boxes_share_one() -> None:
    a = lock_cells((44.9, 33.9, 45.1, 34.1), 0.25)
    assert len(a) == 4 and a == sorted(a)
    b = lock_cells((45.05, 34.05, 46.0, 35.0), 0.25)
    assert set(a) & set(b)
    assert not set(a) & set(lock_cells((45.3, 33.9, 45.4, 34.1), 0.25))
    assert len(set(lock_cells((-180, -90, 180, 90), 1.0))) == 361 * 181
