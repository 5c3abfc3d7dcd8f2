"""The direct plan: one Dask task per time block, each reading its own row groups (the block and its time halo)
from the Parquet files, keying its reports to its tiles and analysing them. No shuffle: the only data that moves
between processes are the fragments. It needs the time statistics of the row groups (numeric time), and row
groups that are not spread over the whole archive (an unsorted archive would be read many times over: then
`commonsky.archive.engine` shuffles instead).

The block (`BLOCKS_S`, all dividing an hour) is the longest that gives at most `ROWS_PER_TASK` reports a task and
at least ``min_tasks`` tasks (so that every worker has work); ownership is per block, so the answer does not
depend on it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from commonsky.archive.block import BlockResult, Settings, analyse_rows
from commonsky.archive.read import RowGroups, read_rows
from commonsky.archive.schema import SchemaSpec
from commonsky.archive.source import Archive

ROWS_PER_TASK = 4_000_000
"""Reports a task reads at most (when the block can be short enough): about 160 MB of arrays, plus the halo
copies and one partition's analysis at a time."""

BLOCKS_S = (3600.0, 1800.0, 1200.0, 900.0, 720.0, 600.0, 450.0, 400.0, 360.0, 300.0, 240.0, 180.0, 120.0, 60.0)

MAX_READ_FACTOR = 4.0
"""Past this many reads of each row group on average (row groups spanning long times), shuffle instead."""


@dataclass(frozen=True)
class Piece:
    """One task: the block it owns (index of ``block_s``), the row groups to read, the time range to keep."""

    block: int
    groups: RowGroups
    read_s: tuple[float, float]
    rows: int  # rows in the row groups read (before the time filter)


def block_size(rows: int, span_s: float, min_tasks: int) -> float:
    """The longest block of `BLOCKS_S` with at most `ROWS_PER_TASK` rows and at least ``min_tasks`` blocks over
    ``span_s`` seconds holding ``rows`` rows (evenly spread)."""
    for block_s in BLOCKS_S:
        if rows * min(1.0, block_s / span_s) <= ROWS_PER_TASK and math.ceil(span_s / block_s) >= min_tasks:
            return block_s
    return BLOCKS_S[-1]


def pieces(archive: Archive, settings: Settings, min_tasks: int) -> tuple[Settings, list[Piece]] | None:
    """The settings (tiling with the chosen block) and the tasks; None when the direct plan does not apply."""
    if not archive.row_groups or archive.time_span_s is None:
        return None
    first = np.array([g.first_s for g in archive.row_groups])
    last = np.array([g.last_s for g in archive.row_groups])
    size = np.array([g.rows for g in archive.row_groups], dtype=np.int64)
    w0, w1 = settings.window_s
    lo, hi = max(w0, archive.time_span_s[0]), min(w1, archive.time_span_s[1] + 1.0)
    if not lo < hi:
        return settings, []
    halo = settings.tiling.time_halo_s
    wanted = (first < hi + halo) & (last >= lo - halo)
    block_s = block_size(int(size[wanted].sum()), hi - lo, min_tasks)
    by_first = np.argsort(first, kind="stable")
    sorted_first = first[by_first]
    longest = float((last - first).max())
    out: list[Piece] = []
    for block in range(math.floor(lo / block_s), math.ceil(hi / block_s)):
        r0 = max(block * block_s, w0) - halo
        r1 = min((block + 1) * block_s, w1) + halo
        near = by_first[np.searchsorted(sorted_first, r0 - longest) : np.searchsorted(sorted_first, r1)]
        near = np.sort(near[(first[near] < r1) & (last[near] >= r0)])
        if near.shape[0] == 0:
            continue
        files: dict[tuple[int, bool], list[int]] = {}
        for g in near:
            group = archive.row_groups[int(g)]
            whole = group.first_s >= r0 and group.last_s < r1
            files.setdefault((group.file, whole), []).append(group.group)
        groups = tuple((archive.files[f], tuple(gs), whole) for (f, whole), gs in sorted(files.items()))
        out.append(Piece(block, groups, (r0, r1), int(size[near].sum())))
    if sum(p.rows for p in out) > MAX_READ_FACTOR * max(int(size[wanted].sum()), 1):
        return None
    return replace(settings, tiling=replace(settings.tiling, block_s=block_s)), out


def analyse_piece(piece: Piece, spec: SchemaSpec, columns: tuple[str, ...], settings: Settings) -> BlockResult:
    """The task: read the piece's reports and analyse every partition of its block."""
    return analyse_rows(read_rows(piece.groups, spec, columns, piece.read_s), settings, piece.block)
