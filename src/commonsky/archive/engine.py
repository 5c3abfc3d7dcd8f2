"""The archive analysis on Dask: read Parquet in parallel, key each report to its partitions (with halos),
shuffle by key, analyse each partition, merge the fragments.

Only fragments (one row per episode piece) and counts come back to the client; reports stay on the workers, a
partition at a time. The client is passed in (`commonsky.archive.cluster` makes one), so the same plan runs on
an in-process `LocalCluster` or on any running cluster.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from commonsky.archive.block import BlockResult, Rows, Settings, analyse_block, analyse_blocks, collect, usable
from commonsky.archive.infringements import merge_zones
from commonsky.archive.losses import merge_losses
from commonsky.archive.pieces import analyse_piece, pieces
from commonsky.archive.schema import REPORT_COLUMNS, SchemaSpec, normalise
from commonsky.archive.source import Archive
from commonsky.errors import InputError

if TYPE_CHECKING:
    import pandas as pd
    from dask.delayed import Delayed
    from distributed import Client


@dataclass(frozen=True)
class Analysis:
    """Episodes (merged over partitions) and the counts of a run."""

    losses: pd.DataFrame
    infringements: pd.DataFrame
    reports: int
    samples: int
    fast_segments: int
    partitions: int  # (block, tile) partitions analysed
    tasks: int  # Dask tasks that analysed them


def keyed(frame: pd.DataFrame, spec: SchemaSpec, settings: Settings) -> pd.DataFrame:
    """Normalised reports with their partition ``key``, one row per partition that needs the report."""
    import pandas as pd

    rows = Rows.of(normalise(frame, spec))
    kept = np.flatnonzero(usable(rows, settings))
    index, key = settings.tiling.keys(rows.time_s[kept], rows.lat_deg[kept], rows.lon_deg[kept])
    picked = rows.take(kept[index])
    out = pd.DataFrame(picked.columns())
    out["key"] = key
    return out


def _meta() -> pd.DataFrame:
    import pandas as pd

    kinds = {"icao24": np.int64, "on_ground": bool}
    frame = pd.DataFrame({c: pd.Series([], dtype=kinds.get(c, np.float64)) for c in REPORT_COLUMNS})
    frame["key"] = pd.Series([], dtype=np.int64)
    return frame


ROWS_PER_SHUFFLED_PARTITION = 4_000_000
"""Reports per shuffled partition (about 170 MB of normalised rows; each is then analysed one hour x tile at a
time). Fewer, larger pieces keep the task shuffle's overhead down (it grows with the square of the count)."""


def direct_plan(archive: Archive, settings: Settings, min_tasks: int) -> list[Delayed] | None:
    """The Dask graph without a shuffle (`commonsky.archive.pieces`): one delayed `BlockResult` per time block;
    None when the archive's row groups do not allow it."""
    from dask.delayed import delayed

    found = pieces(archive, settings, min_tasks)
    if found is None:
        return None
    tiled, parts = found
    task = delayed(analyse_piece, pure=True)
    return [task(p, archive.spec, archive.columns, tiled) for p in parts]


def shuffle_plan(archive: Archive, settings: Settings, partitions: int | None = None) -> list[Delayed]:
    """The Dask graph through a task shuffle: one delayed `BlockResult` per shuffled partition (``pieces`` of
    ``partitions``; default from `ROWS_PER_SHUFFLED_PARTITION`)."""
    import dask.dataframe as dd
    from dask.delayed import delayed

    filters = None
    w0, w1 = settings.window_s
    halo = settings.tiling.time_halo_s
    if archive.numeric_time and (np.isfinite(w0) or np.isfinite(w1)):
        t = archive.spec.time
        filters = [[(t, ">=", w0 - halo)] * bool(np.isfinite(w0)) + [(t, "<", w1 + halo)] * bool(np.isfinite(w1))]
    frame = dd.read_parquet(list(archive.files), columns=list(archive.columns), filters=filters)
    with_keys = frame.map_partitions(keyed, archive.spec, settings, meta=_meta())
    count = partitions or max(2, -(-archive.rows // ROWS_PER_SHUFFLED_PARTITION))
    shuffled = with_keys.shuffle(on="key", npartitions=count, shuffle_method="tasks")
    block = delayed(analyse_blocks, pure=True)
    return [block(part, settings) for part in shuffled.to_delayed()]


def merge(results: list[BlockResult], settings: Settings) -> Analysis:
    """Merge the partitions' fragments into episodes; `InputError` when no report fell in the window."""
    import pandas as pd

    reports = sum(r.reports for r in results)
    if reports == 0:
        raise InputError("no rows in the analysis window (check --from/--to, --bbox and the archive's time span)")
    losses = pd.concat([r.losses for r in results], ignore_index=True)
    zones = pd.concat([r.zones for r in results], ignore_index=True)
    return Analysis(
        losses=merge_losses(losses, settings.step_s, settings.half_height_m),
        infringements=merge_zones(zones, settings.step_s),
        reports=reports,
        samples=sum(r.samples for r in results),
        fast_segments=sum(r.fast_segments for r in results),
        partitions=sum(r.partitions for r in results),
        tasks=len(results),
    )


ROWS_PER_CHUNK = 20_000_000
"""Reports per time chunk: the archive is analysed in consecutive time windows of about this many reports (whole
hours), one shuffle each, so a worker never holds more than one chunk's shuffled reports (about 1 GB)."""


def time_chunks(
    archive: Archive, settings: Settings, rows_per_chunk: int = ROWS_PER_CHUNK
) -> list[tuple[float, float]]:
    """Consecutive windows (whole hours) covering the analysis window and the archive's time span; one window
    when the span is unknown (no row-group statistics) or the archive is small."""
    w0, w1 = settings.window_s
    if archive.time_span_s is None or archive.rows <= rows_per_chunk:
        return [(w0, w1)]
    lo = max(w0, archive.time_span_s[0])
    hi = min(w1, archive.time_span_s[1] + 1.0)
    if not lo < hi:
        return [(w0, w1)]
    block = settings.tiling.block_s
    first, last = np.floor(lo / block) * block, np.ceil(hi / block) * block
    hours = round(float(last - first) / block)
    count = min(hours, -(-archive.rows // rows_per_chunk))
    per = -(-hours // count)
    edges = [first + k * per * block for k in range(-(-hours // per))] + [last]
    edges[0], edges[-1] = w0, w1  # the chunks still cover the whole window
    return list(itertools.pairwise(edges))


def analyse(
    archive: Archive,
    settings: Settings,
    client: Client,
    progress: Callable[[list[Any]], None] | None = None,
    rows_per_chunk: int = ROWS_PER_CHUNK,
    shuffle: bool = False,
) -> Analysis:
    """Run on ``client``: the direct plan when the archive allows it (unless ``shuffle``), else the shuffle plan
    one time chunk after the other (`time_chunks`); ``progress(futures)`` (e.g. `distributed.progress`) may watch
    each computation."""
    threads = sum(w.get("nthreads", 1) for w in client.scheduler_info().get("workers", {}).values())
    direct = None if shuffle else direct_plan(archive, settings, min_tasks=2 * max(threads, 1))
    batches = (
        [direct]
        if direct is not None
        else (
            shuffle_plan(archive, replace(settings, window_s=w)) for w in time_chunks(archive, settings, rows_per_chunk)
        )
    )
    results: list[BlockResult] = []
    for tasks in batches:
        futures = client.compute(tasks)  # type: ignore[no-untyped-call]
        if progress is not None:
            progress(futures)
        results.extend(client.gather(futures))  # type: ignore[no-untyped-call]
    return merge(results, settings)


def analyse_in_process(frame: pd.DataFrame, settings: Settings) -> Analysis:
    """The single-partition reference on normalised reports already in memory (small data, tests, benchmarks):
    one partition owns everything, no halo, no Dask."""
    return merge([collect([analyse_block(Rows.of(frame), None, settings)])], settings)
