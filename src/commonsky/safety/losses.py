"""Losses of separation taken from reported positions: the truth a safety net is judged against.

Pure and array based; no projection, no extrapolation. Input: one row per report, in any order: time (UNIX s),
aircraft id, lat, lon (degrees), altitude (m) and, optionally, an on-ground flag.

1. Per aircraft, reports are sorted by time (a repeated time keeps the first row). Two consecutive reports are
   joined by a straight segment (linear in lat, lon and altitude) when they are at most ``max_gap_s`` apart and
   both airborne. A chain of joined reports is one observed span ("run"); outside its runs an aircraft is absent,
   so a flight is never continued past its last report nor bridged across a gap. On-ground reports take no part.
2. Runs are sampled at the grid times ``k * step_s`` (multiples of ``step_s`` since the UNIX epoch, whatever the
   data: any time partition of the same reports gives the same samples; ``window_s`` keeps the grid times of one
   partition). A run of one report is sampled only if that report is on the grid.
3. At a grid time a pair is in loss of separation when its horizontal distance (great circle on a 6,371 km
   sphere) is below ``radius_m`` AND its altitude difference is below ``half_height_m``, both strictly: a pair
   exactly at a minimum is separated. Both comparisons allow ``BOUNDARY_TOL_M`` (1 micrometre) so that a minimum
   is exact in the unit it was set in: aircraft at FL360 and FL370 are 1,000 ft apart, not a loss, whatever the
   rounding of 37000 * 0.3048 - 36000 * 0.3048 in floating point.
   Altitudes are the reported ones, in exact feet (or whatever unit they came in): no rounding. ``alt_quantum_m``
   rounds them first, for callers that want it (the archive analysis offers it; the replay does not).
4. Consecutive grid times of one pair form an episode: ``start_s``/``end_s`` are its first and last loss sample,
   ``min_dist_m``/``min_dalt_m`` the smallest horizontal and vertical distances over it (each on its own),
   ``alt_m`` the pair's mean altitude at the sample of smallest horizontal distance.
5. Each episode is classified (`commonsky.safety.height_keeping`): `LossKind.HEIGHT_KEEPING` where both aircraft
   were level within 300 ft of IFR flight levels at least the vertical minimum apart (separation by levels held,
   only height keeping brought them within the minimum); `LossKind.PARALLEL_RUNWAYS` where, at every second of
   it, the pair had the geometry of parallel runway operations (`commonsky.safety.parallel_runways`: both low,
   climbing or descending on near-parallel tracks at least 1,035 m apart: separated by the runways' spacing);
   `LossKind.LOSS` otherwise. A true loss (`LossKind.LOSS`) is also marked ``from_held_levels`` when both aircraft
   held IFR levels at least the vertical minimum apart, level, over the `LEVEL_WINDOW_S` before its first sample
   (the same classification, on the grid times before the episode): it began when one aircraft left its level
   towards the other. Without the cleared or selected level, which recorded surveillance does not carry, no
   prediction can warn such a loss before it begins; the replay counts its misses apart.

Cost follows the reports and the pairs that come close (`commonsky.safety.loss_search`: coarse-to-fine
candidate search); memory linear, never N x N.

>>> import numpy as np
>>> t = np.array([0.0, 60.0, 0.0, 60.0])
>>> ids = np.array(["a", "a", "b", "b"])
>>> lat = np.array([50.0, 50.0, 50.0, 50.0])
>>> lon = np.array([9.9, 10.1, 10.1, 9.9])  # head-on, same level
>>> ep = loss_episodes(t, ids, lat, lon, np.full(4, 10000.0), step_s=1.0, max_gap_s=60.0)
>>> ep.id_a.tolist(), ep.id_b.tolist(), ep.start_s.tolist(), ep.end_s.tolist(), round(float(ep.min_dist_m[0]))
(['a'], ['b'], [11.0], [49.0], 0)
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from numpy.typing import ArrayLike

from commonsky._typing import BoolArray, FloatArray, IntArray
from commonsky.errors import InputError
from commonsky.safety.cpa import BOUNDARY_TOL_M
from commonsky.safety.height_keeping import Altimetry, LossKind, classify, look_back_steps
from commonsky.safety.loss_search import Reports, close_samples
from commonsky.safety.parallel_runways import ParallelRule, classify_parallel
from commonsky.safety.params import Protection, ProtectionPolicy, ZoneProtection
from commonsky.units import FT_M, NM_M

MAX_GAP_S = 30.0
"""Default: reports further apart than this are not joined (a gap splits the flight)."""
FLIGHT_LEVEL_QUANTUM_M = 100.0 * FT_M
"""Altitudes as a controller's label shows them (hundreds of feet): the level the STCA predicts a level aircraft
at (`commonsky.safety.stca`). The truth does not round: a level aircraft's 25 ft Mode S steps towards an
adjacent level are losses of kind `LossKind.HEIGHT_KEEPING` instead."""
LOSS_COLUMNS = ("id_a", "id_b", "start_s", "end_s", "min_dist_m", "min_dalt_m", "alt_m", "kind", "from_held_levels")


@dataclass(frozen=True, eq=False)
class LossEpisodes:
    """Loss-of-separation episodes, one row per episode, ordered by (id_a, id_b, start_s); ``id_a < id_b``.

    ``start_s``/``end_s`` first and last grid time in loss; ``min_dist_m`` smallest horizontal distance,
    ``min_dalt_m`` smallest altitude difference (absolute), ``alt_m`` mean altitude of the pair at the sample of
    smallest horizontal distance; ``samples`` number of grid times in loss; ``height_keeping`` and
    ``parallel_runways`` whether the episode is `LossKind.HEIGHT_KEEPING` or `LossKind.PARALLEL_RUNWAYS` (see
    `kinds`; never both); ``from_held_levels`` whether a true loss began from levels held at least the minimum
    apart (module docstring; False for the other kinds).
    """

    id_a: npt.NDArray[np.str_]
    id_b: npt.NDArray[np.str_]
    start_s: FloatArray
    end_s: FloatArray
    min_dist_m: FloatArray
    min_dalt_m: FloatArray
    alt_m: FloatArray
    samples: IntArray
    height_keeping: BoolArray
    parallel_runways: BoolArray
    from_held_levels: BoolArray

    def __len__(self) -> int:
        return int(self.start_s.shape[0])

    @classmethod
    def empty(cls) -> LossEpisodes:
        """No episode."""
        f = np.zeros(0)
        s = np.zeros(0, dtype=np.str_)
        none = np.zeros(0, dtype=bool)
        return cls(s, s, f, f, f, f, f, np.zeros(0, dtype=np.int64), none, none, none)

    def kinds(self) -> list[LossKind]:
        """The kind of each episode."""
        return [
            LossKind.HEIGHT_KEEPING if hk else LossKind.PARALLEL_RUNWAYS if pr else LossKind.LOSS
            for hk, pr in zip(self.height_keeping.tolist(), self.parallel_runways.tolist(), strict=True)
        ]

    def counts(self) -> dict[str, int]:
        """Number of episodes of each `LossKind` (every kind, zeros included)."""
        kinds = self.kinds()
        return {kind.value: kinds.count(kind) for kind in LossKind}

    @property
    def true_loss(self) -> BoolArray:
        """Episodes of kind `LossKind.LOSS`."""
        return ~self.height_keeping & ~self.parallel_runways


def quantise(alt_m: FloatArray, quantum_m: float) -> FloatArray:
    """Altitudes rounded to the nearest multiple of ``quantum_m``, halves to the even multiple (with 100 ft:
    36,950 and 37,050 ft -> 37,000 ft, so a level aircraft 50 ft off a flight level stays at it)."""
    units = np.asarray(alt_m, dtype=np.float64) / quantum_m
    rounded = np.round(np.round(units, 6))  # the inner round absorbs the float error of the unit conversion
    return np.asarray(rounded * quantum_m, dtype=np.float64)


def loss_episodes(
    time_s: ArrayLike,
    aircraft: ArrayLike,
    lat: ArrayLike,
    lon: ArrayLike,
    alt_m: ArrayLike,
    on_ground: ArrayLike | None = None,
    *,
    radius_m: float = 5.0 * NM_M,
    half_height_m: float = 1000.0 * FT_M,
    step_s: float = 1.0,
    max_gap_s: float = MAX_GAP_S,
    window_s: tuple[float, float] = (-math.inf, math.inf),
    alt_quantum_m: float = 0.0,
    regions: Sequence[ZoneProtection] = (),
    parallel: ParallelRule = ParallelRule(),
    altimetry: Altimetry = Altimetry(),
) -> LossEpisodes:
    """Loss-of-separation episodes from reports (see the module docstring for the exact method).

    Rows with a non-finite time, position or altitude, or an empty id, are ignored. ``window_s`` = (from, to)
    keeps grid times ``from <= t < to``: give a partition its reports from ``max_gap_s`` before to ``max_gap_s``
    after its window and it finds exactly the samples a single pass over all the data finds in that window.
    ``alt_quantum_m`` > 0 rounds reported altitudes to that step first (`quantise`; 0, the default, keeps them as
    reported). ``regions``: separation minima per region of airspace, as the STCA's `ProtectionPolicy.zones` give
    them: an aircraft inside a region (horizontally and within its band) takes the larger of ``radius_m`` and
    the region's radius, likewise for the half-height (`ProtectionPolicy.per_aircraft`), and a pair the larger
    of its two aircraft's minima (a pair across a region boundary is judged by the more demanding side). A
    terminal area with 3 NM inside en-route airspace with 5 NM is ``radius_m`` = 3 NM and the en-route
    airspace as a region of 5 NM. ``parallel``: the geometry of parallel runway operations
    (`commonsky.safety.parallel_runways`; ``ParallelRule(ceiling_m=0.0)`` classifies none). ``altimetry``: the
    QNH offset and transition altitude under which the height-keeping classification reads levels
    (`commonsky.safety.height_keeping.Altimetry`; default: every level on the pressure grid).
    """
    for name, value in (("radius_m", radius_m), ("half_height_m", half_height_m), ("step_s", step_s)):
        if not math.isfinite(value) or value <= 0:
            raise InputError(f"loss episodes: {name} must be a positive finite number, got {value!r}")
    t = np.asarray(time_s, dtype=np.float64)
    ids = np.asarray(aircraft).astype(np.str_)
    la, lo = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
    alt = np.asarray(alt_m, dtype=np.float64)
    if alt_quantum_m > 0.0:
        alt = quantise(alt, alt_quantum_m)
    ground = np.zeros(t.shape[0], dtype=bool) if on_ground is None else np.asarray(on_ground, dtype=bool)
    ok = np.isfinite(t) & np.isfinite(la) & np.isfinite(lo) & np.isfinite(alt) & (ids != "")
    ok &= (np.abs(la) <= 90.0) & (np.abs(lo) <= 360.0)
    t, ids, la, lo, alt, ground = t[ok], ids[ok], la[ok], lo[ok], alt[ok], ground[ok]
    if t.shape[0] == 0:
        return LossEpisodes.empty()
    names, code = np.unique(ids, return_inverse=True)
    code = code.astype(np.int64)
    order = np.lexsort((np.arange(t.shape[0]), t, code))
    t, code, la, lo, alt, ground = t[order], code[order], la[order], lo[order], alt[order], ground[order]
    repeat = np.concatenate([[False], (code[1:] == code[:-1]) & (t[1:] == t[:-1])])
    t, code, la, lo, alt, ground = (x[~repeat] for x in (t, code, la, lo, alt, ground))
    reports = Reports.build(t, code, la, lo, alt, ~ground, max_gap_s, step_s)
    reach_r = max([radius_m, *(z.protection.radius_m for z in regions)])
    reach_h = max([half_height_m, *(z.protection.half_height_m for z in regions)])
    k, a, b, dh, dv, mean_alt = close_samples(reports, step_s, window_s, reach_r, reach_h)
    pair_r, pair_h = _pair_minima(reports, k, a, b, step_s, Protection(radius_m, half_height_m), regions)
    loss = (dh < pair_r - BOUNDARY_TOL_M) & (dv < pair_h - BOUNDARY_TOL_M)
    k, a, b, dh, dv, mean_alt, pair_h = k[loss], a[loss], b[loss], dh[loss], dv[loss], mean_alt[loss], pair_h[loss]
    if k.shape[0] == 0:
        return LossEpisodes.empty()
    # Codes follow the sorted ids, so a < b in string order too.
    order = np.lexsort((k, b, a))
    a, b, k = a[order], b[order], k[order]
    dh, dv, mean_alt, pair_h = dh[order], dv[order], mean_alt[order], pair_h[order]
    new = np.ones(k.shape[0], dtype=bool)
    new[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1]) | (k[1:] != k[:-1] + 1)
    first = np.flatnonzero(new)
    last = np.concatenate([first[1:], [k.shape[0]]]) - 1
    episode = np.cumsum(new) - 1
    closest = np.lexsort((dh, episode))[first]  # first row of each episode when sorted by distance
    minimum = np.maximum.reduceat(pair_h, first)
    hk = classify(reports, a[first], b[first], k[first], k[last], step_s, minimum, altimetry)
    pr = classify_parallel(reports, a[first], b[first], k[first], k[last], step_s, parallel) & ~hk
    before = k[first] - look_back_steps(step_s)
    held = classify(reports, a[first], b[first], before, k[first] - 1, step_s, minimum, altimetry) & ~hk & ~pr
    return LossEpisodes(
        id_a=names[a[first]],
        id_b=names[b[first]],
        start_s=(k[first] * step_s).astype(np.float64),
        end_s=(k[last] * step_s).astype(np.float64),
        min_dist_m=np.minimum.reduceat(dh, first),
        min_dalt_m=np.minimum.reduceat(dv, first),
        alt_m=mean_alt[closest],
        samples=(last - first + 1).astype(np.int64),
        height_keeping=hk,
        parallel_runways=pr,
        from_held_levels=held,
    )


def _pair_minima(
    r: Reports,
    k: IntArray,
    a: IntArray,
    b: IntArray,
    step_s: float,
    default: Protection,
    regions: Sequence[ZoneProtection],
) -> tuple[FloatArray, FloatArray]:
    """The radius and half-height (m) that apply to pair (a, b) at grid time k (see ``regions`` above)."""
    if not regions:
        return np.full(k.shape[0], default.radius_m), np.full(k.shape[0], default.half_height_m)
    policy = ProtectionPolicy(default=default, zones=tuple(regions))
    none = np.full(k.shape[0], "", dtype=np.str_)
    _, lat_a, lon_a, alt_a = r.positions_at(a, k, step_s)
    _, lat_b, lon_b, alt_b = r.positions_at(b, k, step_s)
    r_a, h_a, _ = policy.per_aircraft(lat_a, lon_a, alt_a, none)
    r_b, h_b, _ = policy.per_aircraft(lat_b, lon_b, alt_b, none)
    return np.maximum(r_a, r_b), np.maximum(h_a, h_b)


def write_losses_csv(path: Path | str, episodes: LossEpisodes) -> None:
    """Write `LOSS_COLUMNS`, one row per episode (times UNIX s, distances and altitude in metres, `LossKind`,
    ``from_held_levels`` as true/false)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(LOSS_COLUMNS)
        for m, kind in enumerate(episodes.kinds()):
            writer.writerow(
                [
                    episodes.id_a[m],
                    episodes.id_b[m],
                    repr(float(episodes.start_s[m])),
                    repr(float(episodes.end_s[m])),
                    round(float(episodes.min_dist_m[m]), 1),
                    round(float(episodes.min_dalt_m[m]), 1),
                    round(float(episodes.alt_m[m]), 1),
                    kind.value,
                    "true" if episodes.from_held_levels[m] else "false",
                ]
            )
