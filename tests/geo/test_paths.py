"""Vertex paths: seams of antimeridian-cut polygons left out, longitudes unwrapped, and `densify` checked with
pyproj's geodesics (an independent computation): every edge within the spacing, every lon/lat edge within the
tolerance of its geodesic at mid-edge, the original vertices kept in order."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Geod

from commonsky.geo.paths import densify, geometry_paths, make_paths, sample_boundary

GEOD = Geod(ellps="WGS84")


def test_a_polygon_cut_at_the_antimeridian_loses_its_seam_edge() -> None:
    [run] = geometry_paths(shapely.box(170.0, 0.0, 180.0, 10.0))
    edges = list(zip(run[:-1].tolist(), run[1:].tolist(), strict=True))
    assert all(not (a[0] == b[0] == 180.0) for a, b in edges)
    assert sorted(map(tuple, run.tolist())) == sorted({(170.0, 0.0), (170.0, 10.0), (180.0, 0.0), (180.0, 10.0)})


def test_paths_are_unwrapped_across_the_antimeridian() -> None:
    line = np.array([[179.0, 0.0], [-179.0, 1.0], [-178.0, 2.0], [179.5, 3.0]])
    paths = make_paths([line, np.array([[10.0, 5.0]])])
    assert paths.lon.tolist() == [179.0, 181.0, 182.0, 179.5, 10.0]
    assert paths.start.tolist() == [0, 4, 5] and paths.path_of_vertex().tolist() == [0, 0, 0, 0, 1]


@pytest.mark.parametrize(
    ("ring", "spacing_m", "tol_m"),
    [
        ([(44.0, 33.0), (48.0, 33.5), (47.0, 37.0), (44.0, 33.0)], 20_000.0, 50.0),
        ([(-30.0, 60.0), (40.0, 62.0), (40.0, 70.0), (-30.0, 60.0)], 1e9, 200.0),  # long edges at high latitude
        ([(170.0, -50.0), (-170.0, -50.0), (-170.0, -40.0), (170.0, -50.0)], 50_000.0, 100.0),
    ],
)
def test_densified_edges_are_short_and_close_to_their_geodesics(
    ring: list[tuple[float, float]], spacing_m: float, tol_m: float
) -> None:
    paths = make_paths([np.array(ring)])
    dense = densify(paths, max_spacing_m=spacing_m, tol_m=tol_m)
    lon0, lat0, lon1, lat1 = dense.lon[:-1], dense.lat[:-1], dense.lon[1:], dense.lat[1:]
    _, _, length = GEOD.inv(lon0, lat0, lon1, lat1)
    # pieces are equal in lon/lat, so on an edge across latitudes a piece is longer than the edge's mean piece by up
    # to the spread of a degree of longitude along it (cos of the lowest over cos of the highest latitude)
    spread = np.cos(np.radians(np.min(np.abs(lat0)))) / np.cos(np.radians(np.max(np.abs(lat0))))
    assert np.all(length <= spacing_m * spread * (1 + 1e-9))
    # mid-edge: the lon/lat line's midpoint against the geodesic's midpoint
    az, _, _ = GEOD.inv(lon0, lat0, lon1, lat1)
    gx, gy, _ = GEOD.fwd(lon0, lat0, az, length / 2)
    _, _, gap = GEOD.inv((lon0 + lon1) / 2, (lat0 + lat1) / 2, gx, gy)
    assert np.all(gap <= tol_m)
    kept = [
        int(np.flatnonzero((dense.lon == x) & (dense.lat == y))[0]) for x, y in zip(paths.lon, paths.lat, strict=True)
    ]
    assert kept[:-1] == sorted(kept[:-1]) and kept[0] == 0
    assert len(dense.lon) > len(paths.lon)


def test_sample_boundary_spacing() -> None:
    lat, lon = sample_boundary(shapely.box(10.0, 40.0, 11.0, 41.0), step_m=5_000.0)
    _, _, step = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    assert np.all(step <= 5_000.0 * (1 + 1e-9)) and len(lat) > 4 * 111_000 / 5_000 * 0.7
