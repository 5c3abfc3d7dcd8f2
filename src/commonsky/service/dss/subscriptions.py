"""F3548 subscriptions: explicit ones (PUT /subscriptions) and the implicit ones operational intents ask for.

A subscription's notification index counts the changes it was told about; its version is an opaque string that
changes on every write. An implicit subscription covers the operational intents that depend on it and goes away
with the last of them.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy import Row, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session
from uas_standards.astm.f3548.v21 import api, constants

from commonsky.service.db import Database
from commonsky.service.dss import records
from commonsky.service.dss.errors import DssError, bad_request
from commonsky.service.dss.geometry import Extent, now_us, parse_volume, time_json
from commonsky.service.dss.tables import CONSTRAINTS, OPERATIONAL_INTENTS, SUBSCRIPTIONS

MAX_DURATION_US = int(timedelta(hours=constants.DSSMaxSubscriptionDurationHours).total_seconds() * 1_000_000)


def new_version() -> str:
    return secrets.token_hex(8)


def dependents(session: Session, subscription_id: str) -> list[Row[Any]]:
    query = select(OPERATIONAL_INTENTS).where(OPERATIONAL_INTENTS.c.subscription_id == subscription_id)
    return list(session.execute(query))


def subscription_json(row: Row[Any], dependent_ids: list[str]) -> dict[str, Any]:
    """An F3548 ``Subscription``."""
    return {
        "id": row.id,
        "version": row.version,
        "notification_index": row.notification_index,
        "time_start": time_json(row.t0_us),
        "time_end": time_json(row.t1_us),
        "uss_base_url": row.uss_base_url,
        "notify_for_operational_intents": bool(row.notify_for_operational_intents),
        "notify_for_constraints": bool(row.notify_for_constraints),
        "implicit_subscription": bool(row.implicit),
        "dependent_operational_intents": dependent_ids,
    }


_LOAD = select(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.id == bindparam("id"))


def _load(session: Session, subscription_id: str) -> Row[Any] | None:
    return session.execute(_LOAD, {"id": subscription_id}).first()


def put(db: Database, manager: str, raw_id: str, version: str | None, body: Any) -> dict[str, Any]:
    """Create (``version`` None) or replace a subscription; the F3548 ``PutSubscriptionResponse``."""
    subscription_id = records.entity_id(raw_id, "subscription id")
    params = records.parse_body(body, api.PutSubscriptionParameters)
    now = now_us()
    volume = parse_volume(
        body.get("extents"), "extents", need_times=False, default_t0_us=now, default_t1_us=records.FAR_FUTURE_US
    )
    if volume.t1_us == records.FAR_FUTURE_US:  # no end given: the longest a subscription may last from its start
        volume = replace(volume, t1_us=volume.t0_us + MAX_DURATION_US)
    if volume.t1_us < now:
        raise bad_request("the subscription ends in the past")
    if volume.t1_us - volume.t0_us > MAX_DURATION_US:
        raise bad_request(f"a subscription may last {constants.DSSMaxSubscriptionDurationHours} h at most")
    for_intents = bool(params.get("notify_for_operational_intents") or False)
    for_constraints = bool(params.get("notify_for_constraints") or False)
    if not (for_intents or for_constraints):
        raise bad_request("a subscription must notify for operational intents, constraints or both")
    url = records.https_url(params.uss_base_url, "uss_base_url")
    extent = Extent((volume,))
    with db.write() as session:
        db.lock_region(session, extent.box)
        row = _load(session, subscription_id)
        if version is None and row is not None:
            raise DssError(409, "subscription already exists; update it with its version")
        if version is not None:
            row = records.owned(row, manager, "subscription", version)
        depending = dependents(session, subscription_id) if row is not None else []
        for intent in depending:
            if not extent.covers(records.extent_of(intent)):
                raise bad_request(f"the subscription would no longer cover operational intent {intent.id}")
        values = {
            "version": new_version(),
            "uss_base_url": url,
            "notify_for_operational_intents": for_intents,
            "notify_for_constraints": for_constraints,
            **records.envelope_values(extent),
        }
        if row is None:
            statement: Any = insert(SUBSCRIPTIONS).values(
                id=subscription_id, manager=manager, notification_index=0, implicit=False, **values
            )
        else:
            # Written by hand, an implicit subscription becomes the USS's own: it outlives its intents.
            statement = (
                update(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.id == subscription_id).values(implicit=False, **values)
            )
        session.execute(statement)
        records.index(session, SUBSCRIPTIONS, subscription_id, extent)
        saved = _load(session, subscription_id)
        assert saved is not None
        answer: dict[str, Any] = {"subscription": subscription_json(saved, [r.id for r in depending])}
        if for_intents:
            found = records.overlapping(session, OPERATIONAL_INTENTS, [extent], now)
            answer["operational_intent_references"] = records.refs(session, found, manager, intents=True)
        if for_constraints:
            found = records.overlapping(session, CONSTRAINTS, [extent], now)
            answer["constraint_references"] = records.refs(session, found, manager, intents=False)
        return answer


def get(db: Database, manager: str, raw_id: str) -> dict[str, Any]:
    subscription_id = records.entity_id(raw_id, "subscription id")
    with db.read() as session:
        row = records.owned(_load(session, subscription_id), manager, "subscription")
        return {"subscription": subscription_json(row, [r.id for r in dependents(session, subscription_id)])}


def remove(db: Database, manager: str, raw_id: str, version: str) -> dict[str, Any]:
    subscription_id = records.entity_id(raw_id, "subscription id")
    with db.write() as session:
        row = records.owned(_load(session, subscription_id), manager, "subscription", version)
        if dependents(session, subscription_id):
            raise bad_request("operational intents still depend on this subscription")
        session.execute(delete(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.id == subscription_id))
        records.index(session, SUBSCRIPTIONS, subscription_id, None)
        return {"subscription": subscription_json(row, [])}


def query(db: Database, manager: str, body: Any) -> dict[str, Any]:
    now = now_us()
    area = records.area_of_interest(body)
    with db.read() as session:
        rows = records.overlapping(session, SUBSCRIPTIONS, [area], now, lambda row: row.manager == manager)
        return {
            "subscriptions": [subscription_json(r, [d.id for d in dependents(session, r.id)]) for r in rows],
        }


def implicit_for(session: Session, manager: str, url: str, extent: Extent, for_constraints: bool) -> str:
    """A new implicit subscription covering ``extent``; its id."""
    subscription_id = str(uuid.uuid4())
    records.insert_row(
        session,
        SUBSCRIPTIONS,
        {
            "id": subscription_id,
            "manager": manager,
            "version": new_version(),
            "notification_index": 0,
            "uss_base_url": url,
            "notify_for_operational_intents": True,
            "notify_for_constraints": for_constraints,
            "implicit": True,
            **records.envelope_values(extent),
        },
    )
    records.index(session, SUBSCRIPTIONS, subscription_id, extent, new=True)
    return subscription_id


def attach(session: Session, manager: str, subscription_id: str, extent: Extent) -> None:
    """Check that an existing subscription may carry an intent over ``extent``; an implicit one grows to cover it."""
    row = _load(session, subscription_id)
    if row is None:
        raise bad_request(f"subscription {subscription_id} does not exist")
    if row.manager != manager:
        raise DssError(403, f"subscription {subscription_id} is managed by another USS")
    current = records.extent_of(row)
    if current.covers(extent):
        return
    if not row.implicit:
        raise bad_request(f"subscription {subscription_id} does not cover the operational intent")
    grown = Extent(current.volumes + extent.volumes)
    session.execute(
        update(SUBSCRIPTIONS)
        .where(SUBSCRIPTIONS.c.id == subscription_id)
        .values(version=new_version(), **records.envelope_values(grown))
    )
    records.index(session, SUBSCRIPTIONS, subscription_id, grown)


def drop_if_orphan(session: Session, subscription_id: str) -> None:
    """Delete an implicit subscription that no operational intent depends on any more."""
    row = _load(session, subscription_id)
    if row is not None and row.implicit and not dependents(session, subscription_id):
        session.execute(delete(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.id == subscription_id))
        records.index(session, SUBSCRIPTIONS, subscription_id, None)
