"""`VerticalRateFilter` against a plain recomputation over every picture it was given: the slope from the newest
picture at least the window old, the mean altitude over the window, with tracks coming and going (enough of them
that the filter drops the codes of long-gone ids on the way)."""

from __future__ import annotations

import math

import numpy as np

from commonsky.safety.vertical_rate import VerticalRateFilter


def test_rates_and_means_match_a_plain_recomputation() -> None:
    rng = np.random.default_rng(11)
    window_s, max_dt_s, tick_s = 20.0, 60.0, 0.5
    filt = VerticalRateFilter(window_s=window_s, max_dt_s=max_dt_s)
    history: list[tuple[float, dict[str, float]]] = []
    live = [f"T{k}" for k in range(60)]
    next_id = 60
    for step in range(400):
        t = 1000.0 + step * tick_s
        for k in range(len(live)):  # tracks end and new ones start (a churn that brings thousands of ids)
            if rng.random() < 0.25:
                live[k] = f"T{next_id}"
                next_id += 1
        shown = [i for i in live if rng.random() < 0.9]  # some tracks miss a picture
        rng.shuffle(shown)
        ids = np.array(shown, dtype=str)
        alt = rng.uniform(1000.0, 12000.0, len(shown))
        rate, mean = filt.update(t, ids, alt)
        for j, i in enumerate(shown):
            past = [(ts, frame[i]) for ts, frame in history if i in frame]
            window = [a for ts, a in past if t - ts <= window_s] + [alt[j]]
            assert math.isclose(mean[j], sum(window) / len(window), rel_tol=1e-12)
            older = [(ts, frame) for ts, frame in history if t - ts >= window_s]
            ref = older[-1] if older else None
            if ref is None or t - ref[0] > max_dt_s or i not in ref[1]:
                assert math.isnan(rate[j])
            else:
                assert math.isclose(rate[j], (alt[j] - ref[1][i]) / (t - ref[0]), rel_tol=1e-12)
        history.append((t, dict(zip(shown, alt.tolist(), strict=True))))
    assert next_id > 4096 + 4 * 60  # the filter had to drop gone ids' codes at least once
    assert len(filt._table) <= 4 * 60 + 4096 + 60


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
