"""F3548 operational intent references: create and update, with the key check (delete, get and query:
`dss.references`).

The key check (F3548 SCD0035): a write in the Accepted or Activated state must name in ``key`` the OVN of every
live operational intent (other than itself) and constraint that meets its extents in 4D; otherwise 409 with
``AirspaceConflictResponse`` listing what it missed. Decisions are serialised by the broker's own region locks.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy.orm import Session
from uas_standards.astm.f3548.v21 import api, constants

from commonsky.service.db import Database
from commonsky.service.dss import records, references, subscriptions
from commonsky.service.dss.errors import DssError, bad_request
from commonsky.service.dss.geometry import Extent, now_us, parse_extents
from commonsky.service.dss.references import OPERATIONAL_INTENT
from commonsky.service.dss.tables import CONSTRAINTS, OPERATIONAL_INTENTS
from commonsky.service.dss.world import World

HORIZON_US = int(timedelta(days=constants.OiMaxPlanHorizonDays).total_seconds() * 1_000_000)
_KEYED = {api.OperationalIntentState.Accepted, api.OperationalIntentState.Activated}


def _key_check(
    session: Session, intent_id: str, manager: str, extent: Extent, key: set[str], now: int, world: World | None
) -> None:
    intents = [
        r
        for r in records.overlapping(session, OPERATIONAL_INTENTS, [extent], now, lambda row: row.id != intent_id)
        if r.ovn not in key
    ]
    constraints = [r for r in records.overlapping(session, CONSTRAINTS, [extent], now) if r.ovn not in key]
    brokered = [] if world is None else world.missing(session, manager, intent_id, extent, key)
    if intents or constraints or brokered:
        count = len(intents) + len(brokered)
        message = f"the key misses {count} operational intent(s) and {len(constraints)} constraint(s)"
        body = {
            "message": message,
            "missing_operational_intents": records.refs(session, intents, manager, intents=True) + brokered,
            "missing_constraints": records.refs(session, constraints, manager, intents=False),
        }
        raise DssError(409, message, body)


@dataclass(frozen=True)
class PutRequest:
    """A checked ``PutOperationalIntentReferenceParameters`` (read by hand: it is the hot path, and parsing
    through `ImplicitDict` costs more than the rest of the request)."""

    extent: Extent
    key: frozenset[str]
    state: api.OperationalIntentState
    uss_base_url: str
    subscription_id: str | None
    new_subscription_url: str | None
    new_subscription_constraints: bool
    ovn_suffix: str | None


def _text(body: Mapping[str, Any], name: str, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise bad_request(f"{name} must be a string")
    return value


def parse_request(body: Any, now: int) -> PutRequest:
    """Check a PUT body as F3548 (``api.PutOperationalIntentReferenceParameters``) and its limits require."""
    if not isinstance(body, Mapping) or not isinstance(body.get("extents"), list):
        raise bad_request("extents must be a list of Volume4D")
    extent = parse_extents(body["extents"], "extents", max_vertices=constants.OiMaxVertices)
    if extent.t1_us < now:
        raise bad_request("the operational intent ends in the past")
    if extent.t0_us > now + HORIZON_US:
        raise bad_request(f"the operational intent starts beyond the {constants.OiMaxPlanHorizonDays}-day horizon")
    try:
        state = api.OperationalIntentState(body.get("state"))
    except ValueError:
        names = ", ".join(s.value for s in api.OperationalIntentState)
        raise bad_request(f"state {str(body.get('state'))[:40]!r} is not one of {names}") from None
    url = records.https_url(str(_text(body, "uss_base_url", required=True)), "uss_base_url")
    key = body.get("key") or []
    if not isinstance(key, list) or not all(isinstance(k, str) for k in key):
        raise bad_request("key must be a list of OVNs")
    given_sub = _text(body, "subscription_id")
    new_sub = body.get("new_subscription")
    if given_sub and new_sub is not None:
        raise bad_request("give subscription_id or new_subscription, not both")
    new_url = None
    if new_sub is not None:
        if not isinstance(new_sub, Mapping):
            raise bad_request("new_subscription must be an object")
        new_url = records.https_url(str(_text(new_sub, "uss_base_url", required=True)), "new_subscription.uss_base_url")
    if given_sub:
        given_sub = records.entity_id(given_sub, "subscription_id")
    elif new_sub is None and state in _KEYED:
        raise bad_request(f"an operational intent in state {state.value} needs subscription_id or new_subscription")
    return PutRequest(
        extent,
        frozenset(key),
        state,
        url,
        given_sub or None,
        new_url,
        bool(new_sub.get("notify_for_constraints")) if new_sub is not None else False,
        _text(body, "requested_ovn_suffix"),
    )


def put(
    db: Database, manager: str, raw_id: str, ovn: str | None, body: Any, world: World | None = None
) -> tuple[int, dict[str, Any]]:
    """Create (``ovn`` None: 201) or update (200) an operational intent reference. ``world``: the broker's
    intents take part in the key check (`dss.world`)."""
    intent_id = records.entity_id(raw_id, "operational intent id")
    now = now_us()
    request = parse_request(body, now)
    extent, state, key = request.extent, request.state, set(request.key)
    with db.write() as session:
        if world is not None:
            world.charge(session, manager, extent)  # before anything is judged: a refused write stores nothing
        db.lock_region(session, extent.box)
        row = references.replaced(session, OPERATIONAL_INTENT, intent_id, manager, ovn)
        if state in _KEYED:
            _key_check(session, intent_id, manager, extent, key, now, world)
        if request.subscription_id is not None:
            subscriptions.attach(session, manager, request.subscription_id, extent)
            subscription_id = request.subscription_id
        elif request.new_subscription_url is not None:
            subscription_id = subscriptions.implicit_for(
                session, manager, request.new_subscription_url, extent, request.new_subscription_constraints
            )
        else:
            subscription_id = records.NULL_SUBSCRIPTION
        suffix = request.ovn_suffix
        values = {
            "version": 1 if row is None else row.version + 1,
            "state": state.value,
            "ovn": f"{intent_id}_{suffix}"[:128] if suffix else str(uuid.uuid4()),
            "uss_base_url": request.uss_base_url,
            "subscription_id": subscription_id,
            **records.envelope_values(extent),
        }
        references.write(session, OPERATIONAL_INTENT, intent_id, manager, row, values)
        if row is not None and row.subscription_id != subscription_id:
            subscriptions.drop_if_orphan(session, row.subscription_id)
        subscribers = references.relist(session, OPERATIONAL_INTENT, intent_id, row, extent, now)
        saved = SimpleNamespace(id=intent_id, manager=manager, **values)
        reference = records.intent_json(saved, manager, records.availability(session, [manager]))
        return (201 if row is None else 200), {"subscribers": subscribers, "operational_intent_reference": reference}
