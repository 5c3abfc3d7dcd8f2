"""One partition's reports as grid samples, through the same sampling as `commonsky.safety.losses`.

The reports are put in a fixed order first (aircraft, time, then lat, lon, altitude), so a repeated
(icao24, time) keeps the same row whatever order the shuffle delivered them in; then
`commonsky.safety.losses.sample_runs` interpolates every observed span on the grid ``k * step_s``: the very
function the single-process computation (`commonsky.safety.losses.loss_episodes`) uses.

Spatial partitions assume that two consecutive reports of one aircraft joined by a segment (at most
``max_gap_s`` apart) are at most `MAX_GS_MS` x ``max_gap_s`` apart; segments faster than that are counted
(``fast_segments``) so that a run can say when the assumption did not hold for its data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from commonsky.safety.losses import great_circle_m, sample_runs
from commonsky.units import KT_MS

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MAX_GS_MS = 1000.0 * KT_MS
"""Fastest credible ground speed (m/s); the spatial halo is sized with it."""


@dataclass(frozen=True, eq=False)
class Samples:
    """Aircraft positions on the grid: ``tk`` grid index (time = tk * step_s), ``code`` index into ``names``
    (24-bit addresses, sorted, so a smaller code is a smaller icao24), degrees, metres; ``fast_segments``: see
    the module."""

    names: IntArray
    tk: IntArray
    code: IntArray
    lat: FloatArray
    lon: FloatArray
    alt_m: FloatArray
    fast_segments: int

    def __len__(self) -> int:
        return int(self.tk.shape[0])


def wrap_deg(dlon: FloatArray) -> FloatArray:
    """Longitude differences into [-180, 180)."""
    wrapped: FloatArray = np.mod(dlon + 180.0, 360.0) - 180.0
    return wrapped


def grid_samples(
    time_s: FloatArray,
    icao24: IntArray,
    lat: FloatArray,
    lon: FloatArray,
    alt_m: FloatArray,
    on_ground: BoolArray,
    *,
    step_s: float,
    max_gap_s: float,
    window_s: tuple[float, float],
) -> Samples:
    """Samples at grid times in ``window_s`` (from <= t < to) from reports in any order (module docstring)."""
    import pandas as pd

    ok = np.isfinite(time_s) & np.isfinite(lat) & np.isfinite(lon) & np.isfinite(alt_m) & (icao24 >= 0)
    idx = np.flatnonzero(ok)
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
    rows = idx[order]
    rows, code, t = rows[~dup], code[~dup], t[~dup]
    la, lo, al, air = lat[rows], lon[rows], alt_m[rows], ~on_ground[rows]
    joined = (code[1:] == code[:-1]) & (t[1:] - t[:-1] <= max_gap_s) & air[1:] & air[:-1]
    hop = great_circle_m(la[:-1][joined], lo[:-1][joined], la[1:][joined], lo[1:][joined])
    fast = int(np.count_nonzero(hop > MAX_GS_MS * max_gap_s))
    s = sample_runs(t, code, la, lo, al, air, step_s, max_gap_s, window_s)
    return Samples(np.asarray(names, dtype=np.int64), s.k, s.code, s.lat, s.lon, s.alt_m, fast)
