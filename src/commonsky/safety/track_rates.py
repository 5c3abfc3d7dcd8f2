"""`TrackRateFilter`: the STCA filtered vertical rate and turn rate of a live picture stream, track by track.

The same rate as replay's (`commonsky.safety.kinematics.filtered_vertical_rate`): the altitude slope from the
newest picture at least ``window_s`` older than the current one, causal, NaN where the aircraft was not in that
picture (a track younger than the window: its rate is not established yet) or where it is more than ``max_dt_s``
old. `commonsky.safety.stca.stca_states` leaves an aircraft without an established rate out until it has one.

Pictures where an aircraft was on the ground (the ``on_ground`` given to `TrackRateFilter.update`) do not count
for it: a receiver plots an aircraft reporting surface positions, which carry no altitude, at its own altitude
(`commonsky.surveillance.feeds.receiver`), so a departure's slope from such a picture to its first airborne
altitudes would be a climb of thousands of feet a minute and predict it up through the traffic above. A departure's
rate is established once it has been airborne for the window, as replay's is when its reports on the ground carry
no altitude.

It also gives each aircraft's mean altitude over the window (this picture's included), which the live safety net
reads a level aircraft's flight level from: tracked altitudes wobble by tens of feet where radar heights join
ADS-B ones (an airliner holding FL370 tracked at 36,947 ft would round to FL369 and "conflict" with one at FL360),
where replay's reported Mode S altitudes do not.

And each aircraft's sustained turn rate, the same as replay's (`commonsky.safety.kinematics.sustained_turn_rate`,
with a `commonsky.safety.turns.TurnRule`'s ``window_s`` and ``min_dps``): the track change since the newest
picture at least the rule's ``window_s`` older (at most twice that), split at the newest picture at least half of
it older; a turn when both halves turn the same way at ``min_dps`` or more, at the whole window's rate, else 0 (and
0 where the aircraft was not in both pictures: a track younger than the window is not turning yet). Replay looks
for each aircraft's own older report; here the older pictures are the stream's, which hold every live track.

Stateful and NOT thread-safe: one per picture stream (a `SafetyNet` owns one). Memory: the pictures of the last
``window_s`` or turn window, whichever is longer (ids, altitudes and tracks only).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from commonsky._typing import BoolArray, FloatArray, IntArray, StrArray
from commonsky.safety.turns import TurnRule


@dataclass(frozen=True, eq=False)
class _Frame:
    time_s: float
    codes: IntArray  # the ids' codes (`TrackRateFilter._codes`), sorted
    ids: StrArray  # in the order of ``codes``
    alt_m: FloatArray  # in the order of ``codes``
    trk_deg: FloatArray  # in the order of ``codes``

    def find(self, codes: IntArray) -> tuple[IntArray, BoolArray]:
        """Where each of ``codes`` is in this picture (a search of sorted keys), and whether it is there."""
        if not self.codes.shape[0]:
            return np.zeros(codes.shape[0], dtype=np.int64), np.zeros(codes.shape[0], dtype=bool)
        pos = np.minimum(np.searchsorted(self.codes, codes), self.codes.shape[0] - 1)
        return pos, self.codes[pos] == codes


@dataclass(frozen=True, eq=False)
class TrackRates:
    """Per aircraft of one picture, in its order: ``vs_ms`` the filtered vertical rate (m/s; NaN: not established),
    ``mean_alt_m`` the mean altitude over the window (m), ``turn_dps`` the sustained turn rate (deg/s, positive to
    the right; 0: not turning)."""

    vs_ms: FloatArray
    mean_alt_m: FloatArray
    turn_dps: FloatArray


@dataclass
class TrackRateFilter:
    """Altitude slope (m/s) over at least ``window_s`` per aircraft id, mean altitude and turn rate (see the module
    docstring).

    Ids are matched across pictures by an integer code per id (a lookup in integers is many times faster than in
    strings, and a short tick keeps many pictures in the window); the codes of ids no longer in the window are
    dropped now and then, so memory stays bounded."""

    window_s: float = 20.0
    max_dt_s: float = 60.0
    _frames: deque[_Frame] = field(default_factory=deque, init=False, repr=False)
    _table: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    def _codes(self, ids: StrArray) -> IntArray:
        """The code of each of ``ids``; an id never seen gets the next code (in the order of ``ids``)."""
        table, names = self._table, ids.tolist()
        codes = list(map(table.get, names))  # the known ids in one C-level pass (most of them, tick after tick)
        if None in codes:
            for k in [k for k, code in enumerate(codes) if code is None]:
                codes[k] = table.setdefault(names[k], len(table))
        return np.array(codes, dtype=np.int64).reshape(len(names))

    def update(
        self,
        time_s: float,
        ids: StrArray,
        alt_m: FloatArray,
        trk_deg: FloatArray,
        turn: TurnRule = TurnRule(),
        on_ground: BoolArray | None = None,
    ) -> TrackRates:
        """The rates of each of ``ids`` at ``time_s`` and its mean altitude over the last ``window_s`` (turn rate by
        ``turn``; all 0 when it is not enabled), then remember this picture. ``on_ground``: per aircraft, on the
        ground in this picture (its altitude counts for nothing: module docstring; default: none is)."""
        ids = np.asarray(ids)
        codes = self._codes(ids)
        alt, trk = np.asarray(alt_m, dtype=np.float64), np.asarray(trk_deg, dtype=np.float64)
        if on_ground is not None:
            alt = np.where(np.asarray(on_ground, dtype=bool), np.nan, alt)
        # Looked up in code order (a search of sorted keys is several times faster), then put back in ``ids`` order.
        order = np.argsort(codes, kind="stable")
        sorted_codes, sorted_alt, sorted_trk = codes[order], alt[order], trk[order]
        rate_s = np.full(ids.shape[0], np.nan)
        total_s = sorted_alt.copy()
        count_s = np.ones(ids.shape[0])
        for frame in self._frames:
            if time_s - frame.time_s > self.window_s:
                continue
            pos, found = frame.find(sorted_codes)
            found[found] = np.isfinite(frame.alt_m[pos[found]])  # not on the ground then
            total_s[found] += frame.alt_m[pos[found]]
            count_s[found] += 1.0
        ref = self._newest(time_s, self.window_s)
        if ref is not None and time_s - ref.time_s <= self.max_dt_s:
            pos, found = ref.find(sorted_codes)
            rate_s[found] = (sorted_alt[found] - ref.alt_m[pos[found]]) / (time_s - ref.time_s)
        turn_s = self._turn_rate(time_s, sorted_codes, sorted_trk, turn)
        rate, mean_alt, turn_dps = np.empty_like(rate_s), np.empty_like(total_s), np.empty_like(turn_s)
        rate[order], mean_alt[order], turn_dps[order] = rate_s, total_s / count_s, turn_s
        self._frames.append(_Frame(float(time_s), sorted_codes, ids[order], sorted_alt, sorted_trk))
        keep_s = max(self.window_s, turn.window_s if turn.enabled else 0.0)
        while len(self._frames) >= 2 and time_s - self._frames[1].time_s >= keep_s:
            self._frames.popleft()
        if len(self._table) > 4 * max((len(f.ids) for f in self._frames), default=0) + 4096:
            self._recode()
        return TrackRates(rate, mean_alt, turn_dps)

    def _newest(self, time_s: float, age_s: float) -> _Frame | None:
        """The newest picture remembered at least ``age_s`` older than ``time_s``."""
        return next((f for f in reversed(self._frames) if time_s - f.time_s >= age_s), None)

    def _turn_rate(self, time_s: float, codes: IntArray, trk_deg: FloatArray, turn: TurnRule) -> FloatArray:
        """The sustained turn rate (deg/s) of the aircraft ``codes`` (sorted) flying ``trk_deg`` now (module
        docstring)."""
        rate = np.zeros(codes.shape[0])
        ref, half = self._newest(time_s, turn.window_s), self._newest(time_s, 0.5 * turn.window_s)
        if not turn.enabled or ref is None or half is None or half is ref or time_s - ref.time_s > 2 * turn.window_s:
            return rate
        pos_ref, in_ref = ref.find(codes)
        pos_half, in_half = half.find(codes)
        both = np.flatnonzero(in_ref & in_half)
        trk_ref, trk_half = ref.trk_deg[pos_ref[both]], half.trk_deg[pos_half[both]]
        first = np.mod(trk_half - trk_ref + 180.0, 360.0) - 180.0
        second = np.mod(trk_deg[both] - trk_half + 180.0, 360.0) - 180.0
        r1, r2 = first / (half.time_s - ref.time_s), second / (time_s - half.time_s)
        sustained = (np.minimum(np.abs(r1), np.abs(r2)) >= turn.min_dps) & (r1 * r2 > 0.0)
        rate[both] = np.where(sustained, (first + second) / (time_s - ref.time_s), 0.0)
        return rate

    def _recode(self) -> None:
        """Codes for the ids still in the window only (the others belong to tracks long gone)."""
        self._table = {}
        frames = list(self._frames)
        self._frames.clear()
        for f in frames:
            codes = self._codes(f.ids)
            order = np.argsort(codes, kind="stable")
            self._frames.append(_Frame(f.time_s, codes[order], f.ids[order], f.alt_m[order], f.trk_deg[order]))


__all__ = ["TrackRateFilter", "TrackRates"]
