"""Nearest points on many planar polylines at once (metres in local frames), indexed with a k-d tree.

Used by the buffer to measure its own planar outlines against the pieces they were built from. Each polyline
lives in its own frame, so polylines are kept apart in one tree by shifting each by its own large x offset.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from commonsky._typing import FloatArray, IndexArray
from commonsky.geo.paths import subdivide

#: Nearest vertices fetched per query, in rounds, before falling back to a ball search.
NEIGHBOURS = (6, 32)
#: Queries handled at once.
CHUNK = 50_000
#: Offset (m) between polylines in the shared tree: far beyond any frame's extent.
SEPARATION_M = 1e9


@dataclass(frozen=True)
class PolylineIndex:
    """Polylines (polyline k is vertices ``start[k]:start[k+1]``; one vertex is a point) with their segments in a
    k-d tree, ready for nearest-point queries."""

    x: FloatArray
    y: FloatArray
    seg_a: IndexArray
    seg_b: IndexArray
    seg_of_start: IndexArray
    seg_of_end: IndexArray
    longest_m: float
    tree: cKDTree
    line: IndexArray
    """The polyline of each vertex: a query looks only at its own polyline's segments."""

    @classmethod
    def build(cls, x: FloatArray, y: FloatArray, start: IndexArray, max_segment_m: float) -> PolylineIndex:
        """Index polylines, first splitting segments longer than ``max_segment_m`` or the median segment, whichever
        is longer (which keeps the search band, nearest vertex plus half the longest segment, narrow)."""
        is_last = np.zeros(len(x), dtype=bool)
        is_last[start[1:] - 1] = True
        a = np.flatnonzero(~is_last)
        length = np.hypot(x[a + 1] - x[a], y[a + 1] - y[a])
        # no need to split below the typical segment: the k nearest vertices then already span far enough
        longest = max(max_segment_m, float(np.median(length))) if len(length) else max_segment_m
        splits = np.ceil(length / longest).astype(np.intp)
        x, y, start = subdivide(x, y, start, splits)
        sizes = np.diff(start)
        line_of = np.repeat(np.arange(len(sizes)), sizes)
        is_last = np.zeros(len(x), dtype=bool)
        is_last[start[1:] - 1] = True
        single = np.zeros(len(x), dtype=bool)
        single[start[:-1][sizes == 1]] = True
        seg_a = np.flatnonzero(~is_last | single)
        seg_b = np.where(single[seg_a], seg_a, seg_a + 1)
        seg_of_start = np.full(len(x), -1, dtype=np.intp)
        seg_of_start[seg_a] = np.arange(len(seg_a))
        seg_of_end = np.full(len(x), -1, dtype=np.intp)
        seg_of_end[seg_b[~single[seg_a]]] = np.flatnonzero(~single[seg_a])
        longest = float(np.hypot(x[seg_b] - x[seg_a], y[seg_b] - y[seg_a]).max())
        tree = cKDTree(np.column_stack([x + line_of * SEPARATION_M, y]))
        return cls(x, y, seg_a, seg_b, seg_of_start, seg_of_end, longest, tree, line_of.astype(np.intp))

    def nearest(self, qx: FloatArray, qy: FloatArray, owner: IndexArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """For query points each tied to polyline ``owner``: (distance, foot x, foot y) of its nearest point."""
        out = [np.empty(len(qx)) for _ in range(3)]
        for lo in range(0, len(qx), CHUNK):  # bounds the (queries x 2k) work arrays
            part = slice(lo, lo + CHUNK)
            for o, r in zip(out, self._nearest(qx[part], qy[part], owner[part]), strict=True):
                o[part] = r
        return out[0], out[1], out[2]

    def _nearest(self, qx: FloatArray, qy: FloatArray, owner: IndexArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        n = len(qx)
        q = np.column_stack([qx + owner * SEPARATION_M, qy])
        out_d, out_x, out_y = np.full(n, np.inf), np.zeros(n), np.zeros(n)
        todo = np.arange(n)
        # a segment with neither end among the k nearest vertices is no nearer than the k-th vertex minus half the
        # longest segment; queries whose best found so far is nearer than that are done, the rest look further
        for wanted in NEIGHBOURS:
            k = min(wanted, len(self.x))
            if len(todo) == 0:
                break
            dist_k, vert_k = self.tree.query(q[todo], k=k)
            dist_k, vert_k = dist_k.reshape(len(todo), k), vert_k.reshape(len(todo), k)
            dist, fx, fy = self._to_segments(np.broadcast_to(todo[:, None], vert_k.shape), vert_k, qx, qy, owner)
            best = np.argmin(dist, axis=1)[:, None]
            out_d[todo] = np.take_along_axis(dist, best, 1)[:, 0]
            out_x[todo] = np.take_along_axis(fx, best, 1)[:, 0]
            out_y[todo] = np.take_along_axis(fy, best, 1)[:, 0]
            done = (dist_k[:, -1] - 0.5 * self.longest_m > out_d[todo]) | (k >= len(self.x))
            todo = todo[~done]
        if len(todo):
            hits = self.tree.query_ball_point(q[todo], out_d[todo] * (1 + 1e-9) + 0.5 * self.longest_m + 1e-6)
            counts = np.fromiter((len(h) for h in hits), dtype=np.intp, count=len(hits))
            vertex = np.concatenate([np.asarray(h, dtype=np.intp) for h in hits])
            cand_q = np.repeat(todo, counts)
            dist2, fx2, fy2 = (a[:, 0] for a in self._to_segments(cand_q[:, None], vertex[:, None], qx, qy, owner))
            order = np.lexsort((dist2, cand_q))
            first = order[np.r_[True, cand_q[order][1:] != cand_q[order][:-1]]]
            better = dist2[first] < out_d[todo]
            rows = todo[better]
            out_d[rows], out_x[rows], out_y[rows] = dist2[first][better], fx2[first][better], fy2[first][better]
        return out_d, out_x, out_y

    def _to_segments(
        self, query: IndexArray, vertex: IndexArray, qx: FloatArray, qy: FloatArray, owner: IndexArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Distance and foot from query points to both segments at each vertex; columns [start-of, end-of]. A
        vertex of another polyline than the query's owner is no candidate (the k nearest vertices of a query
        reach into the next polyline when its own has fewer than k)."""
        seg = np.concatenate([self.seg_of_start[vertex], self.seg_of_end[vertex]], axis=1)
        query = np.concatenate([query, query], axis=1)
        valid = (seg >= 0) & (self.line[np.concatenate([vertex, vertex], axis=1)] == owner[query])
        seg = np.where(valid, seg, 0)
        ax, ay = self.x[self.seg_a[seg]], self.y[self.seg_a[seg]]
        dx, dy = self.x[self.seg_b[seg]] - ax, self.y[self.seg_b[seg]] - ay
        len2 = dx * dx + dy * dy
        px, py = qx[query] - ax, qy[query] - ay
        t = np.clip(np.where(len2 > 0, (px * dx + py * dy) / np.where(len2 > 0, len2, 1.0), 0.0), 0.0, 1.0)
        fx, fy = ax + t * dx, ay + t * dy
        dist = np.where(valid, np.hypot(qx[query] - fx, qy[query] - fy), np.inf)
        return dist, fx, fy
