"""What the DSS's stored records share (`service.dss.records`), on both backends: the 4D search through the grid
finds exactly the references a brute-force check finds (geodesic distance between circle centres against the
radii, time and altitude windows compared here); ids must be canonical UUIDs, URLs https; another USS sees a
reference without its OVN."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pyproj import Geod

from commonsky.service.db import Database
from commonsky.service.dss import constraints, records
from commonsky.service.dss.errors import DssError
from commonsky.service.dss.geometry import now_us
from commonsky.service.dss.tables import CONSTRAINTS

GEOD = Geod(ellps="WGS84")
URL = "https://uss.example/"
Circle = tuple[float, float, float, float, float, float, float]  # lat lng radius_m lo_m hi_m start_min end_min


def _volume(c: Circle, base: datetime) -> dict[str, Any]:
    def at(minutes: float) -> dict[str, str]:
        return {"value": (base + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z"), "format": "RFC3339"}

    outline = {"center": {"lat": c[0], "lng": c[1]}, "radius": {"value": c[2], "units": "M"}}
    lower, upper = {"value": c[3], "reference": "W84", "units": "M"}, {"value": c[4], "reference": "W84", "units": "M"}
    volume = {"outline_circle": outline, "altitude_lower": lower, "altitude_upper": upper}
    return {"volume": volume, "time_start": at(c[5]), "time_end": at(c[6])}


def _random_circle(rng: random.Random, wide: bool = False) -> Circle:
    lo = rng.uniform(0.0, 300.0)
    start = rng.uniform(5.0, 300.0)
    radius = rng.uniform(30_000.0, 55_000.0) if wide else rng.uniform(200.0, 15_000.0)
    lat, lng = rng.uniform(33.0, 33.6), rng.uniform(44.8, 45.6)
    return (lat, lng, radius, lo, lo + rng.uniform(10.0, 200.0), start, start + rng.uniform(5.0, 120.0))


def _meets(a: Circle, b: Circle) -> bool | None:
    """True, False, or None where the 64-gon drawn inside each circle leaves it undecided."""
    if not (a[3] <= b[4] and b[3] <= a[4] and a[5] <= b[6] and b[5] <= a[6]):
        return False
    _, _, distance_m = GEOD.inv(a[1], a[0], b[1], b[0])
    if distance_m < 0.99 * (a[2] + b[2]):
        return True
    return False if distance_m > a[2] + b[2] else None


def test_the_search_finds_what_brute_force_finds(db: Database) -> None:
    rng = random.Random(21)
    base = datetime.now(UTC)
    stored: dict[str, Circle] = {}
    for i in range(50):
        circle = _random_circle(rng, wide=i % 10 == 0)
        entity = str(uuid.UUID(int=rng.getrandbits(128)))
        constraints.put(db, "uss1", entity, None, {"extents": [_volume(circle, base)], "uss_base_url": URL})
        stored[entity] = circle
    compared = found_any = 0
    with db.read() as session:
        for j in range(40):
            probe = _random_circle(rng, wide=j % 8 == 0)
            extent = records.area_of_interest({"area_of_interest": _volume(probe, base)})
            found = {r.id for r in records.overlapping(session, CONSTRAINTS, [extent], now_us())}
            verdicts = {e: _meets(c, probe) for e, c in stored.items()}
            decided = {e for e, v in verdicts.items() if v is not None}
            assert found & decided == {e for e in decided if verdicts[e]}, probe
            compared += len(decided)
            found_any += len(found)
    assert compared > 1_500 and found_any > 20


def test_ids_must_be_canonical_uuids_and_urls_https() -> None:
    canonical = "1f7c6d2e-4b6a-4c8e-9d3b-2a1e5f6a7b8c"
    assert records.entity_id(canonical.upper()) == canonical
    for bad in ("1f7c6d2e4b6a4c8e9d3b2a1e5f6a7b8c", "{1f7c6d2e-4b6a-4c8e-9d3b-2a1e5f6a7b8c}", "not-an-id", ""):
        with pytest.raises(DssError, match="UUID") as refused:
            records.entity_id(bad, "constraint id")
        assert refused.value.status == 400 and refused.value.message.startswith("constraint id ")
    assert records.https_url(URL, "uss_base_url") == URL
    with pytest.raises(DssError, match="uss_base_url must be an https:// URL"):
        records.https_url("http://uss.example/", "uss_base_url")


def test_another_uss_sees_no_ovn(db: Database) -> None:
    entity = "1f7c6d2e-4b6a-4c8e-9d3b-2a1e5f6a7b8c"
    circle = (33.0, 45.0, 500.0, 0.0, 100.0, 5.0, 60.0)
    body = {"extents": [_volume(circle, datetime.now(UTC))], "uss_base_url": URL}
    own = constraints.put(db, "uss1", entity, None, body)[1]["constraint_reference"]
    with db.read() as session:
        row = records.owned(session.execute(CONSTRAINTS.select()).first(), "uss1", "constraint")
        [theirs] = records.refs(session, [row], "uss2", intents=False)
        [mine] = records.refs(session, [row], "uss1", intents=False)
    assert mine == own and theirs == own | {"ovn": records.NO_OVN}
