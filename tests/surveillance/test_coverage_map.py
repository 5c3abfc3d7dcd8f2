"""Coverage maps: the polygon of a cell mask has the mask's cell count times the cell area (geodesic area on WGS84
by pyproj, against the frame's planar area), every masked cell centre inside it and every other outside."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Geod

from commonsky.surveillance.coverage import Grid
from commonsky.surveillance.coverage_map import mask_polygons


def test_mask_polygons_hold_exactly_the_masked_cells() -> None:
    grid = Grid.over(shapely.box(44.0, 33.0, 45.0, 34.0), resolution_m=5_000.0)
    rng = np.random.default_rng(4)
    mask = rng.random(grid.shape) < 0.4
    mask[3:9, 4:12] = True  # a solid block: merged cells share their edges
    polygon = mask_polygons(grid, mask)
    area, _ = Geod(ellps="WGS84").geometry_area_perimeter(polygon)
    # the frame is azimuthal equidistant: planar areas are true to about (rho/R)^2/6, ~1e-4 within 60 km
    assert abs(area) == pytest.approx(mask.sum() * 5_000.0**2, rel=2e-3)
    lat, lon = grid.frame.to_geodetic(grid.east_m, grid.north_m)
    inside = shapely.contains_xy(polygon, np.asarray(lon), np.asarray(lat))
    assert np.array_equal(inside, mask)
    assert mask_polygons(grid, np.zeros(grid.shape, dtype=bool)).is_empty
