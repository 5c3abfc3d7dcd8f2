"""`TrackRateFilter` against a plain recomputation over every picture it was given: the slope from the newest
picture at least the window old, the mean altitude over the window, with tracks coming and going (enough of them
that the filter drops the codes of long-gone ids on the way); and its sustained turn rate against turns flown here
(integrated in small steps), young tracks, track noise, and replay's rate over the same reports."""

from __future__ import annotations

import math

import numpy as np

from commonsky.safety.kinematics import sustained_turn_rate
from commonsky.safety.track_rates import TrackRateFilter


def test_rates_and_means_match_a_plain_recomputation() -> None:
    rng = np.random.default_rng(11)
    window_s, max_dt_s, tick_s = 20.0, 60.0, 0.5
    filt = TrackRateFilter(window_s=window_s, max_dt_s=max_dt_s)
    history: list[tuple[float, dict[str, float | None]]] = []
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
        ground = rng.random(len(shown)) < 0.1  # on the ground in this picture: its altitude counts for nothing
        got = filt.update(t, ids, alt, np.zeros(len(shown)), on_ground=ground)
        rate, mean = got.vs_ms, got.mean_alt_m
        for j, i in enumerate(shown):
            if ground[j]:
                assert math.isnan(rate[j]) and math.isnan(mean[j])
                continue
            past = [(ts, frame[i]) for ts, frame in history if i in frame]
            window = [a for ts, a in past if t - ts <= window_s and a is not None] + [alt[j]]
            assert math.isclose(mean[j], sum(window) / len(window), rel_tol=1e-12)
            older = [(ts, frame) for ts, frame in history if t - ts >= window_s]
            ref = older[-1] if older else None
            if ref is None or t - ref[0] > max_dt_s or ref[1].get(i) is None:
                assert math.isnan(rate[j])
            else:
                assert math.isclose(rate[j], (alt[j] - ref[1][i]) / (t - ref[0]), rel_tol=1e-12)
        airborne = [None if g else float(a) for a, g in zip(alt.tolist(), ground.tolist(), strict=True)]
        history.append((t, dict(zip(shown, airborne, strict=True))))
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
    rates = TrackRateFilter()
    for n, t in enumerate(times):
        here = np.flatnonzero(present[n])[::-1]  # not sorted: the filter must not rely on order
        out = rates.update(float(t), ids[here], alts[n, here], np.zeros(here.shape[0]))
        got, mean = out.vs_ms, out.mean_alt_m
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


def _flown_tracks(times: np.ndarray, turn_at: float, rate_dps: float, turn_deg: float) -> np.ndarray:
    """Track (deg) of an aircraft flying 010, then turning at ``rate_dps`` from ``turn_at`` through ``turn_deg``,
    integrated here in 0.01 s steps."""
    out, heading, turned, t = [], 10.0, 0.0, 0.0
    for when in times:
        while t < when - 1e-9:
            dt = min(0.01, when - t)
            if t >= turn_at - 1e-9 and turned < turn_deg:
                step = min(abs(rate_dps) * dt, turn_deg - turned)
                turned += step
                heading += math.copysign(step, rate_dps)
            t += dt
        out.append(heading % 360.0)
    return np.array(out)


def _turn_rates(times: np.ndarray, tracks: dict[str, np.ndarray], first: dict[str, int]) -> dict[str, np.ndarray]:
    """The filter's turn rate of each aircraft at each time (aircraft ``name`` in the pictures from index
    ``first[name]`` on), the pictures given in a shuffled order of ids."""
    filt = TrackRateFilter()
    rng = np.random.default_rng(2)
    out = {name: np.full(times.shape[0], np.nan) for name in tracks}
    for n, t in enumerate(times):
        names = [name for name in tracks if first.get(name, 0) <= n]
        rng.shuffle(names)
        got = filt.update(
            float(t), np.array(names), np.full(len(names), 3000.0), np.array([tracks[k][n] for k in names])
        )
        for pos, name in enumerate(names):
            out[name][n] = got.turn_dps[pos]
    return out


def test_the_turn_rate_is_the_rate_flown_once_both_halves_of_the_window_turn() -> None:
    """Right at 3 deg/s and left at 2.5 deg/s through 180 deg from t = 60 s: the rate is the flown one while the
    last 20 s are all in the turn, 0 before it begins and once the last 10 s are straight again; in between (a
    half of the window straight), 0 or a rate between the straight and the turning one. At 1 s and 5 s ticks."""
    for tick_s in (1.0, 5.0):
        times = np.arange(0.0, 220.0, tick_s)
        right, left = _flown_tracks(times, 60.0, 3.0, 180.0), _flown_tracks(times, 60.0, -2.5, 180.0)
        got = _turn_rates(times, {"R": right, "L": left}, {})
        for name, rate, end in (("R", 3.0, 120.0), ("L", -2.5, 132.0)):
            whole = (times >= 80.0) & (times <= end)
            assert np.allclose(got[name][whole], rate, atol=1e-6), (tick_s, name)
            assert np.all(got[name][(times < 70.0) | (times >= end + 10.0)] == 0.0)
            between = got[name][~whole & (times >= 70.0) & (times < end + 10.0)]
            assert np.all((between == 0.0) | ((between * rate > 0.0) & (np.abs(between) <= abs(rate) + 1e-6)))


def test_a_track_younger_than_the_window_is_not_turning() -> None:
    """An aircraft first seen 30 s into a 3 deg/s turn has rate 0 for its first 20 s, then the rate flown."""
    times = np.arange(0.0, 100.0)
    got = _turn_rates(times, {"N": _flown_tracks(times, 0.0, 3.0, 360.0)}, {"N": 30})["N"]
    assert np.all(got[30:50] == 0.0)
    assert np.allclose(got[50:], 3.0, atol=1e-6)


def test_track_noise_is_not_a_turn_and_does_not_hide_one() -> None:
    """+-3 deg of track noise at random, every second: straight, never a turn; on top of a 3 deg/s turn, still
    the turn (within the noise: 6 deg over 20 s)."""
    rng = np.random.default_rng(4)
    times = np.arange(0.0, 120.0)
    noise = rng.choice([-3.0, 3.0], times.shape[0])
    straight = np.mod(90.0 + noise, 360.0)
    turning = np.mod(_flown_tracks(times, 0.0, 3.0, 360.0) + noise, 360.0)
    got = _turn_rates(times, {"S": straight, "T": turning}, {})
    assert np.all(got["S"] == 0.0)
    assert np.all(np.abs(got["T"][20:] - 3.0) <= 0.3 + 1e-9)


def test_the_live_turn_rate_is_replays_when_every_track_is_in_every_picture() -> None:
    """Uneven ticks (0.5-6 s) of tracks turning at random rates, segment by segment: the filter's rate is replay's
    `sustained_turn_rate` over the same reports (replay looks for each aircraft's own older report; a live stream's
    pictures hold every track)."""
    rng = np.random.default_rng(9)
    times = np.cumsum(rng.uniform(0.5, 6.0, 150))
    rates = rng.choice([0.0, 1.5, 2.5, -3.0, 4.0], (150, 5))
    rates = np.repeat(rates[::10], 10, axis=0)  # a rate held for 10 ticks
    steps = np.diff(times, prepend=0.0)[:, None] * rates + rng.normal(0.0, 0.5, (150, 5))
    tracks = np.mod(200.0 + np.cumsum(steps, axis=0), 360.0)
    got = _turn_rates(times, {f"T{k}": tracks[:, k] for k in range(5)}, {})
    for k in range(5):
        want = sustained_turn_rate(np.zeros(150, dtype=np.int64), times, tracks[:, k], 20.0, 2.0)
        assert np.allclose(got[f"T{k}"], want, rtol=0.0, atol=1e-9)
        assert np.count_nonzero(want) > 10  # turns were there to find
