"""`commonsky analyze`: losses of separation and zone infringements over an archive of state vectors, on Dask."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def _window(start: str | None, stop: str | None) -> tuple[float, float]:
    from commonsky.airspace.zone import parse_time
    from commonsky.errors import InputError

    def one(text: str | None, flag: str, default: float) -> float:
        if text is None:
            return default
        try:
            return float(text)
        except ValueError:
            stamp = parse_time(text, flag)
            assert stamp is not None
            return stamp.timestamp()

    window = (one(start, "--from", float("-inf")), one(stop, "--to", float("inf")))
    if window[0] >= window[1]:
        raise InputError(f"--from {start} is not before --to {stop}")
    return window


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    from commonsky.errors import InputError

    if text is None:
        return None
    try:
        w, s, e, n = (float(v) for v in text.split(","))
    except ValueError:
        raise InputError(f"--bbox {text!r}: expected W,S,E,N in degrees, e.g. -10,35,30,60") from None
    if not (-180 <= w <= 180 and -180 <= e <= 180 and -90 <= s < n <= 90):
        raise InputError(f"--bbox {text!r}: need -180 <= W, E <= 180 and -90 <= S < N <= 90 (W > E crosses 180)")
    return (w, s, e, n)


def analyze(
    archive: Annotated[str, typer.Argument(help="Folder, glob or file of Parquet state vectors.")],
    out: Annotated[Path, typer.Option(help="Folder for the outputs.")],
    zones: Annotated[Path | None, typer.Option(help="Zones GeoJSON: infringements of its binding zones.")] = None,
    start: Annotated[str | None, typer.Option("--from", help="Window start (ISO 8601 UTC or UNIX s).")] = None,
    stop: Annotated[str | None, typer.Option("--to", help="Window end, exclusive (ISO 8601 UTC or UNIX s).")] = None,
    bbox: Annotated[str | None, typer.Option(help="Only events in W,S,E,N (degrees).")] = None,
    workers: Annotated[int | None, typer.Option(help="Local worker processes (default: one per core).")] = None,
    scheduler: Annotated[str | None, typer.Option(help="A running Dask scheduler, tcp://HOST:PORT.")] = None,
    radius: Annotated[str, typer.Option(help="Protected zone radius.")] = "5NM",
    height: Annotated[str, typer.Option(help="Protected zone half-height.")] = "1000ft",
    step: Annotated[str, typer.Option(help="Time between samples.")] = "1s",
    max_gap: Annotated[str, typer.Option(help="Reports further apart split a flight.")] = "30s",
    tile: Annotated[float, typer.Option(help="Tile size in degrees (divides 180); memory per partition.")] = 5.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON (no progress bar).")] = False,
) -> None:
    """Losses of separation and zone infringements over an archive (OpenSky state_vectors_data4 or traffic columns)."""
    import time

    from commonsky.airspace.zone import read_zones
    from commonsky.archive.block import Settings
    from commonsky.archive.cluster import dashboard, dask_client
    from commonsky.archive.engine import analyse
    from commonsky.archive.infringements import ZoneSet
    from commonsky.archive.outputs import auto_bbox, write_analysis
    from commonsky.archive.partition import Tiling
    from commonsky.archive.source import open_archive
    from commonsky.cli._output import console, print_json
    from commonsky.errors import InputError
    from commonsky.geo.world import load_world
    from commonsky.safety.height_keeping import LossKind
    from commonsky.units import parse_distance, parse_duration, parse_length

    radius_m = parse_distance(radius, what="--radius")
    half_height_m = parse_length(height, default_unit="ft", what="--height")
    step_s = parse_duration(step, what="--step")
    gap_s = parse_duration(max_gap, what="--max-gap")
    if min(radius_m, half_height_m, step_s, gap_s) <= 0:
        raise InputError("--radius, --height, --step and --max-gap must be more than 0")
    window = _window(start, stop)
    box = _bbox(bbox)
    zone_set = ZoneSet.build(read_zones(zones) if zones is not None else [])
    source = open_archive(archive)
    tiling = Tiling.for_analysis(tile, radius_m, gap_s, step_s=step_s)
    settings = Settings(radius_m, half_height_m, step_s, gap_s, window, box, tiling, zone_set)
    began = time.perf_counter()
    with dask_client(scheduler, workers) as client:
        link = dashboard(client)
        cores = sum(w.get("nthreads", 1) for w in client.scheduler_info().get("workers", {}).values())
        if not as_json:
            console().print(
                f"{len(source.files)} file(s), {source.rows} rows, schema {source.spec.schema.value}; "
                f"{cores} worker thread(s)"
            )
            if link:
                console().print(f"Dask dashboard: {link}")
        progress = None
        if not as_json:
            from distributed import progress as dask_progress

            progress = dask_progress
        result = analyse(source, settings, client, progress)
    elapsed = time.perf_counter() - began
    summary = {
        "archive": archive,
        "files": len(source.files),
        "schema": source.spec.schema.value,
        "rows_in_files": source.rows,
        "window_s": [v if abs(v) != float("inf") else None for v in window],
        "bbox": list(box) if box else None,
        "radius_m": radius_m,
        "half_height_m": half_height_m,
        "step_s": step_s,
        "max_gap_s": gap_s,
        "tile_deg": tile,
        "zones": len(zone_set),
        "worker_threads": cores,
        "scheduler": scheduler or "local",
        "dashboard": link,
        "elapsed_s": round(elapsed, 3),
        "rows_per_s": round(source.rows / elapsed, 1) if elapsed > 0 else None,
    }
    world = load_world()
    view = box if box is not None and box[0] < box[2] else auto_bbox(result)
    write_analysis(result, out, summary, world, view)
    if as_json:
        import json

        print_json(json.loads((out / "summary.json").read_text(encoding="utf-8")))
        return
    true_losses = int((result.losses["kind"] == LossKind.LOSS.value).sum())
    console().print(
        f"\n{result.reports} reports in the window, {result.partitions} partitions in {result.tasks} tasks, "
        f"{elapsed:.1f} s\n"
        f"losses of separation: {len(result.losses)} ({true_losses} true, {len(result.losses) - true_losses} "
        f"height keeping); zone infringements: {len(result.infringements)}\n"
        f"written to {out}"
    )


def register(app: typer.Typer) -> None:
    app.command()(analyze)
