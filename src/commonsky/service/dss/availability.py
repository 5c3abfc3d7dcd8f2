"""F3548 USS availability: Unknown until an arbiter sets it; each write needs the current version."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import insert, select, update
from uas_standards.astm.f3548.v21 import api

from commonsky.service.db import Database
from commonsky.service.dss.errors import DssError, bad_request
from commonsky.service.dss.tables import USS_AVAILABILITY

_STATES = {state.value.lower(): state for state in api.UssAvailabilityState}


def _answer(uss: str, availability: str, version: str) -> dict[str, Any]:
    return {"status": {"uss": uss, "availability": availability}, "version": version}


def get(db: Database, uss: str) -> dict[str, Any]:
    with db.read() as session:
        row = session.execute(select(USS_AVAILABILITY).where(USS_AVAILABILITY.c.uss == uss)).first()
    if row is None:
        return _answer(uss, api.UssAvailabilityState.Unknown.value, "")
    return _answer(uss, row.availability, row.version)


def put(db: Database, uss: str, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or not isinstance(body.get("availability"), str):
        raise bad_request("availability is required (Unknown, Normal or Down)")
    state = _STATES.get(body["availability"].lower())
    if state is None:
        raise bad_request(f"availability {body['availability'][:40]!r} is not Unknown, Normal or Down")
    old_version = str(body.get("old_version") or "")
    version = secrets.token_hex(8)
    with db.write() as session:
        row = session.execute(select(USS_AVAILABILITY).where(USS_AVAILABILITY.c.uss == uss)).first()
        current = "" if row is None else row.version
        if old_version != current:
            raise DssError(409, f"old_version {old_version[:64]!r} is not the current version of {uss}'s availability")
        values = {"availability": state.value, "version": version}
        if row is None:
            session.execute(insert(USS_AVAILABILITY).values(uss=uss, **values))
        else:
            session.execute(update(USS_AVAILABILITY).where(USS_AVAILABILITY.c.uss == uss).values(**values))
    return _answer(uss, state.value, version)
