"""`commonsky.archive.pieces`: the block size checked against every candidate, each task's row groups against a
plain overlap test over every row group, and the reports the tasks own against a count of the rows in the
window."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from commonsky.archive.block import Settings
from commonsky.archive.infringements import ZoneSet
from commonsky.archive.partition import Tiling
from commonsky.archive.pieces import BLOCKS_S, ROWS_PER_TASK, analyse_piece, block_size, pieces
from commonsky.archive.schema import SPECS, ArchiveSchema
from commonsky.archive.source import Archive, RowGroup, open_archive

from .conftest import states, write_hourly


def settings(window: tuple[float, float] = (-np.inf, np.inf)) -> Settings:
    return Settings(9260.0, 304.8, 1.0, 30.0, window, None, Tiling.for_analysis(5.0, 9260.0, 30.0), ZoneSet.build([]))


def test_blocks_divide_an_hour() -> None:
    assert all(3600.0 % b == 0 for b in BLOCKS_S) and list(BLOCKS_S) == sorted(BLOCKS_S, reverse=True)


@pytest.mark.parametrize("rows", [10, 3_000_000, 50_000_000, 10**10])
@pytest.mark.parametrize("span_s", [600.0, 3600.0, 86_400.0])
@pytest.mark.parametrize("min_tasks", [1, 4, 64])
def test_block_size_is_the_longest_that_fits(rows: int, span_s: float, min_tasks: int) -> None:
    fits = [b for b in BLOCKS_S if rows * min(1.0, b / span_s) <= ROWS_PER_TASK and math.ceil(span_s / b) >= min_tasks]
    assert block_size(rows, span_s, min_tasks) == max(fits, default=min(BLOCKS_S))


@pytest.mark.parametrize("window_from", [-np.inf, 400.0])
def test_each_task_reads_the_row_groups_over_its_block(
    opensky_archive: tuple[Path, pd.DataFrame], window_from: float
) -> None:
    folder, frame = opensky_archive
    archive = open_archive(str(folder))
    t0 = float(frame["time"].min())
    window = (t0 + window_from, np.inf)
    found = pieces(archive, settings(window), min_tasks=4)
    assert found is not None
    tiled, tasks = found
    block_s, halo = tiled.tiling.block_s, tiled.tiling.time_halo_s
    assert block_s == block_size(len(frame), float(frame["time"].max()) + 1.0 - max(t0, window[0]), 4)
    assert [p.block for p in tasks] == list(range(tasks[0].block, tasks[-1].block + 1))
    assert tasks[0].block == math.floor(max(t0, window[0]) / block_s)
    assert tasks[-1].block == math.floor(float(frame["time"].max()) / block_s)
    for p in tasks:
        r0 = max(p.block * block_s, window[0]) - halo
        r1 = (p.block + 1) * block_s + halo
        assert p.read_s == (r0, r1)
        want = {}
        for g in archive.row_groups:  # every row group holding a time in [r0, r1)
            if g.first_s < r1 and g.last_s >= r0:
                want[(archive.files[g.file], g.group)] = g.first_s >= r0 and g.last_s < r1
        got = {(f, k): whole for f, ks, whole in p.groups for k in ks}
        assert got == want
        assert p.rows == sum(g.rows for g in archive.row_groups if (archive.files[g.file], g.group) in want)
    owned = sum(analyse_piece(p, archive.spec, archive.columns, tiled).reports for p in tasks)
    assert owned == int((frame["time"] >= window[0]).sum())


def test_no_direct_plan_without_statistics_or_with_scattered_row_groups(tmp_path: Path) -> None:
    frame = states(seed=3)
    frame.to_parquet(tmp_path / "scattered.parquet", row_group_size=10_000)  # unsorted: every group spans all
    archive = open_archive(str(tmp_path / "scattered.parquet"))
    assert all(g.last_s - g.first_s > 1400 for g in archive.row_groups)
    assert len(archive.row_groups) > 4 and pieces(archive, settings(), min_tasks=8) is None
    stamped = frame.assign(time=pd.to_datetime(frame["time"], unit="s", utc=True))
    assert pieces(open_archive(str(write_hourly(stamped, tmp_path / "stamped"))), settings(), 8) is None


def test_a_window_past_the_data_gives_no_task(opensky_archive: tuple[Path, pd.DataFrame]) -> None:
    folder, frame = opensky_archive
    later = float(frame["time"].max()) + 10_000.0
    found = pieces(open_archive(str(folder)), settings((later, later + 3600.0)), min_tasks=4)
    assert found is not None and found[1] == []


def test_whole_only_when_every_row_is_in_the_read_range() -> None:
    """A row group is read without the time filter only if its times lie in [r0, r1): checked at both ends."""
    hour = 1_700_002_800.0
    halo = settings().tiling.time_halo_s
    r0, r1 = hour - halo, hour + 3600.0 + halo  # the read range of the block starting at ``hour``
    spans = [(r0, r1 - 1.0), (r0, r1), (r0 - 1.0, r0 + 10.0), (hour + 5.0, hour + 6.0)]
    groups = tuple(RowGroup(0, k, 100, a, b) for k, (a, b) in enumerate(spans))
    archive = Archive(("f.parquet",), SPECS[ArchiveSchema.OPENSKY], (), 400, True, (r0 - 1.0, r1), groups)
    found = pieces(archive, settings(), min_tasks=1)
    assert found is not None and found[0].tiling.block_s == 3600.0
    (piece,) = [p for p in found[1] if p.block * 3600.0 == hour]
    want = {k: a >= r0 and b < r1 for k, (a, b) in enumerate(spans)}
    assert {k: whole for _, ks, whole in piece.groups for k in ks} == want == {0: True, 1: False, 2: False, 3: True}
