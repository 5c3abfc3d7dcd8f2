"""What the DSS's two kinds of reference share (`service.dss.references`), on constraints and both backends: the
create-or-update OVN check refuses a taken id, a stale OVN and another manager, and each refusal stores nothing
(the row, its OVN and version and where it is listed are as before); remove, get and query follow the same rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from commonsky.service.db import Database
from commonsky.service.dss import constraints, references
from commonsky.service.dss.errors import DssError
from commonsky.service.dss.references import CONSTRAINT

ID = "1f7c6d2e-4b6a-4c8e-9d3b-2a1e5f6a7b8c"
URL = "https://uss.example/"


def _time(minutes: float) -> dict[str, str]:
    moment = datetime.now(UTC) + timedelta(minutes=minutes)
    return {"value": moment.isoformat().replace("+00:00", "Z"), "format": "RFC3339"}


def _volume(lat: float, lng: float, radius_m: float = 500.0, timed: bool = True) -> dict[str, Any]:
    volume: dict[str, Any] = {
        "volume": {
            "outline_circle": {"center": {"lat": lat, "lng": lng}, "radius": {"value": radius_m, "units": "M"}},
            "altitude_lower": {"value": 0, "reference": "W84", "units": "M"},
            "altitude_upper": {"value": 120, "reference": "W84", "units": "M"},
        }
    }
    if timed:
        volume |= {"time_start": _time(1), "time_end": _time(60)}
    return volume


def _body(lat: float, lng: float) -> dict[str, Any]:
    return {"extents": [_volume(lat, lng)], "uss_base_url": URL}


def _found_near(db: Database, lat: float, lng: float) -> list[str]:
    answer = references.query(db, CONSTRAINT, "uss1", {"area_of_interest": _volume(lat, lng, 1_000.0, timed=False)})
    return [r["id"] for r in answer["constraint_references"]]


def _stored(db: Database) -> dict[str, Any]:
    reference: dict[str, Any] = references.get(db, CONSTRAINT, "uss1", ID)["constraint_reference"]
    return reference


def _refused(status: int, call: Any) -> None:
    with pytest.raises(DssError) as refused:
        call()
    assert refused.value.status == status, refused.value.message


def test_every_refused_write_stores_nothing(db: Database) -> None:
    status, created = constraints.put(db, "uss1", ID, None, _body(33.0, 45.0))
    assert status == 201
    first = created["constraint_reference"]
    before = (_stored(db), _found_near(db, 33.0, 45.0), _found_near(db, 34.0, 46.0))
    assert before[1:] == ([ID], [])

    _refused(409, lambda: constraints.put(db, "uss1", ID, None, _body(34.0, 46.0)))  # the id is taken
    _refused(409, lambda: constraints.put(db, "uss1", ID, "not-its-ovn", _body(34.0, 46.0)))  # stale OVN
    _refused(403, lambda: constraints.put(db, "uss2", ID, first["ovn"], _body(34.0, 46.0)))  # not its manager
    _refused(409, lambda: references.remove(db, CONSTRAINT, "uss1", ID, "not-its-ovn"))
    _refused(403, lambda: references.remove(db, CONSTRAINT, "uss2", ID, first["ovn"]))
    assert (_stored(db), _found_near(db, 33.0, 45.0), _found_near(db, 34.0, 46.0)) == before


def test_an_update_at_the_current_ovn_moves_it_and_makes_the_old_ovn_stale(db: Database) -> None:
    first = constraints.put(db, "uss1", ID, None, _body(33.0, 45.0))[1]["constraint_reference"]
    status, updated = constraints.put(db, "uss1", ID, first["ovn"], _body(34.0, 46.0))
    second = updated["constraint_reference"]
    assert status == 200 and second["ovn"] != first["ovn"] and second["version"] == first["version"] + 1
    assert (_found_near(db, 33.0, 45.0), _found_near(db, 34.0, 46.0)) == ([], [ID])
    _refused(409, lambda: constraints.put(db, "uss1", ID, first["ovn"], _body(33.0, 45.0)))
    assert _stored(db) == second


def test_remove_at_the_current_ovn_forgets_it(db: Database) -> None:
    first = constraints.put(db, "uss1", ID, None, _body(33.0, 45.0))[1]["constraint_reference"]
    removed = references.remove(db, CONSTRAINT, "uss1", ID, first["ovn"])
    assert removed["constraint_reference"]["id"] == ID
    _refused(404, lambda: references.get(db, CONSTRAINT, "uss1", ID))
    assert _found_near(db, 33.0, 45.0) == []
    _refused(404, lambda: references.remove(db, CONSTRAINT, "uss1", ID, first["ovn"]))
