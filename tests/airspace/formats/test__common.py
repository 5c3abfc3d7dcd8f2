"""What the ED-269 and ED-318 readers and writers share (`airspace.formats._common`): limits read and written back
exactly (the fewest decimals that return the same metres), schedules summarised as their hull, clock texts,
geodesic circles whose vertices lie at the radius (pyproj) and are recognised again only while unchanged, and the
commonsky block carrying out and back in what an ED file cannot hold."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import pytest
import shapely
from pyproj import Geod
from shapely.affinity import translate
from shapely.geometry import box

from commonsky.airspace.formats._common import (
    Period,
    carry_in,
    carry_out,
    circle_extra,
    circle_of,
    circle_polygon,
    clock_text,
    ed_clock,
    limit_from,
    limit_to,
    number_text,
    summarise,
)
from commonsky.airspace.zone import Zone, ZoneKind
from commonsky.errors import GeometryError, InputError
from commonsky.units import FT_M, Altitude, AltitudeRef, parse_altitude

GEOD = Geod(ellps="WGS84")


def _decimals(value: float) -> int:
    return len(repr(value).split(".")[1].rstrip("0")) if "e" not in repr(value) else 99


def test_numbers_are_written_with_the_fewest_decimals_that_read_back_exactly() -> None:
    assert number_text(121.92, FT_M) == 400 and isinstance(number_text(121.92, FT_M), int)
    rng = random.Random(2)
    for _ in range(2_000):
        value = round(rng.uniform(-500.0, 60_000.0), rng.randrange(0, 4))
        for scale in (1.0, FT_M):
            metres = value * scale
            written = number_text(metres, scale)
            assert written * scale == metres
            assert _decimals(float(written)) <= _decimals(value)  # never more than the value had


@pytest.mark.parametrize(("uom", "ref"), [("ft", "AGL"), ("m", "AMSL"), ("FT", "amsl")])
def test_limits_go_out_and_back_in_unchanged(uom: str, ref: str) -> None:
    rng = random.Random(3)
    for _ in range(200):
        value = round(rng.uniform(0.0, 20_000.0), rng.randrange(0, 3))
        altitude = limit_from(value, uom, ref, ceiling=False, where="w")
        written, written_ref = limit_to(altitude, uom, kept_ref=ref.upper())
        assert written == pytest.approx(value, abs=0) and written_ref == ref.upper()
        assert limit_from(written, uom, written_ref, ceiling=False, where="w") == altitude


def test_open_limits_wgs84_and_bad_limits() -> None:
    assert limit_from(None, "m", "AGL", ceiling=False, where="w") == Altitude(0.0, AltitudeRef.AGL)
    assert limit_from(None, "m", "AGL", ceiling=True, where="w").is_unlimited
    assert limit_from(100, "m", "WGS84", ceiling=True, where="w") == Altitude(100.0, AltitudeRef.AMSL)
    assert limit_to(parse_altitude("UNL"), "m", kept_ref=None) == (None, "AMSL")
    assert limit_to(parse_altitude("FL100"), "ft", kept_ref="AMSL") == (10_000, "AMSL")
    for args, message in (
        (("1", "yd", "AGL"), "w: unknown unit 'yd'"),
        (("1", "m", "QNH"), "w: unknown vertical reference 'QNH'"),
        (("high", "m", "AGL"), "w: limit 'high' is not a number"),
        ((math.inf, "m", "AGL"), "w: limit inf is not finite"),
    ):
        with pytest.raises(InputError, match=f"^{message}"):
            limit_from(*args, ceiling=False, where="w")


def test_a_schedule_summary_is_the_hull_of_its_periods() -> None:
    rng = random.Random(4)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    for _ in range(200):
        periods = []
        for _ in range(rng.randrange(1, 5)):
            start = None if rng.random() < 0.1 else base + timedelta(hours=rng.uniform(0, 100))
            end = None if rng.random() < 0.1 else base + timedelta(hours=rng.uniform(100, 200))
            daily = None if rng.random() < 0.2 else ((rng.randrange(0, 12) * 3_600.0, rng.randrange(12, 24) * 3_600.0),)
            periods.append(Period(start, end, daily))
        start, end, daily = summarise(periods)
        starts, ends = [p.start for p in periods], [p.end for p in periods]
        assert start == (None if None in starts else min(s for s in starts if s))
        assert end == (None if None in ends else max(e for e in ends if e))
        if any(p.daily is None for p in periods):
            assert daily is None
        else:
            windows = {w for p in periods for w in p.daily or ()}
            assert daily == [{"start": clock_text(a), "end": clock_text(b)} for a, b in sorted(windows)]
    assert summarise([]) == (None, None, None)


def test_clock_texts() -> None:
    assert (clock_text(7 * 3_600 + 30 * 60), clock_text(7 * 3_600 + 30 * 60 + 15)) == ("07:30", "07:30:15")
    assert (ed_clock(86_400, ".00Z"), ed_clock(3_661, "Z")) == ("00:00:00.00Z", "01:01:01Z")


@pytest.mark.parametrize(("lon", "lat", "radius_m"), [(45.0, 33.5, 5_000.0), (179.95, -17.0, 20_000.0)])
def test_a_circle_s_vertices_lie_at_its_radius(lon: float, lat: float, radius_m: float) -> None:
    geometry = circle_polygon(lon, lat, radius_m, "zone")
    parts = list(shapely.get_parts(geometry))
    assert len(parts) == (2 if lon + math.degrees(radius_m / 6.371e6) > 180.0 else 1)
    for part in parts:
        for x, y in part.exterior.coords:
            assert -180.0 <= x <= 180.0
            _, _, d = GEOD.inv(lon, lat, x, y)
            on_cut = abs(abs(x) - 180.0) < 1e-9  # the split adds vertices on the antimeridian, inside the circle
            assert d == pytest.approx(radius_m, rel=1e-6) or (on_cut and d < radius_m)
    with pytest.raises(GeometryError, match="zone: circle centre lon 200"):
        circle_polygon(200.0, 0.0, 1_000.0, "zone")


def test_a_circle_is_recognised_only_while_unchanged() -> None:
    geometry = circle_polygon(45.0, 33.5, 5_000.0, "zone")
    zone = Zone(name="c", kind=ZoneKind.RESTRICTED, geometry=geometry, extra=circle_extra(45.0, 33.5, 5_000.0))
    assert circle_of(zone) == (45.0, 33.5, 5_000.0)
    moved = Zone(name="c", kind=ZoneKind.RESTRICTED, geometry=translate(geometry, 0.001), extra=zone.extra)
    assert circle_of(moved) is None
    assert circle_of(Zone(name="b", kind=ZoneKind.RESTRICTED, geometry=box(45, 33, 46, 34))) is None


def test_the_commonsky_block_carries_out_and_back_what_ed_cannot_hold() -> None:
    zone = Zone(
        name="z",
        kind=ZoneKind.PROHIBITED,
        geometry=box(45, 33, 46, 34),
        floor=parse_altitude("FL100"),
        ceiling=parse_altitude("FL200"),
        binding=False,
        applies_to=("iqaf",),
        provenance={"source": "test"},
        extra={"note": "kept", "circle": {"lon": 1}},
    )
    plain = Zone(name="z", kind=ZoneKind.RESTRICTED, geometry=zone.geometry)
    block = carry_out(zone, "own", ZoneKind.RESTRICTED, True)
    assert block == {
        "kind": "prohibited",
        "binding": False,
        "applies_to": ["iqaf"],
        "provenance": {"source": "test"},
        "floor": "FL100",
        "ceiling": "FL200",
        "extra": {"note": "kept"},
    }
    back = carry_in(plain, block, "zones[0]")
    assert (back.kind, back.binding, back.applies_to, back.floor, back.ceiling) == (
        zone.kind,
        zone.binding,
        zone.applies_to,
        zone.floor,
        zone.ceiling,
    )
    assert carry_out(plain, "own", ZoneKind.RESTRICTED, True) == {} and carry_in(plain, None, "w") is plain
    with pytest.raises(InputError, match=r"^zones\[0\]\.extendedProperties\.commonsky: "):
        carry_in(plain, {"kind": "nonsense"}, "zones[0]")
