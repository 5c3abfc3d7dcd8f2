"""All pairs of samples at the same grid time closer than a radius: a cell hash over (time, lat, lon), no k-d tree.

Cells are ``radius`` tall and at least ``radius`` wide at the partition's highest latitude, so two samples within
the radius (great circle) lie in the same or adjacent cells; only the five forward
neighbours of each cell are visited, so each candidate pair is produced once. Cost is linear in the samples plus
the candidates; no Python loop over cells or pairs.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from commonsky.archive.reports import FloatArray, IntArray
from commonsky.safety.losses import EARTH_RADIUS_M, great_circle_m

# Cells are this much wider than the radius: a great circle shorter than the radius can span slightly more
# longitude than the parallel-arc bound (by 1/sinc of half the longitude difference, < 1 % below 15 degrees).
_CELL_MARGIN = 1.05


def _cross(a_start: IntArray, a_count: IntArray, b_start: IntArray, b_count: IntArray) -> tuple[IntArray, IntArray]:
    """Every (i, j) with i in a group of A and j in the matching group of B (positions in the sorted order)."""
    total = a_count * b_count
    n = int(total.sum())
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    group = np.repeat(np.arange(total.shape[0]), total)
    offset = np.arange(n, dtype=np.int64) - np.repeat(np.cumsum(total) - total, total)
    nb = b_count[group]
    return a_start[group] + offset // nb, b_start[group] + offset % nb


def close_pairs(
    tk: IntArray, lat: FloatArray, lon: FloatArray, radius_m: float
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], FloatArray]:
    """Index pairs (i, j), i != j, with equal ``tk`` and great-circle distance below ``radius_m``; and the distance."""
    if tk.shape[0] < 2:
        return np.zeros(0, np.intp), np.zeros(0, np.intp), np.zeros(0)
    cell_lat = float(np.degrees(radius_m / EARTH_RADIUS_M)) * _CELL_MARGIN
    top = min(float(np.abs(lat).max()) + cell_lat, 90.0)
    cos_top = float(np.cos(np.radians(top)))
    ncols = int(np.floor(360.0 * cos_top / cell_lat)) if cos_top > 0 else 0
    if ncols < 3:
        ncols = 1
    nrows = int(np.ceil(180.0 / cell_lat)) + 2
    cy = np.floor((lat + 90.0) / cell_lat).astype(np.int64)
    cx = np.floor((lon + 180.0) * ncols / 360.0).astype(np.int64) % ncols
    t0 = int(tk.min())
    key = ((tk - t0) * nrows + cy) * ncols + cx
    order = np.argsort(key, kind="stable")
    skey = key[order]
    cells, start, count = np.unique(skey, return_index=True, return_counts=True)
    start, count = start.astype(np.int64), count.astype(np.int64)
    ccx = cells % ncols
    rest = cells // ncols  # (tk - t0) * nrows + cy
    offsets = [(0, 1), (1, -1), (1, 0), (1, 1)] if ncols > 1 else [(1, 0)]
    firsts, seconds = [], []
    i, j = _cross(start, count, start, count)
    same = i < j
    firsts.append(i[same])
    seconds.append(j[same])
    for dy, dx in offsets:
        want = (rest + dy) * ncols + (ccx + dx) % ncols
        pos = np.minimum(np.searchsorted(cells, want), cells.shape[0] - 1)
        hit = cells[pos] == want
        if dy:
            hit &= (cells // ncols) % nrows + dy < nrows  # stay within one time step
        a, b = np.flatnonzero(hit), pos[hit]
        i, j = _cross(start[a], count[a], start[b], count[b])
        firsts.append(i)
        seconds.append(j)
    i = order[np.concatenate(firsts)]
    j = order[np.concatenate(seconds)]
    dist = great_circle_m(lat[i], lon[i], lat[j], lon[j])
    close = dist < radius_m
    return i[close], j[close], dist[close]
