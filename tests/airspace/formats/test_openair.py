"""OpenAir in (issue 15 item 6): limits, classes, arcs and circles as geodesic shapes, activation windows, notes for
what is read conservatively, one-line errors. The geometry oracle is pyproj's Geod called here directly."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from pyproj import Geod

from commonsky.airspace.formats.openair import kind_of, parse_limit, read_openair
from commonsky.airspace.zone import ZoneKind
from commonsky.errors import InputError
from commonsky.units import AltitudeRef

DATA = Path(__file__).parents[1] / "data"
GEOD = Geod(ellps="WGS84")
NM = 1852.0
FT = 0.3048


def _dms(d: int, m: int, s: int = 0) -> float:
    return d + m / 60 + s / 3600


@pytest.fixture(scope="module")
def sample() -> dict[str, object]:
    result = read_openair((DATA / "openair_sample.txt").read_bytes(), "openair_sample.txt")
    return {"zones": {z.name: z for z in result.zones}, "notes": result.notes}


@pytest.mark.parametrize(
    ("text", "metres", "ref"),
    [
        ("GND", 0.0, AltitudeRef.AGL),
        ("SFC", 0.0, AltitudeRef.AGL),
        ("0", 0.0, AltitudeRef.AGL),
        ("FL65", 6500 * FT, AltitudeRef.STD),
        ("FL 95 (Mon-Fri)", 9500 * FT, AltitudeRef.STD),
        ("3600ft MSL", 3600 * FT, AltitudeRef.AMSL),
        ("3000 AMSL", 3000 * FT, AltitudeRef.AMSL),
        ("5000", 5000 * FT, AltitudeRef.AMSL),
        ("1000m MSL", 1000.0, AltitudeRef.AMSL),
        ("2500ft GND", 2500 * FT, AltitudeRef.AGL),
        ("500 ft agl", 500 * FT, AltitudeRef.AGL),
        ("100 Agl", 100 * FT, AltitudeRef.AGL),
        ("2000ft STD", 2000 * FT, AltitudeRef.STD),
    ],
)
def test_limits(text: str, metres: float, ref: AltitudeRef) -> None:
    altitude = parse_limit(text, ceiling=False)
    assert altitude is not None
    assert altitude.value_m == pytest.approx(metres)
    assert altitude.ref is ref


@pytest.mark.parametrize("text", ["UNL", "UNLIM", "UNLIMITED", "UNLIM (Mon-Fri)"])
def test_unlimited(text: str) -> None:
    altitude = parse_limit(text, ceiling=True)
    assert altitude is not None and altitude.is_unlimited


def test_unreadable_limit_is_none() -> None:
    assert parse_limit("Ask on 122.8", ceiling=True) is None


def test_kinds_follow_class_and_type() -> None:
    assert kind_of("P", None) == (ZoneKind.PROHIBITED, True)
    assert kind_of("R", "RESTRICTED") == (ZoneKind.RESTRICTED, True)
    assert kind_of("D", "TMA") == (ZoneKind.RESTRICTED, True)
    assert kind_of("Q", None) == (ZoneKind.ADVISORY, False)
    assert kind_of("E", "RMZ") == (ZoneKind.ADVISORY, False)


def test_polygon_vertices_are_the_file_points(sample: dict) -> None:
    zone = sample["zones"]["EDR TEST Polygon H24"]
    assert zone.kind is ZoneKind.RESTRICTED and zone.binding
    expected = [
        (_dms(11, 38), _dms(48, 16)),
        (_dms(11, 42), _dms(48, 18)),
        (_dms(11, 45), _dms(48, 15)),
        (_dms(11, 40), _dms(48, 13, 30)),
    ]
    assert np.allclose(np.array(zone.geometry.exterior.coords)[:-1], expected, atol=1e-12)
    assert zone.ceiling.value_m == pytest.approx(3600 * FT) and zone.ceiling.ref is AltitudeRef.AMSL
    assert zone.extra["openair"]["ident"] == "ED-R-TEST-1"


def test_circle_is_geodesic(sample: dict) -> None:
    zone = sample["zones"]["EDP TEST Circle"]
    lat, lon = _dms(48, 16, 7), _dms(11, 40, 28)
    coords = np.array(zone.geometry.exterior.coords)
    _, _, dist = GEOD.inv(np.full(len(coords), lon), np.full(len(coords), lat), coords[:, 0], coords[:, 1])
    assert np.abs(np.asarray(dist) - 0.8 * NM).max() < 1e-6
    area, _ = GEOD.geometry_area_perimeter(zone.geometry)
    assert abs(area) == pytest.approx(math.pi * (0.8 * NM) ** 2, rel=2e-3)
    assert zone.kind is ZoneKind.PROHIBITED
    assert zone.ceiling.ref is AltitudeRef.STD and zone.ceiling.value_m == pytest.approx(6500 * FT)
    assert zone.extra["circle"] == {
        "lon": pytest.approx(lon),
        "lat": pytest.approx(lat),
        "radius_m": pytest.approx(0.8 * NM),
    }


def test_counter_clockwise_arc(sample: dict) -> None:
    zone = sample["zones"]["TEST CTR Arc"]
    lat, lon = _dms(52, 26), _dms(7, 12)
    coords = np.array(zone.geometry.exterior.coords)[:-1]
    az, _, dist = GEOD.inv(np.full(len(coords), lon), np.full(len(coords), lat), coords[:, 0], coords[:, 1])
    on_arc = np.abs(np.asarray(dist) - 5 * NM) < 1e-6
    assert on_arc.sum() > 10
    bearings = np.mod(np.asarray(az)[on_arc], 360.0)
    # counter-clockwise from 0 to 270: the arc stays in the north-west quadrant
    assert np.all((bearings >= 270.0 - 1e-9) | (bearings <= 1e-9))
    assert zone.ceiling.ref is AltitudeRef.AGL and zone.ceiling.value_m == pytest.approx(2500 * FT)
    assert zone.extra["openair"]["freq"] == "118.705"


def test_db_arc_keeps_end_points_and_activation(sample: dict) -> None:
    zone = sample["zones"]["TEST Danger DB"]
    coords = [tuple(c) for c in zone.geometry.exterior.coords]
    assert (_dms(13, 8, 15), _dms(52, 22, 40)) in coords
    assert (_dms(13, 11, 2), _dms(52, 24, 33)) in coords
    assert zone.valid_from == datetime(2026, 6, 1, 8, tzinfo=UTC)
    assert zone.valid_to == datetime(2026, 6, 1, 18, tzinfo=UTC)
    assert zone.kind is ZoneKind.ADVISORY and not zone.binding
    assert zone.floor.value_m == pytest.approx(1000.0)


def test_unreadable_ceiling_is_unlimited_with_a_note(sample: dict) -> None:
    zone = sample["zones"]["TEST Wave"]
    assert zone.ceiling.is_unlimited
    assert zone.extra["openair"]["ceiling"] == "Ask on 122.8"
    assert any("Ask on 122.8" in note for note in sample["notes"])
    assert "Lake" not in sample["zones"]  # terrain records are skipped


def test_self_touching_outline_is_repaired_with_a_note() -> None:
    text = (
        b"AC R\nAN Bow\nAL GND\nAH 1000ft MSL\n"
        b"DP 48:00:00 N 011:00:00 E\nDP 48:10:00 N 011:10:00 E\nDP 48:10:00 N 011:00:00 E\nDP 48:00:00 N 011:10:00 E\n"
    )
    result = read_openair(text, "bow.txt")
    (zone,) = result.zones
    assert zone.geometry.is_valid and zone.geometry.geom_type == "MultiPolygon"
    assert "repaired" in result.notes[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"AC R\nAN X\nAL GND\nAH FL100\nDA 5,0,90\n", "line 5: center undefined"),
        (b"AC R\nAN X\nAL GND\nAH FL100\nXX nonsense\n", "unknown record type XX"),
        (b"AC R\nAN X\nAL GND\nAH FL100\nDP 95:00:00 N 007:00:00 E\nDP 46:00:00 N 007:00:00 E\n", "three distinct"),
        (b"* only comments\n", "no OpenAir airspace"),
        (b"AC R\nAN X\nAL GND\nAH FL100\nDP 48:00:00 N 011:00:00 E\nDP 48:10:00 N 011:00:00 E\n", "three distinct"),
    ],
)
def test_bad_files_fail_in_one_line(text: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        read_openair(text, "bad.txt")
    assert "\n" not in str(caught.value) and str(caught.value).startswith("bad.txt")


def test_latitude_out_of_range_is_refused() -> None:
    text = (
        b"AC R\nAN X\nAL GND\nAH FL100\n"
        b"DP 95:00:00 N 007:00:00 E\nDP 46:00:00 N 007:00:00 E\nDP 46:00:00 N 008:00:00 E\n"
    )
    with pytest.raises(InputError, match="outside lon"):
        read_openair(text, "bad.txt")


def test_latin1_file_is_read() -> None:
    text = "AC R\nAN EDR Müritz\nAL GND\nAH FL100\nV X=53:30:00 N 012:40:00 E\nDC 2\n".encode("latin-1")
    (zone,) = read_openair(text, "old.txt").zones
    assert zone.name == "EDR Müritz"
