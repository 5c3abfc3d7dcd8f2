"""Storage (`service.db`): SQLite in WAL with the chosen durability; lock cells that cover a box, shared by
overlapping boxes only; on PostgreSQL a writer's region lock holds back a writer of an overlapping box and not one
of a disjoint box (each waiting writer gives up after a lock timeout, no clock is measured); a snapshot sees one
state of the database however long it is held."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from commonsky.service import auth
from commonsky.service.db import Database, lock_cells
from commonsky.service.migrate import upgrade
from commonsky.service.models import PartyRow
from commonsky.service.settings import ServiceSettings


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


def _parties(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(PartyRow)) or 0)


def test_a_snapshot_sees_one_state(db: Database) -> None:
    auth.create_party(db, "first", "operator")
    with db.snapshot() as held:
        before = _parties(held)
        auth.create_party(db, "second", "operator")  # commits while the snapshot is held
        assert _parties(held) == before == 1
    with db.read() as fresh:
        assert _parties(fresh) == 2


def test_rows_read_stay_readable_after_the_session(db: Database) -> None:
    party, _ = auth.create_party(db, "first", "operator")
    with db.read() as session:
        row = session.get(PartyRow, party.id)
    assert row is not None and row.name == "first"


@pytest.mark.postgres
@pytest.mark.parametrize(("other", "waits"), [((45.05, 34.05, 45.2, 34.2), True), ((46.0, 35.0, 46.1, 35.1), False)])
def test_a_region_lock_holds_back_overlapping_writers_only(
    pg_url: str, other: tuple[float, float, float, float], waits: bool
) -> None:
    db = Database(ServiceSettings(database_url=pg_url, lock_cell_deg=0.25))
    upgrade(db)
    held, release = threading.Event(), threading.Event()

    def holder() -> None:
        with db.write() as session:
            db.lock_region(session, (44.9, 33.9, 45.1, 34.1))
            held.set()
            release.wait(60)

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert held.wait(60)
        outcome = "got the lock"
        try:
            with db.write() as session:
                session.execute(text("SET LOCAL lock_timeout = '300ms'"))
                db.lock_region(session, other)
        except OperationalError as error:
            assert "lock timeout" in str(error)
            outcome = "timed out"
        assert outcome == ("timed out" if waits else "got the lock")
    finally:
        release.set()
        thread.join()
        db.dispose()
