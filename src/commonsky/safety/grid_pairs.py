"""Pairs of points of the same group (a picture, a grid time) that may lie within a distance: a cell hash join.

Points are put in cells of ``cell_m`` x ``cell_m`` (north: metres of latitude; east: metres of longitude at the
most poleward latitude of the data, so a cell is never narrower than ``cell_m`` on the ground), and every point
is paired with the points of its own and the neighbouring cells of the same group. Any two points of one group
closer than ``cell_m`` (great circle) are among the pairs; the caller tests the exact condition. Sorting and
binary search only: cost O(n log n + pairs), memory linear, no Python loop over points or groups.

`usable` says when the hash join applies: it does not wrap longitudes, so data that crosses the antimeridian
or reaches beyond `MAX_LAT_DEG` (where cells grow too wide) needs another method (a k-d tree on ECEF).
"""

from __future__ import annotations

import math

import numpy as np

from commonsky._typing import FloatArray, IntArray
from commonsky.earth import BLUESKY_EARTH_RADIUS_M

MAX_LAT_DEG = 75.0
# Great-circle paths bulge poleward of the parallel: widen cells a little beyond the first-order bound.
WIDEN = 1.001


def usable(lat: FloatArray, lon: FloatArray) -> bool:
    """Whether the hash join applies to these points (see the module docstring)."""
    if lat.shape[0] == 0:
        return True
    return bool(np.abs(lat).max() <= MAX_LAT_DEG and float(lon.max() - lon.min()) < 180.0)


def _expand(src: IntArray, lo: IntArray, hi: IntArray) -> tuple[IntArray, IntArray]:
    count = np.maximum(hi - lo, 0)
    total = int(count.sum())
    first = np.repeat(src, count)
    start = np.repeat(lo, count)
    offset = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
    return first, start + offset


def grid_pairs(group: IntArray, lat: FloatArray, lon: FloatArray, cell_m: float) -> tuple[IntArray, IntArray]:
    """Candidate pairs (p < q) of points of the same ``group`` (see the module docstring)."""
    n = lat.shape[0]
    if n < 2:
        z = np.zeros(0, dtype=np.int64)
        return z, z
    cell = cell_m * WIDEN
    cos_b = math.cos(math.radians(min(float(np.abs(lat).max()) + 1.0, 89.0)))
    iy = np.floor(BLUESKY_EARTH_RADIUS_M * np.radians(lat) / cell).astype(np.int64)
    ix = np.floor(BLUESKY_EARTH_RADIUS_M * np.radians(lon) * cos_b / cell).astype(np.int64)
    iy -= iy.min() - 1
    ix -= ix.min() - 1
    nx = int(ix.max()) + 2
    ny = int(iy.max()) + 2
    g = group.astype(np.int64) - int(group.min())
    key = (g * ny + iy) * nx + ix
    order = np.argsort(key, kind="stable")
    ks = key[order]
    new = np.ones(n, dtype=bool)
    new[1:] = ks[1:] != ks[:-1]
    cstart = np.flatnonzero(new).astype(np.int64)
    cend = np.concatenate([cstart[1:], [n]]).astype(np.int64)
    cells = ks[cstart]
    ci = np.cumsum(new) - 1  # cell of each sorted point
    pos = np.arange(n, dtype=np.int64)
    parts = [_expand(pos, pos + 1, cend[ci])]
    m = cells.shape[0]
    for dy, dx in ((0, 1), (1, -1), (1, 0), (1, 1)):
        target = cells + dy * nx + dx
        j = np.minimum(np.searchsorted(cells, target, side="left"), m - 1)
        found = cells[j] == target
        lo = np.where(found, cstart[j], 0)
        hi = np.where(found, cend[j], 0)
        parts.append(_expand(pos, lo[ci], hi[ci]))
    a = order[np.concatenate([p[0] for p in parts])]
    b = order[np.concatenate([p[1] for p in parts])]
    return np.minimum(a, b), np.maximum(a, b)
