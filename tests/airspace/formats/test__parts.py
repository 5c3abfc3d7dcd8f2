"""ED zones' volumes into commonsky zones and back (`airspace.formats._parts`): volumes with the same limits make
one zone and circles one each (groups checked here against a grouping by hand), the union of each zone is the union
of its volumes, names count the parts, touching parts stay apart; on export the zones of one ED zone gather again,
in order."""

from __future__ import annotations

import random
from typing import Any

import pytest
import shapely
from shapely.geometry import box

from commonsky.airspace.formats._common import circle_polygon
from commonsky.airspace.formats._parts import EdZone, Part, export_groups, gathered, grouped, part_name, zones_of
from commonsky.airspace.zone import Zone, ZoneKind
from commonsky.errors import InputError
from commonsky.units import parse_altitude

LIMITS = {"low": ("SFC", "FL100"), "high": ("FL100", "FL200")}


def _part(i: int, limits: str, circle: bool = False) -> Part:
    floor, ceiling = (parse_altitude(t) for t in LIMITS[limits])
    lon, lat = 40.0 + 2.0 * i, 30.0  # apart from every other part
    if circle:
        return Part(
            circle_polygon(lon, lat, 5_000.0, "c"),
            floor,
            ceiling,
            limits,
            {"lon": lon, "lat": lat, "radius_m": 5_000.0},
            {"n": i},
        )
    return Part(box(lon, lat, lon + 1.0, lat + 1.0), floor, ceiling, limits, None, {"n": i})


def test_grouping_is_by_limits_in_first_seen_order_and_circles_alone() -> None:
    rng = random.Random(6)
    for _ in range(100):
        parts = [_part(i, rng.choice(list(LIMITS)), rng.random() < 0.3) for i in range(rng.randrange(1, 9))]
        expected: list[list[int]] = []
        first: dict[str, list[int]] = {}
        for i, part in enumerate(parts):
            if part.circle is not None:
                expected.append([i])
            elif str(part.limits_key) in first:
                first[str(part.limits_key)].append(i)
            else:
                first[str(part.limits_key)] = [i]
                expected.append(first[str(part.limits_key)])
        assert [[parts.index(p) for p in group] for group in grouped(parts)] == expected


def test_touching_parts_stay_apart() -> None:
    floor, ceiling = (parse_altitude(t) for t in LIMITS["low"])
    touching = [
        Part(box(0, 0, 1, 1), floor, ceiling, "low", None, {}),
        Part(box(1, 0, 2, 1), floor, ceiling, "low", None, {}),
    ]
    assert [len(g) for g in grouped(touching)] == [1, 1]


def _ed(parts: list[Part], extended: dict[str, Any] | None = None) -> EdZone:
    return EdZone(
        "ed269",
        "ED-269",
        "Zone A",
        ZoneKind.RESTRICTED,
        True,
        (),
        parts,
        {"zone": {"identifier": "A1", "country": "IRQ"}},
        extended or {},
    )


def test_each_zone_is_the_union_of_its_volumes_and_named_by_count() -> None:
    parts = [_part(0, "low"), _part(1, "high"), _part(2, "low"), _part(3, "low", circle=True)]
    zones = zones_of(_ed(parts), "zones[0]", "dir/file.json")
    assert [z.name for z in zones] == [f"Zone A ({k}/3)" for k in (1, 2, 3)]
    assert zones[0].geometry.equals(shapely.union_all([parts[0].geometry, parts[2].geometry]))
    assert [v["n"] for v in zones[0].extra["ed269"]["volumes"]] == [0, 2]
    assert (zones[1].floor, zones[1].ceiling) == (parts[1].floor, parts[1].ceiling)
    assert zones[2].extra["circle"] == {"lon": 46.0, "lat": 30.0, "radius_m": 5_000.0}
    assert all(z.provenance["source"] == "file.json" for z in zones)
    assert part_name("Zone A", 0, 1) == "Zone A"
    assert zones_of(_ed([parts[0]], {"commonsky": {"binding": False}}), "z", "f")[0].binding is False
    with pytest.raises(InputError, match=r"^zones\[0\]: no volume$"):
        zones_of(_ed([]), "zones[0]", "f")


def test_export_gathers_the_zones_of_one_ed_zone_in_order() -> None:
    parts = [_part(0, "low"), _part(1, "high")]
    first = zones_of(_ed(parts), "z", "f")
    lone = Zone(name="lone", kind=ZoneKind.RESTRICTED, geometry=box(0, 0, 1, 1))
    other = Zone(
        name="b", kind=ZoneKind.RESTRICTED, geometry=box(0, 0, 1, 1), extra={"ed269": {"zone": {"identifier": "B"}}}
    )
    groups = gathered([first[0], lone, other, first[1]], "ed269")
    assert [[z.name for z in g] for g in groups] == [["Zone A (1/2)", "Zone A (2/2)"], ["lone"], ["b"]]
    numbered, _ = export_groups([first[0], lone, first[1]], "ed269")
    assert [(n, len(g)) for n, g, _ in numbered] == [(1, 2), (2, 1)]
