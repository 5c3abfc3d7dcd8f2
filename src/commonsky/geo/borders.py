"""Land borders derived from two country outlines: the runs of one outline that lie along the other.

Natural Earth does not store borders; `shared_boundary` finds them, on ``a``'s own vertices, to about a metre.
Coordinates are longitude, latitude in degrees.

>>> from shapely import Polygon
>>> square = Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])
>>> shared_boundary(square, Polygon([(1, 0), (2, 0), (2, 1), (1, 1)])).length
1.0
>>> shared_boundary(square, Polygon([(1, 1), (2, 1), (2, 2), (1, 2)])).is_empty  # a corner is not a border
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely import LineString, MultiLineString, MultiPolygon, Polygon

__all__ = ["BORDER_TOLERANCE_DEG", "shared_boundary"]

# Natural Earth neighbours share their border vertices, except for a few metres near some tripoints: a vertex of
# one outline within this distance (about 1 m) of the other outline counts as on the border.
BORDER_TOLERANCE_DEG = 1e-5


def shared_boundary(
    a: Polygon | MultiPolygon, b: Polygon | MultiPolygon, tolerance_deg: float = BORDER_TOLERANCE_DEG
) -> LineString | MultiLineString:
    """The part of ``a``'s outline that runs along ``b``'s outline, merged into lines (empty if none).

    ``b``'s vertices lying on a segment of ``a`` are first inserted into ``a``'s outline (so edges shared only in
    part are found). A segment of ``a`` then belongs to the border when both its ends and its midpoint lie within
    ``tolerance_deg`` of ``b``'s outline; runs of such segments become lines, so a contact at a single point gives
    nothing. Vertices are ``a``'s, plus ``b``'s where inserted.
    """
    b_segments = _segments_near(b, _expand(a.bounds, tolerance_deg))
    if len(b_segments) == 0:
        return MultiLineString()
    tree = shapely.STRtree(b_segments)
    b_box = _expand(b.bounds, tolerance_deg)
    b_points = np.unique(shapely.get_coordinates(shapely.get_point(b_segments, 0)), axis=0)
    lines = []
    for ring in _rings(a, b_box):
        ring = _with_points(ring, b_points, b_box, tolerance_deg)
        inside = _in_box(ring, b_box)
        on_border = _segments_on(ring, inside, tree, b_segments, tolerance_deg)
        lines.extend(_runs(ring, on_border))
    if not lines:
        return MultiLineString()
    merged = shapely.line_merge(MultiLineString(lines))
    assert isinstance(merged, LineString | MultiLineString)
    return merged


def _in_box(coords: npt.NDArray[np.float64], box: tuple[float, float, float, float]) -> Any:
    x, y = coords[:, 0], coords[:, 1]
    return (x >= box[0]) & (x <= box[2]) & (y >= box[1]) & (y <= box[3])


def _with_points(
    ring: npt.NDArray[np.float64], points: npt.NDArray[np.float64], box: tuple[float, float, float, float], tol: float
) -> Any:
    """``ring`` with those ``points`` inserted that lie within ``tol`` of one of its segments (meeting ``box``)
    but farther than ``tol`` from both of that segment's ends, in order along the ring."""
    start, end = ring[:-1], ring[1:]
    lo, hi = np.minimum(start, end), np.maximum(start, end)
    candidates = np.flatnonzero(
        (hi[:, 0] >= box[0]) & (lo[:, 0] <= box[2]) & (hi[:, 1] >= box[1]) & (lo[:, 1] <= box[3])
    )
    low, high = ring.min(axis=0) - tol, ring.max(axis=0) + tol
    points = points[_in_box(points, (float(low[0]), float(low[1]), float(high[0]), float(high[1])))]
    if len(candidates) == 0 or len(points) == 0:
        return ring
    segments = shapely.linestrings(np.stack([start[candidates], end[candidates]], axis=1))
    boxes = shapely.box(points[:, 0] - tol, points[:, 1] - tol, points[:, 0] + tol, points[:, 1] + tol)
    point_idx, candidate_idx = shapely.STRtree(segments).query(boxes)
    if len(point_idx) == 0:
        return ring
    close = shapely.distance(shapely.points(points[point_idx]), segments[candidate_idx]) <= tol
    point_idx, segment_idx = point_idx[close], candidates[candidate_idx[close]]
    direction = end[segment_idx] - start[segment_idx]
    length = np.hypot(direction[:, 0], direction[:, 1])
    along = ((points[point_idx] - start[segment_idx]) * direction).sum(axis=1) / np.maximum(length, 1e-300)
    interior = (along > tol) & (along < length - tol)
    if not interior.any():
        return ring
    keys = np.concatenate(
        [np.arange(len(start), dtype=np.float64), segment_idx[interior] + along[interior] / length[interior]]
    )
    coords = np.concatenate([start, points[point_idx[interior]]])
    order = np.argsort(keys, kind="stable")
    merged = coords[order]
    return np.concatenate([merged, merged[:1]])


def _expand(bounds: tuple[float, float, float, float], margin: float) -> tuple[float, float, float, float]:
    return bounds[0] - margin, bounds[1] - margin, bounds[2] + margin, bounds[3] + margin


def _rings(
    geom: Polygon | MultiPolygon, box: tuple[float, float, float, float] | None = None
) -> list[npt.NDArray[np.float64]]:
    """The coordinates of ``geom``'s rings (shells and holes), only those meeting ``box`` if given."""
    rings = shapely.get_rings(shapely.get_parts(geom))
    if box is not None:
        bounds = shapely.bounds(rings)
        meets = (
            (bounds[:, 0] <= box[2]) & (bounds[:, 2] >= box[0]) & (bounds[:, 1] <= box[3]) & (bounds[:, 3] >= box[1])
        )
        rings = rings[meets]
    return [shapely.get_coordinates(r) for r in rings]


def _segments_near(geom: Polygon | MultiPolygon, box: tuple[float, float, float, float]) -> npt.NDArray[Any]:
    """The segments of ``geom``'s rings whose bounding box meets ``box``, as an array of 2-point LineStrings."""
    parts = []
    for ring in _rings(geom, box):
        start, end = ring[:-1], ring[1:]
        lo, hi = np.minimum(start, end), np.maximum(start, end)
        keep = (hi[:, 0] >= box[0]) & (lo[:, 0] <= box[2]) & (hi[:, 1] >= box[1]) & (lo[:, 1] <= box[3])
        parts.append(np.stack([start[keep], end[keep]], axis=1))
    pairs = np.concatenate(parts) if parts else np.empty((0, 2, 2))
    return shapely.linestrings(pairs) if len(pairs) else np.empty(0, dtype=object)


def _near(points: npt.NDArray[np.float64], tree: shapely.STRtree, segments: npt.NDArray[Any], tol: float) -> Any:
    """Which of ``points`` (n x 2) lie within ``tol`` of any of ``segments``."""
    boxes = shapely.box(points[:, 0] - tol, points[:, 1] - tol, points[:, 0] + tol, points[:, 1] + tol)
    point_idx, segment_idx = tree.query(boxes)
    close = shapely.distance(shapely.points(points[point_idx]), segments[segment_idx]) <= tol
    near = np.zeros(len(points), dtype=bool)
    near[point_idx[close]] = True
    return near


def _segments_on(
    ring: npt.NDArray[np.float64],
    inside: npt.NDArray[np.bool_],
    tree: shapely.STRtree,
    segments: npt.NDArray[Any],
    tol: float,
) -> Any:
    """Which segments of ``ring`` run along ``segments`` (only vertices flagged ``inside`` can qualify)."""
    vertex_near = np.zeros(len(ring), dtype=bool)
    vertex_near[inside] = _near(ring[inside], tree, segments, tol)
    on = vertex_near[:-1] & vertex_near[1:]
    candidates = np.flatnonzero(on)
    if len(candidates):
        midpoints = (ring[candidates] + ring[candidates + 1]) / 2.0
        on[candidates] = _near(midpoints, tree, segments, tol)
    return on


def _runs(ring: npt.NDArray[np.float64], on: npt.NDArray[np.bool_]) -> list[LineString]:
    """Lines made of consecutive ``on`` segments of a closed ring (a run may wrap past the ring's start)."""
    if not on.any():
        return []
    if on.all():
        return [LineString(ring)]
    shift = int(np.flatnonzero(~on)[0]) + 1  # start just after an off segment, so no run wraps
    order = np.roll(np.arange(len(on)), -shift)
    flags = on[order]
    edges = np.diff(np.concatenate([[0], flags.astype(np.int8), [0]]))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    lines = []
    for start, stop in zip(starts, stops, strict=True):
        segment_ids = order[start:stop]
        vertex_ids = np.append(segment_ids, segment_ids[-1] + 1)
        lines.append(LineString(ring[vertex_ids]))
    return lines
