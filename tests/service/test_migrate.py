"""Storage: Alembic migrations create exactly the models, on both backends (the engine and its locks: test_db.py)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from commonsky.service.db import Database
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
