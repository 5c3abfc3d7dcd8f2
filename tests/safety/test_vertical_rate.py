"""`VerticalRateFilter` against a naive slope over the window, computed here tick by tick."""

from __future__ import annotations

import math

import numpy as np

from commonsky.safety.vertical_rate import VerticalRateFilter


def test_filtered_rate_matches_a_naive_slope_over_the_window() -> None:
    """Ids come and go over 90 ticks of uneven spacing; the rate of each id at each tick is the altitude slope from
    the newest earlier tick at least 20 s before, if the id was in it and it is at most 60 s old, else NaN; the
    mean altitude is over the ticks of the last 20 s that had the id."""
    rng = np.random.default_rng(7)
    times = np.cumsum(rng.uniform(0.5, 4.0, 90))
    present = rng.random((90, 6)) > 0.2
    alts = rng.uniform(1000.0, 12000.0, (90, 6))
    ids = np.array([f"T{k}" for k in range(6)])
    rates = VerticalRateFilter()
    for n, t in enumerate(times):
        here = np.flatnonzero(present[n])[::-1]  # not sorted: the filter must not rely on order
        got, mean = rates.update(float(t), ids[here], alts[n, here])
        older = [m for m in range(n) if t - times[m] >= 20.0]
        for pos, k in enumerate(here):
            window = [m for m in range(n + 1) if t - times[m] <= 20.0 and present[m, k]]
            assert abs(mean[pos] - np.mean(alts[window, k])) < 1e-6
            want = math.nan
            if older and t - times[older[-1]] <= 60.0 and present[older[-1], k]:
                m = older[-1]
                want = (alts[n, k] - alts[m, k]) / (t - times[m])
            if math.isnan(want):
                assert math.isnan(got[pos])
            else:
                assert abs(got[pos] - want) < 1e-9
