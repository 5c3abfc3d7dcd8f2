"""The MLAT counter clock: anchoring, restarts, and the batch form against the frame-by-frame one."""

from __future__ import annotations

import random

import numpy as np

from commonsky.surveillance.feeds.modes import MLAT_HZ
from commonsky.surveillance.feeds.tick_clock import TickClock


def test_tick_clock_anchors_and_never_runs_back() -> None:
    clock = TickClock(start_s=1000.0)
    assert clock.time_of(5 * MLAT_HZ, received_s=0.0) == 1000.0
    assert clock.time_of(7 * MLAT_HZ, received_s=0.0) == 1002.0
    assert clock.time_of(MLAT_HZ, received_s=0.0) == 1002.0  # counter reset: continue from where it stood
    assert clock.time_of(2 * MLAT_HZ, received_s=0.0) == 1003.0
    live = TickClock()
    assert live.time_of(9 * MLAT_HZ, received_s=55.5) == 55.5
    assert live.time_of(10 * MLAT_HZ, received_s=55.6) == 56.5  # the counter's spacing, not reception jitter
    assert live.time_of(MLAT_HZ, received_s=300.0) == 300.0  # receiver restarted after an outage


def test_the_counter_clock_at_numpy_speed_is_the_clock() -> None:
    rng = random.Random(6)
    ticks = np.cumsum([rng.randrange(2 * MLAT_HZ) for _ in range(3000)]).tolist()
    ticks[1400:] = [t - ticks[1400] + ticks[1000] for t in ticks[1400:]]  # runs back, between two batches
    ticks[2500:] = [t - ticks[2500] for t in ticks[2500:]]  # the receiver restarts, inside a batch
    for start_s in (None, 1.0e9):
        one, many = TickClock(start_s), TickClock(start_s)
        expected, got = [], []
        for part in range(0, 3000, 700):
            received_s = 5.0e8 + part
            expected += [one.time_of(t, received_s) for t in ticks[part : part + 700]]
            got += many.times_of(ticks[part : part + 700], received_s)
        assert got == expected
