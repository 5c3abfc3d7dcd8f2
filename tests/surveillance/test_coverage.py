"""Coverage on a grid against analytic cases: the 4/3-earth radar horizon, the minimum visible altitude against
range, the covered share of a circular zone, and the best new site of a symmetric layout.

Textbook formulas (4/3 earth, k*Re = 8,495 km): radar horizon ``4.12 * (sqrt(h1) + sqrt(h2))`` km for heights in
metres; lowest visible altitude at ground range R for an antenna at h with no elevation limit
``(R / sqrt(2 k Re) - sqrt(h))**2`` beyond the antenna's own horizon; with a 0 degree minimum elevation
``h + R**2 / (2 k Re)``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from commonsky.airspace._footprint import circle_footprint
from commonsky.earth import EFFECTIVE_EARTH_RADIUS_M
from commonsky.surveillance.coverage import Grid, OrbitMode, best_new_sites, coverage, horizon_check_km, sensor_at
from commonsky.surveillance.sensor_config import BuiltSensor, SensorSpec, build_sensor
from commonsky.units import FT_M

KRE = EFFECTIVE_EARTH_RADIUS_M
ALT = 500 * FT_M
CENTRE = (33.3, 44.4)


def radar(grid: Grid, x_m: float, y_m: float, alt_m: float, min_el: float = 0.0, index: int = 0) -> BuiltSensor:
    lat, lon = grid.frame.to_geodetic(x_m, y_m)
    spec = SensorSpec(index, f"R{index}", "radar", float(lat), float(lon), alt_m, 1_000_000.0, 10.0, min_el)
    return build_sensor(spec, grid.frame)


def disc_grid(radius_m: float, resolution_m: float) -> Grid:
    return Grid.over(circle_footprint(*CENTRE, radius_m), resolution_m)


def covered_radius_m(grid: Grid, covered: np.ndarray) -> float:
    """Radius of the disc with the covered cells' area."""
    return math.sqrt(covered.sum() * grid.cell_area_m2 / math.pi)


@pytest.mark.parametrize(("antenna_m", "min_el"), [(0.0, 0.0), (10.0, -90.0)])
def test_horizon_range_at_500ft(antenna_m: float, min_el: float) -> None:
    grid = disc_grid(90_000.0, 500.0)
    cov = coverage(grid, [radar(grid, 0.0, 0.0, antenna_m, min_el)], ALT)
    expected_km = horizon_check_km(antenna_m, ALT)  # 50.9 km at 0 m, 63.9 km at 10 m
    assert covered_radius_m(grid, cov.covered[0]) / 1000 == pytest.approx(expected_km, rel=0.005)
    d = np.hypot(grid.east_m, grid.north_m)
    assert d[cov.covered[0]].max() / 1000 == pytest.approx(expected_km, abs=0.5)


def test_minimum_elevation_limits_a_raised_antenna() -> None:
    """A 10 m mast that cannot look below the horizontal sees less far than its horizon."""
    grid = disc_grid(90_000.0, 500.0)
    cov = coverage(grid, [radar(grid, 0.0, 0.0, 10.0, 0.0)], ALT)
    expected_m = math.sqrt(2 * KRE * (ALT - 10.0))
    assert covered_radius_m(grid, cov.covered[0]) == pytest.approx(expected_m, rel=0.005)


@pytest.mark.parametrize(("antenna_m", "min_el"), [(0.0, 0.0), (10.0, -90.0), (10.0, 0.0)])
def test_lowest_visible_altitude_against_range(antenna_m: float, min_el: float) -> None:
    grid = disc_grid(150_000.0, 2_000.0)
    cov = coverage(grid, [radar(grid, 0.0, 0.0, antenna_m, min_el)], ALT)
    r = np.hypot(grid.east_m, grid.north_m)
    far = r > 30_000.0  # beyond the antenna's own horizon (13 km for 10 m)
    level = antenna_m + r**2 / (2 * KRE)  # ray leaving at 0 degrees
    tangent = (r / math.sqrt(2 * KRE) - math.sqrt(antenna_m)) ** 2  # ray grazing the horizon
    formula = level if min_el == 0.0 else tangent
    np.testing.assert_allclose(cov.floor_m[0][far], formula[far], rtol=0.01)


def test_zone_share_and_lowest_detectable_altitude() -> None:
    """Radar at 0 m at the centre of a 100 km zone: covered share (50.9 / 100)^2, and nothing is seen below
    R^2 / (2 k Re) = 589 m at the zone's edge."""
    grid = disc_grid(100_000.0, 1_000.0)
    cov = coverage(grid, [radar(grid, 0.0, 0.0, 0.0)], ALT)
    reach = horizon_check_km(0.0, ALT) * 1000
    assert cov.share() == pytest.approx((reach / 100_000.0) ** 2, rel=0.02)
    edge = np.hypot(grid.east_m, grid.north_m)[grid.inside].max()
    assert cov.lowest_detectable_alt_m() == pytest.approx(edge**2 / (2 * KRE), rel=0.01)
    assert cov.lowest_detectable_alt_m() == pytest.approx(100_000.0**2 / (2 * KRE), rel=0.02)
    # a zone of its own: the inner 40 km disc is all covered (but for the cone of silence right over the mast,
    # 45 degrees: cells within 152 m of the site) and seen down to (40 km)^2 / (2 k Re)
    inner = grid.mask_of(circle_footprint(*CENTRE, 40_000.0))
    holes = inner & ~cov.covered[0]
    assert holes.sum() > 0 and np.hypot(grid.east_m, grid.north_m)[holes].max() <= ALT
    assert cov.lowest_detectable_alt_m(inner) == pytest.approx(40_000.0**2 / (2 * KRE), rel=0.05)


def test_adsb_is_left_out_for_non_cooperative_aircraft() -> None:
    grid = disc_grid(100_000.0, 2_000.0)
    lat, lon = grid.frame.to_geodetic(0.0, 0.0)
    # a receiver on a 300 m hill, free to look down to its horizon: 4.12 (sqrt(300) + sqrt(152)) = 122 km
    adsb = build_sensor(SensorSpec(1, "A", "adsb", float(lat), float(lon), 300.0, 400_000.0, 1.0, -90.0), grid.frame)
    cov = coverage(grid, [radar(grid, 0.0, 0.0, 0.0), adsb], ALT)
    assert cov.share() == 1.0
    assert cov.share(cooperative=False) == pytest.approx(coverage(grid, [cov.sensors[0]], ALT).share())


def test_best_new_site_in_a_symmetric_layout() -> None:
    """Four 0 m radars at (+-80 km, 0) and (0, +-80 km), a 100 km square zone: by symmetry the largest gap is
    round the centre, and a fifth radar there newly covers its disc less four lenses shared with the others."""
    square = Grid.over(shapely.box(43.2, 32.4, 45.6, 34.2), 1_000.0)
    half = 100_000.0
    inside = (np.abs(square.east_m) <= half) & (np.abs(square.north_m) <= half)
    grid = Grid(square.frame, square.east_m, square.north_m, square.resolution_m, inside)
    sites = [(80_000.0, 0.0), (-80_000.0, 0.0), (0.0, 80_000.0), (0.0, -80_000.0)]
    sensors = [radar(grid, x, y, 0.0, index=i) for i, (x, y) in enumerate(sites)]
    cov = coverage(grid, sensors, ALT)
    spacing = 10_000.0
    (best,) = best_new_sites(cov, sensors[0], spacing)
    assert math.hypot(best.east_m, best.north_m) <= spacing
    r = horizon_check_km(0.0, ALT) * 1000
    d = 80_000.0
    lens = 2 * r**2 * math.acos(d / (2 * r)) - (d / 2) * math.sqrt(4 * r**2 - d**2)
    expected = math.pi * r**2 - 4 * lens
    assert best.new_area_m2 == pytest.approx(expected, rel=0.05)
    # the full sensor model at the chosen site agrees with the greedy count
    after = coverage(grid, [*sensors, sensor_at(sensors[0], best, 9, "new")], ALT)
    assert after.share() == pytest.approx(best.share_after, abs=0.01)
    # a second greedy pick goes to one of the four symmetric corner gaps
    two = best_new_sites(cov, sensors[0], spacing, count=2)
    assert two[0] == best and abs(abs(two[1].east_m) - abs(two[1].north_m)) <= 2 * spacing
    assert two[1].new_area_m2 < best.new_area_m2


def test_aew_orbit_worst_case_is_inside_the_union() -> None:
    from commonsky.airspace.volume import AltitudeBand, CorridorShape, TimeWindow, Volume
    from commonsky.plans.intent import Intent
    from commonsky.units import parse_altitude

    orbit = Intent(
        "aew",
        "coalition",
        (
            Volume(
                CorridorShape(((33.0, 44.0), (33.6, 44.8)), 18_000.0),
                AltitudeBand(parse_altitude("FL290"), parse_altitude("FL310")),
                TimeWindow(0.0, 36_000.0),
            ),
        ),
    )
    grid = Grid.over(shapely.box(42.5, 31.5, 46.5, 35.0), 4_000.0)
    spec = SensorSpec(0, "E-3", "aew", math.nan, math.nan, 0.0, 150_000.0, 10.0, -10.0, "aew")
    aew = build_sensor(spec, grid.frame, [orbit])
    worst = coverage(grid, [aew], ALT, OrbitMode.WORST)
    union = coverage(grid, [aew], ALT, OrbitMode.UNION)
    assert not (worst.covered[0] & ~union.covered[0]).any()
    assert 0 < worst.share() < union.share()
    assert np.all(worst.floor_m[0] >= union.floor_m[0])
