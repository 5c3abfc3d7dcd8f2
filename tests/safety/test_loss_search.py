"""`close_samples`, the coarse-to-fine search: every (grid time, pair) within the radius and the half-height it
finds equals what a brute-force scan written here finds, grid time by grid time and pair by pair."""

from __future__ import annotations

import math

import numpy as np
import pytest

import commonsky.safety.loss_search as search
from commonsky.safety.loss_search import Reports, close_samples

R = 6371000.0
NM = 1852.0
FT = 0.3048
RADIUS_M = 5.0 * NM
HALF_M = 1000.0 * FT
MAX_GAP_S = 30.0

Report = tuple[float, float, float, float, bool]  # t, lat, lon, alt_m, airborne


def _flights(seed: int) -> list[list[Report]]:
    rng = np.random.default_rng(seed)
    flights = []
    for _ in range(9):
        t, lat, lon = float(rng.integers(0, 40)), 46.0 + rng.uniform(-0.12, 0.12), 7.0 + rng.uniform(-0.15, 0.15)
        alt = float(rng.choice([9000.0, 9300.0, 9600.0]))
        trk, gs, vz = rng.uniform(0, 2 * math.pi), rng.uniform(80, 250), float(rng.choice([0.0, 8.0, -10.0]))
        reports = []
        while t < 400:
            reports.append((t, lat, lon, alt, bool(rng.random() > 0.03)))
            dt = float(rng.choice([1.0, 2.0, 3.5, 6.0, 40.0], p=[0.3, 0.3, 0.25, 0.12, 0.03]))
            t += dt
            lat += math.degrees(gs * dt * math.cos(trk) / R)
            lon += math.degrees(gs * dt * math.sin(trk) / (R * math.cos(math.radians(lat))))
            alt += vz * dt
        flights.append(reports)
    return flights


def _position(reports: list[Report], ts: float) -> tuple[float, float, float] | None:
    """Where the aircraft is at ``ts``: an airborne report then, or between two airborne reports at most
    `MAX_GAP_S` apart (linear in lat, lon, alt)."""
    for i, (t0, la0, lo0, al0, air0) in enumerate(reports):
        if t0 == ts:
            return (la0, lo0, al0) if air0 else None
        if i + 1 < len(reports):
            t1, la1, lo1, al1, air1 = reports[i + 1]
            if t0 < ts < t1:
                if not (air0 and air1 and t1 - t0 <= MAX_GAP_S):
                    return None
                f = (ts - t0) / (t1 - t0)
                return la0 + f * (la1 - la0), lo0 + f * (lo1 - lo0), al0 + f * (al1 - al0)
    return None


def _haversine_m(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    return 2 * R * math.asin(math.sqrt(h))


def _brute_force(flights: list[list[Report]], step_s: float) -> dict[tuple[int, int, int], tuple[float, float]]:
    """(k, a, b) -> (horizontal m, vertical m) for every grid time k * step_s and pair a < b inside both."""
    last = max(r[0] for f in flights for r in f)
    out = {}
    for k in range(int(last // step_s) + 1):
        where = [_position(f, k * step_s) for f in flights]
        for a, pa in enumerate(where):
            for b in range(a + 1, len(flights)):
                pb = where[b]
                if pa is None or pb is None:
                    continue
                dh, dv = _haversine_m(pa, pb), abs(pa[2] - pb[2])
                if dh <= RADIUS_M and dv <= HALF_M:
                    out[(k, a, b)] = (dh, dv)
    return out


def _search(flights: list[list[Report]], step_s: float) -> dict[tuple[int, int, int], tuple[float, float]]:
    rows = [(code, *r) for code, f in enumerate(flights) for r in f]
    code, t, lat, lon, alt, air = (np.array(c) for c in zip(*rows, strict=True))
    reports = Reports.build(t, code.astype(np.int64), lat, lon, alt, air.astype(bool), MAX_GAP_S, step_s)
    k, a, b, dh, dv, _ = close_samples(reports, step_s, (-math.inf, math.inf), RADIUS_M, HALF_M)
    inside = (dh <= RADIUS_M) & (dv <= HALF_M)
    return {
        (int(k[i]), int(a[i]), int(b[i])): (float(dh[i]), float(dv[i]))
        for i in np.flatnonzero(inside)
        # The brute force's boundary is exact; keep the pair it would see sitting right on it out of the comparison.
        if abs(dh[i] - RADIUS_M) > 0.01 and abs(dv[i] - HALF_M) > 1e-6
    }


def _compare(
    got: dict[tuple[int, int, int], tuple[float, float]], want: dict[tuple[int, int, int], tuple[float, float]]
) -> None:
    want = {key: v for key, v in want.items() if abs(v[0] - RADIUS_M) > 0.01 and abs(v[1] - HALF_M) > 1e-6}
    assert len(want) > 20
    assert sorted(got) == sorted(want)
    for key, (dh, dv) in want.items():
        assert got[key][0] == pytest.approx(dh, abs=0.01)
        assert got[key][1] == pytest.approx(dv, abs=1e-6)


@pytest.mark.parametrize(("seed", "step_s"), [(1, 1.0), (2, 1.0), (3, 2.0)])
def test_the_search_finds_what_a_scan_of_every_grid_time_finds(seed: int, step_s: float) -> None:
    flights = _flights(seed)
    _compare(_search(flights, step_s), _brute_force(flights, step_s))


@pytest.mark.parametrize("coarse", [1, 3, 20])
def test_any_coarse_block_finds_the_same(monkeypatch: pytest.MonkeyPatch, coarse: int) -> None:
    flights = _flights(4)
    monkeypatch.setattr(search, "COARSE", coarse)
    _compare(_search(flights, 1.0), _brute_force(flights, 1.0))


def _inside(samples: tuple[np.ndarray, ...]) -> set[tuple[int, int, int]]:
    k, a, b, dh, dv, _ = samples
    return {(int(k[i]), int(a[i]), int(b[i])) for i in np.flatnonzero((dh <= RADIUS_M) & (dv <= HALF_M))}


def test_a_window_keeps_only_its_grid_times() -> None:
    flights = _flights(5)
    rows = [(code, *r) for code, f in enumerate(flights) for r in f]
    code, t, lat, lon, alt, air = (np.array(c) for c in zip(*rows, strict=True))
    reports = Reports.build(t, code.astype(np.int64), lat, lon, alt, air.astype(bool), MAX_GAP_S, 1.0)
    whole = close_samples(reports, 1.0, (-math.inf, math.inf), RADIUS_M, HALF_M)
    part = close_samples(reports, 1.0, (100.0, 250.0), RADIUS_M, HALF_M)
    assert _inside(part) == {x for x in _inside(whole) if 100 <= x[0] < 250}
    assert len(_inside(part)) > 0
