"""Alembic environment: runs on the connection `commonsky.service.migrate.upgrade` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from commonsky.service.dss import tables as _dss_tables  # noqa: F401  (registers the DSS tables)
from commonsky.service.models import Base


def run() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is None:  # plain `alembic` command line with sqlalchemy.url set
        engine = create_engine(str(config.get_main_option("sqlalchemy.url")))
        with engine.begin() as own:
            context.configure(connection=own, target_metadata=Base.metadata, render_as_batch=True)
            context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
