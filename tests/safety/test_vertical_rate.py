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
