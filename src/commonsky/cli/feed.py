"""`commonsky feed replay FILE`: serve a recording as a live Beast or AVR feed, so demos and tests need no radio."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from commonsky.errors import InputError

feed_app = typer.Typer(help="Live feeds: serve a recording as a receiver would.", no_args_is_help=True)


@feed_app.command("replay")
def replay(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="A recording: Beast binary, AVR lines or hexcsv.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="Format of FILE: beast, avr or hexcsv.")],
    port: Annotated[int, typer.Option(help="TCP port to serve on (0: any free port, printed).")],
    speed: Annotated[float, typer.Option(help="Pace, x the recorded one.")] = 1.0,
    loop: Annotated[bool, typer.Option(help="Start over at the end, forever.")] = False,
    serve_as: Annotated[
        str | None, typer.Option(help="Send as beast or avr (default: avr for an avr file, else beast).")
    ] = None,
    host: Annotated[str, typer.Option(help="Listen address.")] = "127.0.0.1",
) -> None:
    """Serve FILE on HOST:PORT at its recorded pace (or X times faster): every client gets it from the start."""
    from commonsky.surveillance.feeds.replay import ReplayFormat, ReplayServer, load_recording

    if not 0 <= port <= 65535:
        raise InputError(f"--port {port}: must be within 0..65535")
    if not speed > 0:
        raise InputError(f"--speed {speed:g}: must be positive")
    try:
        out = ReplayFormat(serve_as or ("avr" if fmt == "avr" else "beast"))
    except ValueError:
        raise InputError(f"--serve-as {serve_as!r}: expected beast or avr") from None
    recording = load_recording(path, fmt)
    server = ReplayServer(recording, out, host, port, speed, loop)
    with server:
        try:  # the banner inside: a Ctrl-C as soon as it shows still ends with the count
            print(
                f"commonsky: serving {len(recording.frames)} frames ({recording.duration_s:.0f} s recorded) from "
                f"{path} as {out.value} on {server.host}:{server.port} at x{speed:g}{', looping' if loop else ''} "
                "(Ctrl-C to stop)",
                flush=True,
            )
            while True:
                time.sleep(1.0)
        except KeyboardInterrupt:
            pass
    print(f"commonsky: {server.clients} clients, {server.frames_sent} frames sent")


def register(app: typer.Typer) -> None:
    app.add_typer(feed_app, name="feed")
