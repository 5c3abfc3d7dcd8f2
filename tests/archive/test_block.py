"""`commonsky.archive.block`: the box test, the usable rows, the grouping by key and the reports each partition
owns, compared with plain loops written here; and `collect` summing its parts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from commonsky.archive.block import (
    BlockResult,
    Fragments,
    Rows,
    Settings,
    _by_key,
    analyse_blocks,
    analyse_rows,
    collect,
    in_bbox,
)
from commonsky.archive.block import usable as usable_rows
from commonsky.archive.infringements import ZoneSet
from commonsky.archive.losses import FRAGMENT_COLUMNS
from commonsky.archive.partition import Tiling
from commonsky.archive.schema import REPORT_COLUMNS, SPECS, ArchiveSchema, normalise

R = 6371000.0


def settings(window: tuple[float, float], bbox: tuple[float, float, float, float] | None, tile: float) -> Settings:
    tiling = Tiling.for_analysis(tile, 9260.0, 30.0, 600.0)
    return Settings(9260.0, 304.8, 1.0, 30.0, window, bbox, tiling, ZoneSet.build([]))


def inside(lat: float, lon: float, bbox: tuple[float, float, float, float] | None) -> bool:
    if bbox is None:
        return True
    w, s, e, n = bbox
    return s <= lat <= n and ((w <= lon <= e) if w <= e else (lon >= w or lon <= e))


@pytest.mark.parametrize("bbox", [None, (8.0, 49.0, 10.0, 50.5), (170.0, -10.0, -170.0, 10.0)])
def test_in_bbox_is_the_plain_test(bbox: tuple[float, float, float, float] | None) -> None:
    rng = np.random.default_rng(1)
    lat = np.concatenate([rng.uniform(-90, 90, 2000), [49.0, 50.5, -10.0, 10.0]])
    lon = np.concatenate([rng.uniform(-180, 180, 2000), [8.0, 10.0, 170.0, -170.0]])  # on the edges
    want = [inside(a, o, bbox) for a, o in zip(lat.tolist(), lon.tolist(), strict=True)]
    assert in_bbox(lat, lon, bbox).tolist() == want


def random_rows(n: int, seed: int) -> Rows:
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, 7200, n)
    lat, lon = rng.uniform(-95, 95, n), rng.uniform(-185, 185, n)
    t[::50], lat[1::50], lon[2::50] = np.nan, np.nan, np.inf
    icao = rng.integers(-1, 50, n)
    return Rows(t, icao, lat, lon, rng.uniform(0, 1e4, n), rng.random(n) < 0.1)


def test_rows_round_trip_and_views() -> None:
    rows = random_rows(100, 2)
    back = Rows.of(pd.DataFrame(rows.columns()))
    for name, values in rows.columns().items():
        np.testing.assert_array_equal(back.columns()[name], values)
    part, picked = rows.part(10, 20), rows.take(np.array([5, 3, 3]))
    assert len(part) == 10 and part.time_s.tolist()[1:] == rows.time_s.tolist()[11:20]
    assert picked.icao24.tolist() == [rows.icao24[5], rows.icao24[3], rows.icao24[3]]
    assert picked.on_ground.tolist() == [rows.on_ground[5], rows.on_ground[3], rows.on_ground[3]]


@pytest.mark.parametrize("bbox", [None, (0.0, 10.0, 40.0, 30.0)])
def test_usable_is_the_plain_test(bbox: tuple[float, float, float, float] | None) -> None:
    rows = random_rows(5000, 3)
    s = settings((1000.0, 5000.0), bbox, 5.0)
    halo_t, halo_lat = s.tiling.time_halo_s, np.degrees(s.tiling.halo_m / R)
    want = []
    for t, icao, lat, lon in zip(rows.time_s, rows.icao24, rows.lat_deg, rows.lon_deg, strict=True):
        ok = icao >= 0 and np.isfinite([t, lat, lon]).all() and abs(lat) <= 90 and abs(lon) <= 180
        ok = ok and 1000.0 - halo_t <= t < 5000.0 + halo_t
        want.append(bool(ok and (bbox is None or 10.0 - halo_lat <= lat <= 30.0 + halo_lat)))
    assert usable_rows(rows, s).tolist() == want
    assert 0 < sum(want) < len(want)


@pytest.mark.parametrize("spread", [100, 1 << 30])  # counting sort, then a comparison sort for wide keys
def test_by_key_groups_like_a_dict(spread: int) -> None:
    key = np.random.default_rng(4).integers(0, 300, 5000) * (spread // 100) - 7
    order, keys, starts = _by_key(key)
    groups: dict[int, list[int]] = {}
    for i, k in enumerate(key.tolist()):
        groups.setdefault(k, []).append(i)
    assert keys.tolist() == sorted(groups)
    assert order.tolist() == [i for k in sorted(groups) for i in groups[k]]  # stable within a key
    assert starts.tolist() == np.cumsum([0] + [len(groups[k]) for k in sorted(groups)])[:-1].tolist()
    empty = _by_key(np.zeros(0, dtype=np.int64))
    assert all(a.shape == (0,) for a in empty)


@pytest.mark.parametrize("bbox", [None, (9.0, 49.5, 10.5, 50.5), (179.0, -1.0, -179.0, 1.0)])
def test_each_report_is_owned_once(opensky_archive: tuple[Path, pd.DataFrame], bbox: tuple | None) -> None:
    """Over the blocks of the data, the partitions own every report in the window and the box exactly once,
    counted here row by row; halo copies are not counted."""
    _, frame = opensky_archive
    t0 = float(frame["time"].min())
    window = (t0 + 200.0, t0 + 1300.0)
    s = settings(window, bbox, 1.0)
    rows = Rows.of(normalise(frame, SPECS[ArchiveSchema.OPENSKY]))
    blocks = range(int((t0 - 600) // 600), int(frame["time"].max() // 600) + 2)
    results = [analyse_rows(rows, s, b) for b in blocks]
    want = sum(
        window[0] <= t < window[1] and inside(lat, lon, bbox)
        for t, lat, lon in zip(frame["time"].tolist(), frame["lat"].tolist(), frame["lon"].tolist(), strict=True)
    )
    assert want > 1000 and sum(r.reports for r in results) == want
    assert sum(r.partitions for r in results) > len(results)  # several tiles a block


def test_collect_concatenates_and_sums() -> None:
    loss = {c: np.arange(2, dtype=np.int64) for c in FRAGMENT_COLUMNS}
    part = Fragments([loss, loss], [], 5, 7, 1)
    got = collect([part, Fragments([], [], 3, 0, 2)])
    assert isinstance(got, BlockResult)
    assert (got.reports, got.samples, got.fast_segments, got.partitions) == (8, 7, 3, 2)
    assert len(got.losses) == 4 and got.losses["icao24_a"].tolist() == [0, 1, 0, 1] and len(got.zones) == 0


def test_an_empty_shuffled_partition_gives_an_empty_result() -> None:
    """A shuffle may deliver a partition with no row (fewer keys than partitions, or nothing in the window): it
    gives nothing, not an error (it raised ValueError from a zip of unequal lengths before)."""
    frame = pd.DataFrame(Rows.of(pd.DataFrame({c: [] for c in REPORT_COLUMNS})).columns()).assign(key=np.int64(0))
    got = analyse_blocks(frame.iloc[:0], settings((-np.inf, np.inf), None, 5.0))
    assert (got.reports, got.samples, got.fast_segments, got.partitions) == (0, 0, 0, 0)
    assert len(got.losses) == 0 and len(got.zones) == 0
