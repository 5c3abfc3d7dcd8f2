"""`Intent`: refuses what cannot be an intent, spans its volumes' windows, and shifts volumes and filed route
together (each moved amount checked field by field here)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from commonsky.airspace.volume import AltitudeBand, CircleShape, TimeWindow, Volume
from commonsky.errors import InputError
from commonsky.plans.intent import Intent, IntentState
from commonsky.plans.route import Waypoint
from commonsky.units import parse_altitude


def _volume(start_s: float, end_s: float, floor: str = "FL180", ceiling: str = "FL220") -> Volume:
    band = AltitudeBand(parse_altitude(floor), parse_altitude(ceiling))
    return Volume(CircleShape((34.0, 44.9), 10_000.0), band, TimeWindow(start_s, end_s))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"id": " ", "party": "a", "volumes": (_volume(0, 1),)}, "intent id is empty"),
        ({"id": "i", "party": "", "volumes": (_volume(0, 1),)}, "party is empty"),
        ({"id": "i", "party": "a", "volumes": ()}, "has no volumes"),
    ],
)
def test_what_cannot_be_an_intent_is_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        Intent(**kwargs)


def test_span_of_the_volumes() -> None:
    intent = Intent("i", "a", (_volume(500.0, 900.0), _volume(100.0, 600.0)))
    assert (intent.start_s, intent.end_s, intent.is_bounded) == (100.0, 900.0, True)
    assert not Intent("j", "a", (_volume(0.0, math.inf),)).is_bounded
    assert intent.state is IntentState.PROPOSED and intent.with_state(IntentState.ACCEPTED).state == "accepted"


def test_shifting_moves_volumes_and_route_together() -> None:
    fl200 = parse_altitude("FL200")
    route = (Waypoint(34.0, 44.9, fl200, 100.0), Waypoint(34.1, 45.0, fl200, 400.0))
    intent = Intent("i", "a", (_volume(100.0, 900.0),), route=route, priority=3, version=2)
    moved = intent.shifted(dt_s=60.0, dz_m=304.8)
    assert (moved.start_s, moved.end_s) == (160.0, 960.0)
    band, old = moved.volumes[0].band, intent.volumes[0].band
    assert band.floor.value_m == pytest.approx(old.floor.value_m + 304.8)
    assert band.ceiling.value_m == pytest.approx(old.ceiling.value_m + 304.8)
    assert band.floor.ref == old.floor.ref
    assert [w.time_s for w in moved.route] == [160.0, 460.0]
    assert [w.alt.value_m for w in moved.route] == pytest.approx([fl200.value_m + 304.8] * 2)
    assert [(w.lat, w.lon) for w in moved.route] == [(w.lat, w.lon) for w in route]
    assert (moved.id, moved.party, moved.priority, moved.version) == ("i", "a", 3, 2)
    assert intent.start_s == 100.0  # the original is unchanged
