"""The search behind `commonsky.safety.losses`: positions on the grid on demand, candidate pairs coarse to fine.

Reports are sorted by (aircraft, time) once. A position at grid time ``k * step_s`` exists where a run covers
it (`positions_at`: a report exactly then, or a joined segment around it, interpolated). Candidate pairs are
found on a coarse grid of `COARSE` grid steps: one representative position per run and coarse block, paired
(cell hash join, `commonsky.safety.grid_pairs`; a k-d tree on ECEF where that does not apply) within the
radius plus the distance the fastest aircraft of the data covers in a block, and the half-height plus the
fastest vertical movement likewise; then every grid time of the block is tested exactly for those pairs only.
Cost follows the reports and the pairs that come close, not (aircraft x seconds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from commonsky._typing import BoolArray, FloatArray, IntArray
from commonsky.earth import BLUESKY_EARTH_RADIUS_M
from commonsky.safety.grid_pairs import grid_pairs
from commonsky.safety.grid_pairs import usable as grid_usable

COARSE = 8


def great_circle_m(lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray) -> FloatArray:
    """Haversine distance on a sphere of radius `BLUESKY_EARTH_RADIUS_M` (m)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat = p2 - p1
    dlon = np.radians(lon2 - lon1)
    h = np.sin(0.5 * dlat) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(0.5 * dlon) ** 2
    return np.asarray(2.0 * BLUESKY_EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))), dtype=np.float64)


@dataclass(frozen=True, eq=False)
class Reports:
    """Reports sorted by (code, time), no repeated time; ``joined[i]``: row i is joined to row i + 1."""

    t: FloatArray
    code: IntArray
    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray
    airborne: BoolArray
    joined: BoolArray
    key: FloatArray
    t0: float
    width: float

    @classmethod
    def build(
        cls,
        t: FloatArray,
        code: IntArray,
        lat: FloatArray,
        lon: FloatArray,
        alt_m: FloatArray,
        airborne: BoolArray,
        max_gap_s: float,
        step_s: float,
    ) -> Reports:
        joined = np.zeros(t.shape[0], dtype=bool)
        joined[:-1] = (code[1:] == code[:-1]) & (t[1:] - t[:-1] <= max_gap_s) & airborne[1:] & airborne[:-1]
        t0 = float(t.min())
        width = float(math.ceil(float(t.max()) - t0 + 2.0 * step_s + 2.0))
        return cls(t, code, lat, lon, alt_m, airborne, joined, code * width + (t - t0), t0, width)

    def runs(self) -> tuple[IntArray, IntArray]:
        """Start and stop (exclusive) rows of each run of joined airborne reports."""
        n = self.t.shape[0]
        starts = np.concatenate([[0], np.flatnonzero(~self.joined[:-1]) + 1]).astype(np.int64)
        stops = np.concatenate([starts[1:], [n]]).astype(np.int64)
        keep = self.airborne[starts]
        return starts[keep], stops[keep]

    def grid_spans(self, step_s: float, window_s: tuple[float, float]) -> tuple[IntArray, FloatArray, FloatArray]:
        """Each run's start row and its first and last grid index k (time k * step_s) inside the run and the
        half-open ``window_s`` (k_first > k_last where none is)."""
        starts, stops = self.runs()
        k_first = np.ceil(self.t[starts] / step_s)
        k_last = np.floor(self.t[stops - 1] / step_s)
        if math.isfinite(window_s[0]):
            k_first = np.maximum(k_first, math.ceil(window_s[0] / step_s))
        if math.isfinite(window_s[1]):
            k_last = np.minimum(k_last, math.ceil(window_s[1] / step_s) - 1)
        return starts, k_first, k_last

    def positions_at(
        self, code: IntArray, k: IntArray, step_s: float
    ) -> tuple[BoolArray, FloatArray, FloatArray, FloatArray]:
        """(exists, lat, lon, alt_m) of aircraft ``code`` at grid time ``k * step_s``, interpolated in its run."""
        n = self.t.shape[0]
        ts = k * step_s
        i0 = np.searchsorted(self.key, code * self.width + (ts - self.t0), side="right").astype(np.int64) - 1
        i0 = np.clip(i0, 0, n - 1)
        i0 = np.where((self.t[i0] > ts) & (i0 > 0), i0 - 1, i0)  # float rounding of the keys
        i1 = np.minimum(i0 + 1, n - 1)
        mine = (self.code[i0] == code) & (self.t[i0] <= ts)
        exact = mine & (self.t[i0] == ts) & self.airborne[i0]
        between = mine & (self.t[i0] < ts) & self.joined[i0] & (self.t[i1] > ts)
        span = np.where(between, self.t[i1] - self.t[i0], 1.0)
        frac = np.where(between, (ts - self.t[i0]) / span, 0.0)
        dlon = np.mod(self.lon_deg[i1] - self.lon_deg[i0] + 180.0, 360.0) - 180.0
        lon = np.mod(self.lon_deg[i0] + frac * dlon + 180.0, 360.0) - 180.0
        lat = self.lat_deg[i0] + frac * (self.lat_deg[i1] - self.lat_deg[i0])
        alt = self.alt_m[i0] + frac * (self.alt_m[i1] - self.alt_m[i0])
        return exact | between, lat, lon, alt

    def max_speeds(self) -> tuple[float, float]:
        """Largest horizontal and vertical speed (m/s) along any joined segment."""
        j = np.flatnonzero(self.joined)
        if j.shape[0] == 0:
            return 0.0, 0.0
        dt = self.t[j + 1] - self.t[j]
        dh = great_circle_m(self.lat_deg[j], self.lon_deg[j], self.lat_deg[j + 1], self.lon_deg[j + 1])
        dv = np.abs(self.alt_m[j + 1] - self.alt_m[j])
        return float((dh / dt).max()), float((dv / dt).max())


def _block_pairs(g: IntArray, lat: FloatArray, lon: FloatArray, radius_m: float) -> tuple[IntArray, IntArray]:
    """Pairs of representatives of the same block within about ``radius_m`` (a superset)."""
    if grid_usable(lat, lon):
        return grid_pairs(g, lat, lon, radius_m)
    phi, lam = np.radians(lat), np.radians(lon)
    coords = np.empty((lat.shape[0], 4))
    coords[:, 0] = BLUESKY_EARTH_RADIUS_M * np.cos(phi) * np.cos(lam)
    coords[:, 1] = BLUESKY_EARTH_RADIUS_M * np.cos(phi) * np.sin(lam)
    coords[:, 2] = BLUESKY_EARTH_RADIUS_M * np.sin(phi)
    coords[:, 3] = (g - g.min()).astype(np.float64) * (10.0 * radius_m)
    pairs = cKDTree(coords).query_pairs(radius_m * (1.0 + 1e-9) + 1.0, output_type="ndarray").astype(np.int64)
    return pairs[:, 0], pairs[:, 1]


def close_samples(
    r: Reports,
    step_s: float,
    window_s: tuple[float, float],
    radius_m: float,
    half_height_m: float,
) -> tuple[IntArray, IntArray, IntArray, FloatArray, FloatArray, FloatArray]:
    """Every (k, code a, code b) with both aircraft present at grid time k and within the radius AND the
    half-height minus ``tol``-free slack (the caller applies the exact test): (k, a, b, dh, dv, mean altitude)."""
    all_starts, k_from, k_to = r.grid_spans(step_s, window_s)
    has = k_from <= k_to
    starts, k_first, k_last = all_starts[has], k_from[has].astype(np.int64), k_to[has].astype(np.int64)
    g_first, g_last = k_first // COARSE, k_last // COARSE
    count = g_last - g_first + 1
    run = np.repeat(np.arange(starts.shape[0]), count)
    g = g_first[run] + (np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count))
    rep_k = np.clip(g * COARSE + COARSE // 2, k_first[run], k_last[run])
    rep_code = r.code[starts][run]
    _, lat, lon, alt = r.positions_at(rep_code, rep_k, step_s)
    vmax, vzmax = r.max_speeds()
    reach_h = radius_m + 2.0 * vmax * (COARSE - 1) * step_s + 1.0
    reach_v = half_height_m + 2.0 * vzmax * (COARSE - 1) * step_s + 1.0
    p, q = _block_pairs(g, lat, lon, reach_h)
    near = (rep_code[p] != rep_code[q]) & (g[p] == g[q]) & (np.abs(alt[p] - alt[q]) <= reach_v)
    p, q = p[near], q[near]
    near = great_circle_m(lat[p], lon[p], lat[q], lon[q]) <= reach_h
    p, q = p[near], q[near]
    a = np.minimum(rep_code[p], rep_code[q])
    b = np.maximum(rep_code[p], rep_code[q])
    n_codes = int(r.code.max()) + 1
    gg = g[p] - (int(g.min()) if g.shape[0] else 0)
    cand = np.unique((gg * n_codes + a) * n_codes + b)
    a, b = cand // n_codes % n_codes, cand % n_codes
    blk = cand // (n_codes * n_codes) + (int(g.min()) if g.shape[0] else 0)
    # Every grid time of each candidate's block.
    k = np.repeat(blk * COARSE, COARSE) + np.tile(np.arange(COARSE, dtype=np.int64), blk.shape[0])
    a, b = np.repeat(a, COARSE), np.repeat(b, COARSE)
    ts = k * step_s
    ok = (ts >= window_s[0]) & (ts < window_s[1])
    k, a, b = k[ok], a[ok], b[ok]
    va, la_a, lo_a, al_a = r.positions_at(a, k, step_s)
    vb, la_b, lo_b, al_b = r.positions_at(b, k, step_s)
    both = va & vb
    k, a, b = k[both], a[both], b[both]
    la_a, lo_a, al_a, la_b, lo_b, al_b = la_a[both], lo_a[both], al_a[both], la_b[both], lo_b[both], al_b[both]
    dh = great_circle_m(la_a, lo_a, la_b, lo_b)
    dv = np.abs(al_a - al_b)
    return k, a, b, dh, dv, 0.5 * (al_a + al_b)
