"""F3548 operational intent references: create, update, delete, get, query, with the key check.

The key check (F3548 SCD0035): a write in the Accepted or Activated state must name in ``key`` the OVN of every
live operational intent (other than itself) and constraint that meets its extents in 4D; otherwise 409 with
``AirspaceConflictResponse`` listing what it missed. Decisions are serialised by the broker's own region locks.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.orm import Session
from uas_standards.astm.f3548.v21 import api, constants

from commonsky.service.db import Database
from commonsky.service.dss import records, subscriptions
from commonsky.service.dss.errors import DssError, bad_request
from commonsky.service.dss.geometry import Extent, now_us, parse_extents
from commonsky.service.dss.tables import CONSTRAINTS, OPERATIONAL_INTENTS

HORIZON_US = int(timedelta(days=constants.OiMaxPlanHorizonDays).total_seconds() * 1_000_000)
_KEYED = {api.OperationalIntentState.Accepted, api.OperationalIntentState.Activated}


def _load(session: Session, intent_id: str) -> Row[Any] | None:
    return session.execute(select(OPERATIONAL_INTENTS).where(OPERATIONAL_INTENTS.c.id == intent_id)).first()


def _key_check(session: Session, intent_id: str, manager: str, extent: Extent, key: set[str], now: int) -> None:
    intents = [
        r
        for r in records.overlapping(session, OPERATIONAL_INTENTS, [extent], now, OPERATIONAL_INTENTS.c.id != intent_id)
        if r.ovn not in key
    ]
    constraints = [r for r in records.overlapping(session, CONSTRAINTS, [extent], now) if r.ovn not in key]
    if intents or constraints:
        message = f"the key misses {len(intents)} operational intent(s) and {len(constraints)} constraint(s)"
        body = {
            "message": message,
            "missing_operational_intents": records.refs(session, intents, manager, intents=True),
            "missing_constraints": records.refs(session, constraints, manager, intents=False),
        }
        raise DssError(409, message, body)


def put(db: Database, manager: str, raw_id: str, ovn: str | None, body: Any) -> tuple[int, dict[str, Any]]:
    """Create (``ovn`` None: 201) or update (200) an operational intent reference."""
    intent_id = records.entity_id(raw_id, "operational intent id")
    if isinstance(body, dict) and not isinstance(body.get("extents"), list):
        raise bad_request("extents must be a list of Volume4D")
    params = records.parse_body(body, api.PutOperationalIntentReferenceParameters)
    extent = parse_extents(body["extents"], "extents", max_vertices=constants.OiMaxVertices)
    now = now_us()
    if extent.t1_us < now:
        raise bad_request("the operational intent ends in the past")
    if extent.t0_us > now + HORIZON_US:
        raise bad_request(f"the operational intent starts beyond the {constants.OiMaxPlanHorizonDays}-day horizon")
    url = records.https_url(params.uss_base_url, "uss_base_url")
    state = api.OperationalIntentState(params.state)
    given_sub = params.get("subscription_id")
    new_sub = params.get("new_subscription")
    if given_sub and new_sub:
        raise bad_request("give subscription_id or new_subscription, not both")
    if new_sub is not None:
        records.https_url(new_sub.uss_base_url, "new_subscription.uss_base_url")
    if given_sub:
        given_sub = records.entity_id(given_sub, "subscription_id")
    elif new_sub is None and state in _KEYED:
        raise bad_request(f"an operational intent in state {state.value} needs subscription_id or new_subscription")
    key = set(params.get("key") or [])
    with db.write() as session:
        db.lock_region(session, extent.box)
        row = _load(session, intent_id)
        if ovn is None and row is not None:
            raise DssError(409, "operational intent already exists; update it at its OVN")
        if ovn is not None:
            row = records.owned(row, manager, "operational intent", ovn)
        if state in _KEYED:
            _key_check(session, intent_id, manager, extent, key, now)
        if given_sub:
            subscriptions.attach(session, manager, given_sub, extent)
            subscription_id = given_sub
        elif new_sub is not None:
            for_constraints = bool(new_sub.get("notify_for_constraints") or False)
            subscription_id = subscriptions.implicit_for(
                session, manager, new_sub.uss_base_url, extent, for_constraints
            )
        else:
            subscription_id = records.NULL_SUBSCRIPTION
        suffix = params.get("requested_ovn_suffix")
        values = {
            "version": 1 if row is None else row.version + 1,
            "state": state.value,
            "ovn": f"{intent_id}_{suffix}"[:128] if suffix else str(uuid.uuid4()),
            "uss_base_url": url,
            "subscription_id": subscription_id,
            **records.envelope_values(extent),
        }
        if row is None:
            session.execute(insert(OPERATIONAL_INTENTS).values(id=intent_id, manager=manager, **values))
        else:
            session.execute(update(OPERATIONAL_INTENTS).where(OPERATIONAL_INTENTS.c.id == intent_id).values(**values))
            if row.subscription_id != subscription_id:
                subscriptions.drop_if_orphan(session, row.subscription_id)
        touched = [extent] if row is None else [extent, records.extent_of(row)]
        subscribers = records.notify(session, touched, now, intents=True)
        saved = _load(session, intent_id)
        assert saved is not None
        reference = records.refs(session, [saved], manager, intents=True)[0]
        return (201 if row is None else 200), {"subscribers": subscribers, "operational_intent_reference": reference}


def remove(db: Database, manager: str, raw_id: str, ovn: str) -> dict[str, Any]:
    intent_id = records.entity_id(raw_id, "operational intent id")
    with db.write() as session:
        row = records.owned(_load(session, intent_id), manager, "operational intent", ovn)
        db.lock_region(session, records.extent_of(row).box)
        reference = records.refs(session, [row], manager, intents=True)[0]
        session.execute(delete(OPERATIONAL_INTENTS).where(OPERATIONAL_INTENTS.c.id == intent_id))
        subscriptions.drop_if_orphan(session, row.subscription_id)
        subscribers = records.notify(session, [records.extent_of(row)], now_us(), intents=True)
        return {"subscribers": subscribers, "operational_intent_reference": reference}


def get(db: Database, manager: str, raw_id: str) -> dict[str, Any]:
    intent_id = records.entity_id(raw_id, "operational intent id")
    with db.read() as session:
        row = _load(session, intent_id)
        if row is None:
            raise DssError(404, "operational intent not found")
        return {"operational_intent_reference": records.refs(session, [row], manager, intents=True)[0]}


def query(db: Database, manager: str, body: Any) -> dict[str, Any]:
    now = now_us()
    area = records.area_of_interest(body)
    with db.read() as session:
        rows = records.overlapping(session, OPERATIONAL_INTENTS, [area], now)
        return {"operational_intent_references": records.refs(session, rows, manager, intents=True)}
