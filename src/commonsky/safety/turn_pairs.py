"""The candidate pairs of the turn prediction (`commonsky.safety.turns`): the pairs with a turning aircraft that
may come within the protection whatever their paths.

A pair is kept by three tests (`turning_pairs`): the turning sample's altitude window (its picture, altitudes
within its vertical reach against the fastest climber), the pair's vertical reach and the pair's horizontal
reach (an equirectangular distance from the pair's first sample). When the windows hold few pairs (a few
turning samples among many pictures, as in replay) they are all tested; otherwise only the pairs that may pass:
a k-d tree (`scipy.spatial.cKDTree`) holds each sample of some window as its point on the Earth's sphere
(Earth-centred, metres) and its window key times a power of 2, ``scale``, and each turning sample looks up the
samples within ``hypot(across, scale * up)`` of it, ``across`` wider than its horizontal reach against the
farthest-flying sample of its picture and ``up`` than its window. Wide enough for any pair the tests keep, at
the poles and across the antimeridian too: the straight line between two points of the sphere is no longer
than the path along the first one's parallel then along a meridian, ``|de| + |dn| <= sqrt(2) * hypot(dn, de)``
(the horizontal test's ``dn``, ``de``). The tree only decides which pairs are tested; the tests decide which
are kept, so the pairs are those of an altitude-window search from every turning sample (what this module did
before the tree), in the same order. ``tests/safety/test_turn_pairs.py`` compares the two.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy.spatial import cKDTree

from commonsky._typing import FloatArray, IntArray
from commonsky.earth import BLUESKY_EARTH_RADIUS_M
from commonsky.safety.turns import TurningMotion

# Coordinates beyond this many degrees (not a position: garbage) are searched by altitude window alone, where
# rounding cannot matter: the tree's margins below hold for coordinates up to here.
WILD_DEG = 1.0e4
# Fewer pairs in the turning samples' windows than this many per sample in them: those pairs are tested, no tree.
WINDOW_PAIRS_PER_SAMPLE = 4
# The tree's reach is wider than the tests' by this share and these metres (rounding of the tests and the tree).
REL_MARGIN = 1.0e-6
ABS_MARGIN_M = 1.0


def turning_pairs(
    k: IntArray,
    turning: np.ndarray,
    motion: TurningMotion,
    radius_m: float,
    half_height_m: float,
    lookahead_s: float,
) -> tuple[IntArray, IntArray]:
    """Sample pairs (p < q, sorted by p then q) of the same picture (``k``, sorted) with at least one
    ``turning`` sample that may come within the protection in [0, lookahead_s] whatever their paths: closer now
    than ``radius_m`` plus how far both can fly (from their reports), vertically than ``half_height_m`` plus how
    far both can climb or descend. Parameters are not negative. The pairs are those the three tests (module
    docstring) keep among each turning sample and every sample of its altitude window, found with a k-d tree
    when the windows hold many pairs."""
    src = np.flatnonzero(turning)
    if src.shape[0] == 0:
        z = np.zeros(0, dtype=np.int64)
        return z, z
    order, key, window_m = _by_picture_and_altitude(k, motion, half_height_m, lookahead_s)
    gs = np.hypot(motion.vn_ms, motion.ve_ms)
    # a sample's path (`curved_conflicts`) starts from its report, age_s back: within gs * (2 age + t) of it
    age = np.maximum(motion.age_s, 0.0)
    flown_m = gs * (lookahead_s + 2.0 * age)
    a, b = _candidates(k, order, key, window_m, src, motion, flown_m, radius_m)
    # each pair once: a pair of two turning samples from the lower one only
    once = (a != b) & (~turning[b] | (a < b))
    a, b = a[once], b[once]
    # the altitude window of the turning sample a: what a search of the sorted keys from key[a] -/+ window_m[a] finds
    inside = (key[b] >= key[a] - window_m[a]) & (key[b] <= key[a] + window_m[a])
    p, q = np.minimum(a[inside], b[inside]), np.maximum(a[inside], b[inside])
    vs = np.abs(motion.vs_ms)
    dz = np.abs(motion.alt_m[p] - motion.alt_m[q])
    near = dz < half_height_m + (vs[p] + vs[q]) * lookahead_s + 1.0
    p, q = p[near], q[near]
    lat1 = np.radians(motion.lat_deg[p])
    dn = BLUESKY_EARTH_RADIUS_M * (np.radians(motion.lat_deg[q]) - lat1)
    dlon = np.radians(np.mod(motion.lon_deg[q] - motion.lon_deg[p] + 180.0, 360.0) - 180.0)
    de = BLUESKY_EARTH_RADIUS_M * dlon * np.cos(lat1)
    reach = radius_m + flown_m[p] + flown_m[q] + 100.0
    near = np.hypot(dn, de) < reach * 1.01
    codes = np.sort(p[near].astype(np.int64) * k.shape[0] + q[near])  # in the order of (p, q)
    return codes // k.shape[0], codes % k.shape[0]


def _by_picture_and_altitude(
    k: IntArray, motion: TurningMotion, half_height_m: float, lookahead_s: float
) -> tuple[IntArray, FloatArray, FloatArray]:
    """The samples' order by picture then altitude, a key in that order (pictures far apart, altitude within) and
    how far in it each sample's partners can be: its vertical reach against the fastest climber, at most the whole
    picture (a bound of `turning_pairs`' vertical test; a sample without altitude or rate is searched at 0, and
    that test drops it)."""
    alt = np.where(np.isfinite(motion.alt_m), motion.alt_m, 0.0)
    vs = np.where(np.isnan(motion.vs_ms), 0.0, np.abs(motion.vs_ms))
    highest = float(np.abs(alt).max(initial=0.0))
    reach = np.minimum(half_height_m + (vs + float(vs.max(initial=0.0))) * lookahead_s + 2.0, 2.0 * highest + 2.0)
    span = 4.0 * (highest + float(reach.max(initial=0.0))) + 10.0
    key = (k - k[0]).astype(np.float64) * span + alt
    return np.lexsort((alt, k)), key, reach


def _candidates(
    k: IntArray,
    order: IntArray,
    key: FloatArray,
    window_m: FloatArray,
    src: IntArray,
    motion: TurningMotion,
    flown_m: FloatArray,
    radius_m: float,
) -> tuple[IntArray, IntArray]:
    """(a, b): turning samples ``src`` and samples near them, every pair `turning_pairs`' tests may keep among
    them (module docstring). A sample some test drops whatever its partner (no finite position or altitude, no
    vertical rate, no reach) is in none."""
    sorted_key = key[order]
    lo = np.searchsorted(sorted_key, key[src] - window_m[src], side="left")
    hi = np.maximum(np.searchsorted(sorted_key, key[src] + window_m[src], side="right"), lo)
    lat, lon = motion.lat_deg, motion.lon_deg
    live = np.isfinite(lat) & np.isfinite(lon) & np.isfinite(motion.alt_m)
    live &= ~np.isnan(motion.vs_ms) & ~np.isnan(flown_m)
    # a partner is in the turning sample's window: the samples in none are not needed
    edges = np.bincount(lo, minlength=k.shape[0] + 1) - np.bincount(hi, minlength=k.shape[0] + 1)
    live[order] &= np.cumsum(edges[:-1]) > 0
    wild = np.any(live & ((np.abs(lat) > WILD_DEG) | (np.abs(lon) > WILD_DEG)))
    if wild or int((hi - lo).sum()) <= WINDOW_PAIRS_PER_SAMPLE * int(live.sum()):
        return _window_pairs(order, lo, hi, src)
    at = np.flatnonzero(live)
    src = src[live[src]]
    if src.shape[0] == 0:
        z = np.zeros(0, dtype=np.int64)
        return z, z
    row = np.cumsum(live) - 1  # a live sample's row in the tree
    # horizontally: the test's reach against the partner that flies farthest in the picture, times sqrt(2)
    farthest = _picture_max(k, order, np.where(live, flown_m, -np.inf))
    test_m = (radius_m + flown_m[src] + farthest[src] + 100.0) * 1.01
    earth_m = 2.0 * BLUESKY_EARTH_RADIUS_M  # the longest chord: this far holds the whole picture
    across_m = np.fmin(math.sqrt(2.0) * test_m, earth_m) * (1.0 + REL_MARGIN) + ABS_MARGIN_M
    # vertically: the window, and the key's rounding
    up_m = window_m[src] + REL_MARGIN * (np.abs(key[src]) + np.abs(window_m[src])) + ABS_MARGIN_M
    scale = _key_scale(across_m, up_m)
    phi, lam = np.radians(lat[at]), np.radians(lon[at])
    points = np.column_stack(
        (
            BLUESKY_EARTH_RADIUS_M * np.cos(phi) * np.cos(lam),
            BLUESKY_EARTH_RADIUS_M * np.cos(phi) * np.sin(lam),
            BLUESKY_EARTH_RADIUS_M * np.sin(phi),
            scale * key[at],  # a power of 2: exact
        )
    )
    tree = cKDTree(points, balanced_tree=False, compact_nodes=False)
    found = tree.query_ball_point(points[row[src]], np.hypot(across_m, scale * up_m), return_sorted=False)
    count = np.fromiter(map(len, found), dtype=np.int64, count=src.shape[0])
    near = np.fromiter(itertools.chain.from_iterable(found), dtype=np.int64, count=int(count.sum()))
    return np.repeat(src, count), at[near]


def _picture_max(k: IntArray, order: IntArray, value: FloatArray) -> FloatArray:
    """Per sample, the largest ``value`` of its picture (``order`` sorts ``k``)."""
    ks = k[order]
    first = np.ones(ks.shape[0], dtype=bool)
    first[1:] = ks[1:] != ks[:-1]
    most = np.maximum.reduceat(value[order], np.flatnonzero(first))
    out = np.empty(ks.shape[0], dtype=np.float64)
    out[order] = most[np.cumsum(first) - 1]
    return out


def _key_scale(across_m: FloatArray, up_m: FloatArray) -> float:
    """A power of 2 that makes a typical turning sample's reach as far in the scaled key as across."""
    tall = up_m > 0.0
    if not tall.any():
        return 1.0
    ratio = float(np.median(across_m[tall] / up_m[tall]))
    return 2.0 ** round(math.log2(ratio)) if math.isfinite(ratio) and ratio > 0.0 else 1.0


def _window_pairs(order: IntArray, lo: IntArray, hi: IntArray, src: IntArray) -> tuple[IntArray, IntArray]:
    """(a, b): each turning sample ``src`` with every sample of its altitude window (positions ``lo`` to ``hi``
    in ``order``), without the tree."""
    count = hi - lo
    a = np.repeat(src, count)
    b = order[np.repeat(lo, count) + (np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count))]
    return a, b
