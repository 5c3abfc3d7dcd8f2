import math

import pytest

from commonsky.errors import UnitError
from commonsky.units import (
    AltitudeRef,
    format_length,
    parse_altitude,
    parse_distance,
    parse_duration,
    parse_speed,
)


@pytest.mark.parametrize(
    ("text", "metres"),
    [("20mi", 32186.88), ("5NM", 9260.0), ("5 nmi", 9260.0), ("3.5 km", 3500.0), ("1000ft", 304.8), ("12m", 12.0)],
)
def test_parse_distance(text: str, metres: float) -> None:
    assert parse_distance(text) == pytest.approx(metres)


@pytest.mark.parametrize("text", ["0mi", "-3km", "abc", "20 parsecs", "", "mi", "nan km"])
def test_bad_distance_names_the_value(text: str) -> None:
    with pytest.raises(UnitError) as info:
        parse_distance(text)
    assert repr(text) in str(info.value)


def test_altitudes() -> None:
    fl = parse_altitude("FL320")
    assert fl.ref is AltitudeRef.STD and fl.value_m == pytest.approx(9753.6) and fl.label() == "FL320"
    assert parse_altitude("SFC").label() == "SFC"
    assert math.isinf(parse_altitude("UNL").value_m)
    agl = parse_altitude("500 m AGL")
    assert agl.ref is AltitudeRef.AGL and agl.value_m == 500
    back = parse_altitude(agl.to_json())
    assert back.ref is agl.ref and back.value_m == pytest.approx(agl.value_m, abs=1e-3)
    assert parse_altitude(fl.to_json()) == fl
    with pytest.raises(UnitError):
        parse_altitude("high")


def test_speed_duration_format() -> None:
    assert parse_speed("450kt") == pytest.approx(231.5, abs=0.01)
    assert parse_speed("1000fpm") == pytest.approx(5.08)
    assert parse_duration("5min") == 300.0
    assert parse_duration(300) == 300.0
    assert format_length(27600, "mi") == "17.1 mi"
    assert format_length(9260, "NM") == "5.0 NM"
