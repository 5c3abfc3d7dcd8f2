"""Archive analysis (`commonsky analyze`) on Dask: rows/s per core with 1 and 2 workers, against the single-process
loss computation (`commonsky.safety.losses.loss_episodes`) and traffic's ``closest_point_of_approach``.

Synthetic OpenSky-schema archive (benchmarks/archive_gen.py: world traffic like `world_scenario`, one row per
aircraft per second, hourly files) of COMMONSKY_BENCH_ARCHIVE_ROWS rows (default 10^7), generated batch by batch
into .cache/bench-archive/ (kept for the next run; never held in memory). The 10^8-row run:

    COMMONSKY_BENCH_ARCHIVE_ROWS=1e8 .venv/bin/python -m benchmarks.run \
        --peer-python .venv-bench/bin/python bench_archive

Dask times exclude starting the cluster and the workers' first imports; the single-process time excludes reading
the files and runs on at most `SINGLE_ROWS` rows (the first hours). traffic runs in the peers' venv on the same
60 flights over 30 minutes (a European subset of the same archive), as does commonsky.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.archive_gen import write_archive
from benchmarks.context import BenchContext, table

AIRCRAFT = 2800
RADIUS_M, HALF_HEIGHT_M, GAP_S = 5 * 1852.0, 1000 * 0.3048, 30.0
GOAL_PER_CORE = 1_000_000
SINGLE_ROWS = 20_000_000
WARM_MODULES = ("commonsky.archive.pieces", "pyarrow.compute", "pyarrow.parquet", "scipy.spatial", "pandas")


def _settings(tile: float) -> object:
    from commonsky.archive.block import Settings
    from commonsky.archive.infringements import ZoneSet
    from commonsky.archive.partition import Tiling

    tiling = Tiling.for_analysis(tile, RADIUS_M, GAP_S)
    return Settings(RADIUS_M, HALF_HEIGHT_M, 1.0, GAP_S, (-np.inf, np.inf), None, tiling, ZoneSet.build([]))


def _cpu_s() -> float:
    """CPU seconds (user + system) of the calling process."""
    times = os.times()
    return times.user + times.system


def _workers_cpu_s(client: object) -> float:
    """CPU seconds used so far by the worker processes (os.times is a builtin: nothing of ours to unpickle)."""
    times = client.run(os.times).values()  # type: ignore[attr-defined]
    return float(sum(t.user + t.system for t in times))


def _dask(folder: Path, workers: int, tile: float) -> tuple[float, float, int, int]:
    """(wall s, CPU s of the workers, rows, losses) of one run."""
    from commonsky.archive.cluster import dask_client
    from commonsky.archive.engine import analyse
    from commonsky.archive.source import open_archive

    archive = open_archive(str(folder))
    with dask_client(workers=workers) as client:
        for module in WARM_MODULES:  # worker start-up, not the analysis
            client.run(importlib.import_module, module)  # type: ignore[attr-defined]
        cpu0 = _workers_cpu_s(client)
        start = time.perf_counter()
        result = analyse(archive, _settings(tile), client)  # type: ignore[arg-type]
        seconds = time.perf_counter() - start
        cpu = _workers_cpu_s(client) - cpu0
    return seconds, cpu, archive.rows, len(result.losses)


def _read(folder: Path, most: int = SINGLE_ROWS) -> object:
    """The first files' rows (whole files, at most ``most`` rows unless the first file alone holds more),
    normalised."""
    import pandas as pd
    import pyarrow.parquet as pq

    from commonsky.archive.schema import SPECS, ArchiveSchema, normalise

    spec = SPECS[ArchiveSchema.OPENSKY]
    files, rows = [], 0
    for f in sorted(folder.glob("*.parquet")):
        n = pq.read_metadata(f).num_rows
        if files and rows + n > most:
            break
        files.append(f)
        rows += n
    return normalise(pd.concat([pd.read_parquet(f) for f in files]), spec)


def _archive(ctx: BenchContext, rows_goal: int) -> tuple[Path, int]:
    """The archive of about ``rows_goal`` rows in .cache/bench-archive/ (generated once; a marker file says it is
    complete) and its row count."""
    folder = ctx.root / ".cache" / "bench-archive" / f"{AIRCRAFT}-aircraft-{rows_goal}-rows"
    done = folder / "complete.txt"
    if done.exists():
        return folder, int(done.read_text())
    if folder.exists():
        shutil.rmtree(folder)
    began = time.perf_counter()
    rows = write_archive(folder, AIRCRAFT, -(-rows_goal // AIRCRAFT))
    done.write_text(str(rows))
    print(f"generated {rows} rows in {time.perf_counter() - began:.0f} s into {folder}", flush=True)
    return folder, rows


def _single(frame: object) -> tuple[float, float, int]:
    from commonsky.archive.schema import hex_ids
    from commonsky.safety.losses import loss_episodes

    f: Any = frame  # normalised: SI columns
    ids = hex_ids(f["icao24"].to_numpy())
    columns = (f["time_s"], ids, f["lat"], f["lon"], f["alt_m"], f["on_ground"])
    start, cpu0 = time.perf_counter(), _cpu_s()
    ep = loss_episodes(*columns, radius_m=RADIUS_M, half_height_m=HALF_HEIGHT_M, step_s=1.0, max_gap_s=GAP_S)
    return time.perf_counter() - start, _cpu_s() - cpu0, len(ep)


def _subset(folder: Path, out: Path, flights: int = 60, seconds: int = 1800) -> Path:
    """The ``flights`` aircraft starting nearest to 49 N 8 E (the densest hotspot), their first ``seconds``
    seconds."""
    import pandas as pd

    first = sorted(folder.glob("*.parquet"))[0]
    frame = pd.read_parquet(first)
    t0 = frame["time"].min()
    start = frame.loc[frame["time"] == t0]
    far = (start["lat"] - 49.0) ** 2 + ((start["lon"] - 8.0) * 0.66) ** 2
    chosen = start.loc[far.nsmallest(flights).index, "icao24"]
    sub = frame.loc[frame["icao24"].isin(chosen) & (frame["time"] < t0 + seconds)]
    out.mkdir(parents=True, exist_ok=True)
    sub.to_parquet(out / "subset.parquet", index=False)
    return out


def frame_flights(folder: Path) -> int:
    """Distinct aircraft in the subset."""
    import pandas as pd

    return int(pd.read_parquet(folder / "subset.parquet", columns=["icao24"])["icao24"].nunique())


def _peer(ctx: BenchContext, path: Path, workers: int) -> dict | None:
    script = Path(__file__).parent / "peers" / "traffic_cpa.py"
    try:
        done = subprocess.run(
            [ctx.peer_python, str(script), str(path), str(workers)],
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        print(f"traffic failed: {error}")
        return None
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    if done.returncode != 0 or not lines:
        print(f"traffic failed ({done.returncode}): {done.stderr.strip()[-400:]}")
        return None
    return dict(json.loads(lines[-1]))


def _row(
    label: str, n: int, seconds: float, workers: int, cpu_s: float | None, found: object, digits: int = 1
) -> list[str]:
    """One row of the table: ``n`` rows in ``seconds`` by ``workers`` (``cpu_s`` None: not measured), ``found``."""
    rate = n / seconds
    per_cpu = "-" if cpu_s is None else f"{n / cpu_s:,.0f}"
    return [label, f"{n:,}", f"{seconds:.{digits}f}", f"{rate:,.0f}", f"{rate / workers:,.0f}", per_cpu, str(found)]


def run(ctx: BenchContext) -> str:
    rows_goal = int(float(os.environ.get("COMMONSKY_BENCH_ARCHIVE_ROWS", "1e7")))
    tile = float(os.environ.get("COMMONSKY_BENCH_ARCHIVE_TILE", "10"))
    out_rows: list[list[str]] = []
    folder, rows = _archive(ctx, rows_goal)
    with tempfile.TemporaryDirectory(prefix="bench-archive-") as tmp:
        timings: dict[int, float] = {}
        cpu_rate: dict[int, float] = {}
        for workers in (1, 2):
            seconds, cpu, n, losses = _dask(folder, workers, tile)
            timings[workers], cpu_rate[workers] = seconds, n / cpu
            print(f"dask {workers} worker(s): {seconds:.1f} s, {cpu:.1f} CPU s, {losses} losses", flush=True)
            label = f"commonsky analyze, {workers} worker(s), tile {tile:g}°"
            out_rows.append(_row(label, n, seconds, workers, cpu, losses))
        frame = _read(folder)
        single_rows = len(frame)  # type: ignore[arg-type]
        seconds, cpu, losses = _single(frame)
        del frame
        print(f"single process: {seconds:.1f} s, {losses} losses", flush=True)
        what = "" if single_rows == rows else ", first hours"
        label = f"loss_episodes, one process (no Dask, files already read{what})"
        out_rows.append(_row(label, single_rows, seconds, 1, cpu, losses))
        sub = _subset(folder, Path(tmp) / "subset")
        sub_rows = len(_read(sub))  # type: ignore[arg-type]
        seconds_sub, cpu_sub, n_sub, losses_sub = _dask(sub, 1, tile)
        peer = _peer(ctx, sub / "subset.parquet", 2)
        frame = _read(sub)
        single_sub, single_cpu, single_losses = _single(frame)
        flights = int(frame_flights(sub))
        label = f"commonsky analyze, 1 worker: {flights} flights x 30 min"
        out_rows.append(_row(label, n_sub, seconds_sub, 1, cpu_sub, losses_sub, digits=2))
        label = "loss_episodes, one process: same flights"
        out_rows.append(_row(label, sub_rows, single_sub, 1, single_cpu, single_losses, digits=2))
        if peer is not None:
            ps = float(peer["seconds"])
            label = "traffic 2.13 closest_point_of_approach, 2 processes: same flights"
            out_rows.append(_row(label, sub_rows, ps, 2, None, f"{peer['loss_pairs']} pairs"))
        else:
            out_rows.append(["traffic 2.13 closest_point_of_approach", "-", "failed (see log)", "-", "-", "-", "-"])
    ratio = timings[1] / timings[2]
    best = max(cpu_rate.values())
    per_core = {w: rows / timings[w] / w for w in timings}
    met = "met" if best >= GOAL_PER_CORE else "not met"
    return (
        "## Archive analysis on Dask (issue 14)\n\n"
        f"Synthetic OpenSky-schema archive, {rows:,} rows ({AIRCRAFT} aircraft worldwide, one row a second, hourly "
        "files in row groups of 60 s), losses of separation (5 NM / 1,000 ft, exact feet, "
        "each classified true loss or height keeping, 1 s grid, 30 s gap), no zones. Dask: "
        "in-process LocalCluster of single-threaded worker processes, direct plan (one task per time block reading "
        "its own row groups, no shuffle). How the figures are computed: *seconds* is the wall time of `analyse` "
        "(from submitting the graph to the merged episodes; cluster start-up and the workers' first imports "
        "excluded); *rows/s* = rows in the archive / seconds; *rows/s per core* = rows / (seconds x workers); "
        "*rows per CPU-second* = rows / (the workers' own CPU time, user + system, summed over workers): the "
        "fairer figure on a shared machine, where a worker may wait for a core. The scheduler and the client run "
        f"on the same 2 cores. Scaling 1 -> 2 workers (wall): {ratio:.2f}x (ideal 2x). 1-minute load average at "
        f"the end: {os.getloadavg()[0]:.1f} on 2 cores. Goal {GOAL_PER_CORE:,} rows/s per core: **{met}** per "
        f"worker CPU-second (best {best:,.0f}); by wall time {per_core[1]:,.0f} (1 worker) and "
        f"{per_core[2]:,.0f} (2 workers) rows/s per core. traffic counts pairs that came within 5 NM / 1,000 ft by "
        "its own interpolation; commonsky counts loss episodes (a pair can have several).\n\n"
        + table(["run", "rows", "seconds", "rows/s", "rows/s per core", "rows per CPU-second", "losses"], out_rows)
        + "\n"
    )
