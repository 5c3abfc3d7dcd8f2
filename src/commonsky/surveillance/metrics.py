"""Tracking quality against truth: OSPA and the SIAP measures, on column arrays.

Both take `StateTable` values: one row per (object, time) with position and velocity in the local frame. Times are
matched exactly (tracks and truth sampled at the same scan times).

- `ospa`: Optimal SubPattern Assignment distance (Schuhmacher, Vo & Vo 2008) per time, cut-off ``c_m``, order
  ``p``, on positions. The optimal assignment minimises the sum of ``min(d, c) ** p``. (Stone Soup's
  `OSPAMetric` minimises the sum of ``min(d, c)`` and then raises to ``p``; the two agree for ``p = 1`` and whenever
  the nearest-pair assignment is unambiguous, which is what the tests check.)
- `associate_to_truth`: Stone Soup's `TrackToTruth` rule, vectorised over tracks: at each of its times a track's
  candidate is the nearest truth closer than ``threshold_m``; ``confirm`` consecutive candidates start an
  association, ``end`` consecutive non-matches close it. Like Stone Soup, the non-match counter is reset only by a
  renewed match, so that is reproduced.
- `siap`: completeness, ambiguity, spuriousness, positional and velocity accuracy (per time and over the run,
  Votruba et al. 2001 as implemented by Stone Soup's `SIAPMetrics`) and the longest-track-segment ratio (for
  each truth, the longest total time one track was associated with it, over the truth's lifetime) and the rate of
  track-number changes (for each truth, the fewest tracks that cover its associated times, less one, per second of
  tracked time; Stone Soup's greedy covering is reproduced step for step).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import linear_sum_assignment
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist

from commonsky._typing import FloatArray, IntArray
from commonsky.errors import InputError
from commonsky.surveillance.tracking.tracks import LiveTracks


@dataclass(frozen=True)
class StateTable:
    """States of objects over time: ``t_s`` (N,), ``object_id`` (N,), ``pos_m`` (N, 3), ``vel_ms`` (N, 3).

    At most one row per (object, time).
    """

    t_s: FloatArray
    object_id: IntArray
    pos_m: FloatArray
    vel_ms: FloatArray

    def __post_init__(self) -> None:
        n = len(self.t_s)
        if len(self.object_id) != n or self.pos_m.shape != (n, 3) or self.vel_ms.shape != (n, 3):
            raise InputError("state table columns must have the same number of rows (positions (N, 3))")
        for a in (self.t_s, self.object_id, self.pos_m, self.vel_ms):
            a.setflags(write=False)

    @classmethod
    def build(cls, t_s: ArrayLike, object_id: ArrayLike, pos_m: ArrayLike, vel_ms: ArrayLike) -> StateTable:
        return cls(
            np.array(t_s, dtype=float).ravel(),
            np.array(object_id, dtype=np.int64).ravel(),
            np.array(pos_m, dtype=float).reshape(-1, 3),
            np.array(vel_ms, dtype=float).reshape(-1, 3),
        )

    @classmethod
    def from_snapshots(cls, snapshots: Sequence[LiveTracks], confirmed_only: bool = True) -> StateTable:
        """Rows of the tracker's snapshots (confirmed tracks only by default)."""
        snaps = [s.confirmed_only() if confirmed_only else s for s in snapshots]
        if not snaps:
            return cls.build(np.zeros(0), np.zeros(0), np.zeros((0, 3)), np.zeros((0, 3)))
        return cls.build(
            np.concatenate([np.full(len(s), s.t_s) for s in snaps]),
            np.concatenate([s.track_id for s in snaps]),
            np.concatenate([s.pos_m for s in snaps]),
            np.concatenate([s.vel_ms for s in snaps]),
        )

    def at(self, t_s: float) -> NDArray[np.int64]:
        """Row indices at exactly ``t_s``."""
        return np.flatnonzero(self.t_s == t_s)


@dataclass(frozen=True)
class OspaResult:
    """OSPA distance (m) at each time of ``t_s`` (the union of track and truth times)."""

    t_s: FloatArray
    distance_m: FloatArray


def ospa_distance(x: FloatArray, y: FloatArray, c_m: float, p: float = 1.0) -> float:
    """OSPA distance between two point sets ``(m, 3)`` and ``(n, 3)`` (0 when both are empty)."""
    m, n = len(x), len(y)
    if m == 0 and n == 0:
        return 0.0
    if m == 0 or n == 0:
        return float(c_m)
    d = np.minimum(cdist(x, y), c_m)
    if np.isinf(p):
        return float(d[linear_sum_assignment(d)].max()) if m == n else float(c_m)
    cost = d**p
    rows, cols = linear_sum_assignment(cost)
    total = cost[rows, cols].sum() + c_m**p * abs(m - n)
    return float((total / max(m, n)) ** (1.0 / p))


def ospa(tracks: StateTable, truth: StateTable, c_m: float, p: float = 1.0) -> OspaResult:
    """OSPA on positions at every time present in either table."""
    if c_m <= 0 or p < 1:
        raise InputError(f"OSPA needs c > 0 and p >= 1, got c={c_m}, p={p}")
    times = np.union1d(tracks.t_s, truth.t_s)
    dist = np.array([ospa_distance(tracks.pos_m[tracks.at(t)], truth.pos_m[truth.at(t)], c_m, p) for t in times])
    return OspaResult(times, dist)


@dataclass(frozen=True)
class Associations:
    """Track-to-truth associations: ``track_id`` held ``truth_id`` from ``start_s`` to ``end_s`` (inclusive)."""

    track_id: IntArray
    truth_id: IntArray
    start_s: FloatArray
    end_s: FloatArray


def associate_to_truth(
    tracks: StateTable, truth: StateTable, threshold_m: float, confirm: int = 3, end: int = 2
) -> Associations:
    """Stone Soup's `TrackToTruth` association on positions (see the module docstring)."""
    if confirm < 1 or end < 1 or threshold_m <= 0:
        raise InputError("association needs threshold > 0, confirm >= 1 and end >= 1")
    ids, row_track = np.unique(tracks.object_id, return_inverse=True)
    k = len(ids)
    cur, pot = np.full(k, -1), np.full(k, -1)
    n_pot, n_fail = np.zeros(k, dtype=np.int64), np.zeros(k, dtype=np.int64)
    pot_start, start, stop = np.full(k, np.nan), np.full(k, np.nan), np.full(k, np.nan)
    out: list[tuple[IntArray, IntArray, FloatArray, FloatArray]] = []
    for t in np.unique(tracks.t_s):
        rows = tracks.at(t)
        j = row_track[rows]
        nearest = _nearest_truth(tracks.pos_m[rows], truth, t, threshold_m)
        in_a = cur[j] < 0
        # Tracks without an association: count consecutive candidates of the same truth.
        a, m = j[in_a], nearest[in_a]
        none, same = m < 0, (m >= 0) & (pot[a] == m)
        new = (m >= 0) & ~same
        n_pot[a] = np.where(none, 0, np.where(same, n_pot[a] + 1, 1))
        pot_start[a] = np.where(none, np.nan, np.where(new, t, pot_start[a]))
        pot[a] = np.where(none, -1, m)
        ok = a[n_pot[a] >= confirm]
        cur[ok], start[ok], stop[ok] = pot[ok], pot_start[ok], t
        pot[ok], pot_start[ok], n_pot[ok] = -1, np.nan, 0
        # Tracks with an association: extend it, or count misses and a possible successor.
        b, m = j[~in_a], nearest[~in_a]
        match = m == cur[b]
        n_fail[b] = np.where(match, 0, n_fail[b] + 1)
        stop[b] = np.where(match, t, stop[b])
        miss, mm = b[~match], m[~match]
        again = (mm >= 0) & (mm == pot[miss])
        n_pot[miss] = np.where(again, n_pot[miss] + 1, 1)
        pot_start[miss] = np.where(again, pot_start[miss], t)
        pot[miss] = np.where(again, pot[miss], mm)
        closing = b[n_fail[b] >= end]
        out.append((ids[closing], cur[closing].copy(), start[closing].copy(), stop[closing].copy()))
        succeed = n_pot[closing] >= confirm
        nxt, drop = closing[succeed], closing[~succeed]
        cur[nxt], start[nxt], stop[nxt] = pot[nxt], pot_start[nxt], t
        cur[drop], start[drop], stop[drop] = -1, np.nan, np.nan
    open_ = np.flatnonzero(cur >= 0)
    out.append((ids[open_], cur[open_], start[open_], stop[open_]))
    truth_ids = np.unique(truth.object_id)
    return Associations(
        np.concatenate([o[0] for o in out]).astype(np.int64),
        truth_ids[np.concatenate([o[1] for o in out]).astype(np.int64)],
        np.concatenate([o[2] for o in out]),
        np.concatenate([o[3] for o in out]),
    )


def _nearest_truth(pos_m: FloatArray, truth: StateTable, t: float, threshold_m: float) -> NDArray[np.int64]:
    """For each position, the index (into the sorted unique truth ids) of the nearest truth at ``t`` strictly
    closer than ``threshold_m``, or -1."""
    rows = truth.at(t)
    if len(rows) == 0 or len(pos_m) == 0:
        return np.full(len(pos_m), -1, dtype=np.int64)
    dist, idx = cKDTree(truth.pos_m[rows]).query(pos_m, k=1)
    uid = np.searchsorted(np.unique(truth.object_id), truth.object_id[rows])
    return np.asarray(np.where(dist < threshold_m, uid[np.minimum(idx, len(rows) - 1)], -1), dtype=np.int64)


@dataclass(frozen=True)
class Siap:
    """SIAP measures over the run and per time (``t_s``). Accuracies in m and m/s; see `siap`."""

    completeness: float
    ambiguity: float
    spuriousness: float
    position_accuracy_m: float
    velocity_accuracy_ms: float
    longest_track_segment: float
    track_number_change_rate_per_s: float
    t_s: FloatArray
    completeness_t: FloatArray
    ambiguity_t: FloatArray
    spuriousness_t: FloatArray
    position_accuracy_t: FloatArray
    velocity_accuracy_t: FloatArray
    associations: Associations


def siap(tracks: StateTable, truth: StateTable, threshold_m: float, confirm: int = 3, end: int = 2) -> Siap:
    """SIAP with Stone Soup's definitions: at each time ``t``, ``J`` truths present, ``JT`` truths associated,
    ``N`` tracks present, ``NA`` tracks associated; completeness ``JT/J``, ambiguity ``NA/JT``, spuriousness
    ``(N-NA)/N``, position/velocity accuracy the mean error over associated pairs. Run values are ratios of sums.
    Degenerate ratios follow Stone Soup (completeness 0, ambiguity 1, spuriousness 0, accuracy 0). Also the
    longest-track-segment ratio and the rate of track-number changes (see the module docstring). ``threshold_m``,
    ``confirm`` and ``end`` are the track-to-truth association's (Stone Soup's ``TrackToTruth``).

    >>> t = StateTable.build([0, 1, 2], [7, 7, 7], [[0, 0, 0], [10, 0, 0], [20, 0, 0]], [[10, 0, 0]] * 3)
    >>> s = siap(t, t, threshold_m=5.0)
    >>> s.completeness, s.spuriousness, s.position_accuracy_m
    (1.0, 0.0, 0.0)
    """
    assoc = associate_to_truth(tracks, truth, threshold_m, confirm, end)
    times = np.union1d(tracks.t_s, truth.t_s)
    active = (assoc.start_s[:, None] <= times[None]) & (times[None] <= assoc.end_s[:, None])  # (A, T)
    j = _count_per_time(truth, times)
    n = _count_per_time(tracks, times)
    jt = _unique_active(assoc.truth_id, active)
    na = _unique_active(assoc.track_id, active)
    pa = np.zeros(len(times))
    va = np.zeros(len(times))
    a_idx, t_idx = np.nonzero(active)
    tr_row = _row_grid(tracks, times)[np.searchsorted(np.unique(tracks.object_id), assoc.track_id[a_idx]), t_idx]
    gt_row = _row_grid(truth, times)[np.searchsorted(np.unique(truth.object_id), assoc.truth_id[a_idx]), t_idx]
    ok = (tr_row >= 0) & (gt_row >= 0)
    np.add.at(pa, t_idx[ok], np.linalg.norm(tracks.pos_m[tr_row[ok]] - truth.pos_m[gt_row[ok]], axis=1))
    np.add.at(va, t_idx[ok], np.linalg.norm(tracks.vel_ms[tr_row[ok]] - truth.vel_ms[gt_row[ok]], axis=1))
    truth_ids = np.unique(truth.object_id)
    first, last = np.full(len(truth_ids), np.inf), np.full(len(truth_ids), -np.inf)
    gt_obj = np.searchsorted(truth_ids, truth.object_id)
    np.minimum.at(first, gt_obj, truth.t_s)
    np.maximum.at(last, gt_obj, truth.t_s)
    life = last - first
    # Like Stone Soup, a (track, truth) pair's associated time is the sum of all its association intervals.
    pairs, pair_inv = np.unique(np.column_stack([assoc.track_id, assoc.truth_id]), axis=0, return_inverse=True)
    pair_time = np.bincount(pair_inv.ravel(), weights=assoc.end_s - assoc.start_s, minlength=len(pairs))
    longest = np.zeros(len(truth_ids))
    np.maximum.at(longest, np.searchsorted(truth_ids, pairs[:, 1]), pair_time)

    def ratio(num: FloatArray | float, den: FloatArray | float, empty: float) -> FloatArray:
        num_a, den_a = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
        return np.where(den_a != 0, num_a / np.where(den_a != 0, den_a, 1.0), empty)

    return Siap(
        completeness=float(ratio(jt.sum(), j.sum(), 0.0)),
        ambiguity=float(ratio(na.sum(), jt.sum(), 1.0)),
        spuriousness=float(ratio((n - na).sum(), n.sum(), 0.0)),
        position_accuracy_m=float(ratio(pa.sum(), na.sum(), 0.0)),
        velocity_accuracy_ms=float(ratio(va.sum(), na.sum(), 0.0)),
        longest_track_segment=float(ratio(longest.sum(), life.sum(), 0.0)),
        track_number_change_rate_per_s=_track_number_change_rate(assoc, truth),
        t_s=times,
        completeness_t=ratio(jt, j, 0.0),
        ambiguity_t=ratio(na, jt, 1.0),
        spuriousness_t=ratio(n - na, n, 0.0),
        position_accuracy_t=ratio(pa, na, 0.0),
        velocity_accuracy_t=ratio(va, na, 0.0),
        associations=assoc,
    )


def _track_number_change_rate(assoc: Associations, truth: StateTable) -> float:
    """SIAP R: sum over truths of (tracks needed - 1) over total time tracked, as Stone Soup computes them.

    Tracks needed: walk the truth's times; at each, take the association (all intervals of one track with this
    truth together) that ends last among those covering the time, count it, and jump past the end of the interval
    covering the time; reaching an association exactly at one of its ends stops the walk (as in Stone Soup).
    Time tracked: the length of the union of the truth's association intervals. Loops run per truth and per
    association (a handful each), not per pair of objects.
    """
    changes = 0
    tracked_s = 0.0
    for truth_id in np.unique(assoc.truth_id):
        mine = assoc.truth_id == truth_id
        starts, ends, tracks = assoc.start_s[mine], assoc.end_s[mine], assoc.track_id[mine]
        order = np.argsort(starts)
        merged_end = -np.inf
        for a, b in zip(starts[order], ends[order], strict=True):  # length of the union of the intervals
            tracked_s += max(0.0, b - max(a, merged_end))
            merged_end = max(merged_end, b)
        pairs = [(np.sort(np.concatenate([starts[tracks == k], ends[tracks == k]])), k) for k in np.unique(tracks)]
        pairs.sort(key=lambda kt: -kt[0][-1])  # latest end first
        times = np.unique(truth.t_s[truth.object_id == truth_id])
        needed, i = 0, 0
        while i < len(times):
            now = times[i]
            keys = next((kt for kt, _ in pairs if np.any((kt[0::2] <= now) & (now <= kt[1::2]))), None)
            if keys is None:
                i += 1
                continue
            at = np.flatnonzero(keys == now)
            end = keys[keys > now].min() if len(at) and at[0] % 2 == 0 else keys[keys >= now].min()
            needed += 1
            later = np.flatnonzero(times[i + 1 :] == end)
            if len(later) == 0:
                break
            i = i + 1 + int(later[0]) + 1
        changes += max(needed - 1, 0)
    return changes / tracked_s if tracked_s else 0.0


def _count_per_time(table: StateTable, times: FloatArray) -> FloatArray:
    """Distinct objects with a row at each time."""
    return np.bincount(np.searchsorted(times, table.t_s), minlength=len(times)).astype(float)


def _unique_active(object_id: IntArray, active: NDArray[np.bool_]) -> FloatArray:
    """Distinct objects among the active associations at each time (columns of ``active``)."""
    if active.size == 0:
        return np.zeros(active.shape[1])
    uid, inv = np.unique(object_id, return_inverse=True)
    per_obj = np.zeros((len(uid), active.shape[1]), dtype=bool)
    np.logical_or.at(per_obj, inv, active)
    return np.asarray(per_obj.sum(axis=0), dtype=float)


def _row_grid(table: StateTable, times: FloatArray) -> NDArray[np.int64]:
    """``(objects, times)`` grid of row indices (objects in sorted id order), -1 where an object has no row."""
    ids = np.unique(table.object_id)
    grid = np.full((len(ids), len(times)), -1, dtype=np.int64)
    grid[np.searchsorted(ids, table.object_id), np.searchsorted(times, table.t_s)] = np.arange(len(table.t_s))
    return grid
