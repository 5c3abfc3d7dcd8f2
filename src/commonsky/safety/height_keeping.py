"""Which loss-of-separation episodes are height-keeping noise: separation by flight levels held, only altimetry
and height keeping made the reported vertical distance less than the minimum.

An episode is `LossKind.HEIGHT_KEEPING` when, for each of its two aircraft, over the episode's grid times and the
`LEVEL_WINDOW_S` before them (as far as the aircraft was observed then, inside the same run of reports):

1. **within tolerance of one flight level**: every sampled altitude is less than `HEIGHT_KEEPING_TOL_M` (300 ft)
   from the same IFR cruising level, a multiple of `CRUISING_LEVEL_STEP_M` (1,000 ft: the IFR levels of ICAO
   Annex 2, Appendix 3, FL10 to FL410). 300 ft is where a deviation stops being height-keeping error and becomes
   a *large height deviation*: "any vertical deviation of 90 m / 300 ft or more from the flight level expected
   to be occupied by the flight" (ICAO Doc 9574, Manual on a 300 m (1 000 ft) Vertical Separation Minimum,
   as used by the regional monitoring agencies (RASMAG); EU 965/2012 SPA.RVSM.115 makes an assigned altitude
   deviation of 300 ft or more reportable);
2. **level**: at every grid time of the episode with `LEVEL_WINDOW_S` of track behind it, the altitude changed
   by less than `LEVEL_RATE_MS` (400 ft/min) times that window: the STCA's own level test (its vertical-rate dead
   band over its 20 s rate window, `commonsky.safety.stca`), so an aircraft still climbing or descending is not
   level even while it is near a level;

and the two levels are at least the vertical minimum apart. Everything else is `LossKind.LOSS`: a climb or
descent through an occupied level, a level bust of 300 ft or more, an aircraft at a VFR or non-standard level
(500 ft off every IFR level), two aircraft holding the same level. Since each aircraft is within 300 ft of
levels 1,000 ft apart, a height-keeping episode is never closer than 400 ft vertically.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np

from commonsky._typing import BoolArray, FloatArray, IntArray
from commonsky.safety.cpa import BOUNDARY_TOL_M
from commonsky.safety.loss_search import Reports
from commonsky.units import FPM_MS, FT_M

HEIGHT_KEEPING_TOL_M = 300.0 * FT_M
"""Less than this from a flight level is height keeping; this or more is a large height deviation (ICAO)."""
CRUISING_LEVEL_STEP_M = 1000.0 * FT_M
"""IFR cruising levels are multiples of 1,000 ft (ICAO Annex 2, Appendix 3)."""
LEVEL_WINDOW_S = 20.0
"""The window the level test looks back over (the STCA's filtered-rate window)."""
LEVEL_RATE_MS = 400.0 * FPM_MS
"""Vertical rate below which an aircraft is level (the STCA's default dead band, `Protection.level_band_ms`)."""


class LossKind(StrEnum):
    """What a loss-of-separation episode of the reports was."""

    LOSS = "loss"
    HEIGHT_KEEPING = "height_keeping"


def nearest_level_m(alt_m: FloatArray) -> FloatArray:
    """The IFR cruising level (multiple of 1,000 ft, in metres) nearest each altitude (m)."""
    steps = np.round(np.round(np.asarray(alt_m, dtype=np.float64) / CRUISING_LEVEL_STEP_M, 6))
    return np.asarray(steps * CRUISING_LEVEL_STEP_M, dtype=np.float64)


def held_levels(
    r: Reports, code: IntArray, k_first: IntArray, k_last: IntArray, step_s: float
) -> tuple[FloatArray, BoolArray]:
    """Per (aircraft ``code``, grid times ``k_first..k_last``): the level it held over them and the
    `LEVEL_WINDOW_S` before (NaN where none) and whether it was level at each of them (module docstring).

    Both compose over consecutive spans, so a partitioned computation can classify an episode from its pieces:
    the level held over the union of spans is the one held over every span (none if they differ or one has
    none), and an aircraft is level over the union if it is level over every span."""
    back = max(1, round(LEVEL_WINDOW_S / step_s))
    count = (k_last - k_first + 1 + back).astype(np.int64)
    owner = np.repeat(np.arange(code.shape[0]), count)
    offset = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    k = k_first[owner] - back + offset
    exists, _, _, alt = r.positions_at(code[owner], k, step_s)
    level_at = nearest_level_m(alt)
    big = np.float64(np.inf)
    lo = np.full(code.shape[0], big)
    hi = np.full(code.shape[0], -big)
    np.minimum.at(lo, owner[exists], level_at[exists])
    np.maximum.at(hi, owner[exists], level_at[exists])
    off = np.zeros(code.shape[0])
    np.maximum.at(off, owner[exists], np.abs(alt[exists] - level_at[exists]))
    held = np.where((lo == hi) & (off < HEIGHT_KEEPING_TOL_M - BOUNDARY_TOL_M), lo, np.nan)
    # Rate test: sample i (inside the episode) against sample i - back, both observed (same run: see losses.py).
    inside = offset >= back
    i = np.flatnonzero(inside & exists)
    j = i - back
    has = exists[j]
    i, j = i[has], j[has]
    climbing = np.abs(alt[i] - alt[j]) >= LEVEL_RATE_MS * back * step_s - BOUNDARY_TOL_M
    moved = np.zeros(code.shape[0], dtype=bool)
    np.logical_or.at(moved, owner[i], climbing)
    return held, ~moved


def classify(
    r: Reports,
    a: IntArray,
    b: IntArray,
    k_first: IntArray,
    k_last: IntArray,
    step_s: float,
    half_height_m: FloatArray | float,
) -> BoolArray:
    """True where the episode of aircraft codes ``a``, ``b`` over grid times ``k_first..k_last`` is
    `LossKind.HEIGHT_KEEPING` (see the module docstring); ``half_height_m`` the vertical minimum of each episode."""
    n = a.shape[0]
    if n == 0:
        return np.zeros(0, dtype=bool)
    held, level = held_levels(
        r, np.concatenate([a, b]), np.concatenate([k_first, k_first]), np.concatenate([k_last, k_last]), step_s
    )
    apart = np.abs(held[:n] - held[n:]) >= half_height_m - BOUNDARY_TOL_M  # False where NaN
    return np.asarray(apart & level[:n] & level[n:], dtype=bool)
