"""Per-aircraft kinematics against row-by-row loops written here (haversine distances, initial bearings on the
6371 km sphere) on random report streams with gaps, repeats and spikes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from commonsky.safety import kinematics as kin

from .conftest import bearing_deg, haversine_m

R_M = 6_371_000.0


def _stream(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    code, t, lat, lon, alt = [], [], [], [], []
    for aircraft in range(6):
        time, la, lo, al = 1000.0 * aircraft, rng.uniform(-60, 60), rng.uniform(-179, 179), rng.uniform(500, 11000)
        for _ in range(int(rng.integers(1, 80))):
            step = rng.choice([0.5, 1.0, 2.0, 4.0, 9.0, 90.0], p=[0.1, 0.3, 0.3, 0.15, 0.1, 0.05])
            time += step
            if rng.random() > 0.1:  # else a repeated (forward-filled) report
                la += rng.normal(0.0, 0.004) * step / 4
                lo += rng.normal(0.0, 0.004) * step / 4
                al += rng.normal(0.0, 5.0) * step
            code.append(aircraft), t.append(time), lat.append(la), lon.append(lo), alt.append(al)
    return {k: np.asarray(v) for k, v in {"code": code, "t": t, "lat": lat, "lon": lon, "alt": alt}.items()}


def _back(s: dict[str, np.ndarray], k: int, lag_s: float) -> int:
    older = [m for m in range(k) if s["code"][m] == s["code"][k] and s["t"][m] <= s["t"][k] - lag_s]
    if older:
        return older[-1]
    return k - 1 if k > 0 and s["code"][k - 1] == s["code"][k] else k


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_steps_repeats_and_staleness(seed: int) -> None:
    s = _stream(seed)
    n = s["t"].shape[0]
    steps = kin.position_steps_m(s["lat"], s["lon"])
    for k in np.flatnonzero(s["code"][1:] == s["code"][:-1]):  # steps within one aircraft: seconds apart
        assert steps[k] == pytest.approx(
            haversine_m(s["lat"][k], s["lon"][k], s["lat"][k + 1], s["lon"][k + 1], R_M), rel=1e-5, abs=1e-6
        )
    rep = kin.repeated(s["code"], s["lat"], s["lon"])
    same = [
        k > 0 and s["code"][k] == s["code"][k - 1] and s["lat"][k] == s["lat"][k - 1] and s["lon"][k] == s["lon"][k - 1]
        for k in range(n)
    ]
    assert rep.tolist() == same and any(same)
    stale = kin.stale_since_change(s["code"], s["t"], rep)
    for k in range(n):
        m = k
        while m > 0 and same[m]:
            m -= 1
        assert stale[k] == s["t"][k] - s["t"][m]


@pytest.mark.parametrize("seed", [4, 5])
def test_velocity_and_vertical_rate_look_back_causally(seed: int) -> None:
    s = _stream(seed)
    gs, trk = kin.velocity_from_positions(s["code"], s["t"], s["lat"], s["lon"], lag_s=5.0, max_dt_s=60.0)
    vr = kin.filtered_vertical_rate(s["code"], s["t"], s["alt"], window_s=20.0, max_dt_s=60.0)
    moving = 0
    for k in range(s["t"].shape[0]):
        j = _back(s, k, 5.0)
        dt = s["t"][k] - s["t"][j]
        if not 0.0 < dt <= 60.0:
            assert math.isnan(gs[k]) and math.isnan(trk[k])
        else:
            d = haversine_m(s["lat"][j], s["lon"][j], s["lat"][k], s["lon"][k], R_M)
            assert gs[k] == pytest.approx(d / dt, rel=1e-5, abs=1e-6)
            if d > 50.0:
                moving += 1
                diff = (trk[k] - bearing_deg(s["lat"][j], s["lon"][j], s["lat"][k], s["lon"][k]) + 180.0) % 360.0
                assert diff - 180.0 == pytest.approx(0.0, abs=0.05)
        j = _back(s, k, 20.0)
        dt = s["t"][k] - s["t"][j]
        if not 0.0 < dt <= 60.0:
            assert math.isnan(vr[k])
        else:
            assert vr[k] == pytest.approx((s["alt"][k] - s["alt"][j]) / dt)
    assert moving > 50


def test_one_row_spikes_in_and_out() -> None:
    code = np.array([0, 0, 0, 0, 0, 1, 1])
    t = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 0.0, 0.5])
    value = np.array([0.0, 0.0, 900.0, 0.0, 0.0, 0.0, 900.0])
    step = np.abs(np.diff(value))
    # row 2 jumps out and back (a spike); row 6 is an aircraft's last row, stepped into fast within 0.5 s (= 1 s)
    assert kin.spikes(code, t, step, limit_per_s=500.0).tolist() == [False, False, True, False, False, False, True]
    assert not kin.spikes(code, t, step, limit_per_s=1000.0).any()


def test_recent_share_counts_the_judged_rows_of_the_last_window() -> None:
    """Per row, the share of flagged rows among the judged rows of the same aircraft within the window (the row
    ``window_s`` older left out), computed here by brute force."""
    rng = np.random.default_rng(3)
    code = np.repeat(np.arange(3), 30)
    t = np.concatenate([np.cumsum(rng.choice([1.0, 3.0, 7.0], 30)) for _ in range(3)])
    flag, judged = rng.random(90) < 0.4, rng.random(90) < 0.7
    share = kin.recent_share(code, t, flag, judged, 20.0)
    for k in range(90):
        mine = np.flatnonzero((code == code[k]) & (np.arange(90) <= k))
        older = mine[t[mine] <= t[k] - 20.0]
        start = older.max() + 1 if older.size else mine.min()
        rows = np.arange(start, k + 1)
        rows = rows[judged[rows]]
        expected = flag[rows].mean() if rows.size else np.nan
        assert share[k] == pytest.approx(expected, nan_ok=True), k
