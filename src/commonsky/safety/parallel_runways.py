"""Pairs on parallel runway operations: procedurally separated, not losses a terminal STCA warns of.

Two aircraft on final to parallel runways, or climbing out from them, are separated by the runways'
spacing, not by 3 NM or 1,000 ft: ICAO Doc 4444 (PANS-ATM) 6.7 and Doc 9643 (Manual on Simultaneous Operations
on Parallel or Near-Parallel Instrument Runways, SOIR) allow independent parallel approaches to runways whose
centre lines are at least 1,035 m apart, independent parallel departures and segregated parallel operations
(approaches to one runway, departures from the other) from 760 m. An STCA that alerted on them would alert on
every such pair; the EUROCONTROL STCA Specification has parameters set per volume of airspace, and its ESSIP
objective for STCA in the TMA (ATC02.9) asks for tuning to the TMA's lower minima and frequent turns, climbs and
descents: suppressing the pairs of parallel runway operations is such tuning. (The Guidance Material's own text
on parallel approaches was not at hand to cite.)

The project has no runway data, so the pair is recognised by its geometry alone (`ParallelRule`), with the most
demanding spacing of the modes, 1,035 m:

1. **low**: both below ``ceiling_m`` (default 5,000 ft pressure altitude: finals and initial climbs around a
   sea-level airport; the Paris intercept altitudes are 3,000 and 4,000 ft QNH);
2. **on final or climbing out**: not both level; each aircraft is climbing or descending (its altitude changes
   by at least the level test's 400 ft/min over 20 s, `commonsky.safety.height_keeping.LEVEL_RATE_MS`), or one
   of them is level (an arrival at its intercept altitude on the localiser while the other descends on the
   parallel glide path: once both are established, ICAO lets their vertical separation go). Both descending
   is independent parallel approaches, both climbing independent parallel departures, one of each segregated
   parallel operations. Two aircraft level at low altitude on parallel tracks stay losses;
3. **near-parallel, same direction**: their tracks differ by at most ``max_track_diff_deg`` (default 5 deg; ICAO
   calls runways near-parallel up to 15 deg, localiser courses of parallel runways differ by none);
4. **laterally apart**: each is at least ``spacing_m`` (1,035 m) from the other's extended track line (the
   smaller of the two cross-track distances counts): aircraft on the same runway, or on close parallel runways
   (the 384 m doublets of Charles de Gaulle), or one joining the other's final, are not covered.

The truth (`commonsky.safety.losses`) classifies an episode `LossKind.PARALLEL_RUNWAYS` when the rule holds at
every second of it (tracks and rates from the positions 20 s apart); the STCA (`commonsky.safety.batch`) drops
a pair's conflict in a picture where the rule holds for the predicted states (`Protection.parallel_ceiling_m`,
0 switches the filter off, per region like every STCA parameter). Without runway data nothing checks that the
aircraft are near an airport: two aircraft climbing or descending in the same direction below 5,000 ft on tracks
at least 1,035 m apart count as parallel operations wherever they are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from commonsky._typing import BoolArray, FloatArray, IndexArray, IntArray
from commonsky.earth import BLUESKY_EARTH_RADIUS_M
from commonsky.safety.cpa import BOUNDARY_TOL_M
from commonsky.safety.height_keeping import LEVEL_RATE_MS, LEVEL_WINDOW_S
from commonsky.safety.loss_search import Reports
from commonsky.units import FT_M

PARALLEL_SPACING_M = 1035.0
"""Smallest spacing of parallel runway centre lines for independent parallel approaches (ICAO Doc 9643, Doc 4444
6.7.3); independent departures and segregated operations need 760 m, so 1,035 m covers every mode."""
PARALLEL_CEILING_M = 5000.0 * FT_M
"""Default height below which both aircraft must be (pressure altitude)."""
PARALLEL_TRACK_DEG = 5.0
"""Default largest track difference of a parallel pair."""
WINDOW_S = LEVEL_WINDOW_S
"""The truth reads tracks and rates from positions this far apart (the STCA's rate window)."""


@dataclass(frozen=True, slots=True)
class ParallelRule:
    """The geometry of parallel runway operations (module docstring); ``ceiling_m`` 0 matches nothing."""

    ceiling_m: float = PARALLEL_CEILING_M
    spacing_m: float = PARALLEL_SPACING_M
    max_track_diff_deg: float = PARALLEL_TRACK_DEG


def cross_track_m(
    lat_a: FloatArray, lon_a: FloatArray, trk_a_deg: FloatArray, lat_b: FloatArray, lon_b: FloatArray
) -> FloatArray:
    """Distance (m, unsigned) of b from the straight line through a along a's track, in a local flat frame."""
    k = np.cos(np.radians(lat_a))
    dlon = np.mod(lon_b - lon_a + 180.0, 360.0) - 180.0
    east = np.radians(dlon) * k * BLUESKY_EARTH_RADIUS_M
    north = np.radians(lat_b - lat_a) * BLUESKY_EARTH_RADIUS_M
    th = np.radians(trk_a_deg)
    return np.asarray(np.abs(east * np.cos(th) - north * np.sin(th)), dtype=np.float64)


def parallel_operations(
    rule: ParallelRule,
    lat_a: FloatArray,
    lon_a: FloatArray,
    alt_a_m: FloatArray,
    trk_a_deg: FloatArray,
    moving_a: BoolArray,
    lat_b: FloatArray,
    lon_b: FloatArray,
    alt_b_m: FloatArray,
    trk_b_deg: FloatArray,
    moving_b: BoolArray,
    ceiling_m: FloatArray | None = None,
) -> BoolArray:
    """Per pair, whether (a, b) fly the geometry of parallel runway operations (module docstring); ``moving_*``:
    climbing or descending (at least one must be). ``ceiling_m``, one per pair, replaces ``rule.ceiling_m``
    (per-region STCA values)."""
    ceiling = rule.ceiling_m if ceiling_m is None else ceiling_m
    low = (alt_a_m < ceiling) & (alt_b_m < ceiling)
    dtrk = np.abs(np.mod(trk_b_deg - trk_a_deg + 180.0, 360.0) - 180.0)
    apart = np.minimum(
        cross_track_m(lat_a, lon_a, trk_a_deg, lat_b, lon_b), cross_track_m(lat_b, lon_b, trk_b_deg, lat_a, lon_a)
    )
    return np.asarray(
        low & (moving_a | moving_b) & (dtrk <= rule.max_track_diff_deg) & (apart >= rule.spacing_m), dtype=bool
    )


def parallel_pairs_of(
    lat_deg: FloatArray,
    lon_deg: FloatArray,
    alt_m: FloatArray,
    trk_deg: FloatArray,
    moving: BoolArray,
    ceiling_m: FloatArray,
    i: IndexArray,
    j: IndexArray,
) -> BoolArray:
    """`parallel_operations` of the pairs (i, j) of one set of aircraft (per-aircraft arrays), under the default
    `ParallelRule` and below the lower of the pair's two ``ceiling_m``: the STCA's filter, live and replayed."""
    a = (lat_deg[i], lon_deg[i], alt_m[i], trk_deg[i], moving[i])
    b = (lat_deg[j], lon_deg[j], alt_m[j], trk_deg[j], moving[j])
    return parallel_operations(ParallelRule(), *a, *b, ceiling_m=np.minimum(ceiling_m[i], ceiling_m[j]))


def _states(
    r: Reports, code: IntArray, k: IntArray, step_s: float
) -> tuple[BoolArray, FloatArray, FloatArray, FloatArray, FloatArray, BoolArray]:
    """(known, lat, lon, alt_m, track_deg, moving) of aircraft ``code`` at grid times ``k``: track and rate from
    its positions `WINDOW_S` before (or, in its first `WINDOW_S`, after); unknown where neither exists."""
    back = max(1, round(WINDOW_S / step_s))
    now, lat, lon, alt = r.positions_at(code, k, step_s)
    had, lat0, lon0, alt0 = r.positions_at(code, k - back, step_s)
    has, lat1, lon1, alt1 = r.positions_at(code, k + back, step_s)
    use_back = had
    la0, lo0, al0 = np.where(use_back, lat0, lat), np.where(use_back, lon0, lon), np.where(use_back, alt0, alt)
    la1, lo1, al1 = np.where(use_back, lat, lat1), np.where(use_back, lon, lon1), np.where(use_back, alt, alt1)
    known = now & (had | has)
    dlon = np.mod(lo1 - lo0 + 180.0, 360.0) - 180.0
    trk = np.degrees(np.arctan2(np.radians(dlon) * np.cos(np.radians(la0)), np.radians(la1 - la0)))
    moving = np.abs(al1 - al0) >= LEVEL_RATE_MS * back * step_s - BOUNDARY_TOL_M
    return known, lat, lon, alt, trk, moving


def classify_parallel(
    r: Reports, a: IntArray, b: IntArray, k_first: IntArray, k_last: IntArray, step_s: float, rule: ParallelRule
) -> BoolArray:
    """True where the episode of aircraft codes ``a``, ``b`` over grid times ``k_first..k_last`` had the geometry
    of parallel runway operations at every grid time (`LossKind.PARALLEL_RUNWAYS`)."""
    n = a.shape[0]
    if n == 0 or rule.ceiling_m <= 0.0:
        return np.zeros(n, dtype=bool)
    count = (k_last - k_first + 1).astype(np.int64)
    owner = np.repeat(np.arange(n), count)
    k = k_first[owner] + np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    ka, lat_a, lon_a, alt_a, trk_a, mv_a = _states(r, a[owner], k, step_s)
    kb, lat_b, lon_b, alt_b, trk_b, mv_b = _states(r, b[owner], k, step_s)
    ok = ka & kb & parallel_operations(rule, lat_a, lon_a, alt_a, trk_a, mv_a, lat_b, lon_b, alt_b, trk_b, mv_b)
    bad = np.zeros(n, dtype=bool)
    np.logical_or.at(bad, owner, ~ok)
    return ~bad
