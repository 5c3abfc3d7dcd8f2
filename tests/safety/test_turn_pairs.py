"""The turn prediction's candidate pairs (k-d tree) are exactly those of the altitude-window search it replaced:
the old function is copied here as the oracle and both run on random samples (several pictures, the
antimeridian, the poles, missing altitudes and rates, old reports, coordinates out of range), and on crowds
that put many pairs on the edge of the tree's reach (breaking its margins fails them)."""

from __future__ import annotations

import numpy as np
import pytest

from commonsky.safety import turn_pairs
from commonsky.safety.turn_pairs import turning_pairs

from .conftest import TurningSamples

R_M = 6371000.0  # the product's Earth radius (BlueSky's), as the old function used it


def _old_turning_pairs(
    k: np.ndarray, turning: np.ndarray, m: TurningSamples, radius_m: float, half_height_m: float, lookahead_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """`turning_pairs` before the k-d tree (commit ab3c82e), verbatim apart from names."""
    src = np.flatnonzero(turning)
    if src.shape[0] == 0:
        z = np.zeros(0, dtype=np.int64)
        return z, z
    alt = np.where(np.isfinite(m.alt_m), m.alt_m, 0.0)
    vs0 = np.where(np.isnan(m.vs_ms), 0.0, np.abs(m.vs_ms))
    highest = float(np.abs(alt).max(initial=0.0))
    reach_m = np.minimum(half_height_m + (vs0 + float(vs0.max(initial=0.0))) * lookahead_s + 2.0, 2.0 * highest + 2.0)
    span = 4.0 * (highest + float(reach_m.max(initial=0.0))) + 10.0
    key = (k - k[0]).astype(np.float64) * span + alt
    order = np.lexsort((alt, k))
    lo = np.searchsorted(key[order], key[src] - reach_m[src], side="left")
    hi = np.searchsorted(key[order], key[src] + reach_m[src], side="right")
    count = hi - lo
    a = np.repeat(src, count)
    b = order[np.repeat(lo, count) + (np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count))]
    once = (a != b) & (~turning[b] | (a < b))
    p, q = np.minimum(a[once], b[once]), np.maximum(a[once], b[once])
    gs = np.hypot(m.vn_ms, m.ve_ms)
    vs = np.abs(m.vs_ms)
    dz = np.abs(m.alt_m[p] - m.alt_m[q])
    near = dz < half_height_m + (vs[p] + vs[q]) * lookahead_s + 1.0
    p, q = p[near], q[near]
    lat1 = np.radians(m.lat_deg[p])
    dn = R_M * (np.radians(m.lat_deg[q]) - lat1)
    dlon = np.radians(np.mod(m.lon_deg[q] - m.lon_deg[p] + 180.0, 360.0) - 180.0)
    de = R_M * dlon * np.cos(lat1)
    age = np.maximum(m.age_s, 0.0)
    reach = radius_m + gs[p] * (lookahead_s + 2.0 * age[p]) + gs[q] * (lookahead_s + 2.0 * age[q]) + 100.0
    near = np.hypot(dn, de) < reach * 1.01
    codes = np.sort(p[near].astype(np.int64) * k.shape[0] + q[near])
    return codes // k.shape[0], codes % k.shape[0]


def _some(rng: np.random.Generator, n: int, share: float, value: float, into: np.ndarray) -> np.ndarray:
    """``into`` with about ``share`` of its values replaced by ``value``."""
    return np.where(rng.random(n) < share, value, into)


def _draw(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, TurningSamples, tuple[float, float, float]]:
    """Samples of 1-5 pictures around one place: anywhere, across the antimeridian, near a pole or on it."""
    n = int(rng.choice([1, 2, 3, int(rng.integers(4, 60)), int(rng.integers(60, 400))]))
    k = np.sort(rng.integers(0, int(rng.integers(1, 6)), n)) + int(rng.integers(0, 1000))
    place = int(rng.integers(0, 5))
    spread_deg = float(rng.choice([0.05, 0.5, 2.0, 6.0]))
    lat0 = [rng.uniform(-80.0, 80.0), rng.uniform(-60.0, 60.0), 85.0, -85.0, 89.5][place]
    lon0 = [rng.uniform(-180.0, 180.0), 180.0, rng.uniform(-180.0, 180.0), 179.9, 0.0][place]
    lat = np.clip(lat0 + rng.uniform(-spread_deg, spread_deg, n), -90.0, 90.0)
    lat = _some(rng, n, 0.02, float(rng.choice([90.0, -90.0])), lat)
    lon = lon0 + rng.uniform(-spread_deg, spread_deg, n) / max(np.cos(np.radians(min(abs(lat0), 89.0))), 0.05)
    lon = np.where(rng.random(n) < 0.5, np.mod(lon + 180.0, 360.0) - 180.0, np.mod(lon, 360.0))  # both conventions
    alt = rng.integers(0, 40, n) * 304.8 + rng.normal(0.0, 30.0, n)
    alt = _some(rng, n, 0.05, np.nan, alt)
    gs, trk = rng.uniform(0.0, 260.0, n), rng.uniform(0.0, 360.0, n)
    vn, ve = gs * np.cos(np.radians(trk)), gs * np.sin(np.radians(trk))
    vn = _some(rng, n, 0.03, np.nan, vn)
    vs = np.where(rng.random(n) < 0.6, 0.0, rng.normal(0.0, 8.0, n))
    vs = _some(rng, n, 0.05, np.nan, vs)
    age = np.where(rng.random(n) < 0.5, 0.0, rng.uniform(0.0, 60.0, n))
    age = _some(rng, n, 0.02, np.nan, age)
    share = float(rng.choice([0.0, 0.02, 0.3, 1.0]))
    turn = np.where(rng.random(n) < share, rng.choice([-3.0, 3.0], n), 0.0)
    params = (
        float(rng.choice([9260.0, rng.uniform(500.0, 20000.0)])),
        float(rng.choice([304.8, rng.uniform(50.0, 600.0)])),
        float(rng.choice([120.0, rng.uniform(10.0, 300.0)])),
    )
    return k, turn != 0.0, TurningSamples(lat, lon, alt, vn, ve, vs, turn, age), params


def _same(k: np.ndarray, turning: np.ndarray, s: TurningSamples, params: tuple[float, float, float]) -> int:
    """Both functions' pairs, asserted equal (values, order, dtype); how many."""
    want = _old_turning_pairs(k, turning, s, *params)
    got = turning_pairs(k, turning, s, *params)
    assert got[0].dtype == want[0].dtype and got[1].dtype == want[1].dtype
    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
    return int(want[0].shape[0])


@pytest.mark.parametrize("always_tree", [False, True])
def test_the_tree_finds_exactly_the_pairs_of_the_altitude_window_search(
    always_tree: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As it comes (the windows' pairs tested directly when they are few), and with the tree every time."""
    if always_tree:
        monkeypatch.setattr(turn_pairs, "WINDOW_PAIRS_PER_SAMPLE", -1)
    rng = np.random.default_rng(2026)
    pairs = 0
    for _ in range(600):
        pairs += _same(*_draw(rng))
    assert pairs > 20_000  # the draws do hold pairs to find


def test_pairs_on_the_edge_of_the_horizontal_reach_near_the_poles_and_the_antimeridian_are_found() -> None:
    """Crowds at 85-90 deg and across 180 deg: fast level aircraft with old reports among slow climbers and
    descenders (boxes of very different shapes in one tree), many pairs near the reach's edge, where an
    equirectangular distance from the first sample and the straight line between the two differ most."""
    rng = np.random.default_rng(3)
    pairs = 0
    for lat0, lon0 in ((89.0, 0.0), (-88.0, 100.0), (85.0, 180.0), (89.8, -170.0)):
        n = 600
        lat = np.clip(lat0 + rng.uniform(-1.5, 1.5, n), -90.0, 90.0)
        lon = np.mod(lon0 + rng.uniform(-60.0, 60.0, n) + 180.0, 360.0) - 180.0
        fast = rng.random(n) < 0.3
        gs, trk = np.where(fast, 280.0, rng.uniform(0.0, 60.0, n)), rng.uniform(0.0, 360.0, n)
        s = TurningSamples(
            lat,
            lon,
            3000.0 + np.where(fast, 0.0, rng.uniform(-8000.0, 8000.0, n)),
            gs * np.cos(np.radians(trk)),
            gs * np.sin(np.radians(trk)),
            np.where(fast, 0.0, rng.choice([-25.0, 25.0], n)),
            np.full(n, 3.0),
            np.where(fast, 30.0, 0.0),
        )
        pairs += _same(np.zeros(n, dtype=np.int64), rng.random(n) < 0.5, s, (9260.0, 304.8, 120.0))
    assert pairs > 20_000


def test_pairs_on_the_edge_of_the_altitude_window_are_found() -> None:
    """Two pictures: slow climbers and descenders within 2 km of one another at altitudes over twice their
    window (many pairs near its edge), and fast level aircraft with old reports (very different boxes)."""
    rng = np.random.default_rng(4)
    pairs = 0
    for lat0, lon0 in ((47.0, 8.0), (-30.0, 179.99), (88.0, 0.0)):
        n = 600
        slow = np.arange(n) < n // 3
        spread = np.where(slow, 0.02, 2.0)
        gs, trk = np.where(slow, rng.uniform(0.0, 5.0, n), 250.0), rng.uniform(0.0, 360.0, n)
        s = TurningSamples(
            lat0 + spread * rng.uniform(-1.0, 1.0, n),
            np.mod(lon0 + spread * rng.uniform(-1.0, 1.0, n) + 180.0, 360.0) - 180.0,
            np.where(slow, rng.uniform(0.0, 12600.0, n), 6000.0),
            gs * np.cos(np.radians(trk)),
            gs * np.sin(np.radians(trk)),
            np.where(slow, rng.choice([-25.0, 25.0], n), 0.0),
            np.full(n, 3.0),
            np.where(slow, 0.0, 60.0),
        )
        pairs += _same(np.where(slow, 0, 1), ~slow | (rng.random(n) < 0.5), s, (9260.0, 304.8, 120.0))
    assert pairs > 50_000


def test_coordinates_out_of_range_and_unbounded_speeds_are_searched_as_before() -> None:
    rng = np.random.default_rng(5)
    for wild in (1.0e5, -3.0e6, np.inf, np.nan):
        for speed in (250.0, np.inf):
            k, turning, s, params = _draw(rng)
            n = k.shape[0]
            s = TurningSamples(
                np.where(rng.random(n) < 0.1, wild, s.lat_deg),
                np.where(rng.random(n) < 0.1, wild, s.lon_deg),
                s.alt_m,
                np.where(rng.random(n) < 0.1, speed, s.vn_ms),
                s.ve_ms,
                np.where(rng.random(n) < 0.1, np.inf, s.vs_ms),
                s.turn_dps,
                np.where(rng.random(n) < 0.1, np.inf, s.age_s),
            )
            _same(k, turning | (rng.random(n) < 0.2), s, params)
