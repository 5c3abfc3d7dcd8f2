"""`Fields`: typed readers of scenario values; good values come out in SI units and UTC seconds, a bad one is
refused with one line naming the file, the path of the field and its line."""

from __future__ import annotations

import calendar
import math
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from commonsky.airspace.volume import CircleShape, CorridorShape, PolygonShape
from commonsky.sim.scenario_fields import Fields
from commonsky.sim.scenario_yaml import ScenarioError

PATH = Path("scenario.yaml")
LINES = {"zones": 3, "zones[0]": 4, "zones[0].shape": 5}


@pytest.fixture
def f() -> Fields:
    return Fields(PATH, dict(LINES))


def test_a_failure_names_the_field_and_the_nearest_known_line(f: Fields) -> None:
    with pytest.raises(ScenarioError) as error:
        f.fail("zones[0].shape.circle.radius", "too big")
    assert str(error.value) == "scenario.yaml: zones[0].shape.circle.radius: too big (line 5)"
    assert f.line_of("zones[0].band") == 4 and f.line_of("intents[2]") is None
    with pytest.raises(ScenarioError) as error:
        f.fail("intents[2]", "bad")
    assert str(error.value) == "scenario.yaml: intents[2]: bad"


def test_good_values_in_si_units(f: Fields) -> None:
    assert f.length_m("5NM", "r") == 5 * 1852.0
    assert f.length_m("300 m", "r") == 300.0
    assert f.speed_ms(120, "v") == pytest.approx(120 * 1852.0 / 3600.0)  # a bare speed is knots
    assert f.duration_s("2min", "d") == 120.0
    assert f.rate("1min/h", "g") == pytest.approx(60.0 / 3600.0)
    assert f.altitude("FL100", "a").value_m == pytest.approx(10000 * 0.3048)
    stamp = calendar.timegm((2014, 12, 2, 6, 0, 0))
    assert f.time_s("2014-12-02T06:00:00Z", "t") == stamp
    assert f.time_s(datetime(2014, 12, 2, 6, 0, 0), "t") == stamp  # YAML's own timestamps, naive = UTC
    assert f.time_s(datetime(2014, 12, 2, 9, 0, 0, tzinfo=UTC).astimezone(), "t") == stamp + 3 * 3600
    assert f.time_s(date(2014, 12, 2), "t") == calendar.timegm((2014, 12, 2, 0, 0, 0))
    assert f.point([33.7, 44.6], "p") == f.point({"lat": 33.7, "lon": 44.6}, "p") == (33.7, 44.6)
    assert f.integer(3, "i") == 3 and f.boolean(False, "b") is False and f.text(7, "s") == "7"
    assert f.choice("adsb", "k", ("radar", "adsb"), "kind") == "adsb"


def test_bands_windows_and_shapes(f: Fields) -> None:
    band = f.band({"floor": "1000ft", "ceiling": "FL100"}, "b")
    assert (band.floor.value_m, band.ceiling.value_m) == pytest.approx((304.8, 3048.0))
    window = f.window({"start": "2014-12-02T06:00:00Z"}, "w")
    assert window.start_s == calendar.timegm((2014, 12, 2, 6, 0, 0)) and window.end_s == math.inf
    circle = f.shape({"circle": {"centre": [33.7, 44.6], "radius": "2km"}}, "s")
    assert circle == CircleShape((33.7, 44.6), 2000.0)
    track = f.shape({"racetrack": {"from": [33.0, 44.0], "to": [33.1, 44.0], "width": "4km"}}, "s")
    assert track == CorridorShape(((33.0, 44.0), (33.1, 44.0)), 2000.0)  # width across: half on each side
    polygon = f.shape({"polygon": [[33.0, 44.0], [33.0, 44.2], [33.2, 44.2]]}, "s")
    assert isinstance(polygon, PolygonShape)
    assert sorted(polygon.geometry.exterior.coords)[:3] == [(44.0, 33.0), (44.0, 33.0), (44.2, 33.0)]  # lon, lat


@pytest.mark.parametrize(
    ("read", "value", "message"),
    [
        (lambda f, v: f.length_m(v, "zones[0].shape.circle.radius"), "-2km", "must be positive"),
        (lambda f, v: f.length_m(v, "zones[0].shape.circle.radius"), "two miles", "two miles"),
        (lambda f, v: f.speed_ms(v, "zones[0].speed"), 0, "speed must be positive"),
        (lambda f, v: f.rate(v, "zones[0].growth"), "1min", "expected a rate like 1min/h"),
        (lambda f, v: f.time_s(v, "zones[0].start"), "yesterday", "cannot read time 'yesterday'"),
        (lambda f, v: f.time_s(v, "zones[0].start"), 12, "expected an ISO 8601 time, got int 12"),
        (lambda f, v: f.point(v, "zones[0].shape.centre"), [95.0, 44.0], "outside lat \\[-90, 90\\]"),
        (lambda f, v: f.point(v, "zones[0].shape.centre"), [33.0, "east"], "is not two numbers"),
        (lambda f, v: f.point(v, "zones[0].shape.centre"), [1, 2, 3], "expected a position"),
        (lambda f, v: f.integer(v, "zones[0].priority"), True, "expected an integer, got True"),
        (lambda f, v: f.text(v, "zones[0].name"), " ", "expected a non-empty text"),
        (lambda f, v: f.choice(v, "zones[0].kind", ("a", "b"), "kind"), "c", "unknown kind 'c' \\(use a, b\\)"),
        (lambda f, v: f.mapping(v, "zones[0]", ("name",)), {"nmae": 1}, "unknown field 'nmae'"),
        (lambda f, v: f.mapping(v, "zones[0]", ("name",), ("name",)), {}, "missing required field"),
        (lambda f, v: f.mapping(v, "zones[0]", ("name",)), [1], "expected a mapping, got a list"),
        (lambda f, v: f.sequence(v, "zones", allow_empty=False), [], "the list is empty"),
        (lambda f, v: f.band(v, "zones[0]"), {"floor": "FL100", "ceiling": "FL50"}, "is not below ceiling"),
        (
            lambda f, v: f.window(v, "zones[0]"),
            {"start": "2014-12-02T06:00:00Z", "end": "2014-12-02T05:00:00Z"},
            "end 2014-12-02T05:00:00Z is not after start 2014-12-02T06:00:00Z",
        ),
        (lambda f, v: f.shape(v, "zones[0].shape"), {"circle": {}, "polygon": []}, "give exactly one shape"),
        (
            lambda f, v: f.shape(v, "zones[0].shape"),
            {"polygon": [[33.0, 44.0], [33.1, 44.0]]},
            "a polygon needs at least 3 points, got 2",
        ),
        (
            lambda f, v: f.shape(v, "zones[0].shape"),
            {"corridor": {"points": [[33.0, 44.0]], "half_width": "1km"}},
            "a corridor needs at least two points",
        ),
    ],
)
def test_a_bad_value_is_one_line_naming_its_field_and_line(f: Fields, read: Any, value: Any, message: str) -> None:
    with pytest.raises(ScenarioError, match=message) as error:
        read(f, value)
    text = str(error.value)
    assert text.startswith("scenario.yaml: zones") and "\n" not in text
    assert text.endswith(("(line 3)", "(line 4)", "(line 5)")), text
