"""The scenario clock: simulated time that runs at ``speed`` x real time, and can pause, resume and jump.

Simulated time is Unix seconds (UTC). The clock is anchored: at wall time ``anchor_wall_s`` it read
``anchor_sim_s``; while running, ``now_s() = anchor_sim_s + speed * (wall - anchor_wall_s)``, clamped to the
clock's ``[start_s, end_s]``. Every control re-anchors, so changing speed never makes time jump.

`SimClock` is thread-safe (one lock around the anchor); `ClockState` is the immutable value it reports.
The wall clock is injected (``wall=time.monotonic`` by default) so tests can drive it by hand:

>>> t = [0.0]
>>> clock = SimClock(start_s=1000.0, end_s=2000.0, speed=10.0, wall=lambda: t[0])
>>> t[0] = 2.0; clock.now_s()
1020.0
>>> clock.pause().time_s
1020.0
>>> t[0] = 5.0; clock.now_s()
1020.0
>>> clock.resume().paused, clock.jump(1500.0).iso
(False, '1970-01-01T00:25:00Z')
>>> t[0] = 6.0; clock.now_s()
1510.0
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from commonsky.airspace.zone import parse_time
from commonsky.errors import InputError

MAX_SPEED = 10_000.0
"""Fastest allowed clock rate (x real time)."""


@dataclass(frozen=True)
class ClockState:
    """A reading of the clock: simulated time (Unix s), rate, whether paused, and the clock's limits (Unix s)."""

    time_s: float
    speed: float
    paused: bool
    start_s: float
    end_s: float

    @property
    def finished(self) -> bool:
        return self.time_s >= self.end_s

    @property
    def iso(self) -> str:
        """Simulated time as ISO 8601 UTC (``2014-12-02T06:30:00Z``)."""
        return iso_utc(self.time_s)


def iso_utc(time_s: float) -> str:
    """Unix seconds as ``YYYY-MM-DDTHH:MM:SSZ``."""
    return datetime.fromtimestamp(time_s, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time_s(text: str, what: str = "time") -> float:
    """Unix seconds from ISO 8601 text (``2014-12-02T06:30:00Z``; naive means UTC) or a finite number of Unix
    seconds; `InputError` naming ``what`` otherwise.

    >>> parse_time_s("2014-12-02T06:30:00Z"), parse_time_s("1417501800")
    (1417501800.0, 1417501800.0)
    """
    try:
        value = float(text)
    except ValueError:
        pass
    else:
        if math.isfinite(value):
            return value
        raise InputError(f"{what}: {text!r} is not a finite number of Unix seconds")
    when = parse_time(text.strip(), what)
    assert when is not None  # a string never parses to None
    return when.timestamp()


def check_speed(speed: float) -> float:
    """``speed`` if it is a finite rate in (0, `MAX_SPEED`], else `InputError`."""
    if not (math.isfinite(speed) and 0.0 < speed <= MAX_SPEED):
        raise InputError(f"clock speed must be in (0, {MAX_SPEED:g}] x real time, got {speed!r}")
    return float(speed)


class SimClock:
    """Simulated time at ``speed`` x wall time within ``[start_s, end_s]`` (Unix s). Thread-safe."""

    def __init__(
        self,
        start_s: float,
        end_s: float,
        speed: float = 1.0,
        paused: bool = False,
        wall: Callable[[], float] = time.monotonic,
    ) -> None:
        if not (math.isfinite(start_s) and math.isfinite(end_s) and end_s > start_s):
            raise InputError(f"clock needs finite start < end, got {start_s!r} .. {end_s!r}")
        self._lock = threading.Lock()
        self._wall = wall
        self._start_s = float(start_s)
        self._end_s = float(end_s)
        self._speed = check_speed(speed)
        self._paused = paused
        self._anchor_sim_s = float(start_s)
        self._anchor_wall_s = wall()
        self._epoch = 0

    def _now_locked(self) -> float:
        if self._paused:
            return self._anchor_sim_s
        sim = self._anchor_sim_s + self._speed * (self._wall() - self._anchor_wall_s)
        return min(max(sim, self._start_s), self._end_s)

    def _reanchor_locked(self, sim_s: float) -> None:
        self._anchor_sim_s = sim_s
        self._anchor_wall_s = self._wall()

    def now_s(self) -> float:
        """Current simulated time, Unix seconds."""
        with self._lock:
            return self._now_locked()

    def state(self) -> ClockState:
        with self._lock:
            return ClockState(self._now_locked(), self._speed, self._paused, self._start_s, self._end_s)

    @property
    def epoch(self) -> int:
        """Counts jumps: a consumer that sees it change must restart from `now_s` (time went discontinuous)."""
        with self._lock:
            return self._epoch

    def pause(self) -> ClockState:
        with self._lock:
            self._reanchor_locked(self._now_locked())
            self._paused = True
        return self.state()

    def resume(self) -> ClockState:
        with self._lock:
            self._reanchor_locked(self._now_locked())
            self._paused = False
        return self.state()

    def set_speed(self, speed: float) -> ClockState:
        """Change the rate (x real time) from now on; `InputError` outside (0, `MAX_SPEED`]."""
        speed = check_speed(speed)
        with self._lock:
            self._reanchor_locked(self._now_locked())
            self._speed = speed
        return self.state()

    def jump(self, time_s: float) -> ClockState:
        """Set simulated time to ``time_s`` (Unix s, inside the clock's window, else `InputError`)."""
        if not (math.isfinite(time_s) and self._start_s <= time_s <= self._end_s):
            raise InputError(
                f"cannot jump to {time_s!r}: outside the scenario {iso_utc(self._start_s)} .. {iso_utc(self._end_s)}"
            )
        with self._lock:
            self._reanchor_locked(float(time_s))
            self._epoch += 1
        return self.state()


__all__ = ["MAX_SPEED", "ClockState", "SimClock", "check_speed", "iso_utc", "parse_time_s"]
