"""The vectorised partition keys (rows clear of every edge keyed at once) give exactly the row-by-row spread
over every partition whose halo holds a row, on data crowded at tile, block, antimeridian and pole edges; and a
task's keys for its own block are those partitions of that block."""

from __future__ import annotations

import numpy as np
import pytest

from commonsky.archive.partition import Tiling


def crowded(n: int = 200_000, seed: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = rng.uniform(1.7e9, 1.7e9 + 7200, n)
    t[:2000] = np.round(t[:2000] / 60) * 60  # on block edges
    lat = rng.uniform(-90, 90, n)
    lon = rng.uniform(-180, 180, n)
    lat[2000:6000] = np.round(lat[2000:6000])  # on tile edges
    lon[6000:10000] = np.round(lon[6000:10000])
    lat[10000:11000] = rng.choice([-90.0, 90.0, 89.9, -89.7], 1000)
    lon[11000:12000] = rng.choice([-180.0, 180.0, 179.99], 1000)
    return t, lat, lon


@pytest.mark.parametrize("tile", [1.0, 3.0, 10.0, 45.0, 180.0])
@pytest.mark.parametrize("block_s", [3600.0, 450.0])
def test_keys_are_the_row_by_row_spread(tile: float, block_s: float) -> None:
    t, lat, lon = crowded()
    tiling = Tiling.for_analysis(tile, 9260.0, 30.0, block_s)
    row, key = tiling.keys(t, lat, lon)
    want_row, want_key = tiling._spread(t, lat, lon)
    assert np.array_equal(row, want_row) and np.array_equal(key, want_key)
    assert row.shape[0] > t.shape[0]  # halo copies exist

    block = int(np.floor(1.7e9 / block_s)) + 1
    near = np.flatnonzero(
        (t >= block * block_s - tiling.time_halo_s) & (t < (block + 1) * block_s + tiling.time_halo_s)
    )
    row_b, key_b = tiling.keys(t[near], lat[near], lon[near], block)
    mine = want_key // tiling.tiles == block
    assert sorted(zip(near[row_b].tolist(), key_b.tolist(), strict=True)) == sorted(
        zip(want_row[mine].tolist(), want_key[mine].tolist(), strict=True)
    )
