"""Geodesic buffers on WGS84: every point within a distance of a lon/lat geometry, anywhere on Earth.

Method (all steps vectorised over pieces and vertices):

1. The geometry's points, lines and polygon rings become vertex paths (GeoJSON edges: straight in lon/lat,
   crossing the antimeridian the short way); long edges are densified.
2. Paths are cut into pieces no longer than ``L`` (see :class:`BufferPlan`); each piece gets its own azimuthal
   equidistant frame centred on its middle vertex, where distances from the centre are exact and the distortion
   of other distances stays below the error budget.
3. Each piece is buffered planarly in its frame (``quad_segs`` from the tolerance, radius raised by half the
   chord sagitta so that chords err both ways). GEOS simplifies buffer input by up to 1 % of the distance, so
   the outline is checked every d/20 against the piece (a k-d tree of its segments,
   :class:`commonsky.geo.planar.PolylineIndex`) and swellings are pulled back to the radius. The outline is
   mapped back to lon/lat with longitudes unwrapped around the frame centre, and edges whose images would bow
   away from straight lon/lat lines are split first.
4. Rings that wind around a pole become pole caps; the interiors of input polygons are added; whole-turn copies
   are cut at +-180 and everything is unioned (:func:`commonsky.geo.antimeridian.fold`).

The result's boundary is within ``rel_error`` of ``distance_m`` from the input (true geodesic distance), as
measured by the tests and ``benchmarks/bench_buffer.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from commonsky._typing import FloatArray, IndexArray
from commonsky.earth import EARTH_MEAN_RADIUS_M
from commonsky.errors import GeometryError, InputError
from commonsky.geo.antimeridian import WINDING_THRESHOLD_DEG, GeomArray, cap_ring, fold
from commonsky.geo.geodesy import aeqd_forward, aeqd_inverse, wgs84
from commonsky.geo.paths import (
    Paths,
    areal_parts,
    densify,
    geometry_paths,
    lonlat_edge_splits,
    make_paths,
    subdivide,
    unwrap_segments,
)
from commonsky.geo.planar import PolylineIndex

#: Largest buffer distance accepted (m), half a meridian quadrant: beyond it a "buffer" covers most of a hemisphere.
MAX_DISTANCE_M = 5_000_000.0
#: Longest piece, in buffer distances: bounds the outline vertices per piece (edges are cut to d / 20).
MAX_PIECE_DISTANCES = 200.0
#: Outline vertices farther than radius * (1 + this) from the planar input betray GEOS's input simplification.
SWELL_TOLERANCE = 1e-6
#: Outline samples checked at once for swelling (bounds memory; about 100 bytes each).
BATCH_SAMPLES = 200_000
#: Most parts one outline edge is cut into so that it stays straight in lon/lat (bounds work near the poles).
MAX_SPLITS = 2_000


@dataclass(frozen=True)
class BufferPlan:
    """How a buffer of ``distance_m`` is built to stay within ``rel_error``.

    The error budget is split three ways: a third for the chords of the planar arcs (``quad_segs``), a third for
    the frame distortion (piece length), the rest for edges in lon/lat and the input's densification.

    Frame distortion: in an azimuthal equidistant frame, the scale across the radius at distance rho is
    (rho/R)/sin(rho/R) ~ 1 + rho^2/(6 R^2). A planar distance d measured from a piece vertex at distance s from
    the centre is then off by at most about s^2/(6 R^2) + s d/(3 R^2) (relative), so with s = L/2 the piece
    length L solves L^2/(24 R^2) + L d/(6 R^2) = budget.
    """

    distance_m: float
    rel_error: float
    quad_segs: int
    radius_m: float  # planar buffer radius: distance raised by half the chord sagitta
    piece_length_m: float
    input_spacing_m: float
    edge_tol_m: float  # how far an output or input lon/lat edge may stray from its geodesic (m)

    @classmethod
    def make(cls, distance_m: float, rel_error: float) -> BufferPlan:
        budget = rel_error / 3.0
        angle = 2.0 * math.acos(1.0 - budget)
        quad_segs = max(2, math.ceil((math.pi / 2.0) / angle))
        sagitta = 1.0 - math.cos((math.pi / 2.0) / quad_segs / 2.0)
        r2 = EARTH_MEAN_RADIUS_M**2
        d = distance_m
        piece = -2.0 * d + math.sqrt(4.0 * d * d + 24.0 * budget * r2)  # root of L^2 + 4 d L = 24 budget R^2
        piece = min(piece, MAX_PIECE_DISTANCES * d)
        edge_tol = rel_error * d / 8.0
        # a straight input edge of length e at rho <= L/2 + d from the centre bends by ~ e^2 rho / (8 R^2)
        spacing = min(piece / 8.0, 50_000.0, math.sqrt(8.0 * edge_tol * r2 / (piece / 2.0 + d)))
        return cls(d, rel_error, quad_segs, d * (1.0 + sagitta / 2.0), piece, spacing, edge_tol)


def _check(distance_m: float, rel_error: float) -> None:
    if not math.isfinite(distance_m) or distance_m <= 0.0:
        raise InputError(f"buffer distance must be a positive number of metres, got {distance_m}")
    if distance_m > MAX_DISTANCE_M:
        raise InputError(f"buffer distance {distance_m / 1000:.0f} km exceeds the {MAX_DISTANCE_M / 1000:.0f} km limit")
    if not 1e-6 <= rel_error <= 0.1:
        raise InputError(f"rel_error must lie in [1e-6, 0.1], got {rel_error}")


@dataclass(frozen=True)
class _Pieces:
    """Pieces of paths: vertex ranges first..last (inclusive) into the dense paths and their frame centres."""

    first: IndexArray
    last: IndexArray
    lat0: FloatArray
    lon0: FloatArray


def _split(paths: Paths, piece_length_m: float) -> _Pieces:
    """Cut paths into pieces of about ``piece_length_m`` (sharing end vertices); a one-vertex path is a piece."""
    n = len(paths.lon)
    is_last = np.zeros(n, dtype=bool)
    is_last[paths.start[1:] - 1] = True
    seg = np.flatnonzero(~is_last)
    _, _, seg_len = wgs84().inv(paths.lon[seg], paths.lat[seg], paths.lon[seg + 1], paths.lat[seg + 1])
    step = np.zeros(n)
    step[seg + 1] = seg_len
    total = np.cumsum(step)
    cum = total - np.repeat(total[paths.start[:-1]], paths.sizes)  # length along its path at each vertex (m)
    path = paths.path_of_vertex()
    key = path[seg] * (1 << 32) + np.floor(cum[seg] / piece_length_m).astype(np.int64)
    new = np.ones(len(seg), dtype=bool)
    new[1:] = key[1:] != key[:-1]
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:], len(seg))[: len(starts)] - 1
    lonely = np.flatnonzero(paths.sizes == 1)  # points
    first = np.concatenate([seg[starts], paths.start[lonely]]).astype(np.intp)
    last = np.concatenate([seg[ends] + 1, paths.start[lonely]]).astype(np.intp)
    # centre: the vertex nearest the middle (by length) of each piece; g increases monotonically over vertices
    g = cum + path * (4.0 * np.abs(cum).max() + 1.0 + 4.0 * piece_length_m)
    mid = (g[first] + g[last]) / 2.0
    centre = np.clip(np.searchsorted(g, mid), first, last)
    lower = np.maximum(centre - 1, first)
    centre = np.where(np.abs(g[lower] - mid) < np.abs(g[centre] - mid), lower, centre)
    return _Pieces(first, last, paths.lat[centre], paths.lon[centre])


def _ranges(first: IndexArray, last: IndexArray) -> tuple[IndexArray, IndexArray]:
    """Concatenated vertex indices of the ranges and the range index of each."""
    sizes = last - first + 1
    owner = np.repeat(np.arange(len(first)), sizes)
    offset = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return first[owner] + offset, owner


def _planar_pieces(paths: Paths, pieces: _Pieces, distance_m: float) -> tuple[GeomArray, PolylineIndex]:
    """Each piece in its own frame: as shapely geometries, and as an index for nearest-point queries."""
    idx, owner = _ranges(pieces.first, pieces.last)
    x, y = aeqd_forward(pieces.lat0[owner], pieces.lon0[owner], paths.lat[idx], paths.lon[idx])
    start = np.searchsorted(owner, np.arange(len(pieces.first) + 1)).astype(np.intp)
    index = PolylineIndex.build(x, y, start, max_segment_m=max(distance_m / 16.0, 1.0))
    out = np.empty(len(pieces.first), dtype=object)
    is_line = pieces.last > pieces.first
    on_line = is_line[owner]  # points are the last pieces
    if is_line.any():
        lines = shapely.linestrings(np.column_stack([x[on_line], y[on_line]]), indices=owner[on_line])
        out[is_line] = lines[np.flatnonzero(is_line)]
    if (~is_line).any():
        out[~is_line] = shapely.points(x[~on_line], y[~on_line])
    return out, index


def _exact_planar_buffers(shapes: GeomArray, index: PolylineIndex, plan: BufferPlan) -> GeomArray:
    """Planar round buffers of ``plan.radius_m``, without GEOS's input simplification.

    GEOS (like JTS) drops shallow concave vertices of a buffer's input line, up to 1 % of the distance deep
    (BufferInputLineSimplifier), which can swell the buffer by up to 1 %. Where an outline vertex lies farther
    than the radius from the real line, the edges around it are split to d / 400 and every vertex there is
    pulled back along its nearest-point direction to the radius. The cusps this restores turn by at most about
    2 sqrt(0.02) rad (the dropped concavities are shallow), so edges of d / 400 across them cost < 2e-4 d.
    """
    planar: GeomArray = shapely.buffer(shapes, plan.radius_m, quad_segs=plan.quad_segs)
    # a swelling of 1e-3 d spans about 0.09 d of outline, so samples every d / 20 catch every one that matters;
    # pieces go in batches so that long thin buffers (a 100 m buffer of a 10,000 km line) stay within memory
    samples = shapely.length(planar) / (plan.distance_m / 20.0) + shapely.get_num_coordinates(planar)
    batch = np.floor(np.cumsum(samples) / BATCH_SAMPLES).astype(np.intp)
    out: GeomArray = planar.copy()
    for b in np.unique(batch):
        chosen = np.flatnonzero(batch == b)
        out[chosen] = _unswell(chosen, planar[chosen], index, plan)
    return _drop_false_holes(out, index, plan.radius_m)


def _drop_false_holes(planar: GeomArray, index: PolylineIndex, radius_m: float) -> GeomArray:
    """Fill holes that GEOS leaves by mistake: a real hole of a buffer lies farther than the radius from its
    input (seen: an 870 m^2 hole 17 km from a 3 km island ring buffered by 20 km)."""
    holed = np.flatnonzero(shapely.get_num_interior_rings(planar) > 0)
    if len(holed) == 0:
        return planar
    rings, ring_local = shapely.get_rings(planar[holed], return_index=True)
    first_of = np.searchsorted(ring_local, ring_local)
    is_hole = np.arange(len(rings)) != first_of
    inside = shapely.get_coordinates(shapely.point_on_surface(shapely.polygons(rings[is_hole])))
    gap, _, _ = index.nearest(inside[:, 0], inside[:, 1], holed[ring_local[is_hole]])
    keep = np.ones(len(rings), dtype=bool)
    keep[np.flatnonzero(is_hole)[gap < radius_m * (1.0 - 1e-3)]] = False
    out: GeomArray = planar.copy()
    out[holed] = shapely.polygons(rings[keep], indices=ring_local[keep])
    return out


def _unswell(pieces: IndexArray, planar: GeomArray, index: PolylineIndex, plan: BufferPlan) -> GeomArray:
    """Planar buffers of ``pieces`` with the swellings of GEOS's input simplification pulled back (see above)."""
    radius = plan.radius_m
    dense = shapely.segmentize(planar, plan.distance_m / 20.0)
    rings, ring_local = shapely.get_rings(dense, return_index=True)
    xy, ring_of = shapely.get_coordinates(rings, return_index=True)
    gap, _, _ = index.nearest(xy[:, 0], xy[:, 1], pieces[ring_local[ring_of]])
    far = gap > radius * (1.0 + SWELL_TOLERANCE)
    if not far.any():
        return planar
    ring_start = np.searchsorted(ring_of, np.arange(len(rings) + 1)).astype(np.intp)
    edge = np.ones(len(xy), dtype=bool)
    edge[ring_start[1:] - 1] = False
    a = np.flatnonzero(edge)
    length = np.hypot(*(xy[a + 1] - xy[a]).T)
    splits = np.where(far[a] | far[a + 1], np.ceil(length / (plan.distance_m / 400.0)), 1).astype(np.intp)
    x, y, ring_start = subdivide(xy[:, 0], xy[:, 1], ring_start, splits)
    ring_of = np.repeat(np.arange(len(rings)), np.diff(ring_start))
    gap, foot_x, foot_y = index.nearest(x, y, pieces[ring_local[ring_of]])
    scale = np.where(gap > radius, radius / np.where(gap > 0.0, gap, 1.0), 1.0)
    pulled = np.column_stack([foot_x + (x - foot_x) * scale, foot_y + (y - foot_y) * scale])
    fixed = shapely.polygons(shapely.linearrings(pulled, indices=ring_of), indices=ring_local)
    return np.asarray(shapely.make_valid(fixed), dtype=object)


def _unproject_rings(
    xy: FloatArray, ring_start: IndexArray, ring_piece: IndexArray, pieces: _Pieces
) -> tuple[FloatArray, FloatArray]:
    """Frame coordinates of rings back to (lat, unwrapped lon), each ring anchored at its piece's centre."""
    piece_of = np.repeat(ring_piece, np.diff(ring_start))
    lat, lon = aeqd_inverse(pieces.lat0[piece_of], pieces.lon0[piece_of], xy[:, 0], xy[:, 1])
    return lat, unwrap_segments(lon, ring_start, anchor=pieces.lon0[ring_piece])


def _piece_outlines(paths: Paths, plan: BufferPlan) -> GeomArray:
    """Buffers of every piece, back in lon/lat as unwrapped polygons (pole caps closed)."""
    pieces = _split(paths, plan.piece_length_m)
    shapes, index = _planar_pieces(paths, pieces, plan.distance_m)
    planar = _exact_planar_buffers(shapes, index, plan)
    north_x, north_y = aeqd_forward(pieces.lat0, pieces.lon0, 90.0, 0.0)
    south_x, south_y = aeqd_forward(pieces.lat0, pieces.lon0, -90.0, 0.0)
    has_north = shapely.contains_xy(planar, north_x, north_y)
    has_south = shapely.contains_xy(planar, south_x, south_y)

    # a repaired outline may come back in several parts: rings are indexed by part, frames by piece
    parts, part_piece = shapely.get_parts(planar, return_index=True)
    keep = (shapely.get_type_id(parts) == shapely.GeometryType.POLYGON) & ~shapely.is_empty(parts)
    parts, part_piece = parts[keep], part_piece[keep]
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    ring_piece = part_piece[ring_part]
    xy, ring_of = shapely.get_coordinates(rings, return_index=True)
    ring_start = np.searchsorted(ring_of, np.arange(len(rings) + 1)).astype(np.intp)
    lat, lon_u = _unproject_rings(xy, ring_start, ring_piece, pieces)
    # the images of straight frame edges must also stay close to straight lon/lat lines: split where they bow
    edge = np.ones(len(xy), dtype=bool)
    edge[ring_start[1:] - 1] = False
    a = np.flatnonzero(edge)
    splits = np.clip(lonlat_edge_splits(lon_u[a], lat[a], lon_u[a + 1], lat[a + 1], plan.edge_tol_m), 1, MAX_SPLITS)
    if (splits > 1).any():
        x, y, ring_start = subdivide(xy[:, 0], xy[:, 1], ring_start, splits.astype(np.intp))
        xy = np.column_stack([x, y])
        lat, lon_u = _unproject_rings(xy, ring_start, ring_piece, pieces)
        ring_of = np.repeat(np.arange(len(rings)), np.diff(ring_start))

    winding = lon_u[ring_start[1:] - 1] - lon_u[ring_start[:-1]]
    ring_geoms = shapely.linearrings(np.column_stack([lon_u, lat]), indices=ring_of)
    for r in np.flatnonzero(np.abs(winding) > WINDING_THRESHOLD_DEG):
        p = ring_piece[r]
        lo, hi = ring_start[r], ring_start[r + 1]
        pole = 90.0 if has_north[p] else -90.0 if has_south[p] else math.copysign(90.0, float(lat[lo:hi].mean()))
        ring_geoms[r] = shapely.linearrings(cap_ring(lon_u[lo:hi], lat[lo:hi], pole))
    polygons: GeomArray = shapely.polygons(ring_geoms, indices=ring_part)
    return polygons


def _ring_polygon(coords: FloatArray, plan_tol_m: float) -> Polygon:
    """One input ring as an unwrapped polygon, densified, closed into a cap if it winds around a pole."""
    dense = densify(make_paths([coords]), max_spacing_m=50_000.0, tol_m=plan_tol_m)
    lon, lat = dense.lon, dense.lat
    if abs(lon[-1] - lon[0]) > WINDING_THRESHOLD_DEG:
        touching = lat[np.abs(lat) == 90.0]
        pole = float(touching[0]) if len(touching) else math.copysign(90.0, float(lat.mean()))
        return Polygon(cap_ring(lon, lat, pole))
    return Polygon(np.column_stack([lon, lat]))


def _area_polygons(geom: BaseGeometry, plan: BufferPlan) -> list[BaseGeometry]:
    """Input polygons themselves (everything inside is within the distance), unwrapped and capped."""
    out: list[BaseGeometry] = []
    tol = plan.distance_m / 2.0  # the boundary's buffer covers any shortfall of the interior's edges
    for poly in areal_parts(geom):
        shell = _ring_polygon(shapely.get_coordinates(poly.exterior), tol)
        holes = [_ring_polygon(shapely.get_coordinates(h), tol) for h in poly.interiors]
        shell = shapely.make_valid(shell)
        out.append(shell.difference(shapely.union_all([shapely.make_valid(h) for h in holes])) if holes else shell)
    return out


def _polygonal(geom: BaseGeometry) -> Polygon | MultiPolygon:
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    parts = areal_parts(geom)
    if not parts:
        return Polygon()
    result = parts[0] if len(parts) == 1 else MultiPolygon(parts)
    oriented = shapely.orient_polygons(result)
    assert isinstance(oriented, Polygon | MultiPolygon)
    return oriented


def geodesic_buffer(geom_lonlat: BaseGeometry, distance_m: float, *, rel_error: float = 1e-3) -> Polygon | MultiPolygon:
    """All points within ``distance_m`` (WGS84 geodesic) of a lon/lat geometry, as lon/lat polygons.

    Works for points, lines, polygons, rings and multi-geometries anywhere on Earth. Every point of the result's
    boundary is within ``rel_error`` (relative) of ``distance_m`` from the input. The result is valid GeoJSON:
    longitudes in [-180, 180], a shape crossing the antimeridian is a MultiPolygon cut at +-180, and a buffer
    holding a pole is a cap reaching latitude +-90. Exteriors are counter-clockwise.

    Raises:
        InputError: ``distance_m`` is not positive, exceeds :data:`MAX_DISTANCE_M`, or ``rel_error`` is absurd.
        GeometryError: the input holds invalid polygons or non-finite coordinates.
    """
    distance_m = float(distance_m)
    _check(distance_m, rel_error)
    if geom_lonlat.is_empty:
        return Polygon()
    coords = shapely.get_coordinates(geom_lonlat)
    if not np.isfinite(coords).all() or (np.abs(coords[:, 1]) > 90.0).any():
        raise GeometryError("geometry has non-finite coordinates or latitudes beyond +-90")
    invalid = [p for p in areal_parts(geom_lonlat) if not p.is_valid]
    if invalid:
        raise GeometryError(f"invalid polygon: {shapely.is_valid_reason(invalid[0])}")
    plan = BufferPlan.make(distance_m, rel_error)
    paths = densify(make_paths(geometry_paths(geom_lonlat)), max_spacing_m=plan.input_spacing_m, tol_m=plan.edge_tol_m)
    polygons: list[BaseGeometry] = []
    if paths.count:
        polygons.extend(_piece_outlines(paths, plan))
    polygons.extend(_area_polygons(geom_lonlat, plan))
    return _polygonal(fold(np.asarray(polygons, dtype=object)))
