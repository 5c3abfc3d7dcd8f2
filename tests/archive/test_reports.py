"""`commonsky.archive.reports`: reports of one partition ordered, de-duplicated and joined, and their grid
samples, compared with plain loops over the reports written here (interpolation by hand, haversine distances)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from commonsky.archive.reports import MAX_GS_MS, prepare, run_samples, wrap_deg

R = 6371000.0
Report = tuple[int, float, float, float, float, bool]  # icao24, time, lat, lon, alt, on ground


def reports(seed: int) -> list[Report]:
    """Five aircraft, one report a second with lost seconds, a long gap, some ground time, repeated times with
    different positions, an aircraft crossing 180 degrees, and unusable rows (no address, NaN, latitude 95)."""
    rng = np.random.default_rng(seed)
    out: list[Report] = []
    for k in range(5):
        icao = 0x400000 + 17 * k
        lat, lon = 40.0 + k * 0.01, 179.99 if k == 4 else 10.0
        for t in range(100, 200):
            if rng.random() < 0.2 or (k == 1 and 130 <= t < 170):
                continue
            lon_t = ((lon + 0.0005 * (t - 100) + 180.0) % 360.0) - 180.0  # as reported: within +-180
            out.append((icao, float(t), lat + 0.001 * t, lon_t, 3000.0 + t, k == 2 and t < 120))
        out.append((icao, 150.0, lat, lon, 5000.0, False))  # a repeated time
    out += [(-1, 150.0, 1.0, 1.0, 1.0, False), (0x400000, float("nan"), 1, 1, 1, False)]
    out += [(0x400000, 300.0, 95.0, 1.0, 1.0, False)]
    rng.shuffle(out)  # type: ignore[arg-type]
    return out


def arrays(rows: list[Report]) -> dict[str, np.ndarray]:
    return {
        "time_s": np.array([r[1] for r in rows]),
        "icao24": np.array([r[0] for r in rows], dtype=np.int64),
        "lat": np.array([r[2] for r in rows]),
        "lon": np.array([r[3] for r in rows]),
        "alt_m": np.array([r[4] for r in rows]),
        "on_ground": np.array([r[5] for r in rows]),
    }


def kept(rows: list[Report]) -> dict[int, list[Report]]:
    """Usable reports per aircraft in time order, one per time: the smallest (lat, lon, alt) of a repeat."""
    out: dict[int, dict[float, Report]] = {}
    for r in rows:
        if r[0] < 0 or not all(math.isfinite(v) for v in r[1:5]) or abs(r[2]) > 90:
            continue
        have = out.setdefault(r[0], {}).get(r[1])
        if have is None or r[2:5] < have[2:5]:
            out[r[0]][r[1]] = r
    return {a: [by_t[t] for t in sorted(by_t)] for a, by_t in sorted(out.items())}


def test_wrap_deg_is_a_plain_modulo() -> None:
    values = np.array([-540.0, -181.0, -180.0, -0.5, 0.0, 179.9, 180.0, 359.0, 725.0])
    want = [((v + 180.0) % 360.0) - 180.0 for v in values.tolist()]
    assert wrap_deg(values).tolist() == want
    assert all(-180.0 <= w < 180.0 for w in want)


@pytest.mark.parametrize("seed", [1, 2])
def test_prepare_orders_and_keeps_one_report_per_time(seed: int) -> None:
    rows = reports(seed)
    want = kept(rows)
    for order in (rows, rows[::-1]):  # the kept row does not depend on the input order
        prepared = prepare(**arrays(order), step_s=1.0, max_gap_s=30.0)
        r = prepared.reports
        assert r is not None and prepared.names.tolist() == list(want)
        got = [
            (int(prepared.names[c]), t, la, lo, al)
            for c, t, la, lo, al in zip(r.code, r.t, r.lat_deg, r.lon_deg, r.alt_m, strict=True)
        ]
        assert got == [(a, *x[1:5]) for a, xs in want.items() for x in xs]
        assert r.airborne.tolist() == [not x[5] for xs in want.values() for x in xs]


def test_nothing_usable() -> None:
    prepared = prepare(**arrays([(-1, 1.0, 1.0, 1.0, 1.0, False)]), step_s=1.0, max_gap_s=30.0)
    assert prepared.reports is None and prepared.names.shape == (0,) and prepared.fast_segments == 0


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R * math.asin(math.sqrt(h))


def test_fast_segments_counted_with_haversine() -> None:
    """Jumps of several sizes (some across 180 degrees, some after too long a gap, some on the ground): counted
    when joined and longer than the fastest credible speed times the gap."""
    gap_s = 30.0
    limit_m = MAX_GS_MS * gap_s
    rng = np.random.default_rng(4)
    rows: list[Report] = []
    for k in range(40):
        t, lat, lon = 0.0, float(rng.uniform(-60, 60)), float(rng.uniform(-180, 180))
        for _ in range(6):
            rows.append((k, t, lat, lon, 1000.0, bool(rng.random() < 0.1)))
            t += float(rng.choice([1.0, 20.0, 45.0]))
            lat = float(np.clip(lat + rng.normal(0, 0.1), -80, 80))
            lon = float(wrap_deg(np.array(lon + rng.choice([0.01, 0.14, 0.3]) * rng.choice([-1, 1]))))
    want = 0
    for xs in kept(rows).values():
        for a, b in itertools.pairwise(xs):
            joined = b[1] - a[1] <= gap_s and not a[5] and not b[5]
            want += joined and haversine_m(a[2], a[3], b[2], b[3]) > limit_m
    assert want > 5  # the data holds fast segments
    assert prepare(**arrays(rows), step_s=1.0, max_gap_s=gap_s).fast_segments == want


def brute_samples(rows: list[Report], gap_s: float, window: tuple[float, float]) -> list[tuple[float, ...]]:
    """Every aircraft's position at each whole second of the window: a report then (airborne), or between two
    airborne reports at most ``gap_s`` apart, interpolated linearly (longitude the short way)."""
    out = []
    for icao, xs in kept(rows).items():
        for k in range(int(window[0]), int(window[1])):
            exact = [x for x in xs if x[1] == k and not x[5]]
            if exact:
                out.append((icao, k, exact[0][2], exact[0][3], exact[0][4]))
                continue
            for a, b in itertools.pairwise(xs):
                if a[1] < k < b[1] and b[1] - a[1] <= gap_s and not a[5] and not b[5]:
                    f = (k - a[1]) / (b[1] - a[1])
                    dlon = ((b[3] - a[3] + 180.0) % 360.0) - 180.0
                    lon = ((a[3] + f * dlon + 180.0) % 360.0) - 180.0
                    out.append((icao, k, a[2] + f * (b[2] - a[2]), lon, a[4] + f * (b[4] - a[4])))
    return sorted(out)


@pytest.mark.parametrize("window", [(0.0, 400.0), (120.5, 160.0)])
def test_run_samples_are_the_interpolated_positions(window: tuple[float, float]) -> None:
    rows = reports(5)
    prepared = prepare(**arrays(rows), step_s=1.0, max_gap_s=30.0)
    s = run_samples(prepared, 1.0, window)
    got = sorted(zip(prepared.names[s.code].tolist(), s.tk.tolist(), s.lat_deg, s.lon_deg, s.alt_m, strict=True))
    want = brute_samples(rows, 30.0, (math.ceil(window[0]), window[1]))
    assert len(got) == len(want) > 50
    assert [g[:2] for g in got] == [w[:2] for w in want]
    np.testing.assert_allclose(np.array([g[2:] for g in got]), np.array([w[2:] for w in want]), rtol=0, atol=1e-9)
