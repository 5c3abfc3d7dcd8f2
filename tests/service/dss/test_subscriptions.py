"""F3548 subscriptions (`service.dss.subscriptions`), on both backends: versioned writes (a taken id, a stale
version or another manager's subscription is refused and stores nothing), bounded durations, a query that finds
only the caller's own subscriptions over an area, and notification indices bumped by a reference written within."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from uas_standards.astm.f3548.v21 import constants

from commonsky.service.db import Database
from commonsky.service.dss import constraints, subscriptions
from commonsky.service.dss.errors import DssError

SUB = "5b0e2b8a-34a5-4c1e-8f43-0a6d2c1b9e77"
URL = "https://uss.example/"


def _time(minutes: float) -> dict[str, str]:
    moment = datetime.now(UTC) + timedelta(minutes=minutes)
    return {"value": moment.isoformat().replace("+00:00", "Z"), "format": "RFC3339"}


def _volume(lat: float, lng: float, radius_m: float, start_min: float | None, end_min: float | None) -> dict[str, Any]:
    outline = {"center": {"lat": lat, "lng": lng}, "radius": {"value": radius_m, "units": "M"}}
    volume: dict[str, Any] = {"volume": {"outline_circle": outline}}
    if start_min is not None:
        volume["time_start"] = _time(start_min)
    if end_min is not None:
        volume["time_end"] = _time(end_min)
    return volume


def _body(
    lat: float = 33.0, lng: float = 45.0, end_min: float | None = 120.0, start_min: float = 0.0, **flags: bool
) -> dict[str, Any]:
    notify = flags or {"notify_for_constraints": True}
    return {"extents": _volume(lat, lng, 2_000.0, start_min, end_min), "uss_base_url": URL, **notify}


def _refused(status: int, call: Any) -> None:
    with pytest.raises(DssError) as refused:
        call()
    assert refused.value.status == status, refused.value.message


def test_versioned_writes_and_refusals_that_store_nothing(db: Database) -> None:
    first = subscriptions.put(db, "uss1", SUB, None, _body())["subscription"]
    assert first["notification_index"] == 0 and not first["implicit_subscription"]
    _refused(409, lambda: subscriptions.put(db, "uss1", SUB, None, _body(34.0, 46.0)))
    _refused(409, lambda: subscriptions.put(db, "uss1", SUB, "stale", _body(34.0, 46.0)))
    _refused(403, lambda: subscriptions.put(db, "uss2", SUB, first["version"], _body(34.0, 46.0)))
    _refused(403, lambda: subscriptions.get(db, "uss2", SUB))
    _refused(409, lambda: subscriptions.remove(db, "uss1", SUB, "stale"))
    assert subscriptions.get(db, "uss1", SUB)["subscription"] == first
    moved = subscriptions.put(db, "uss1", SUB, first["version"], _body(34.0, 46.0))["subscription"]
    assert moved["version"] != first["version"]
    subscriptions.remove(db, "uss1", SUB, moved["version"])
    _refused(404, lambda: subscriptions.get(db, "uss1", SUB))


def test_durations_and_what_to_notify_are_bounded(db: Database) -> None:
    longest_min = constants.DSSMaxSubscriptionDurationHours * 60
    _refused(400, lambda: subscriptions.put(db, "uss1", SUB, None, _body(end_min=longest_min + 5)))
    _refused(400, lambda: subscriptions.put(db, "uss1", SUB, None, _body(notify_for_constraints=False)))
    body = _body()
    body["extents"] = _volume(33.0, 45.0, 2_000.0, -120.0, -60.0)
    _refused(400, lambda: subscriptions.put(db, "uss1", SUB, None, body))
    _refused(404, lambda: subscriptions.get(db, "uss1", SUB))
    # no end: the longest allowed from its start, also when it started a minute ago (was refused as too long)
    open_ended = subscriptions.put(db, "uss1", SUB, None, _body(end_min=None, start_min=-1.0))["subscription"]
    start = datetime.fromisoformat(open_ended["time_start"]["value"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(open_ended["time_end"]["value"].replace("Z", "+00:00"))
    assert end - start == timedelta(hours=constants.DSSMaxSubscriptionDurationHours)


def test_a_query_finds_the_caller_s_own_over_the_area(db: Database) -> None:
    subscriptions.put(db, "uss1", SUB, None, _body())
    subscriptions.put(db, "uss2", "6c1f3c9b-45b6-4d2f-9054-1b7e3d2c0f88", None, _body())
    far = "7d204dac-56c7-4e30-a165-2c8f4e3d1a99"
    subscriptions.put(db, "uss1", far, None, _body(40.0, 50.0))

    def found(manager: str, lat: float, lng: float) -> list[str]:
        area = {"area_of_interest": _volume(lat, lng, 1_000.0, None, None)}
        return [s["id"] for s in subscriptions.query(db, manager, area)["subscriptions"]]

    assert (found("uss1", 33.0, 45.0), found("uss1", 40.0, 50.0), found("uss1", 36.0, 48.0)) == ([SUB], [far], [])


def test_a_constraint_written_within_bumps_the_index_and_names_the_subscriber(db: Database) -> None:
    subscriptions.put(db, "uss1", SUB, None, _body())
    status, answer = constraints.put(
        db,
        "uss2",
        "8e315ebd-67d8-4f41-b276-3d905f4e2baa",
        None,
        {"extents": [_volume(33.0, 45.0, 500.0, 1, 60)], "uss_base_url": URL},
    )
    assert status == 201
    told = {(s["uss_base_url"], tuple(x["subscription_id"] for x in s["subscriptions"])) for s in answer["subscribers"]}
    assert told == {(URL, (SUB,))}
    assert subscriptions.get(db, "uss1", SUB)["subscription"]["notification_index"] == 1
    constraints.put(
        db,
        "uss2",
        "9f426fce-78e9-4052-8387-4ea16a5f3cbb",
        None,
        {"extents": [_volume(36.0, 48.0, 500.0, 1, 60)], "uss_base_url": URL},
    )
    assert subscriptions.get(db, "uss1", SUB)["subscription"]["notification_index"] == 1  # outside: not told
