"""Lon/lat geometries as vertex paths: the lines a distance or a buffer is measured from.

A geometry's "paths" are its points (one-vertex paths), its lines, and the rings of its polygons. Edges are
read as GeoJSON does: straight in longitude/latitude, except that a longitude jump of more than 180 degrees
between two vertices crosses the antimeridian the short way. For polygons, edges that lie along the +-180
meridian or along a pole line (the cuts that GeoJSON data makes to split a polygon at the antimeridian, such as
Russia's or Antarctica's) are not part of the boundary and are dropped.

:func:`densify` inserts vertices along the edges (still straight in unwrapped lon/lat) so that consecutive
vertices are close enough for a geodesic between them to stand for the lon/lat edge within a tolerance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from commonsky._typing import FloatArray, IndexArray
from commonsky.earth import EARTH_MEAN_RADIUS_M
from commonsky.geo.geodesy import wgs84

#: Most vertices inserted into one edge by :func:`densify` (guards against absurd tolerances).
MAX_SPLITS_PER_EDGE = 20_000


@dataclass(frozen=True)
class Paths:
    """Vertex paths as flat arrays: path k holds vertices ``start[k]:start[k + 1]`` (``start`` ends with the
    total count). Longitudes are unwrapped along each path (they may leave [-180, 180])."""

    lon: FloatArray
    lat: FloatArray
    start: IndexArray

    @property
    def count(self) -> int:
        return len(self.start) - 1

    @property
    def sizes(self) -> IndexArray:
        return np.diff(self.start)

    def path_of_vertex(self) -> IndexArray:
        """Index of the path each vertex belongs to."""
        return np.repeat(np.arange(self.count), self.sizes)


def _seam_runs(coords: FloatArray) -> list[FloatArray]:
    """Split a closed ring into the runs of vertices that are joined by non-seam edges."""
    lon, lat = coords[:, 0], coords[:, 1]
    seam = ((np.abs(lon[:-1]) == 180.0) & (lon[:-1] == lon[1:])) | ((np.abs(lat[:-1]) == 90.0) & (lat[:-1] == lat[1:]))
    if not seam.any():
        return [coords]
    open_ring = coords[:-1]
    shift = int(np.flatnonzero(seam)[0]) + 1
    ring = np.roll(open_ring, -shift, axis=0)
    seam_rolled = np.roll(seam, -shift)
    runs = np.split(ring, np.flatnonzero(seam_rolled) + 1)
    return [r for r in runs if len(r) >= 2]


def _part_paths(part: BaseGeometry) -> list[FloatArray]:
    kind = shapely.get_type_id(part)
    if kind == shapely.GeometryType.POLYGON:
        rings = [part.exterior, *part.interiors]
        out: list[FloatArray] = []
        for ring in rings:
            coords = shapely.get_coordinates(ring)
            if len(coords) >= 2:
                out.extend(_seam_runs(coords))
        return out
    coords = shapely.get_coordinates(part)
    return [coords] if len(coords) else []


def geometry_paths(geom: BaseGeometry) -> list[FloatArray]:
    """The (n, 2) lon/lat vertex arrays of every point, line and polygon ring of ``geom`` (seam edges dropped)."""
    out: list[FloatArray] = []
    for part in _simple_parts(geom):
        out.extend(_part_paths(part))
    return out


def _simple_parts(geom: BaseGeometry) -> list[BaseGeometry]:
    """Non-empty points, lines and polygons of a geometry, multi-parts and collections flattened."""
    out: list[BaseGeometry] = []
    for part in shapely.get_parts(geom):
        if shapely.get_num_geometries(part) > 1 or shapely.get_type_id(part) >= shapely.GeometryType.MULTIPOINT:
            out.extend(_simple_parts(part))
        elif not part.is_empty:
            out.append(part)
    return out


def areal_parts(geom: BaseGeometry) -> list[BaseGeometry]:
    """The polygons of ``geom`` (from polygons, multipolygons and collections)."""
    return [p for p in _simple_parts(geom) if shapely.get_type_id(p) == shapely.GeometryType.POLYGON]


def unwrap_segments(lon: FloatArray, start: IndexArray, anchor: FloatArray | None = None) -> FloatArray:
    """Longitudes unwrapped along each segment ``start[k]:start[k+1]`` (steps of at most 180 degrees).

    With ``anchor`` (one longitude per segment), each segment's first vertex is moved by whole turns to lie
    within 180 degrees of its anchor.
    """
    if len(lon) == 0:
        return lon.copy()
    step = np.empty_like(lon)
    step[1:] = (np.diff(lon) + 180.0) % 360.0 - 180.0
    first = start[:-1]
    sizes = np.diff(start)
    first_lon = lon[first]
    if anchor is not None:
        first_lon = anchor + (first_lon - anchor + 180.0) % 360.0 - 180.0
    step[first] = first_lon
    total = np.cumsum(step)
    before = np.concatenate([[0.0], total[first[1:] - 1]]) if len(first) else np.empty(0)
    return np.asarray(total - np.repeat(before, sizes), dtype=np.float64)


def make_paths(coords: list[FloatArray]) -> Paths:
    """Pack vertex arrays into :class:`Paths`, longitudes unwrapped along each path."""
    if not coords:
        empty = np.empty(0, dtype=np.float64)
        return Paths(empty, empty, np.zeros(1, dtype=np.intp))
    sizes = np.array([len(c) for c in coords], dtype=np.intp)
    start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.intp)
    xy = np.concatenate(coords)
    return Paths(unwrap_segments(xy[:, 0].astype(np.float64), start), xy[:, 1].astype(np.float64), start)


def lonlat_edge_splits(
    lon0: FloatArray, lat0: FloatArray, lon1: FloatArray, lat1: FloatArray, tol_m: float
) -> FloatArray:
    """How many pieces each lon/lat edge must be cut into so that each piece, straight in lon/lat, stays within
    ``tol_m`` of the geodesic between its ends (longitudes unwrapped, degrees).

    A curve straight in (lat, lon) has geodesic acceleration (sin(phi) cos(phi) dlon^2, -2 tan(phi) dlat dlon)
    on the sphere, of size R |sin(phi)| dlon sqrt(cos(phi)^2 dlon^2 + 4 dlat^2) (radians): an edge bows away
    from its chord by at most an eighth of that, and cutting it in n divides the bow by n^2. Meridians need no
    cut; near the equator almost none.
    """
    lo = np.where(np.sign(lat0) != np.sign(lat1), 0.0, np.minimum(np.abs(lat0), np.abs(lat1)))
    hi = np.maximum(np.abs(lat0), np.abs(lat1))
    dlon = np.radians(np.abs(lon1 - lon0))
    dlat = np.radians(np.abs(lat1 - lat0))
    across = np.sqrt((np.cos(np.radians(lo)) * dlon) ** 2 + 4.0 * dlat**2)
    bow = EARTH_MEAN_RADIUS_M * np.sin(np.radians(hi)) * dlon * across
    # x 1.25: the spherical small-angle bound runs ~6 % short on the ellipsoid at mid-latitudes (measured)
    return np.asarray(np.ceil(np.sqrt(1.25 * bow / (8.0 * tol_m))), dtype=np.float64)


def subdivide(
    x: FloatArray, y: FloatArray, start: IndexArray, splits: IndexArray
) -> tuple[FloatArray, FloatArray, IndexArray]:
    """Cut edge e of the segmented polylines (segment k = vertices ``start[k]:start[k+1]``; edges numbered by
    their first vertex, last vertices excluded) into ``splits[e]`` equal parts; returns new x, y, start."""
    n = len(x)
    is_last = np.zeros(n, dtype=bool)
    is_last[start[1:] - 1] = True
    count = np.ones(n, dtype=np.intp)
    count[~is_last] = np.maximum(splits, 1)
    src = np.repeat(np.arange(n), count)
    offsets = np.arange(len(src)) - np.repeat(np.cumsum(count) - count, count)
    frac = offsets / np.repeat(count, count)
    nxt = np.minimum(src + 1, n - 1)
    new_x = x[src] + frac * (x[nxt] - x[src])
    new_y = y[src] + frac * (y[nxt] - y[src])
    new_start = np.concatenate([[0], np.cumsum(np.add.reduceat(count, start[:-1]))]).astype(np.intp)
    return new_x, new_y, new_start


def densify(paths: Paths, *, max_spacing_m: float, tol_m: float) -> Paths:
    """Paths with vertices inserted along each lon/lat edge so that no edge is longer than ``max_spacing_m`` and
    no edge's lon/lat line departs from the geodesic between its ends by more than ``tol_m`` (about)."""
    n = len(paths.lon)
    if n == 0:
        return paths
    is_last = np.zeros(n, dtype=bool)
    is_last[paths.start[1:] - 1] = True
    edge_from = np.flatnonzero(~is_last)
    lon0, lat0 = paths.lon[edge_from], paths.lat[edge_from]
    lon1, lat1 = paths.lon[edge_from + 1], paths.lat[edge_from + 1]
    _, _, length = wgs84().inv(lon0, lat0, lon1, lat1)
    splits = np.maximum(np.ceil(np.asarray(length) / max_spacing_m), lonlat_edge_splits(lon0, lat0, lon1, lat1, tol_m))
    splits = np.clip(splits, 1, MAX_SPLITS_PER_EDGE).astype(np.intp)
    lon, lat, start = subdivide(paths.lon, paths.lat, paths.start, splits)
    return Paths(lon, lat, start)


def sample_boundary(geom: BaseGeometry, step_m: float) -> tuple[FloatArray, FloatArray]:
    """(lat, lon) of points along every line and polygon ring of ``geom``, at most ``step_m`` apart along the
    lon/lat edges, vertices included; antimeridian and pole cuts of polygons are left out. For checking shapes."""
    dense = densify(make_paths(geometry_paths(geom)), max_spacing_m=step_m, tol_m=math.inf)
    return dense.lat, (dense.lon + 180.0) % 360.0 - 180.0
