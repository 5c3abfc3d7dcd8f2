"""F3548 volumes read by the DSS (`service.dss.geometry`): circles whose every vertex lies at the radius from the
centre (measured here on the ellipsoid), polar caps that hold the whole circle, RFC 3339 times read back to the
microsecond, one-line 400s naming each malformed part, and extents compared and stored as a DSS does."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pyproj import Geod
from shapely.geometry import Point
from uas_standards.astm.f3548.v21 import constants

from commonsky.service.dss.errors import DssError
from commonsky.service.dss.geometry import (
    MAX_AREA_KM2,
    Extent,
    Volume,
    area_km2,
    parse_extents,
    parse_volume,
    time_json,
    to_us,
)

GEOD = Geod(ellps="WGS84")
US = 1_000_000


def _circle(lat: float, lng: float, radius_m: float, **volume: Any) -> dict[str, Any]:
    outline = {"center": {"lat": lat, "lng": lng}, "radius": {"value": radius_m, "units": "M"}}
    return {"volume": {"outline_circle": outline, **volume}}


def _polygon(points: list[tuple[float, float]], **rest: Any) -> dict[str, Any]:
    return {"volume": {"outline_polygon": {"vertices": [{"lat": a, "lng": o} for a, o in points]}}, **rest}


def _parse(raw: Any, need_times: bool = False) -> Volume:
    return parse_volume(raw, "v", need_times=need_times, default_t0_us=0, default_t1_us=10)


@pytest.mark.parametrize(
    ("lat", "lng", "radius_m"), [(33.5, 45.0, 500.0), (-41.3, 174.8, 20_000.0), (0.0, 179.99, 3e3)]
)
def test_a_circle_s_vertices_lie_at_its_radius(lat: float, lng: float, radius_m: float) -> None:
    shape = _parse(_circle(lat, lng, radius_m)).shape
    lons, lats = shape.exterior.coords.xy
    _, _, distances = GEOD.inv([lng] * len(lons), [lat] * len(lats), list(lons), list(lats))
    assert max(abs(d - radius_m) for d in distances) < 1e-3
    regular = len(lons) - 1  # a regular polygon inscribed in the circle has this share of its area
    share = regular / (2 * math.pi) * math.sin(2 * math.pi / regular)
    assert area_km2(shape) == pytest.approx(math.pi * (radius_m / 1e3) ** 2 * share, rel=1e-3)


def test_a_circle_around_a_pole_is_a_cap_holding_it() -> None:
    lat, lng, radius_m = 89.5, 30.0, 120_000.0
    cap = _parse(_circle(lat, lng, radius_m)).shape
    lons, lats, _ = GEOD.fwd([lng] * 360, [lat] * 360, list(range(360)), [radius_m] * 360)
    assert all(cap.covers(Point(o, a)) for o, a in zip(lons, lats, strict=True))


def test_times_are_read_back_to_the_microsecond() -> None:
    rng = random.Random(9)
    for _ in range(200):
        moment = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(microseconds=rng.randrange(0, 10**15))
        t_us = to_us(moment)
        assert t_us == round((moment - datetime(1970, 1, 1, tzinfo=UTC)) / timedelta(microseconds=1))
        back = _parse(_circle(33.0, 45.0, 100.0) | {"time_start": time_json(t_us), "time_end": time_json(t_us + 1)})
        assert (back.t0_us, back.t1_us) == (t_us, t_us + 1)
    offset = {"value": "2026-03-01T12:00:00+02:00", "format": "RFC3339"}
    later = time_json(to_us(datetime(2026, 3, 2, tzinfo=UTC)))
    read = _parse(_circle(33.0, 45.0, 100.0) | {"time_start": offset, "time_end": later})
    assert read.t0_us == to_us(datetime(2026, 3, 1, 10, tzinfo=UTC))


W84 = {"reference": "W84", "units": "M"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("volume", "v: a Volume4D must be an object"),
        ({"volume": {}}, "exactly one of outline_circle and outline_polygon"),
        (_circle(33.0, 45.0, 100.0, altitude_lower={"value": 1, "reference": "AGL"}), "reference must be W84"),
        (_circle(33.0, 45.0, 100.0, altitude_lower={"value": 1, "units": "FT"}), "units must be M"),
        (
            _circle(33.0, 45.0, 100.0, altitude_lower=W84 | {"value": 9}, altitude_upper=W84 | {"value": 1}),
            "lower is above",
        ),
        (_circle(33.0, 45.0, 0.0), "radius must be positive"),
        (_circle(95.0, 45.0, 10.0), "out of range"),
        (_polygon([(33.0, 45.0), (33.1, 45.0)]), "at least 3 distinct vertices"),
        (_polygon([(33.0, 45.0), (33.1, 45.1), (33.0, 45.1), (33.1, 45.0)]), "edges cross"),
        (_circle(33.0, 45.0, 100.0) | {"time_start": {"value": "yesterday"}}, "is not an RFC 3339 time"),
        (_circle(33.0, 45.0, 100.0) | {"time_start": {"value": "2026-01-01T00:00:00"}}, "has no time zone"),
        (_circle(33.0, 45.0, 100.0) | {"time_start": time_json(20), "time_end": time_json(10)}, "start is after"),
        (_circle(33.0, 45.0, math.sqrt(MAX_AREA_KM2 / math.pi) * 1_100.0), "area above"),
        (_circle(33.0, 45.0, "far"), "malformed volume"),  # type: ignore[arg-type]
    ],
)
def test_each_malformed_part_is_a_one_line_400_naming_it(raw: Any, message: str) -> None:
    with pytest.raises(DssError) as refused:
        _parse(raw)
    assert refused.value.status == 400 and message in refused.value.message and "\n" not in refused.value.message


def test_extents_need_times_and_are_bounded_in_vertices() -> None:
    with pytest.raises(DssError, match="time_start and time_end are required"):
        parse_extents([_circle(33.0, 45.0, 100.0)], "extents", max_vertices=1_000)
    timed = _circle(33.0, 45.0, 100.0) | {"time_start": time_json(0), "time_end": time_json(US)}
    assert parse_extents([timed, timed], "extents", max_vertices=128).vertex_count == 128
    with pytest.raises(DssError, match="128 vertices, above the limit of 127"):
        parse_extents([timed, timed], "extents", max_vertices=127)
    with pytest.raises(DssError, match="non-empty list"):
        parse_extents([], "extents", max_vertices=10)


def _extent(lat: float, lng: float, radius_m: float, t0_s: float, t1_s: float, lo: float, hi: float) -> Extent:
    raw = _circle(lat, lng, radius_m, altitude_lower=W84 | {"value": lo}, altitude_upper=W84 | {"value": hi})
    raw |= {"time_start": time_json(int(t0_s * US)), "time_end": time_json(int(t1_s * US))}
    return Extent((_parse(raw, need_times=True),))


def test_covering_is_longer_higher_and_wider_within_the_clock_tolerance() -> None:
    inner = _extent(33.0, 45.0, 1_000.0, 100.0, 200.0, 50.0, 100.0)
    tolerance_s = float(constants.TimeSyncMaxDifferentialSeconds)
    assert _extent(33.0, 45.0, 2_000.0, 100.0, 200.0, 0.0, 150.0).covers(inner)
    assert _extent(33.0, 45.0, 2_000.0, 100.0 + tolerance_s, 200.0, 0.0, 150.0).covers(inner)
    assert not _extent(33.0, 45.0, 2_000.0, 100.0 + tolerance_s + 1, 200.0, 0.0, 150.0).covers(inner)
    assert not _extent(33.0, 45.0, 2_000.0, 100.0, 199.0, 0.0, 150.0).covers(inner)  # ends first
    assert not _extent(33.0, 45.0, 2_000.0, 100.0, 200.0, 60.0, 150.0).covers(inner)  # not low enough
    assert _extent(33.0, 45.005, 2_000.0, 100.0, 200.0, 0.0, 150.0).covers(inner)  # 470 m off: 1,470 m < 2,000
    assert not _extent(33.0, 45.012, 2_000.0, 100.0, 200.0, 0.0, 150.0).covers(inner)  # 1,120 m off: sticks out
    assert _extent(33.0, 45.012, 2_000.0, 100.0, 200.0, 0.0, 150.0).intersects(inner)
    assert not _extent(33.0, 45.05, 2_000.0, 100.0, 200.0, 0.0, 150.0).intersects(inner)  # 4.7 km off


def test_an_extent_is_stored_and_read_back_unchanged() -> None:
    extent = Extent(
        (
            _extent(33.0, 45.0, 1_000.0, 100.0, 200.0, 50.0, 100.0).volumes[0],
            _parse(_polygon([(33.0, 45.0), (33.1, 45.0), (33.1, 45.2)])),
        )
    )
    back = Extent.from_json(extent.to_json())
    assert back.box == extent.box and back.vertex_count == extent.vertex_count
    for a, b in zip(back.volumes, extent.volumes, strict=True):
        assert a.shape.equals_exact(b.shape, 0.0) and (a.alt_lo_m, a.alt_hi_m, a.t0_us, a.t1_us) == (
            b.alt_lo_m,
            b.alt_hi_m,
            b.t0_us,
            b.t1_us,
        )
