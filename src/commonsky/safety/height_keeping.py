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

from dataclasses import dataclass
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
TRANSITION_ALT_M = 5000.0 * FT_M
"""Default transition altitude: the Paris sample's level aircraft hold 2,625, 3,625 and 4,625 ft pressure altitude
(3,000-5,000 ft on a QNH of about 1,027 hPa) and FL70 and above, nothing between."""
QNH_MIN_SAMPLES = 100
QNH_MIN_SHARE = 0.5
"""A QNH offset is estimated only from this many level samples, this share of them within 25 ft of the mode."""


class LossKind(StrEnum):
    """What a loss-of-separation episode of the reports was."""

    LOSS = "loss"
    HEIGHT_KEEPING = "height_keeping"
    PARALLEL_RUNWAYS = "parallel_runways"
    """Independent parallel approaches or departures, or segregated parallel operations: separated by the
    runways' spacing (`commonsky.safety.parallel_runways`)."""


@dataclass(frozen=True, slots=True)
class Altimetry:
    """How reported (pressure) altitudes relate to the levels aircraft hold. Below the transition altitude
    aircraft hold altitudes on the local QNH, multiples of 1,000 ft of QNH altitude = pressure altitude +
    ``qnh_offset_m`` (about 27 ft per hPa above 1013.25); above it, flight levels (multiples of 1,000 ft of
    pressure altitude). ``qnh_offset_m`` 0 (the default) reads every level on the pressure grid."""

    qnh_offset_m: float = 0.0
    transition_alt_m: float = TRANSITION_ALT_M


def nearest_level_m(alt_m: FloatArray, altimetry: Altimetry = Altimetry()) -> FloatArray:
    """The IFR level nearest each altitude (m), as a pressure altitude (m): a multiple of 1,000 ft, of QNH altitude
    below the transition altitude (the QNH altitude less than 500 ft above it) with ``altimetry``'s offset."""
    alt = np.asarray(alt_m, dtype=np.float64)
    steps = np.round(np.round(alt / CRUISING_LEVEL_STEP_M, 6))
    level = steps * CRUISING_LEVEL_STEP_M
    off = altimetry.qnh_offset_m
    if off != 0.0:
        qnh = alt + off
        low = qnh < altimetry.transition_alt_m + 0.5 * CRUISING_LEVEL_STEP_M
        qnh_level = np.round(np.round(qnh / CRUISING_LEVEL_STEP_M, 6)) * CRUISING_LEVEL_STEP_M - off
        level = np.where(low, qnh_level, level)
    return np.asarray(level, dtype=np.float64)


def estimate_qnh_offset_m(alt_m: FloatArray, level: BoolArray, transition_alt_m: float = TRANSITION_ALT_M) -> float:
    """The QNH offset (m) the data shows: among the altitudes of level aircraft from 1,500 ft (above circuits and
    runways) to ``transition_alt_m`` (pressure altitude), the most common deviation from the nearest multiple of
    1,000 ft in 25 ft bins, negated; 0 unless that bin and its two neighbours hold at least
    `QNH_MIN_SHARE` of at least `QNH_MIN_SAMPLES` samples (no clear QNH grid: read levels on the pressure grid)."""
    return qnh_offset_of(qnh_deviation_counts(alt_m, level, transition_alt_m))


def qnh_deviation_counts(alt_m: FloatArray, level: BoolArray, transition_alt_m: float = TRANSITION_ALT_M) -> IntArray:
    """How many of the level aircraft's altitudes from 1,500 ft to ``transition_alt_m`` deviate from the nearest
    multiple of 1,000 ft by each 25 ft bin (40 bins, -500 to 475 ft): what `estimate_qnh_offset_m` reads, to be
    summed over pictures by a live estimate (`commonsky.safety.qnh`)."""
    alt = np.asarray(alt_m, dtype=np.float64)
    pick = np.asarray(level, dtype=bool) & (alt >= 1500.0 * FT_M) & (alt < transition_alt_m)
    ft = alt[pick] / FT_M
    dev = np.mod(np.round(ft / 25.0) * 25.0 + 500.0, 1000.0) - 500.0  # -500 .. 475 ft
    bins = np.round((dev + 500.0) / 25.0).astype(np.int64)  # 0 .. 39
    return np.bincount(bins, minlength=40).astype(np.int64)


def qnh_offset_of(counts: IntArray) -> float:
    """The QNH offset (m) of deviation counts (`qnh_deviation_counts`), by the rule of `estimate_qnh_offset_m`."""
    total = int(counts.sum())
    if total < QNH_MIN_SAMPLES:
        return 0.0
    peak = int(np.argmax(counts))
    near = counts[peak] + counts[(peak - 1) % 40] + counts[(peak + 1) % 40]
    if near < QNH_MIN_SHARE * total:
        return 0.0
    return float(-(peak * 25.0 - 500.0) * FT_M)


def look_back_steps(step_s: float) -> int:
    """How many grid steps before an episode's first grid time `held_levels` looks: `LEVEL_WINDOW_S` in whole
    steps, at least one."""
    return max(1, round(LEVEL_WINDOW_S / step_s))


def held_levels(
    r: Reports,
    code: IntArray,
    k_first: IntArray,
    k_last: IntArray,
    step_s: float,
    altimetry: Altimetry = Altimetry(),
) -> tuple[FloatArray, BoolArray]:
    """Per (aircraft ``code``, grid times ``k_first..k_last``): the level it held over them and the
    `LEVEL_WINDOW_S` before (NaN where none) and whether it was level at each of them (module docstring).

    Both compose over consecutive spans, so a partitioned computation can classify an episode from its pieces:
    the level held over the union of spans is the one held over every span (none if they differ or one has
    none), and an aircraft is level over the union if it is level over every span."""
    back = look_back_steps(step_s)
    count = (k_last - k_first + 1 + back).astype(np.int64)
    owner = np.repeat(np.arange(code.shape[0]), count)
    offset = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    k = k_first[owner] - back + offset
    exists, _, _, alt = r.positions_at(code[owner], k, step_s)
    level_at = nearest_level_m(alt, altimetry)
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
    altimetry: Altimetry = Altimetry(),
) -> BoolArray:
    """True where the episode of aircraft codes ``a``, ``b`` over grid times ``k_first..k_last`` is
    `LossKind.HEIGHT_KEEPING` (see the module docstring); ``half_height_m`` the vertical minimum of each episode."""
    n = a.shape[0]
    if n == 0:
        return np.zeros(0, dtype=bool)
    held, level = held_levels(
        r,
        np.concatenate([a, b]),
        np.concatenate([k_first, k_first]),
        np.concatenate([k_last, k_last]),
        step_s,
        altimetry,
    )
    apart = np.abs(held[:n] - held[n:]) >= half_height_m - BOUNDARY_TOL_M  # False where NaN
    return np.asarray(apart & level[:n] & level[n:], dtype=bool)
