"""Zones (`service.zoning`), on both backends: a binding zone's ``affected`` count and the parties told are the
live intents whose volumes meet it when checked by brute force here (footprint areas, flight-level bands against
the zone's limits), limited to the parties it applies to; an advisory zone tells no one; only the authority writes,
and a write at a stale version changes nothing."""

from __future__ import annotations

import json
import random
from dataclasses import asdict
from typing import Any

import pytest
from shapely.geometry import box as rectangle

from commonsky.errors import NotFoundError
from commonsky.service import auth
from commonsky.service.broker import Broker
from commonsky.service.engine import volumes_from_json
from commonsky.service.errors import ForbiddenError, StaleVersionError
from commonsky.service.examples import box, zone_feature
from commonsky.service.views import ZoneView
from commonsky.service.zoning import ZoneKeeper
from commonsky.units import FT_M

ZONE = (45.0, 33.0, 45.4, 33.3)
CEILING_M = 250 * 100 * FT_M  # the zones below reach FL250


def _json(view: ZoneView) -> str:
    return json.dumps(asdict(view), sort_keys=True)


def _file_crowd(broker: Broker) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Random intents from two parties; the live ones by id: (party name, party id, volume)."""
    rng = random.Random(11)
    parties = [auth.create_party(broker.db, name, "operator")[0] for name in ("ops1", "ops2")]
    live = {}
    for _ in range(40):
        lon0, lat0, size = rng.uniform(44.7, 45.5), rng.uniform(32.8, 33.4), rng.uniform(0.03, 0.2)
        fl0 = rng.randrange(150, 300)
        volume = box(lon0, lat0, lon0 + size, lat0 + size, f"FL{fl0}", f"FL{fl0 + 10}")
        party = rng.choice(parties)
        decision = broker.submit(party, [volume], 10, key=None)
        if decision.accepted:
            live[decision.intent.id] = (party.name, party.id, volume)
    return live


def _meets_zone(volume: dict[str, Any]) -> bool:
    [parsed] = volumes_from_json([volume])
    return parsed.footprint.intersection(rectangle(*ZONE)).area > 1e-9 and parsed.band.floor.value_m < CEILING_M


@pytest.mark.parametrize("applies_to", [[], ["ops2"]])
def test_a_binding_zone_tells_the_owners_of_the_intents_it_now_binds(
    broker: Broker, told: list[tuple[str, dict[str, Any]]], applies_to: list[str]
) -> None:
    live = _file_crowd(broker)
    bound = {i for i, (name, _, v) in live.items() if _meets_zone(v) and (not applies_to or name in applies_to)}
    assert bound and len(bound) < len(live)
    authority, _ = auth.create_party(broker.db, "caa", "authority")
    told.clear()
    feature = zone_feature("TMA", *ZONE, ceiling="FL250", applies_to=applies_to)
    made = ZoneKeeper(broker).create(authority, feature)
    assert made.affected == len(bound)
    events = [(p, e) for p, e in told if e["type"] == "zone.affects"]
    assert sorted(e["intent_id"] for _, e in events) == sorted(bound)
    assert all(p == live[e["intent_id"]][1] and e["zone_id"] == made.id for p, e in events)


def test_an_advisory_zone_tells_no_one(broker: Broker, told: list[tuple[str, dict[str, Any]]]) -> None:
    live = _file_crowd(broker)
    assert any(_meets_zone(v) for _, _, v in live.values())
    authority, _ = auth.create_party(broker.db, "caa", "authority")
    told.clear()
    made = ZoneKeeper(broker).create(authority, zone_feature("Birds", *ZONE, ceiling="FL250", kind="advisory"))
    assert made.affected == 0 and not [e for _, e in told if e["type"] == "zone.affects"]


def test_writes_are_the_authority_s_and_a_stale_version_changes_nothing(broker: Broker) -> None:
    authority, _ = auth.create_party(broker.db, "caa", "authority")
    operator, _ = auth.create_party(broker.db, "ops", "operator")
    keeper = ZoneKeeper(broker)
    with pytest.raises(ForbiddenError):
        keeper.create(operator, zone_feature("Mine", *ZONE))
    first = keeper.create(authority, zone_feature("B zone", *ZONE))
    keeper.create(authority, zone_feature("A zone", 40.0, 30.0, 40.1, 30.1))
    assert [z.feature["properties"]["name"] for z in keeper.list(10, 0)] == ["A zone", "B zone"]
    updated = keeper.update(authority, first.id, first.version, zone_feature("B zone", *ZONE, ceiling="FL100"))
    assert updated.version != first.version
    with pytest.raises(StaleVersionError):
        keeper.update(authority, first.id, first.version, zone_feature("B zone", *ZONE, ceiling="FL200"))
    with pytest.raises(StaleVersionError):
        keeper.delete(authority, first.id, first.version)
    with pytest.raises(ForbiddenError):
        keeper.delete(operator, first.id, updated.version)
    assert _json(keeper.get(first.id)) == _json(updated)  # as stored: the update's answer, nothing of the stale one
    keeper.delete(authority, first.id, updated.version)
    with pytest.raises(NotFoundError):
        keeper.get(first.id)
    assert [z.feature["properties"]["name"] for z in keeper.list(10, 0)] == ["A zone"]
