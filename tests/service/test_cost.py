"""The judging cost of a request body (`service.cost`), against the docstring's formula evaluated here with areas
and lengths from geodesic measures (pyproj's WGS84 ellipsoid, not the module's own sphere and lon/lat box): within
the tolerance its approximations promise, additive over volumes, and refused over the limit with one line."""

from __future__ import annotations

import math
from typing import Any

import pytest
from pyproj import Geod

from commonsky.service.cost import refuse_costly, request_cost, volume_cost
from commonsky.service.errors import TooLargeError
from commonsky.service.examples import box, circle
from commonsky.service.schemas import VolumeIn

GEOD = Geod(ellps="WGS84")
HOURS = 2.0 + 24.0  # the examples' 06:00-08:00 window and the resolution search's day


def _in(item: dict[str, Any]) -> VolumeIn:
    return VolumeIn.model_validate(item)


def _formula(build: float, area_km2: float, vertices: int) -> float:
    return 0.5 + build + 0.000_04 * area_km2 * HOURS * (1.0 + vertices / 1_000.0)


def _corridor(points: list[list[float]], half_width_m: float) -> dict[str, Any]:
    item = circle(0.0, 0.0)
    item["shape"] = {"type": "corridor", "points": points, "half_width_m": half_width_m}
    return item


def test_a_circle_costs_its_disc() -> None:
    radius_km = 40.0
    expected = _formula(0.0, math.pi * radius_km**2, 1)
    assert volume_cost(_in(circle(33.5, 45.0, radius_km * 1_000.0))) == pytest.approx(expected)


def test_a_polygon_costs_its_lon_lat_box_and_vertices() -> None:
    item = box(44.0, 32.0, 46.0, 34.0)
    lons, lats = [44.0, 46.0, 46.0, 44.0], [32.0, 32.0, 34.0, 34.0]
    area_km2 = abs(GEOD.polygon_area_perimeter(lons, lats)[0]) / 1e6
    cost = volume_cost(_in(item))
    assert cost == pytest.approx(_formula(0.002 * 5, area_km2, 5), rel=0.01)


def test_a_corridor_costs_its_length_times_width_and_points() -> None:
    points = [[33.0 + 0.1 * i, 44.0 + 0.15 * i * (-1) ** i] for i in range(12)]
    half_width_m = 3_000.0
    length_km = GEOD.line_length([p[1] for p in points], [p[0] for p in points]) / 1_000.0
    width_km = half_width_m / 1_000.0
    area_km2 = length_km * 2 * width_km + math.pi * width_km**2
    cost = volume_cost(_in(_corridor(points, half_width_m)))
    assert cost == pytest.approx(_formula(0.13 * len(points), area_km2, len(points)), rel=0.005)


def test_a_request_costs_two_plus_its_volumes_and_is_refused_over_the_limit() -> None:
    volumes = [_in(circle(33.5, 45.0)), _in(box(44.0, 32.0, 46.0, 34.0))]
    total = request_cost(volumes)
    assert total == pytest.approx(2.0 + sum(volume_cost(v) for v in volumes))
    assert refuse_costly(volumes, total) == total
    with pytest.raises(TooLargeError, match=r"^estimated judging cost \d+ over the limit of \d+: split it"):
        refuse_costly(volumes, total - 0.5)


def test_a_longer_window_costs_more_by_the_hours_searched() -> None:
    short = volume_cost(_in(box(44.0, 32.0, 46.0, 34.0)))
    long = volume_cost(_in(box(44.0, 32.0, 46.0, 34.0, end="2014-12-01T20:00:00Z")))
    build = 0.5 + 0.002 * 5
    assert (long - build) / (short - build) == pytest.approx((14.0 + 24.0) / HOURS)
