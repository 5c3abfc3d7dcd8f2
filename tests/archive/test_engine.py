"""`commonsky.archive.engine`: both Dask plans run in this process (Dask's synchronous scheduler, no cluster) and
the in-process reference, each compared with the brute force of `test_losses` over every pair and second; the
partition keys checked row by row against the tiles' boxes and halos; the time chunks and the merge's counts
against hand counts. `analyse` on real LocalClusters is tested in test_equivalence.py."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import dask
import numpy as np
import pandas as pd
import pytest

from commonsky.archive.block import Settings
from commonsky.archive.engine import (
    analyse_in_process,
    direct_plan,
    keyed,
    merge,
    shuffle_plan,
    time_chunks,
)
from commonsky.archive.infringements import ZoneSet
from commonsky.archive.partition import Tiling
from commonsky.archive.schema import SPECS, ArchiveSchema, normalise
from commonsky.archive.source import Archive, open_archive
from commonsky.errors import InputError

from .test_losses import HALF_M, RADIUS_M, brute_force, traffic

R = 6371000.0
T0 = 1_700_002_800.0 - 150.0  # the flights cross an hour boundary


def settings(tile: float, window: tuple[float, float] = (-np.inf, np.inf), block_s: float = 3600.0) -> Settings:
    tiling = Tiling.for_analysis(tile, RADIUS_M, 30.0, block_s)
    return Settings(RADIUS_M, HALF_M, 1.0, 30.0, window, None, tiling, ZoneSet.build([]))


def opensky_frame() -> pd.DataFrame:
    """The flights of `test_losses` from T0, in the OpenSky columns."""
    flights, _ = traffic()
    rows = [(T0 + t, f"{a:06x}", lat, lon, alt) for a, rs in flights.items() for t, lat, lon, alt in rs]
    frame = pd.DataFrame(rows, columns=["time", "icao24", "lat", "lon", "baroaltitude"])
    frame = frame.assign(velocity=200.0, heading=90.0, onground=False)
    return frame.sample(frac=1.0, random_state=4).reset_index(drop=True)


def shifted(want: pd.DataFrame) -> pd.DataFrame:
    return want.assign(**{c: want[c] + T0 for c in ("start_s", "end_s", "closest_s")})


def test_in_process_reference_matches_the_brute_force() -> None:
    frame = opensky_frame()
    got = analyse_in_process(normalise(frame, SPECS[ArchiveSchema.OPENSKY]), settings(5.0))
    pd.testing.assert_frame_equal(got.losses, shifted(brute_force()), check_dtype=False, rtol=1e-9, atol=1e-6)
    assert (got.reports, got.partitions, got.tasks, len(got.infringements)) == (len(frame), 1, 1, 0)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    folder = tmp_path_factory.mktemp("engine")
    frame = opensky_frame().sort_values("time")
    for hour, part in frame.groupby(frame["time"] // 3600):
        part.to_parquet(folder / f"{int(hour)}.parquet", index=False, row_group_size=500)
    return open_archive(str(folder))


@pytest.mark.parametrize("tile", [1.0, 10.0])
def test_both_plans_match_the_brute_force(archive: Archive, tile: float) -> None:
    direct = direct_plan(archive, settings(tile), min_tasks=4)
    assert direct is not None and len(direct) >= 4
    shuffled = shuffle_plan(archive, settings(tile), partitions=3)
    assert len(shuffled) == 3
    want = shifted(brute_force())
    for tasks in (direct, shuffled):
        result = merge(list(dask.compute(*tasks, scheduler="synchronous")), settings(tile))
        pd.testing.assert_frame_equal(result.losses, want, check_dtype=False, rtol=1e-9, atol=1e-6)
        assert result.reports == archive.rows and result.tasks == len(tasks)


def test_a_window_with_no_rows_is_one_line(archive: Archive) -> None:
    s = settings(5.0, (T0 + 10_000.0, T0 + 20_000.0))
    tasks = shuffle_plan(archive, s)
    with pytest.raises(InputError, match=r"^no rows in the analysis window \(check --from/--to"):
        merge(list(dask.compute(*tasks, scheduler="synchronous")), s)


def test_keys_reach_every_partition_whose_halo_holds_the_row(opensky_archive: tuple[Path, pd.DataFrame]) -> None:
    """Each row is keyed to its own (block, tile), and every other key it gets is a partition whose box, widened
    by the halos, holds it (checked here with the tile's box computed by hand)."""
    _, frame = opensky_archive
    frame = frame.iloc[:20_000]
    s = settings(1.0, block_s=600.0)
    tiling = s.tiling
    got = keyed(frame, SPECS[ArchiveSchema.OPENSKY], s)
    halo_lat = math.degrees(tiling.halo_m / R)
    cols = round(360.0 / tiling.tile_deg)
    block, tile = np.divmod(got["key"].to_numpy(), tiling.tiles)
    south = (tile // cols) * tiling.tile_deg - 90.0
    west = (tile % cols) * tiling.tile_deg - 180.0
    t, lat, lon = got["time_s"].to_numpy(), got["lat"].to_numpy(), got["lon"].to_numpy()
    assert ((t >= block * 600.0 - tiling.time_halo_s) & (t < (block + 1) * 600.0 + tiling.time_halo_s)).all()
    assert ((lat >= south - halo_lat) & (lat <= south + tiling.tile_deg + halo_lat)).all()
    dlon = np.mod(lon - (west + 0.5 * tiling.tile_deg) + 180.0, 360.0) - 180.0  # from the tile's middle
    widest = 1.05 * halo_lat / np.cos(np.radians(np.abs(lat) + tiling.tile_deg + halo_lat))  # 5 % spare, as keyed
    assert (np.abs(dlon) <= 0.5 * tiling.tile_deg + widest).all()
    own = (
        np.floor(t / 600.0) * tiling.tiles
        + np.floor((lat + 90.0) / tiling.tile_deg) * cols
        + np.floor((lon + 180.0) / tiling.tile_deg)
    ).astype(np.int64)
    rows = pd.DataFrame({"t": t, "id": got["icao24"], "own": own == got["key"].to_numpy()})
    assert rows.groupby(["t", "id"])["own"].sum().eq(1).all()  # each report once in its own partition
    assert len(rows.groupby(["t", "id"])) == len(frame) and len(got) > len(frame)  # every row, and halo copies


def fake(rows: int, span: tuple[float, float] | None) -> Archive:
    return Archive((), SPECS[ArchiveSchema.OPENSKY], (), rows, True, span)


@pytest.mark.parametrize(("rows", "hours", "per_chunk"), [(100, 10, 30), (100, 10, 7), (100, 3, 1), (50, 5, 100)])
def test_time_chunks_are_whole_hours_covering_the_window(rows: int, hours: int, per_chunk: int) -> None:
    start = 1_700_000_000.0  # not on an hour
    archive = fake(rows, (start, start + hours * 3600.0 - 10.0))
    chunks = time_chunks(archive, settings(5.0), rows_per_chunk=per_chunk)
    span_hours = math.ceil((start + hours * 3600.0 - 9.0) / 3600.0) - math.floor(start / 3600.0)
    if rows <= per_chunk:
        assert chunks == [(-np.inf, np.inf)]
        return
    count = min(span_hours, math.ceil(rows / per_chunk))
    assert len(chunks) == math.ceil(span_hours / math.ceil(span_hours / count))
    assert chunks[0][0] == -np.inf and chunks[-1][1] == np.inf
    assert all(a[1] == b[0] for a, b in itertools.pairwise(chunks))  # consecutive
    assert all(c[1] % 3600.0 == 0 for c in chunks[:-1])  # whole hours
    assert all(c[1] - c[0] <= math.ceil(span_hours / count) * 3600.0 for c in chunks[1:-1])


def test_one_chunk_without_a_time_span() -> None:
    assert time_chunks(fake(10**9, None), settings(5.0, (1.0, 2.0))) == [(1.0, 2.0)]


def test_more_shuffled_partitions_than_partition_keys(tmp_path: Path) -> None:
    """A small archive with timestamp times (no direct plan) whose reports all fall in one partition: the other
    shuffled partitions are empty, and the run still counts every report (it raised ValueError before)."""
    times = pd.to_datetime(1_700_001_000 + np.arange(100), unit="s", utc=True)
    pd.DataFrame(
        {
            "timestamp": times,
            "icao24": "abcdef",
            "latitude": 50.5,
            "longitude": 8.5,
            "altitude": 30000.0,
            "groundspeed": 400.0,
            "track": 0.0,
        }
    ).to_parquet(tmp_path / "a.parquet")
    small = open_archive(str(tmp_path))
    assert direct_plan(small, settings(5.0), min_tasks=2) is None
    result = merge(
        list(dask.compute(*shuffle_plan(small, settings(5.0), partitions=3), scheduler="synchronous")), settings(5.0)
    )
    assert (result.reports, result.partitions, len(result.losses)) == (100, 1, 0)
