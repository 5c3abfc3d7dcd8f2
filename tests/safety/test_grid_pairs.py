"""`grid_pairs` against brute force: every pair of one group closer than the cell (great circle, haversine written
here) is among the candidates, no candidate pairs two groups, none repeats; `usable` refuses what it cannot hash."""

from __future__ import annotations

import numpy as np
import pytest

from commonsky.safety.grid_pairs import MAX_LAT_DEG, grid_pairs, usable

from .conftest import haversine_m

R_M = 6_371_000.0


@pytest.mark.parametrize(("centre_lat", "seed"), [(0.0, 1), (48.0, 2), (-70.0, 3), (74.0, 4)])
def test_every_close_pair_of_a_group_is_a_candidate(centre_lat: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, cell_m = 1500, 20_000.0
    lat = np.clip(centre_lat + rng.normal(0.0, 1.0, n), -MAX_LAT_DEG, MAX_LAT_DEG)
    lon = 30.0 + rng.normal(0.0, 2.0, n)
    group = rng.integers(0, 3, n)
    assert usable(lat, lon)
    p, q = grid_pairs(group, lat, lon, cell_m)
    found = set(zip(p.tolist(), q.tolist(), strict=True))
    assert len(found) == p.shape[0]  # no pair twice
    assert np.all(p < q) and np.all(group[p] == group[q])
    i, j = np.triu_indices(n, 1)
    close = (group[i] == group[j]) & (haversine_m(lat[i], lon[i], lat[j], lon[j], R_M) < cell_m)
    expected = set(zip(i[close].tolist(), j[close].tolist(), strict=True))
    assert len(expected) > 100
    assert expected <= found
    assert len(found) < n * (n - 1) // 2 / 10  # a join, not all pairs


def test_fewer_than_two_points_give_no_pairs() -> None:
    one = np.array([10.0])
    for p in grid_pairs(np.zeros(1, dtype=np.int64), one, one, 1000.0):
        assert p.shape == (0,)


def test_usable_refuses_the_antimeridian_and_high_latitudes() -> None:
    assert usable(np.array([]), np.array([]))
    assert usable(np.array([10.0, 11.0]), np.array([170.0, 179.0]))
    assert not usable(np.array([10.0, 11.0]), np.array([-179.5, 179.5]))
    assert not usable(np.array([MAX_LAT_DEG + 0.1]), np.array([0.0]))
