"""The `ingest` command: read a Mode S / ADS-B feed (file or tcp://HOST:PORT) and write decoded state vectors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from commonsky.cli._output import console, print_json
from commonsky.errors import InputError

FORMAT_HELP = "Feed format: beast (binary, port 30005), avr (raw hex, 30002), sbs (BaseStation, 30003), hexcsv."


def _reference(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    try:
        lat, lon = (float(part) for part in text.split(","))
    except ValueError:
        raise InputError(f"--reference {text!r}: expected LAT,LON in degrees, e.g. 43.6,1.37") from None
    if abs(lat) > 90 or abs(lon) > 180:
        raise InputError(f"--reference {text!r}: latitude must be within ±90 and longitude within ±180")
    return lat, lon


def _start(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        from commonsky.airspace.zone import parse_time

        stamp = parse_time(text, "--start-time")
        return None if stamp is None else stamp.timestamp()


def ingest(
    source: Annotated[str, typer.Argument(help="A recorded feed file, or tcp://HOST:PORT of a live feed.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)],
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV of state vectors to write (OpenSky/traffic columns).")],
    start_time: Annotated[
        str | None, typer.Option(help="UTC time of the first MLAT tick of a beast/avr recording (ISO 8601 or epoch).")
    ] = None,
    reference: Annotated[
        str | None, typer.Option(help="Receiver position LAT,LON (decodes surface positions).")
    ] = None,
    max_speed: Annotated[float, typer.Option(help="Fastest plausible speed between fixes, kt.")] = 1000.0,
    trust_address_parity: Annotated[
        bool, typer.Option(help="Accept DF4/5/20/21 replies from addresses never seen in a verified squitter.")
    ] = False,
    sbs_received_time: Annotated[
        bool, typer.Option(help="SBS: time messages on reception, not by their generated time (read as UTC).")
    ] = False,
    retries: Annotated[int, typer.Option(help="TCP: failed connection attempts in a row before giving up.")] = 10,
    duration: Annotated[float | None, typer.Option(help="TCP: stop after this many seconds.")] = None,
    idle_timeout: Annotated[float, typer.Option(help="TCP: seconds of silence after which to reconnect.")] = 30.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Decode a Beast, AVR, SBS or hexcsv feed into state vectors; count CRC failures, garbage and reconnects."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from commonsky.surveillance.feeds.counters import FeedCounters
    from commonsky.surveillance.feeds.pipeline import FORMATS, FeedOptions, FeedPipeline, StateCsvWriter
    from commonsky.surveillance.feeds.pipeline import ingest as run_ingest
    from commonsky.surveillance.feeds.source import LinkEvent, ReconnectPolicy, TcpSource, open_source
    from commonsky.surveillance.feeds.state import StateOptions

    if fmt not in FORMATS:
        raise InputError(f"unknown feed format {fmt!r}: expected one of {', '.join(FORMATS)}")
    if max_speed <= 0:
        raise InputError(f"--max-speed {max_speed:g}: must be a positive speed in kt")
    if retries < 0 or (duration is not None and duration <= 0):
        raise InputError("--retries must be >= 0 and --duration positive")
    options = FeedOptions(
        start_s=_start(start_time),
        trust_address_parity=trust_address_parity,
        sbs_received_time=sbs_received_time,
        state=StateOptions(max_speed_kt=max_speed, reference_deg=_reference(reference)),
    )
    err = console()
    err.stderr = True

    def on_event(event: LinkEvent) -> None:
        if event.kind != "connected" or feed.counters.connections > 1:
            err.print(f"[yellow]{source}: {event.kind.replace('_', ' ')}[/]: {event.detail}")

    counters = FeedCounters()
    policy = ReconnectPolicy(max_retries=retries, max_duration_s=duration, idle_timeout_s=idle_timeout)
    feed = open_source(source, counters, policy, on_event)
    pipeline = FeedPipeline(fmt, counters, options)
    columns = [
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
    ]
    with out.open("w", newline="") as handle, Progress(*columns, console=err, transient=True) as progress:
        writer = StateCsvWriter(handle)
        task = progress.add_task(f"ingest {source}", total=feed.size_bytes(), status="")

        def on_chunk(_: object) -> None:
            c = counters
            status = f"{c.decoded} msgs, {pipeline.aircraft_seen} aircraft, {c.states} states, {c.crc_failures} CRC"
            progress.update(task, completed=c.bytes_read, status=status)

        report = run_ingest(
            feed,
            pipeline,
            writer.write,
            on_chunk,
            description=feed.description,
            events=(lambda: feed.events) if isinstance(feed, TcpSource) else None,
        )
    if isinstance(feed, TcpSource) and report.counters["connections"] == 0:
        reason = feed.events[-2].detail if len(feed.events) >= 2 else "no connection"
        out.unlink(missing_ok=True)  # nothing was read: leave no empty file behind
        raise InputError(f"could not connect to {source} ({report.counters['connect_failures']} attempts): {reason}")
    summary = {**report.as_dict(), "out": str(out)}
    if as_json:
        print_json(summary)
        return
    c = report.counters
    lines = [
        f"{report.source} ({fmt}): {c['frames']} frames, {c['decoded']} messages decoded, {report.aircraft} "
        f"aircraft; {c['states']} states written to {out}",
        f"rejected: {c['crc_failures']} CRC failures, {c['garbage_bytes']} garbage bytes, {c['garbage_lines']} "
        f"garbage lines, {c['unverified']} unverified replies, {c['position_jumps']} position jumps",
    ]
    if isinstance(feed, TcpSource):
        lines.append(
            f"link: {c['connections']} connections, {c['reconnects']} reconnects, {c['drops']} drops "
            f"({c['silences']} silent), {c['connect_failures']} failed attempts"
        )
    if report.interrupted:
        lines.append("interrupted: the states read so far were written")
    console().print("\n".join(lines), soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
