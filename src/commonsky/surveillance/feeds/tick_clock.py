"""The receiver's 12 MHz MLAT counter (Beast, AVR ``@`` frames) read as UTC time: `TickClock`."""

from __future__ import annotations

import numpy as np

from commonsky.surveillance.feeds.modes import MLAT_HZ


class TickClock:
    """Turns the receiver's 12 MHz MLAT counter into UTC epoch seconds. Stateful, not thread-safe.

    The first frame anchors the counter at ``start_s`` (a known capture start, UTC epoch s) or, by default, at the
    time it was received. Later frames keep the counter's spacing. When the counter goes backwards by more than a
    second (receiver restarted) the clock re-anchors where it stood, or at the reception time if that is later and
    no ``start_s`` was given (a live feed back after an outage), so time never runs back.
    """

    def __init__(self, start_s: float | None = None) -> None:
        self._start_s = start_s
        self._anchor: tuple[int, float] | None = None
        self._last: tuple[int, float] | None = None

    def time_of(self, ticks: int, received_s: float) -> float:
        if self._anchor is None:
            self._anchor = (ticks, received_s if self._start_s is None else self._start_s)
        elif self._last is not None and ticks < self._last[0] - MLAT_HZ:
            live = self._start_s is None  # a live feed resumes at reception time, a recording where it stood
            self._anchor = (ticks, max(self._last[1], received_s) if live else self._last[1])
        anchor_ticks, anchor_s = self._anchor
        time_s = anchor_s + (ticks - anchor_ticks) / MLAT_HZ
        self._last = (ticks, time_s)
        return time_s

    def times_of(self, ticks: list[int], received_s: float) -> list[float]:
        """`time_of` of each counter in order (the same numbers), at numpy speed unless the counter runs back."""
        if not ticks:
            return []
        counter = np.array(ticks, dtype=np.int64)
        before = np.empty_like(counter)
        before[1:] = counter[:-1]
        before[0] = self._last[0] if self._last is not None and self._anchor is not None else counter[0]
        if np.any(counter < before - MLAT_HZ):
            return [self.time_of(t, received_s) for t in ticks]
        if self._anchor is None:
            self._anchor = (ticks[0], received_s if self._start_s is None else self._start_s)
        anchor_ticks, anchor_s = self._anchor
        times_s: list[float] = (anchor_s + (counter - anchor_ticks) / MLAT_HZ).tolist()
        self._last = (ticks[-1], times_s[-1])
        return times_s
