"""The probe budget (`service.budget`): a request's cost is the sum over the grid cells its footprint meets,
counted here by hand (every cell of the lon/lat box tested for shared area, steps and bands counted on the grid);
the size limits against a geodesic area (pyproj); the token bucket on an explicit clock."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from pyproj import Geod
from shapely.geometry import box as rectangle

from commonsky.airspace.volume import AltitudeModel, DailyWindow, Volume
from commonsky.service.budget import (
    CEILING_FT,
    CELL_FLOOR_UNITS,
    DAY_S,
    Budgets,
    OverBudgetError,
    SizeLimits,
    area_km2,
    check_size,
    cost_units,
)
from commonsky.service.disclosure import DisclosurePolicy
from commonsky.service.engine import volumes_from_json
from commonsky.service.errors import TooLargeError
from commonsky.service.examples import box, circle

MODEL = AltitudeModel()
T0 = 1_417_413_600.0  # 2014-12-01T06:00:00Z


def _volume(item: dict[str, object]) -> Volume:
    return volumes_from_json([item])[0]


def _cells_by_hand(volume: Volume, cell_deg: float) -> int:
    lon0, lat0, lon1, lat1 = volume.footprint.bounds
    count = 0
    for ix in range(math.floor(lon0 / cell_deg) - 1, math.floor(lon1 / cell_deg) + 2):
        for iy in range(math.floor(lat0 / cell_deg) - 1, math.floor(lat1 / cell_deg) + 2):
            cell = rectangle(ix * cell_deg, iy * cell_deg, (ix + 1) * cell_deg, (iy + 1) * cell_deg)
            count += volume.footprint.intersection(cell).area > 0.0
    return count


def _steps(start_s: float, end_s: float, step_s: float) -> int:
    return math.ceil(end_s / step_s) - math.floor(start_s / step_s)


@pytest.mark.parametrize(
    ("item", "steps", "bands"),
    [
        (box(45.05, 33.05, 45.25, 33.15), _steps(T0, T0 + 7_200, 300.0), 10),  # FL100-FL200: ten 1,000 ft bands
        (box(45.01, 33.01, 45.33, 33.27, "FL105", "FL185"), 24, 9),  # FL100 to FL190 on the grid
        (circle(33.4, 44.7, 25_000.0, "SFC", "UNL"), 24, round(CEILING_FT / 1_000)),  # charged up to CEILING_FT
        (box(45.0, 33.0, 45.5, 33.5, "FL100", "FL101", end="2014-12-01T06:10:00Z"), 2, 1),  # under the floor
    ],
)
def test_cost_is_the_sum_over_cells_counted_by_hand(item: dict[str, object], steps: int, bands: int) -> None:
    volume = _volume(item)
    policy = DisclosurePolicy()
    cells = _cells_by_hand(volume, policy.cell_deg)
    assert cells > 1
    assert cost_units([volume], policy, MODEL) == pytest.approx(cells * max(steps * bands, CELL_FLOOR_UNITS))


def test_costs_add_up_over_volumes_and_follow_the_grid() -> None:
    a, b = _volume(box(45.05, 33.05, 45.25, 33.15)), _volume(circle(33.4, 44.7, 8_000.0))
    policy = DisclosurePolicy()
    assert cost_units([a, b], policy, MODEL) == pytest.approx(
        cost_units([a], policy, MODEL) + cost_units([b], policy, MODEL)
    )
    coarse = DisclosurePolicy(cell_deg=0.5, step_s=900.0, band_ft=2_000.0)
    long = _volume(box(45.05, 33.05, 45.25, 33.15, end="2014-12-01T12:00:00Z"))  # one 0.5 degree cell
    assert cost_units([long], coarse, MODEL) == pytest.approx(1 * _steps(T0, T0 + 6 * 3_600, 900.0) * 5)


def test_only_active_daily_time_is_charged() -> None:
    whole = _volume(box(45.05, 33.05, 45.25, 33.15, start="2014-12-01T00:00:00Z", end="2014-12-03T00:00:00Z"))
    daily = replace(whole, daily=(DailyWindow(6 * 3_600.0, 7 * 3_600.0),))  # 06:00-07:00 on each of two days
    policy = DisclosurePolicy()
    cells = _cells_by_hand(whole, policy.cell_deg)
    assert cost_units([daily], policy, MODEL) == pytest.approx(cells * 2 * 12 * 10)
    assert cost_units([whole], policy, MODEL) == pytest.approx(cells * 2 * 288 * 10)


def test_size_limits_against_a_geodesic_area() -> None:
    volume = _volume(box(44.0, 32.0, 45.0, 33.0, start="2014-12-01T06:00:00Z", end="2014-12-02T06:00:00Z"))
    geodesic_km2 = abs(Geod(ellps="WGS84").geometry_area_perimeter(volume.footprint)[0]) / 1e6
    assert area_km2(volume) == pytest.approx(geodesic_km2, rel=0.01)
    check_size([volume], SizeLimits(max_volume_km2=geodesic_km2 * 1.02), now_s=T0)
    small = _volume(box(44.0, 32.0, 44.1, 32.1))
    with pytest.raises(TooLargeError, match=r"volumes\[1\]: covers"):
        check_size([small, volume], SizeLimits(max_volume_km2=geodesic_km2 * 0.98), now_s=T0)
    with pytest.raises(TooLargeError, match="ends more than 1 days ahead"):
        check_size([volume], SizeLimits(max_ahead_s=DAY_S - 1.0), now_s=T0)
    check_size([volume], SizeLimits(max_ahead_s=DAY_S), now_s=T0)


def test_the_bucket_refills_at_the_daily_rate_and_a_refusal_takes_nothing() -> None:
    budgets, daily = Budgets(), 8_640.0  # refills 0.1 unit a second
    budgets.charge("p", daily, 6_000.0, now=0.0)
    assert budgets.left("p", daily, now=0.0) == pytest.approx(2_640.0)
    with pytest.raises(OverBudgetError) as refused:
        budgets.charge("p", daily, 3_000.0, now=100.0)  # 2,650 left: 3,500 s short
    assert refused.value.retry_after_s == math.ceil((3_000.0 - 2_650.0) / 0.1)
    assert budgets.left("p", daily, now=100.0) == pytest.approx(2_650.0)
    budgets.charge("p", daily, 3_000.0, now=100.0 + refused.value.retry_after_s)
    assert budgets.left("other", daily, now=5.0) == daily  # each party its own bucket, starting full
    assert budgets.left("p", daily, now=1e9) == daily  # never above a day's budget
    with pytest.raises(TooLargeError, match="over the party's daily budget"):
        budgets.charge("q", daily, daily + 1.0, now=0.0)
    assert budgets.left("q", daily, now=0.0) == daily
