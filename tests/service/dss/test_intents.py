"""F3548 operational intent references (`service.dss.intents`), on both backends: a keyed write (Accepted,
Activated) that meets another live reference, a constraint, or a broker intent must name its OVN in the key (409
naming what is missing, and nothing stored), an unkeyed state need not; bad requests are one-line 400s; an implicit
subscription lives as long as its reference."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from commonsky.service import auth
from commonsky.service.broker import Broker
from commonsky.service.db import Database
from commonsky.service.dss import constraints, intents, references, subscriptions
from commonsky.service.dss.errors import DssError
from commonsky.service.dss.references import OPERATIONAL_INTENT
from commonsky.service.dss.tables import OPERATIONAL_INTENTS, SUBSCRIPTIONS
from commonsky.service.dss.world import World
from commonsky.service.engine import prefilter_margin_m
from commonsky.service.examples import box

URL = "https://uss.example/"


def _stamp(minutes: float) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


def volume(lat: float, lng: float, radius_m: float = 1_000.0, start: float = 5.0, end: float = 60.0) -> dict[str, Any]:
    outline = {"center": {"lat": lat, "lng": lng}, "radius": {"value": radius_m, "units": "M"}}
    lower, upper = ({"value": v, "reference": "W84", "units": "M"} for v in (3_000.0, 4_000.0))
    return {
        "volume": {"outline_circle": outline, "altitude_lower": lower, "altitude_upper": upper},
        "time_start": {"value": _stamp(start), "format": "RFC3339"},
        "time_end": {"value": _stamp(end), "format": "RFC3339"},
    }


def body(*extents: dict[str, Any], state: str = "Accepted", key: list[str] | None = None) -> dict[str, Any]:
    return {
        "extents": list(extents),
        "state": state,
        "uss_base_url": URL,
        "key": key or [],
        "new_subscription": {"uss_base_url": URL},
    }


def _count(db: Database, table: Any) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def _refused(status: int, call: Any) -> DssError:
    with pytest.raises(DssError) as refused:
        call()
    assert refused.value.status == status and "\n" not in refused.value.message, refused.value.message
    return refused.value


def test_a_keyed_write_must_name_what_it_meets(broker: Broker) -> None:
    db = broker.db
    first_id, second_id, third_id = (str(uuid.uuid4()) for _ in range(3))
    first = intents.put(db, "uss1", first_id, None, body(volume(33.0, 45.0)))[1]["operational_intent_reference"]
    refusal = _refused(409, lambda: intents.put(db, "uss2", second_id, None, body(volume(33.005, 45.0))))
    assert refusal.body is not None and [r["id"] for r in refusal.body["missing_operational_intents"]] == [first_id]
    assert _count(db, OPERATIONAL_INTENTS) == 1 and _count(db, SUBSCRIPTIONS) == 1
    status, _ = intents.put(db, "uss2", second_id, None, body(volume(33.005, 45.0), state="Nonconforming"))
    assert status == 201  # an unkeyed state is stored without the key
    constraints.put(db, "uss3", str(uuid.uuid4()), None, {"extents": [volume(34.0, 46.0)], "uss_base_url": URL})
    refusal = _refused(
        409, lambda: intents.put(db, "uss2", third_id, None, body(volume(34.0, 46.0), key=[first["ovn"]]))
    )
    assert refusal.body is not None and len(refusal.body["missing_constraints"]) == 1
    far = intents.put(db, "uss2", third_id, None, body(volume(35.0, 47.0)))
    assert far[0] == 201


def test_broker_intents_take_part_in_the_key_check(broker: Broker) -> None:
    db = broker.db
    party, _ = auth.create_party(db, "iqaf", "operator")
    filed = broker.submit(
        party, [box(44.99, 32.99, 45.01, 33.01, "FL090", "FL140", _stamp(0), _stamp(120))], 10, key=None
    )
    assert filed.accepted
    world = World(broker.model, broker.grants.disclosure, broker.intent_volumes, prefilter_margin_m(broker.model))
    own, extents = str(uuid.uuid4()), (volume(33.0, 45.0), volume(36.0, 40.0))  # the same extents both times
    refusal = _refused(409, lambda: intents.put(db, "uss1", own, None, body(*extents), world))
    assert refusal.body is not None
    [synthetic] = refusal.body["missing_operational_intents"]
    assert (
        synthetic["manager"] == "commonsky"
        and filed.intent.id not in str(refusal.body)
        and "iqaf" not in str(refusal.body)
    )
    assert _count(db, OPERATIONAL_INTENTS) == 0
    status, _ = intents.put(db, "uss1", own, None, body(*extents, key=[synthetic["ovn"]]), world)
    assert status == 201


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"extents": [volume(33.0, 45.0, start=-120.0, end=-60.0)]}, "ends in the past"),
        ({"extents": [volume(33.0, 45.0, start=60 * 24 * 60, end=60 * 24 * 61)]}, "horizon"),
        ({"state": "Flying"}, "state 'Flying' is not one of"),
        ({"subscription_id": str(uuid.uuid4())}, "give subscription_id or new_subscription, not both"),
        ({"new_subscription": None}, "needs subscription_id or new_subscription"),
        ({"key": "ovn"}, "key must be a list of OVNs"),
        ({"uss_base_url": "http://uss.example/"}, "uss_base_url must be an https:// URL"),
    ],
)
def test_bad_requests_are_one_line_400s(broker: Broker, change: dict[str, Any], message: str) -> None:
    refusal = _refused(
        400, lambda: intents.put(broker.db, "uss1", str(uuid.uuid4()), None, body(volume(33.0, 45.0)) | change)
    )
    assert message in refusal.message
    assert _count(broker.db, OPERATIONAL_INTENTS) == 0


def test_an_implicit_subscription_lives_as_long_as_its_reference(broker: Broker) -> None:
    db = broker.db
    own = str(uuid.uuid4())
    made = intents.put(db, "uss1", own, None, body(volume(33.0, 45.0)))[1]["operational_intent_reference"]
    subscription = subscriptions.get(db, "uss1", made["subscription_id"])["subscription"]
    assert subscription["implicit_subscription"] and subscription["dependent_operational_intents"] == [own]
    references.remove(db, OPERATIONAL_INTENT, "uss1", own, made["ovn"])
    assert _count(db, SUBSCRIPTIONS) == 0
