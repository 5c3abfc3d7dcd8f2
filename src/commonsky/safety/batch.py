"""Conflict detection over every picture of a replay at once: cost follows the aircraft alive at each step.

A report is shown in the pictures from its time until the aircraft's next report or until it is ``stale_s``
old, whichever comes first; pictures are at the grid times ``k * step_s`` (UNIX s). Each (picture, aircraft)
sample is dead-reckoned to the picture time (track and groundspeed; vertically with the STCA predicted rate),
aircraft the STCA filters make ineligible are left out, then one k-d tree per chunk of pictures finds the
candidate pairs of the same picture and `commonsky.safety.cpa.pair_geometry` tests them all in one call; pairs with an
aircraft in a sustained turn are also tested on its arc (`commonsky.safety.turns`). Nothing
loops over steps or pairs in Python here; empty pictures cost nothing.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from commonsky._typing import FloatArray, IntArray
from commonsky.earth import BLUESKY_EARTH_RADIUS_M
from commonsky.geo.aerodromes import Aerodromes
from commonsky.safety.cpa import PairGeometry, pair_geometry
from commonsky.safety.grid_pairs import grid_pairs
from commonsky.safety.grid_pairs import usable as grid_usable
from commonsky.safety.height_keeping import Altimetry
from commonsky.safety.kinematics import sustained_turn_rate
from commonsky.safety.loss_search import great_circle_m
from commonsky.safety.parallel_runways import parallel_pairs_of
from commonsky.safety.params import ProtectionPolicy
from commonsky.safety.pruning import ecef_motion, frame_gain, slice_radius_m, unique_codes
from commonsky.safety.stca import stca_states
from commonsky.safety.tracks import RecordedTracks
from commonsky.safety.turn_pairs import turning_pairs
from commonsky.safety.turns import TurnRule, curved_conflicts

SAMPLES_PER_CHUNK = 500_000
SLICES = 1


@dataclass(frozen=True, eq=False)
class Frames:
    """Every (picture k, aircraft) sample, sorted by k: the report row it comes from, the aircraft's code (its
    rank among the ids) and its state at k."""

    k: IntArray
    row: IntArray
    aircraft: IntArray
    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray
    vn_ms: FloatArray
    ve_ms: FloatArray
    vs_ms: FloatArray
    level: npt.NDArray[np.bool_]
    parallel_ceiling_m: FloatArray
    turn_dps: FloatArray
    age_s: FloatArray

    def __len__(self) -> int:
        return int(self.k.shape[0])


def frames(
    tracks: RecordedTracks,
    policy: ProtectionPolicy,
    step_s: float,
    stale_s: float,
    altimetry: Altimetry = Altimetry(),
    turn: TurnRule = TurnRule(),
    aerodromes: Aerodromes | None = None,
) -> Frames:
    """The samples of every picture (see the module docstring); ``altimetry`` for the levels of level aircraft;
    ``turn`` for the sustained turn rate of each report (`commonsky.safety.turns`); ``aerodromes`` for the
    surface movements (`commonsky.safety.stca`)."""
    n = len(tracks)
    code = tracks.aircraft[1]
    by_ac = np.lexsort((tracks.time_s, code))
    nxt = np.full(n, np.inf)
    same = code[by_ac][1:] == code[by_ac][:-1]
    nxt[by_ac[:-1][same]] = tracks.time_s[by_ac][1:][same]
    rate = np.zeros(n)
    if turn.enabled and n:
        rate[by_ac] = sustained_turn_rate(
            code[by_ac], tracks.time_s[by_ac], tracks.trk_deg[by_ac], turn.window_s, turn.min_dps
        )
    t = tracks.time_s
    k0 = np.ceil(t / step_s)
    k1 = np.minimum(np.floor((t + stale_s) / step_s), np.ceil(nxt / step_s) - 1)
    count = np.maximum(k1 - k0 + 1, 0).astype(np.int64)
    total = int(count.sum())
    row = np.repeat(np.arange(n, dtype=np.int64), count)
    offset = np.concatenate([[0], np.cumsum(count)[:-1]])
    k = k0.astype(np.int64)[row] + (np.arange(total) - offset[row])
    order = np.lexsort((code[row], k))
    k, row = k[order], row[order]
    states = stca_states(
        policy,
        tracks.lat_deg,
        tracks.lon_deg,
        tracks.alt_m,
        tracks.gs_ms,
        tracks.vs_ms,
        tracks.vs_filt_ms,
        tracks.on_ground,
        altimetry=altimetry,
        aerodromes=aerodromes,
    )
    keep = states.eligible[row]
    k, row = k[keep], row[keep]
    dt = k * step_s - t[row]
    trk = np.radians(tracks.trk_deg[row])
    vn = tracks.gs_ms[row] * np.cos(trk)
    ve = tracks.gs_ms[row] * np.sin(trk)
    lat0 = tracks.lat_deg[row]
    lat = np.clip(lat0 + np.degrees(vn * dt / BLUESKY_EARTH_RADIUS_M), -90.0, 90.0)
    coslat = np.maximum(np.cos(np.radians(lat0)), 1e-6)
    lon = np.mod(tracks.lon_deg[row] + np.degrees(ve * dt / (BLUESKY_EARTH_RADIUS_M * coslat)) + 180.0, 360.0) - 180.0
    vs = states.vs_pred_ms[row]
    alt = states.alt_ref_m[row] + vs * dt
    level, ceiling = states.level[row], states.parallel_ceiling_m[row]
    return Frames(k, row, code[row], lat, lon, alt, vn, ve, vs, level, ceiling, rate[row], dt)


def candidate_pairs(f: Frames, radius_m: float, half_height_m: float, lookahead_s: float) -> tuple[IntArray, IntArray]:
    """Sample pairs (p < q) of the same picture that may come within the protection in [0, lookahead_s]: a
    superset, by the bounds of `commonsky.safety.pruning` applied picture by picture."""
    n = len(f)
    if n < 2:
        z = np.zeros(0, dtype=np.int64)
        return z, z
    pos, vel = ecef_motion(f)
    vmax = float(np.hypot(f.vn_ms, f.ve_ms).max())
    half_s = 0.5 * lookahead_s / SLICES
    gain = frame_gain(f.lat_deg)
    cuts = [0]
    while cuts[-1] < n:
        nxt = min(cuts[-1] + SAMPLES_PER_CHUNK, n)
        if nxt < n:
            nxt = max(int(np.searchsorted(f.k, f.k[nxt], side="left")), cuts[-1] + 1)
            nxt = int(np.searchsorted(f.k, f.k[nxt - 1], side="right"))
        cuts.append(nxt)
    hashed = grid_usable(f.lat_deg, f.lon_deg)
    codes = []
    for a, b in itertools.pairwise([0, n] if hashed else cuts):
        kk = (f.k[a:b] - f.k[a]).astype(np.float64)
        for step in range(SLICES):
            t_mid = (2 * step + 1) * half_s
            r_h = slice_radius_m(radius_m, vmax, half_s, t_mid, gain)
            if hashed:
                lat = f.lat_deg + np.degrees(f.vn_ms * t_mid / BLUESKY_EARTH_RADIUS_M)
                lon = f.lon_deg + np.degrees(
                    f.ve_ms * t_mid / (BLUESKY_EARTH_RADIUS_M * np.maximum(np.cos(np.radians(f.lat_deg)), 1e-6))
                )
                lo, hi = grid_pairs(f.k, lat, lon, r_h)
                dz = np.abs(f.alt_m[lo] - f.alt_m[hi] + (f.vs_ms[lo] - f.vs_ms[hi]) * t_mid)
                near = dz <= half_height_m + (np.abs(f.vs_ms[lo]) + np.abs(f.vs_ms[hi])) * half_s + 1.0
                lo, hi = lo[near], hi[near]
                near = great_circle_m(lat[lo], lon[lo], lat[hi], lon[hi]) <= r_h
                lo, hi = lo[near], hi[near]
            else:
                coords = np.empty((b - a, 4))
                coords[:, :3] = pos[a:b] + vel[a:b] * t_mid
                coords[:, 3] = kk * (10.0 * r_h)  # other pictures: far away
                pairs = cKDTree(coords, leafsize=16, balanced_tree=False, compact_nodes=False).query_pairs(
                    r_h, output_type="ndarray"
                )
                lo = np.minimum(pairs[:, 0], pairs[:, 1]).astype(np.int64) + a
                hi = np.maximum(pairs[:, 0], pairs[:, 1]).astype(np.int64) + a
            # Vertically, per pair: the altitude difference at the slice's middle changes by at most
            # (|vs_lo| + |vs_hi|) * half_s within the slice.
            dz = np.abs(f.alt_m[lo] - f.alt_m[hi] + (f.vs_ms[lo] - f.vs_ms[hi]) * t_mid)
            near = dz <= half_height_m + (np.abs(f.vs_ms[lo]) + np.abs(f.vs_ms[hi])) * half_s + 1.0
            codes.append(lo[near] * n + hi[near])
    unique = unique_codes(codes)
    return unique // n, unique % n


def geometry(
    f: Frames, policy: ProtectionPolicy, grows: tuple[float, ...] = (1.0,), turn: TurnRule = TurnRule()
) -> list[PairGeometry]:
    """Conflicting pairs of every picture, once per protection scale in ``grows`` (ascending; candidates found
    once). Scales after the first only keep aircraft pairs that conflict under the first in some picture: they
    serve the hold margin, which only keeps alerts up. With ``turn`` enabled, a pair with an aircraft in a
    sustained turn also conflicts when the turn's arc does (`commonsky.safety.turns`)."""
    party = np.full(len(f), "", dtype=np.str_)
    radius, height, look = policy.per_aircraft(f.lat_deg, f.lon_deg, f.alt_m, party)
    big = max(grows)
    if len(f) < 2:
        p = q = np.zeros(0, dtype=np.int64)
    else:
        p, q = candidate_pairs(f, float(radius.max()) * big, float(height.max()) * big, float(look.max()) * big)
    turning = f.turn_dps != 0.0
    if turn.enabled and len(f) >= 2 and turning.any():
        cp, cq = turning_pairs(
            f.k, turning, f, float(radius.max()) * big, float(height.max()) * big, float(look.max()) * big
        )
    else:
        cp = cq = np.zeros(0, dtype=np.int64)
    out: list[PairGeometry] = []
    for n, g in enumerate(grows):
        if n:
            ac = f.aircraft
            first = out[0]
            span = int(ac.max(initial=0)) + 1  # no sample at all: every aircraft on the surface
            known = np.unique(ac[first.i] * span + ac[first.j])
            keep = np.isin(ac[p] * span + ac[q], known)
            p, q = p[keep], q[keep]
            keep = np.isin(ac[cp] * span + ac[cq], known)
            cp, cq = cp[keep], cq[keep]
        r, h, t = np.maximum(radius[p], radius[q]), np.maximum(height[p], height[q]), np.maximum(look[p], look[q])
        geo = pair_geometry(f, p, q, r * g, h * g, t * g, conflicts_only=True)
        if cp.shape[0]:
            geo = _with_curved(f, geo, cp, cq, radius, height, look, g, turn)
        out.append(_without_parallel(f, geo))
    return out


def _with_curved(
    f: Frames,
    geo: PairGeometry,
    p: IntArray,
    q: IntArray,
    radius: FloatArray,
    height: FloatArray,
    look: FloatArray,
    grow: float,
    turn: TurnRule,
) -> PairGeometry:
    """``geo`` and the pairs among (p, q) that conflict on the turns' arcs only (`commonsky.safety.turns`)."""
    n = len(f)
    linear = geo.i * n + geo.j
    new = ~np.isin(p * n + q, linear)
    p, q = p[new], q[new]
    r, h, t = np.maximum(radius[p], radius[q]), np.maximum(height[p], height[q]), np.maximum(look[p], look[q])
    curved = curved_conflicts(f, p, q, r * grow, h * grow, t * grow, turn)
    if curved.i.shape[0] == 0:
        return geo
    return PairGeometry.joined([geo, curved])


def _without_parallel(f: Frames, geo: PairGeometry) -> PairGeometry:
    """``geo`` without the pairs flying parallel runway operations in their picture (`commonsky.safety.stca`)."""
    i, j = geo.i, geo.j
    if i.shape[0] == 0:
        return geo
    trk = np.degrees(np.arctan2(f.ve_ms, f.vn_ms))
    moving = ~f.level
    parallel = parallel_pairs_of(f.lat_deg, f.lon_deg, f.alt_m, trk, moving, f.parallel_ceiling_m, i, j)
    if not parallel.any():
        return geo
    keep = ~parallel
    return geo.select(keep)
