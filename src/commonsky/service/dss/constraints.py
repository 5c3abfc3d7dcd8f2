"""F3548 constraint references: create, update, delete, get, query. Writers need no key; subscribers that asked
for constraints are told."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Row, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session
from uas_standards.astm.f3548.v21 import api, constants

from commonsky.service.db import Database
from commonsky.service.dss import records
from commonsky.service.dss.errors import DssError, bad_request
from commonsky.service.dss.geometry import now_us, parse_extents
from commonsky.service.dss.tables import CONSTRAINTS

_LOAD = select(CONSTRAINTS).where(CONSTRAINTS.c.id == bindparam("id"))


def _load(session: Session, constraint_id: str) -> Row[Any] | None:
    return session.execute(_LOAD, {"id": constraint_id}).first()


def put(db: Database, manager: str, raw_id: str, ovn: str | None, body: Any) -> tuple[int, dict[str, Any]]:
    """Create (``ovn`` None: 201) or update (200) a constraint reference."""
    constraint_id = records.entity_id(raw_id, "constraint id")
    if isinstance(body, dict) and not isinstance(body.get("extents"), list):
        raise bad_request("extents must be a list of Volume4D")
    params = records.parse_body(body, api.PutConstraintReferenceParameters)
    extent = parse_extents(body["extents"], "extents", max_vertices=constants.CstrMaxVertices)
    now = now_us()
    if extent.t1_us < now:
        raise bad_request("the constraint ends in the past")
    url = records.https_url(params.uss_base_url, "uss_base_url")
    with db.write() as session:
        db.lock_region(session, extent.box)
        row = _load(session, constraint_id)
        if ovn is None and row is not None:
            raise DssError(409, "constraint already exists; update it at its OVN")
        if ovn is not None:
            row = records.owned(row, manager, "constraint", ovn)
        values = {
            "version": 1 if row is None else row.version + 1,
            "ovn": str(uuid.uuid4()),
            "uss_base_url": url,
            **records.envelope_values(extent),
        }
        if row is None:
            session.execute(insert(CONSTRAINTS).values(id=constraint_id, manager=manager, **values))
        else:
            session.execute(update(CONSTRAINTS).where(CONSTRAINTS.c.id == constraint_id).values(**values))
        records.index(session, CONSTRAINTS, constraint_id, extent)
        touched = [extent] if row is None else [extent, records.extent_of(row)]
        subscribers = records.notify(session, touched, now, intents=False)
        saved = _load(session, constraint_id)
        assert saved is not None
        reference = records.refs(session, [saved], manager, intents=False)[0]
        return (201 if row is None else 200), {"subscribers": subscribers, "constraint_reference": reference}


def remove(db: Database, manager: str, raw_id: str, ovn: str) -> dict[str, Any]:
    constraint_id = records.entity_id(raw_id, "constraint id")
    with db.write() as session:
        row = records.owned(_load(session, constraint_id), manager, "constraint", ovn)
        db.lock_region(session, records.extent_of(row).box)
        reference = records.refs(session, [row], manager, intents=False)[0]
        session.execute(delete(CONSTRAINTS).where(CONSTRAINTS.c.id == constraint_id))
        records.index(session, CONSTRAINTS, constraint_id, None)
        subscribers = records.notify(session, [records.extent_of(row)], now_us(), intents=False)
        return {"subscribers": subscribers, "constraint_reference": reference}


def get(db: Database, manager: str, raw_id: str) -> dict[str, Any]:
    constraint_id = records.entity_id(raw_id, "constraint id")
    with db.read() as session:
        row = _load(session, constraint_id)
        if row is None:
            raise DssError(404, "constraint not found")
        return {"constraint_reference": records.refs(session, [row], manager, intents=False)[0]}


def query(db: Database, manager: str, body: Any) -> dict[str, Any]:
    now = now_us()
    area = records.area_of_interest(body)
    with db.read() as session:
        rows = records.overlapping(session, CONSTRAINTS, [area], now)
        return {"constraint_references": records.refs(session, rows, manager, intents=False)}
