"""Geodesic distance from many points to the nearest point of a lon/lat geometry.

How: the geometry becomes vertex paths (:mod:`commonsky.geo.paths`) densified so that between consecutive
vertices the lon/lat edge and the geodesic agree within 5 mm. A k-d tree on Earth-centred (ECEF) coordinates
finds, for each query point, the nearest vertex and then every segment that could hold a nearer point (a
segment with an end within the nearest-vertex chord plus half the longest segment, pruned by the triangle
inequality). Each candidate segment is
mapped into the azimuthal equidistant frame centred on the query point, where distances from the query are
exact; the distance to the segment is the planar distance from the origin to its chord there. The chord
departs from the image of the geodesic by about len^2 rho / (24 R^2), so the relative error is about
len^2 / (24 R^2) < 1e-5 for segments up to 50 km.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import ArrayLike
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from commonsky._typing import FloatArray, IndexArray
from commonsky.earth import WGS84_A_M, WGS84_F
from commonsky.geo.geodesy import aeqd_forward, wrap_lon
from commonsky.geo.paths import Paths, areal_parts, densify, geometry_paths, make_paths

#: Longest segment kept after densifying (m), and how far a lon/lat edge may stray from its geodesic (m).
SEGMENT_M = 50_000.0
EDGE_TOL_M = 0.005
#: Query points handled at once (bounds the memory of candidate pairs).
CHUNK = 20_000
#: Smallest radius of curvature of WGS84 (the meridian's, at the equator), m: bounds a chord's sagitta.
POLAR_RADIUS_OF_CURVATURE_MIN_M = 6_335_439.0


def ecef_m(lat: FloatArray, lon: FloatArray) -> FloatArray:
    """Earth-centred Earth-fixed coordinates (n, 3) in metres of points on the WGS84 ellipsoid (height 0)."""
    e2 = WGS84_F * (2.0 - WGS84_F)
    phi, lam = np.radians(lat), np.radians(lon)
    sin_phi, cos_phi = np.sin(phi), np.cos(phi)
    n = WGS84_A_M / np.sqrt(1.0 - e2 * sin_phi**2)
    return np.column_stack([n * cos_phi * np.cos(lam), n * cos_phi * np.sin(lam), n * (1.0 - e2) * sin_phi])


def _segment_distance(ax: FloatArray, ay: FloatArray, bx: FloatArray, by: FloatArray) -> FloatArray:
    """Planar distance from the origin to segments A-B."""
    dx, dy = bx - ax, by - ay
    len2 = dx * dx + dy * dy
    t = np.where(len2 > 0.0, -(ax * dx + ay * dy) / np.where(len2 > 0.0, len2, 1.0), 0.0)
    t = np.clip(t, 0.0, 1.0)
    return np.asarray(np.hypot(ax + t * dx, ay + t * dy), dtype=np.float64)


def _chord_distance(p: FloatArray, a: FloatArray, b: FloatArray) -> FloatArray:
    """Euclidean distance from 3D points p to straight 3D segments a-b (rows)."""
    ab = b - a
    len2 = np.einsum("ij,ij->i", ab, ab)
    t = np.einsum("ij,ij->i", p - a, ab) / np.where(len2 > 0.0, len2, 1.0)
    t = np.clip(t, 0.0, 1.0)
    return np.asarray(np.linalg.norm(a + t[:, None] * ab - p, axis=1), dtype=np.float64)


def distances_to_geometry(lat: ArrayLike, lon: ArrayLike, geom: BaseGeometry, *, boundary_only: bool) -> FloatArray:
    """Geodesic distance (m) from each (lat, lon) to ``geom``; with ``boundary_only`` False, 0 inside its areas.

    Output has the broadcast shape of ``lat`` and ``lon`` (a 0-d input gives a 1-element array). An empty
    geometry gives +inf.
    """
    lat_a, lon_a = np.broadcast_arrays(np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64))
    shape = lat_a.shape
    q_lat, q_lon = lat_a.ravel().copy(), wrap_lon(lon_a.ravel())
    out = np.full(q_lat.shape, np.inf)
    paths = densify(make_paths(geometry_paths(geom)), max_spacing_m=SEGMENT_M, tol_m=EDGE_TOL_M)
    if paths.count == 0 or len(q_lat) == 0:
        return out.reshape(shape)
    index = _SegmentIndex.build(paths)
    for lo in range(0, len(q_lat), CHUNK):  # bounds the memory of the candidate pairs
        out[lo : lo + CHUNK] = index.distances(q_lat[lo : lo + CHUNK], q_lon[lo : lo + CHUNK])
    if not boundary_only:
        areas = areal_parts(geom)
        if areas:
            out[shapely.intersects_xy(shapely.union_all(areas), q_lon, q_lat)] = 0.0
    return out.reshape(shape)


@dataclass(frozen=True)
class _SegmentIndex:
    """Segments of densified paths (vertex indices a -> b) with a k-d tree on their vertices (ECEF)."""

    paths: Paths
    seg_a: IndexArray
    seg_b: IndexArray
    seg_of_start: IndexArray
    seg_of_end: IndexArray
    xyz: FloatArray
    chord: FloatArray
    tree: cKDTree

    @classmethod
    def build(cls, paths: Paths) -> _SegmentIndex:
        n = len(paths.lon)
        is_last = np.zeros(n, dtype=bool)
        is_last[paths.start[1:] - 1] = True
        single = np.zeros(n, dtype=bool)
        single[paths.start[:-1][paths.sizes == 1]] = True
        # segments: each vertex that is not last starts one; a lone point is a segment of zero length
        seg_a = np.flatnonzero(~is_last | single)
        seg_b = np.where(single[seg_a], seg_a, seg_a + 1)
        seg_of_start = np.full(n, -1, dtype=np.intp)
        seg_of_start[seg_a] = np.arange(len(seg_a))
        seg_of_end = np.full(n, -1, dtype=np.intp)
        seg_of_end[seg_b[~single[seg_a]]] = np.flatnonzero(~single[seg_a])
        xyz = ecef_m(paths.lat, paths.lon)
        chord = np.linalg.norm(xyz[seg_b] - xyz[seg_a], axis=1)
        return cls(paths, seg_a, seg_b, seg_of_start, seg_of_end, xyz, chord, cKDTree(xyz))

    def distances(self, q_lat: FloatArray, q_lon: FloatArray) -> FloatArray:
        """Geodesic distance (m) from each query point to the nearest segment."""
        seg_a, seg_b, xyz, chord = self.seg_a, self.seg_b, self.xyz, self.chord
        q_xyz = ecef_m(q_lat, q_lon)
        nearest, _ = self.tree.query(q_xyz, k=1)
        radius = nearest * (1.0 + 1e-6) + 0.5 * float(chord.max()) * 1.001 + 1.0
        hits = self.tree.query_ball_point(q_xyz, radius)
        counts = np.fromiter((len(h) for h in hits), dtype=np.intp, count=len(hits))
        vertex = np.concatenate([np.asarray(h, dtype=np.intp) for h in hits]) if counts.sum() else np.empty(0, np.intp)
        query = np.repeat(np.arange(len(hits)), counts)
        cand_q = np.concatenate([query, query])
        cand_s = np.concatenate([self.seg_of_start[vertex], self.seg_of_end[vertex]])
        keep = cand_s >= 0
        cand_q, cand_s = cand_q[keep], cand_s[keep]
        # prune: no point of segment AB is nearer than min(|PA|, |PB|) - arc(AB)/2; the nearest vertex is at r0
        to_a = np.linalg.norm(xyz[seg_a[cand_s]] - q_xyz[cand_q], axis=1)
        to_b = np.linalg.norm(xyz[seg_b[cand_s]] - q_xyz[cand_q], axis=1)
        lower = np.minimum(to_a, to_b) - 0.5 * (chord[cand_s] * 1.0001 + 1.0)
        keep = lower <= nearest[cand_q] * (1.0 + 1e-3) + 1.0
        cand_q, cand_s = cand_q[keep], cand_s[keep]
        # prune again with the straight 3D chord of each segment: the arc is within its sagitta of the chord, and
        # chord and geodesic lengths rise together (to ~1e-4 at most); only near-best segments get exact geodesics
        approx = _chord_distance(q_xyz[cand_q], xyz[seg_a[cand_s]], xyz[seg_b[cand_s]])
        sagitta = chord[cand_s] ** 2 / (8.0 * POLAR_RADIUS_OF_CURVATURE_MIN_M)
        best = np.full(len(q_lat), np.inf)
        np.minimum.at(best, cand_q, approx + sagitta)
        keep = approx - sagitta <= best[cand_q] * (1.0 + 1e-4 + (best[cand_q] / 6.3e6) ** 2 / 50.0) + 0.01
        cand_q, cand_s = cand_q[keep], cand_s[keep]
        lat, lon = self.paths.lat, self.paths.lon
        ax, ay = aeqd_forward(q_lat[cand_q], q_lon[cand_q], lat[seg_a[cand_s]], lon[seg_a[cand_s]])
        bx, by = aeqd_forward(q_lat[cand_q], q_lon[cand_q], lat[seg_b[cand_s]], lon[seg_b[cand_s]])
        out = np.full(len(q_lat), np.inf)
        np.minimum.at(out, cand_q, _segment_distance(ax, ay, bx, by))
        return out
