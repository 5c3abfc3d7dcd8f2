"""F3548 constraint references (`service.dss.constraints`), on both backends: bad bodies are one-line 400s that
store nothing; a constraint moved elsewhere tells the subscribers of both its old and its new place, and only those
that asked for constraints."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from commonsky.service.db import Database
from commonsky.service.dss import constraints, subscriptions
from commonsky.service.dss.errors import DssError
from commonsky.service.dss.tables import CONSTRAINTS

from .test_intents import URL, volume


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"extents": volume(33.0, 45.0), "uss_base_url": URL}, "extents must be a list of Volume4D"),
        (
            {"extents": [volume(33.0, 45.0, start=-120, end=-60)], "uss_base_url": URL},
            "the constraint ends in the past",
        ),
        ({"extents": [volume(33.0, 45.0)], "uss_base_url": "http://uss.example/"}, "https:// URL"),
        ({"extents": [volume(33.0, 45.0)]}, "malformed PutConstraintReferenceParameters"),
    ],
)
def test_bad_bodies_are_one_line_400s_that_store_nothing(db: Database, body: dict[str, Any], message: str) -> None:
    with pytest.raises(DssError) as refused:
        constraints.put(db, "uss1", str(uuid.uuid4()), None, body)
    assert refused.value.status == 400 and message in refused.value.message and "\n" not in refused.value.message
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(CONSTRAINTS)) == 0


def _subscribe(db: Database, lat: float, lng: float, constraints_too: bool) -> str:
    subscription_id = str(uuid.uuid4())
    flags = {"notify_for_constraints": constraints_too, "notify_for_operational_intents": not constraints_too}
    subscriptions.put(
        db,
        "uss9",
        subscription_id,
        None,
        {"extents": volume(lat, lng, 3_000.0, 0.0, 120.0), "uss_base_url": URL, **flags},
    )
    return subscription_id


def test_a_moved_constraint_tells_the_subscribers_of_both_places(db: Database) -> None:
    old_place, new_place = _subscribe(db, 33.0, 45.0, True), _subscribe(db, 34.0, 46.0, True)
    _subscribe(db, 33.0, 45.0, False)  # operational intents only: never told of constraints
    constraint = str(uuid.uuid4())
    status, made = constraints.put(db, "uss1", constraint, None, {"extents": [volume(33.0, 45.0)], "uss_base_url": URL})
    assert status == 201
    assert [s["subscription_id"] for e in made["subscribers"] for s in e["subscriptions"]] == [old_place]
    ovn = made["constraint_reference"]["ovn"]
    status, moved = constraints.put(db, "uss1", constraint, ovn, {"extents": [volume(34.0, 46.0)], "uss_base_url": URL})
    assert status == 200
    told = {s["subscription_id"]: s["notification_index"] for e in moved["subscribers"] for s in e["subscriptions"]}
    assert told == {old_place: 2, new_place: 1}
