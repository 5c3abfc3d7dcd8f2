"""What F3548's two kinds of reference, operational intents and constraints, share: loading one by id, the
create-or-update OVN check, the write itself, relisting in the grid and telling subscribers, and remove, get and
query. `dss.intents` adds the key check and subscriptions; `dss.constraints` needs nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Table, delete, update
from sqlalchemy.orm import Session

from commonsky.service.db import Database
from commonsky.service.dss import records, subscriptions
from commonsky.service.dss.errors import DssError
from commonsky.service.dss.geometry import Extent, now_us
from commonsky.service.dss.tables import CONSTRAINTS, OPERATIONAL_INTENTS


@dataclass(frozen=True)
class Kind:
    """One kind of reference: its table, its name in messages, its field in answers (plural with an "s"), and
    whether it is an operational intent (its JSON shape, which subscribers hear of it, and its subscription)."""

    table: Table
    what: str
    field: str
    intents: bool


OPERATIONAL_INTENT = Kind(OPERATIONAL_INTENTS, "operational intent", "operational_intent_reference", intents=True)
CONSTRAINT = Kind(CONSTRAINTS, "constraint", "constraint_reference", intents=False)


def load(session: Session, kind: Kind, entity_id: str) -> Row[Any] | None:
    # Straight on the driver: this runs on every write (see `records.driver`).
    sql = f"SELECT * FROM {kind.table.name} WHERE id = %(id)s"
    return records.driver(session, sql, {"id": entity_id}).first()


def replaced(session: Session, kind: Kind, entity_id: str, manager: str, ovn: str | None) -> Row[Any] | None:
    """The stored row a PUT replaces: none for a create (``ovn`` None; 409 when the id is taken), else ``manager``'s
    own row at ``ovn`` (`records.owned`)."""
    row = load(session, kind, entity_id)
    if ovn is None:
        if row is not None:
            raise DssError(409, f"{kind.what} already exists; update it at its OVN")
        return None
    return records.owned(row, manager, kind.what, ovn)


def write(
    session: Session, kind: Kind, entity_id: str, manager: str, before: Row[Any] | None, values: dict[str, Any]
) -> None:
    """Insert (``before`` None) or update the reference with ``values``."""
    if before is None:
        records.insert_row(session, kind.table, {"id": entity_id, "manager": manager, **values})
    else:
        session.execute(update(kind.table).where(kind.table.c.id == entity_id).values(**values))


def relist(
    session: Session, kind: Kind, entity_id: str, before: Row[Any] | None, extent: Extent, now: int
) -> list[dict[str, Any]]:
    """After `write`: list the reference under ``extent``'s cells and tell the subscribers of its old and new
    extents; the F3548 ``subscribers`` list."""
    records.index(session, kind.table, entity_id, extent, new=before is None)
    touched = [extent] if before is None else [extent, records.extent_of(before)]
    return records.notify(session, touched, now, intents=kind.intents)


def remove(db: Database, kind: Kind, manager: str, raw_id: str, ovn: str) -> dict[str, Any]:
    """Delete the caller's reference at ``ovn`` (and an implicit subscription only it used); its last state and
    the subscribers told."""
    entity_id = records.entity_id(raw_id, f"{kind.what} id")
    with db.write() as session:
        row = records.owned(load(session, kind, entity_id), manager, kind.what, ovn)
        db.lock_region(session, records.extent_of(row).box)
        reference = records.refs(session, [row], manager, intents=kind.intents)[0]
        session.execute(delete(kind.table).where(kind.table.c.id == entity_id))
        records.index(session, kind.table, entity_id, None)
        if kind.intents:
            subscriptions.drop_if_orphan(session, row.subscription_id)
        subscribers = records.notify(session, [records.extent_of(row)], now_us(), intents=kind.intents)
        return {"subscribers": subscribers, kind.field: reference}


def get(db: Database, kind: Kind, manager: str, raw_id: str) -> dict[str, Any]:
    entity_id = records.entity_id(raw_id, f"{kind.what} id")
    with db.read() as session:
        row = load(session, kind, entity_id)
        if row is None:
            raise DssError(404, f"{kind.what} not found")
        return {kind.field: records.refs(session, [row], manager, intents=kind.intents)[0]}


def query(db: Database, kind: Kind, manager: str, body: Any) -> dict[str, Any]:
    now = now_us()
    area = records.area_of_interest(body)
    with db.read() as session:
        rows = records.overlapping(session, kind.table, [area], now)
        return {kind.field + "s": records.refs(session, rows, manager, intents=kind.intents)}
