"""The map frame: scale factors against the WGS84 geodesic, fitting, antimeridian placement, round lengths."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Geod

from commonsky.render.view import View, nice_length

GEOD = Geod(ellps="WGS84")


@pytest.mark.parametrize("lat0", [0.0, 34.0, 61.5, -45.0, 80.0])
def test_scale_bar_length_is_geodesic_at_the_centre_latitude(lat0: float) -> None:
    """A 100 km bar drawn with the view's factor spans 100 km on the ellipsoid along the centre parallel (the map's
    x direction), measured as a chain of short WGS84 geodesics."""
    view = View.of((20.0, lat0 - 2.0, 30.0, lat0 + 2.0))
    half = view.scale_deg_lon(100.0) / 2.0
    lons = np.linspace(25.0 - half, 25.0 + half, 2001)
    metres = GEOD.line_length(lons, np.full_like(lons, view.lat0))
    assert metres == pytest.approx(100_000.0, rel=1e-5)
    _, _, north_m = GEOD.inv(25.0, view.lat0 - 0.5, 25.0, view.lat0 + 0.5)
    assert view.km_per_deg_lat == pytest.approx(north_m / 1000.0, rel=1e-4)


def test_fitted_keeps_centre_and_takes_the_page_shape() -> None:
    view = View.of((44.0, 30.0, 46.0, 38.0))  # tall box
    wide = view.fitted(1.5)
    assert wide.width_km / wide.height_km == pytest.approx(1.5, rel=1e-9)
    assert (wide.lon0, wide.lat0) == pytest.approx((view.lon0, view.lat0))
    assert wide.height_km == pytest.approx(view.height_km)


def test_place_joins_a_multipolygon_split_at_the_antimeridian() -> None:
    fiji_like = shapely.MultiPolygon(
        [shapely.box(178.0, -18.0, 180.0, -16.0), shapely.box(-180.0, -18.0, -179.0, -16.0)]
    )
    view = View.of((175.0, -20.0, 185.0, -14.0))
    parts = view.place(fiji_like)
    lons = shapely.get_coordinates(parts)[:, 0]
    assert lons.min() == pytest.approx(178.0) and lons.max() == pytest.approx(181.0)
    assert shapely.union_all(parts).area == pytest.approx(6.0)


def test_place_clips_to_the_view_with_margin() -> None:
    view = View.of((0.0, 0.0, 10.0, 10.0))
    parts = view.place(shapely.box(-50.0, -50.0, 50.0, 50.0), margin_frac=0.1)
    assert shapely.union_all(parts).bounds == pytest.approx((-1.0, -1.0, 11.0, 11.0))
    assert view.place(shapely.Point(40.0, 40.0)) == []


@pytest.mark.parametrize(("limit", "expected"), [(0.7, 0.5), (1.0, 1.0), (199.0, 100.0), (260.0, 200.0), (0.03, 0.02)])
def test_nice_length(limit: float, expected: float) -> None:
    assert nice_length(limit) == pytest.approx(expected)


def test_lines_are_drawn_along_geodesics() -> None:
    """A leg between two points on 50°N is a great circle: drawn, it bows north past 55°N."""
    view = View.of((-80.0, 35.0, 10.0, 65.0))
    (line,) = view.place(shapely.LineString([(-70.0, 50.0), (0.0, 50.0)]))
    lat_max = shapely.get_coordinates(line)[:, 1].max()
    vertex_lat = max(lat for _, lat in GEOD.npts(-70.0, 50.0, 0.0, 50.0, 200))
    assert lat_max == pytest.approx(vertex_lat, abs=0.05) and lat_max > 55.0
    polygon_edge = view.place(shapely.Polygon([(-70, 50), (0, 50), (0, 40), (-70, 40)]))[0]
    assert shapely.get_coordinates(polygon_edge)[:, 1].max() == pytest.approx(50.0)  # polygons stay planar


def test_a_track_across_the_antimeridian_takes_the_short_way() -> None:
    view = View.of((170.0, -20.0, 190.0, -10.0))
    parts = view.place(shapely.LineString([(178.0, -15.0), (179.5, -15.2), (-179.5, -15.4), (-178.0, -15.6)]))
    lons = shapely.get_coordinates(parts)[:, 0]
    assert len(parts) == 1 and lons.min() == pytest.approx(178.0) and lons.max() == pytest.approx(182.0)
    assert np.all(np.abs(np.diff(lons)) < 1.0)
