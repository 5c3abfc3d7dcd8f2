"""One partition's reports, prepared for `commonsky.safety.loss_search`, and grid samples of their runs.

The reports are put in a fixed order first (aircraft, time; on a repeated (icao24, time) also lat, lon,
altitude, and the first row then is kept), so the kept row does not depend on the order the shuffle delivered
the rows in. Altitudes stay as reported (exact feet, no rounding), as in `commonsky.safety.losses.loss_episodes`.
Then `commonsky.safety.loss_search.Reports` joins each flight's reports into runs: the very structure the
single-process computation uses.

Spatial partitions assume that two consecutive reports of one aircraft joined in a run (at most ``max_gap_s``
apart) are at most `MAX_GS_MS` x ``max_gap_s`` apart; segments faster than that are counted
(``fast_segments``) so that a run can say when the assumption did not hold for its data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from commonsky._typing import BoolArray, FloatArray, IntArray
from commonsky.earth import BLUESKY_EARTH_RADIUS_M
from commonsky.safety.loss_search import Reports, great_circle_m
from commonsky.units import KT_MS

MAX_GS_MS = 1000.0 * KT_MS
"""Fastest credible ground speed (m/s); the spatial halo is sized with it."""


@dataclass(frozen=True, eq=False)
class Prepared:
    """Reports of one partition: ``names`` the 24-bit addresses of the codes (sorted, so a smaller code is a
    smaller icao24), the loss-search structure, and the count of joined segments faster than `MAX_GS_MS`."""

    names: IntArray
    reports: Reports | None  # None: no usable report
    fast_segments: int


@dataclass(frozen=True, eq=False)
class Samples:
    """Aircraft positions on the grid: ``tk`` grid index (time = tk * step_s), ``code`` index into ``names``,
    degrees, metres."""

    names: IntArray
    tk: IntArray
    code: IntArray
    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray

    def __len__(self) -> int:
        return int(self.tk.shape[0])


def wrap_deg(dlon: FloatArray) -> FloatArray:
    """Longitude differences into [-180, 180)."""
    wrapped: FloatArray = np.mod(dlon + 180.0, 360.0) - 180.0
    return wrapped


def prepare(
    time_s: FloatArray,
    icao24: IntArray,
    lat: FloatArray,
    lon: FloatArray,
    alt_m: FloatArray,
    on_ground: BoolArray,
    *,
    step_s: float,
    max_gap_s: float,
) -> Prepared:
    """Order, de-duplicate and join reports given in any order (see the module docstring)."""
    ok = np.isfinite(time_s) & np.isfinite(lat) & np.isfinite(lon) & np.isfinite(alt_m) & (icao24 >= 0)
    ok &= (np.abs(lat) <= 90.0) & (np.abs(lon) <= 360.0)
    idx = np.flatnonzero(ok)
    if idx.shape[0] == 0:
        return Prepared(np.zeros(0, dtype=np.int64), None, 0)
    ids, times = icao24[idx], time_s[idx]
    new = ids[1:] != ids[:-1]
    if bool(np.all(ids[1:] >= ids[:-1]) and np.all(new | (times[1:] > times[:-1]))):
        # Already in (aircraft, time) order without a repeated time (how `block.analyse_rows` delivers them).
        rows, t = idx, times
        code = np.concatenate([[0], np.cumsum(new)]).astype(np.int64)
        names = ids[np.concatenate([[True], new])]
    else:
        rows, t, code, names = _ordered(idx, time_s, icao24, lat, lon, alt_m)
    la, lo, al, air = lat[rows], lon[rows], alt_m[rows], ~on_ground[rows]
    reports = Reports.build(t, code, la, lo, al, air, max_gap_s, step_s)
    return Prepared(np.asarray(names, dtype=np.int64), reports, _fast_segments(reports, MAX_GS_MS * max_gap_s))


def _fast_segments(reports: Reports, longest_m: float) -> int:
    """Joined segments longer than ``longest_m``. The great-circle distance is at most R (|dlat| + |dlon|) (along
    a meridian, then a parallel), so only segments that this bound does not clear are measured."""
    j = np.flatnonzero(reports.joined)
    la, lo = reports.lat_deg, reports.lon_deg
    bound = np.abs(la[j + 1] - la[j]) + np.abs(wrap_deg(lo[j + 1] - lo[j]))
    j = j[np.radians(bound) * BLUESKY_EARTH_RADIUS_M * (1.0 + 1e-9) > longest_m]
    hop = great_circle_m(la[j], lo[j], la[j + 1], lo[j + 1])
    return int(np.count_nonzero(hop > longest_m))


def _ordered(
    idx: IntArray, time_s: FloatArray, icao24: IntArray, lat: FloatArray, lon: FloatArray, alt_m: FloatArray
) -> tuple[IntArray, FloatArray, IntArray, IntArray]:
    """Rows ``idx`` in (aircraft, time) order, one row per (aircraft, time): (rows, time, code, names)."""
    import pandas as pd

    codes, names = pd.factorize(icao24[idx], sort=True)
    codes = codes.astype(np.int64)
    order = np.lexsort((time_s[idx], codes))
    t, code = time_s[idx][order], codes[order]
    dup = np.zeros(idx.shape[0], dtype=bool)
    dup[1:] = (code[1:] == code[:-1]) & (t[1:] == t[:-1])
    if dup.any():  # rare: only then the full order that makes the kept row independent of the input order
        order = np.lexsort((alt_m[idx], lon[idx], lat[idx], time_s[idx], codes))
        t, code = time_s[idx][order], codes[order]
        dup[1:] = (code[1:] == code[:-1]) & (t[1:] == t[:-1])
    return idx[order][~dup], t[~dup], code[~dup], np.asarray(names, dtype=np.int64)


def run_samples(prepared: Prepared, step_s: float, window_s: tuple[float, float]) -> Samples:
    """Every aircraft's position at every grid time of ``window_s`` its runs cover (for zone tests)."""
    r = prepared.reports
    empty = np.zeros(0, dtype=np.int64)
    if r is None:
        return Samples(prepared.names, empty, empty, np.zeros(0), np.zeros(0), np.zeros(0))
    starts, k_first, k_last = r.grid_spans(step_s, window_s)
    count = np.maximum(k_last - k_first + 1, 0).astype(np.int64)
    run = np.repeat(np.arange(starts.shape[0]), count)
    offset = np.arange(int(count.sum()), dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
    tk = k_first.astype(np.int64)[run] + offset
    code = r.code[starts][run]
    exists, lat, lon, alt = r.positions_at(code, tk, step_s)
    return Samples(prepared.names, tk[exists], code[exists], lat[exists], lon[exists], alt[exists])
