"""4D volumes: altitude comparison across references, time windows, exact overlaps (footprints:
tests/airspace/test__footprint.py)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from commonsky.airspace.volume import (
    AltitudeBand,
    AltitudeModel,
    CircleShape,
    CorridorShape,
    DailyWindow,
    PolygonShape,
    TimeWindow,
    Volume,
    overlap,
)
from commonsky.errors import GeometryError, InputError
from commonsky.units import FT_M, parse_altitude


def band(floor: str, ceiling: str) -> AltitudeBand:
    return AltitudeBand(parse_altitude(floor), parse_altitude(ceiling))


def test_bad_shapes_are_rejected() -> None:
    with pytest.raises(GeometryError):
        CircleShape((95.0, 10.0), 1000.0)
    with pytest.raises(GeometryError):
        CircleShape((30.0, 10.0), -5.0)
    with pytest.raises(GeometryError):
        CorridorShape(((30.0, 10.0),), 1000.0)
    with pytest.raises(GeometryError):
        PolygonShape(shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)]))  # bow tie


def test_inverted_band_and_window_are_rejected() -> None:
    with pytest.raises(InputError, match="FL300 is not below ceiling FL200"):
        band("FL300", "FL200")
    with pytest.raises(InputError, match="end is not after start"):
        TimeWindow(100.0, 50.0)


def test_altitude_model_references() -> None:
    model = AltitudeModel()
    # same reference: touching blocks do not conflict, overlapping ones report the common slab
    assert model.overlap_m(band("FL200", "FL250"), band("FL250", "FL300")) is None
    common = model.overlap_m(band("FL250", "FL300"), band("FL290", "FL310"))
    assert common == pytest.approx((29000 * FT_M, 30000 * FT_M))
    # STD against AMSL: within the 200 ft margin they conflict, beyond it they do not
    assert model.overlap_m(band("SFC", "FL100"), band("10150ft AMSL", "12000ft AMSL")) is not None
    assert model.overlap_m(band("SFC", "FL100"), band("10250ft AMSL", "12000ft AMSL")) is None
    # AGL: on flat ground (default) 1500 ft AGL is 1500 ft; with terrain up to 3000 m it may reach 11,343 ft
    low = band("SFC", "1500ft AGL")
    assert model.overlap_m(low, band("2000ft AMSL", "3000ft AMSL")) is None
    hilly = AltitudeModel(ground_min_m=0.0, ground_max_m=3000.0)
    assert hilly.overlap_m(low, band("2000ft AMSL", "3000ft AMSL")) is not None


def test_daily_window_runs_past_midnight() -> None:
    night = DailyWindow(18 * 3600.0, 6 * 3600.0)
    day0 = 10 * 86_400.0
    assert night.intervals(day0, day0 + 86_400.0) == [(day0, day0 + 6 * 3600.0), (day0 + 18 * 3600.0, day0 + 86_400.0)]


def _volume(
    shape: object,
    floor: str = "SFC",
    ceiling: str = "FL100",
    start: float = 0.0,
    end: float = 3600.0,
    daily: tuple[DailyWindow, ...] = (),
) -> Volume:
    return Volume(shape, band(floor, ceiling), TimeWindow(start, end), daily)  # type: ignore[arg-type]


def test_overlap_is_exact_not_bounding_boxes() -> None:
    # two thin diagonal corridors whose bounding boxes overlap widely but which never meet
    a = _volume(CorridorShape(((33.0, 44.0), (34.0, 45.0)), 2000.0))
    b = _volume(CorridorShape(((33.2, 44.0), (34.2, 45.0)), 2000.0))
    assert shapely.intersects(box(*a.footprint.bounds), box(*b.footprint.bounds))
    assert overlap(a, b) is None
    c = _volume(CorridorShape(((33.0, 45.0), (34.0, 44.0)), 2000.0))  # crosses a
    hit = overlap(a, c)
    assert hit is not None
    assert hit.geometry.contains(Point(44.5, 33.5)) or hit.geometry.distance(Point(44.5, 33.5)) < 0.01


def test_touching_squares_do_not_conflict() -> None:
    left = _volume(PolygonShape(box(44.0, 33.0, 44.5, 33.5)))
    right = _volume(PolygonShape(box(44.5, 33.0, 45.0, 33.5)))
    assert overlap(left, right) is None


def test_overlap_needs_common_time_and_altitude() -> None:
    shape = PolygonShape(box(44.0, 33.0, 44.5, 33.5))
    base = _volume(shape, "FL100", "FL200", 0.0, 3600.0)
    assert overlap(base, _volume(shape, "FL100", "FL200", 3600.0, 7200.0)) is None  # [start, end): back to back
    assert overlap(base, _volume(shape, "FL200", "FL300", 0.0, 3600.0)) is None
    hit = overlap(base, _volume(shape, "FL150", "FL300", 1800.0, 7200.0))
    assert hit is not None
    assert hit.intervals == ((1800.0, 3600.0),)
    assert (hit.alt_lo_m, hit.alt_hi_m) == pytest.approx((15000 * FT_M, 20000 * FT_M))


def test_daily_schedule_limits_the_overlap() -> None:
    shape = PolygonShape(box(44.0, 33.0, 44.5, 33.5))
    day = 86_400.0 * 16406  # 2014-12-02
    nightly_zone = Volume(shape, band("SFC", "UNL"), TimeWindow(), (DailyWindow(18 * 3600.0, 6 * 3600.0),))
    morning = _volume(shape, "SFC", "FL100", day + 5 * 3600.0, day + 8 * 3600.0)
    noon = _volume(shape, "SFC", "FL100", day + 11 * 3600.0, day + 13 * 3600.0)
    hit = overlap(morning, nightly_zone)
    assert hit is not None and hit.intervals == ((day + 5 * 3600.0, day + 6 * 3600.0),)
    assert overlap(noon, nightly_zone) is None


def test_shifted_volume_moves_time_and_altitude_only() -> None:
    vol = _volume(CircleShape((34.0, 45.0), 5000.0), "FL100", "FL120")
    moved = vol.shifted(dt_s=600.0, dz_m=1000 * FT_M)
    assert moved.window == TimeWindow(600.0, 4200.0)
    assert moved.band.label() == "FL110-FL130"
    assert moved.footprint.equals(vol.footprint)


@settings(max_examples=200, deadline=None)
@given(
    start_min=st.integers(0, 1439),
    end_min=st.integers(1, 1440),
    lo_h=st.floats(-48, 48),
    span_h=st.floats(0.1, 80),
)
def test_daily_window_intervals_match_the_clock(start_min: int, end_min: int, lo_h: float, span_h: float) -> None:
    start_h, end_h = start_min / 60, end_min / 60
    if abs(start_h - end_h) < 1e-6:
        return
    window = DailyWindow(start_h * 3600.0, end_h * 3600.0)
    lo, hi = lo_h * 3600.0, (lo_h + span_h) * 3600.0
    intervals = window.intervals(lo, hi)
    for t in np.linspace(lo, hi, 97)[:-1]:
        clock = t % 86_400.0
        active = (
            (start_h * 3600 <= clock < end_h * 3600)
            if start_h < end_h
            else not (end_h * 3600 <= clock < start_h * 3600)
        )
        inside = any(a <= t < b for a, b in intervals)
        assert inside == active, (start_h, end_h, t, intervals)
