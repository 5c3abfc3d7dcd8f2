"""`commonsky replay`: recorded state vectors through conflict alert and zone incursion warning, with quality."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")]


def replay(
    tracks: Annotated[Path, typer.Argument(help="State vectors, CSV or Parquet (OpenSky / traffic columns).")],
    out: Annotated[
        Path, typer.Option(help="Folder for alerts, events, losses (CSV, GeoJSON), summary.json and report.html.")
    ],
    zones: Annotated[Path | None, typer.Option(help="Zones GeoJSON (commonsky zone format).")] = None,
    radius: Annotated[str, typer.Option(help="Protected zone radius.")] = "5NM",
    height: Annotated[str, typer.Option(help="Protected zone half-height.")] = "1000ft",
    lookahead: Annotated[str, typer.Option(help="Look-ahead time.")] = "120s",
    step: Annotated[str, typer.Option(help="Time between pictures.")] = "5s",
    stale: Annotated[str, typer.Option(help="Drop aircraft whose last report is older than this.")] = "30s",
    alert_end: Annotated[
        str, typer.Option(help="How long an alert's condition must be absent before it ends (as the live run).")
    ] = "45s",
    hold_margin: Annotated[
        float, typer.Option(help="An alert stays up while in conflict with protection enlarged by this fraction.")
    ] = 0.2,
    terminal: Annotated[
        bool,
        typer.Option(
            "--terminal",
            help="Terminal airspace: 3 NM and 90 s look-ahead below FL195, 5 NM and 120 s above (replaces --radius "
            "and --lookahead).",
        ),
    ] = False,
    aerodromes: Annotated[
        bool,
        typer.Option(
            help="Take slow, low aircraft for surface movements only over an aerodrome (the bundled OurAirports "
            "list), low above its elevation; --no-aerodromes: anywhere, low above sea level.",
        ),
    ] = True,
    as_json: JsonOpt = False,
) -> None:
    """Replay recorded traffic: alerts, events, and how good the alerts were against true losses of separation."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from commonsky.airspace.zone import read_zones
    from commonsky.cli._output import console, print_json
    from commonsky.errors import InputError
    from commonsky.geo.aerodromes import load_aerodromes
    from commonsky.safety.alerts import AlertTracker, cycles_in
    from commonsky.safety.params import Protection, ProtectionPolicy
    from commonsky.safety.replay import replay as run_replay
    from commonsky.safety.replay_outputs import write_outputs
    from commonsky.safety.stca import terminal_policy
    from commonsky.safety.track_files import read_tracks
    from commonsky.units import parse_duration

    protection = Protection.parse(radius, height, lookahead)
    step_s = parse_duration(step, what="--step")
    if step_s <= 0:
        raise InputError(f"--step {step!r}: must be more than 0 s")
    end_s = parse_duration(alert_end, what="--alert-end")
    if end_s <= 0:
        raise InputError(f"--alert-end {alert_end!r}: must be more than 0 s")
    zone_list = read_zones(zones) if zones is not None else []
    data = read_tracks(tracks)
    with Progress(
        TextColumn("replay"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console(),
        disable=as_json,
        transient=True,
    ) as bar:
        task = bar.add_task("replay", total=None)
        result = run_replay(
            data,
            zone_list,
            terminal_policy() if terminal else ProtectionPolicy(default=protection),
            step_s=step_s,
            stale_s=parse_duration(stale, what="--stale"),
            tracker=AlertTracker(end_cycles=cycles_in(end_s, step_s)),
            hold_margin=hold_margin,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            aerodromes=load_aerodromes() if aerodromes else None,
        )
    write_outputs(result, out)
    summary = {**result.summary, "out": str(out)}
    if as_json:
        print_json(summary)
        return
    q = summary["quality"]
    w = q["warning_time_s"]
    warning = f"median {w['median']:.0f} s (min {w['min']:.0f}, max {w['max']:.0f})" if w else "-"
    skipped = ", ".join(f"{k} {v}" for k, v in summary["skipped"].items()) or "none"
    derived = ", ".join(f"{k} {v}" for k, v in summary["derived"].items()) or "none"
    console().print(
        f"{summary['rows_used']}/{summary['rows_read']} rows used (skipped: {skipped}; reordered "
        f"{summary['rows_reordered']}; derived from positions: {derived}), {summary['aircraft']} aircraft, "
        f"{summary['cycles']} cycles, QNH offset {summary.get('qnh_offset_ft', 0.0):.0f} ft\n"
        f"alerts: {summary['alerts']['conflict']} conflict, {summary['alerts']['incursion']} incursion\n"
        f"losses of separation: {q['los_events']} ({q['height_keeping']} height keeping, {q['parallel_runways']} "
        f"parallel runways, {q['true_losses']} true losses: warned {q['warned']}, missed {q['missed']} "
        f"({q['missed_at_first_sight']} at first sight, {q['missed_from_held_levels']} from held levels); "
        f"{q['not_warnable']} not warnable (first seen inside {q['first_sight_s']:.0f} s), of the "
        f"{q['warnable']} others warned {q['warned_warnable']}; all episodes: warned {q['warned_all']}); "
        f"nuisance alerts {q['nuisance_alerts']}/{q['conflict_alerts']} ({q['unresolved_at_end']} unresolved at end); "
        f"warning time {warning}\n"
        f"written to {out} (alerts.csv, losses.csv, report.html, ...)"
    )


def register(app: typer.Typer) -> None:
    app.command()(replay)
