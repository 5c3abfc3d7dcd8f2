"""`VerticalRateFilter`: the STCA filtered vertical rate of a live picture stream, track by track.

The same rate as replay's (`commonsky.safety.kinematics.filtered_vertical_rate`): the altitude slope from the
newest picture at least ``window_s`` older than the current one, causal, NaN where the aircraft was not in that
picture (a track younger than the window: its rate is not established yet) or where it is more than ``max_dt_s``
old. `commonsky.safety.stca.stca_states` leaves an aircraft without an established rate out until it has one.

It also gives each aircraft's mean altitude over the window (this picture's included), which the live safety net
reads a level aircraft's flight level from: tracked altitudes wobble by tens of feet where radar heights join
ADS-B ones (an airliner holding FL370 tracked at 36,947 ft would round to FL369 and "conflict" with one at FL360),
where replay's reported Mode S altitudes do not.

Stateful and NOT thread-safe: one per picture stream (a `SafetyNet` owns one). Memory: the pictures of the last
``window_s`` (ids and altitudes only).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from commonsky._typing import FloatArray, IntArray, StrArray


@dataclass(frozen=True, eq=False)
class _Frame:
    time_s: float
    codes: IntArray  # the ids' codes (`VerticalRateFilter._codes`), sorted
    ids: StrArray  # in the order of ``codes``
    alt_m: FloatArray  # in the order of ``codes``


@dataclass
class VerticalRateFilter:
    """Altitude slope (m/s) over at least ``window_s`` per aircraft id (see the module docstring).

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

    def update(self, time_s: float, ids: StrArray, alt_m: FloatArray) -> tuple[FloatArray, FloatArray]:
        """The rate of each of ``ids`` at ``time_s`` (NaN: not established) and its mean altitude over the last
        ``window_s``, then remember this picture."""
        ids = np.asarray(ids)
        codes = self._codes(ids)
        alt = np.asarray(alt_m, dtype=np.float64)
        # Looked up in code order (a search of sorted keys is several times faster), then put back in ``ids`` order.
        order = np.argsort(codes, kind="stable")
        sorted_codes, sorted_alt = codes[order], alt[order]
        rate_s = np.full(ids.shape[0], np.nan)
        total_s = sorted_alt.copy()
        count_s = np.ones(ids.shape[0])
        for frame in self._frames:
            if time_s - frame.time_s > self.window_s or not frame.codes.shape[0]:
                continue
            pos = np.minimum(np.searchsorted(frame.codes, sorted_codes), frame.codes.shape[0] - 1)
            found = frame.codes[pos] == sorted_codes
            total_s[found] += frame.alt_m[pos[found]]
            count_s[found] += 1.0
        ref = next((f for f in reversed(self._frames) if time_s - f.time_s >= self.window_s), None)
        if ref is not None and time_s - ref.time_s <= self.max_dt_s and ref.codes.shape[0] and ids.shape[0]:
            pos = np.minimum(np.searchsorted(ref.codes, sorted_codes), ref.codes.shape[0] - 1)
            found = ref.codes[pos] == sorted_codes
            rate_s[found] = (sorted_alt[found] - ref.alt_m[pos[found]]) / (time_s - ref.time_s)
        rate, mean_alt = np.empty_like(rate_s), np.empty_like(total_s)
        rate[order], mean_alt[order] = rate_s, total_s / count_s
        self._frames.append(_Frame(float(time_s), sorted_codes, ids[order], sorted_alt))
        while len(self._frames) >= 2 and time_s - self._frames[1].time_s >= self.window_s:
            self._frames.popleft()
        if len(self._table) > 4 * max((len(f.ids) for f in self._frames), default=0) + 4096:
            self._recode()
        return rate, mean_alt

    def _recode(self) -> None:
        """Codes for the ids still in the window only (the others belong to tracks long gone)."""
        self._table = {}
        frames = list(self._frames)
        self._frames.clear()
        for f in frames:
            codes = self._codes(f.ids)
            order = np.argsort(codes, kind="stable")
            self._frames.append(_Frame(f.time_s, codes[order], f.ids[order], f.alt_m[order]))


__all__ = ["VerticalRateFilter"]
