"""`commonsky run [SCENARIO.yaml] [--feed URL ...]`: run a scenario live (truth -> sensors -> tracker -> picture ->
safety nets), with real receivers' feeds (`--feed beast://HOST:PORT`, the scenario's ``receivers:``) fused in, or
the receivers alone on a wall clock,
and serve it from the broker service: one app with the operator's map at http://HOST:PORT/, the broker's API
(parties, zones, intents; API keys) and OpenAPI at /docs. The scenario's parties, zones and intents are seeded
into the broker's database (a fresh SQLite file in a temporary directory unless ``--db``); the parties' keys are
written once to a 0600 file in the run's directory (and shown on a terminal). A live summary line follows."""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from commonsky.cli._output import print_json
from commonsky.errors import InputError
from commonsky.net import is_loopback

if TYPE_CHECKING:
    from commonsky.service.seed import Seeded
    from commonsky.sim.runner import LiveRunner
    from commonsky.sim.snapshot import LiveSnapshot


def _time_s(text: str | None, what: str) -> float | None:
    from commonsky.sim.clock import parse_time_s

    return None if text is None else parse_time_s(text, what)


def _status_loop(runner: LiveRunner, stop: threading.Event, tty: bool, feeds: Callable[[], str] = str) -> None:
    """Print the summary line (and the feeds' state): rewritten in place on a terminal, every 10 s otherwise."""
    period = 0.5 if tty else 10.0
    while not stop.wait(period):
        line = runner.snapshot.summary() + feeds()
        if runner.error is not None:
            line += f"  ERROR: {runner.error}"
        sys.stdout.write(("\r\x1b[2K" + line) if tty else line + "\n")
        sys.stdout.flush()


def database_url(db: str | None, run_dir: Path) -> str:
    """The broker's SQLAlchemy URL: ``db`` as given when it is a URL, a SQLite file at path ``db``, or (None) a
    fresh SQLite file in ``run_dir``."""
    if db is None:
        return f"sqlite:///{run_dir / 'broker.db'}"
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def write_keys(seeded: Seeded, path: Path) -> None:
    """The seeded parties' API keys, one ``name role key`` a line, to a new file readable by its owner only."""
    lines = "".join(f"{s.party.name} {s.party.role.value} {s.key}\n" for s in seeded.parties)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(lines)


def _last_alert_id(snap: LiveSnapshot) -> int:
    """Alerts raised since the last restart (alert ids count up from 1)."""
    return max([e.alert.alert_id for e in snap.events] + [a.alert_id for a in snap.alerts], default=0)


def _final(snap: LiveSnapshot, raised: int, ticks: int, work_ms: list[float], as_json: bool) -> None:
    import numpy as np

    stats = {
        "time": snap.clock.iso if snap.clock.time_s == snap.time_s else None,
        "ticks": ticks,
        "tracks": len(snap.picture),
        "alerts_open": len(snap.alerts),
        "alerts_raised": raised,
        "work_ms_p50": round(float(np.median(work_ms)), 2) if work_ms else None,
        "work_ms_max": round(float(np.max(work_ms)), 2) if work_ms else None,
    }
    if as_json:
        print_json(stats)
    else:
        print(snap.summary())
        print(f"{ticks} ticks, {raised} alerts raised, work per tick p50 {stats['work_ms_p50']} ms")


def run(
    scenario: Annotated[
        Path | None, typer.Argument(help="Scenario YAML (e.g. scenarios/diyala-2014.yaml); none: --feed only.")
    ] = None,
    feed: Annotated[
        list[str] | None,
        typer.Option(
            "--feed",
            help="A real receiver: beast://HOST:PORT, avr://HOST:PORT or sbs://HOST:PORT, optionally "
            "?lat=..&lon=..&alt_m=..&name=.. (repeat for several). Without a scenario the clock is wall time.",
        ),
    ] = None,
    speed: Annotated[float, typer.Option(help="Clock rate, x real time.")] = 10.0,
    start: Annotated[
        str | None, typer.Option(help="Start at this UTC time (default: where the scenario's flights begin).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Stop the clock at this UTC time (default: scenario end).")] = None,
    port: Annotated[int, typer.Option(help="HTTP port of the map.")] = 8000,
    host: Annotated[str, typer.Option(help="Listen address (loopback unless --allow-remote).")] = "127.0.0.1",
    allow_remote: Annotated[
        bool, typer.Option(help="Listen beyond loopback: anyone who reaches it can pause or jump the clock.")
    ] = False,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the map (else run in the terminal).")] = True,
    fast: Annotated[bool, typer.Option(help="With --no-serve: as fast as possible, ignoring --speed.")] = False,
    tick: Annotated[
        float | None,
        typer.Option(help="Seconds of picture per tick, 0.1 to 10 (default: 1, or 0.5 with --feed or receivers)."),
    ] = None,
    synthetic: Annotated[int, typer.Option(help="Extra synthetic aircraft (load tests).")] = 0,
    unknowns: Annotated[int, typer.Option(help="Unknown aircraft crossing filed routes.")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="With --no-serve: print the final figures as JSON.")] = False,
    db: Annotated[
        str | None,
        typer.Option(help="Broker database: a SQLite file or SQLAlchemy URL (default: a fresh file for this run)."),
    ] = None,
    area: Annotated[
        Path | None,
        typer.Option(
            help="Area of responsibility (zone GeoJSON): an unknown aircraft inside it raises an alert; elsewhere "
            "only near a filed intent or a binding zone."
        ),
    ] = None,
) -> None:
    """Run SCENARIO live and serve it from the broker service: the operator's map at http://HOST:PORT/, the
    broker API seeded with the scenario's parties, zones and intents (keys in the run's keys.txt), docs at /docs."""
    from commonsky.airspace.zone import read_zones
    from commonsky.cli._feeds import close_feeds, feed_urls, feeds_line, open_feeds
    from commonsky.sim.assembly import pipeline_from_scenario
    from commonsky.sim.clock import check_speed
    from commonsky.sim.live_feeds import feeds_pipeline, feeds_runner, feeds_scenario
    from commonsky.sim.run_config import FEEDS_TICK_S, RunConfig, check_tick
    from commonsky.sim.runner import make_runner, settle_heap
    from commonsky.sim.scenario import load_scenario

    check_speed(speed)
    if tick is not None:
        check_tick(tick)
    if serve and not allow_remote and not is_loopback(host):
        raise InputError(f"--host {host}: not a loopback address; the live picture has no login (add --allow-remote)")
    if synthetic < 0 or unknowns < 0:
        raise InputError("--synthetic and --unknowns must not be negative")
    if scenario is None and not feed:
        raise InputError("give a SCENARIO file, or --feed URL for a picture of real receivers only")
    loaded = load_scenario(scenario) if scenario is not None else feeds_scenario(time.time())
    urls = feed_urls(feed or [], loaded)
    if urls and fast:
        raise InputError("--fast does not go with real receivers: their feeds run at wall time")
    start_s, until_s = _time_s(start, "--start"), _time_s(until, "--until")
    for value, what in ((start_s, "--start"), (until_s, "--until")):
        if value is not None and not loaded.start_s <= value <= loaded.end_s:
            raise InputError(f"{what}: {value:.0f} is outside the scenario's time window")
    if start_s is not None and until_s is not None and until_s <= start_s:
        raise InputError("--until must be after --start")
    tick_s = tick if tick is not None else FEEDS_TICK_S if urls else RunConfig.tick_s
    responsibility = tuple(read_zones(area)) if area is not None else ()
    config = RunConfig(tick_s=tick_s, synthetic=synthetic, unknowns=unknowns, responsibility=responsibility)
    tty = sys.stdout.isatty()
    if not serve and fast:
        pipeline = pipeline_from_scenario(loaded, config)
        pipeline.reset(start_s if start_s is not None else pipeline.first_activity_s())
        raised, work, ticks = [0], [], [0]

        def on_tick(snap: LiveSnapshot) -> None:
            ticks[0] += 1
            work.append(snap.work_ms)
            raised[0] = max(raised[0], _last_alert_id(snap))
            if tty and ticks[0] % 50 == 0:
                sys.stdout.write("\r\x1b[2K" + snap.summary())
                sys.stdout.flush()

        last = pipeline.run_until(until_s if until_s is not None else loaded.end_s, on_tick)
        if tty:
            sys.stdout.write("\n")
        _final(last, raised[0], ticks[0], work, as_json)
        return
    feeds = open_feeds(urls)  # every feed answers, or one line and exit 2
    try:
        if feeds:
            pipeline = feeds_pipeline(loaded, feeds, config)
            runner = feeds_runner(loaded, pipeline, speed, start_s, until_s, paused=serve)
        else:
            runner = make_runner(loaded, config, speed=speed, start_s=start_s, until_s=until_s, paused=serve)
    except BaseException:
        close_feeds(feeds)
        raise
    stop = threading.Event()
    line = lambda: feeds_line(feeds)  # noqa: E731
    status = threading.Thread(target=_status_loop, args=(runner, stop, tty, line), daemon=True)
    if not serve:
        settle_heap()
        runner.start()
        status.start()
        try:
            while not runner.clock.state().finished and runner.error is None:
                time.sleep(0.2)
            time.sleep(0.3)
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
            runner.stop()
            close_feeds(feeds)
        if tty:
            sys.stdout.write("\n")
        snap = runner.snapshot
        _final(snap, _last_alert_id(snap), snap.seq, [snap.work_ms], as_json)
        return
    import uvicorn

    from commonsky.cli.serve import load_settings
    from commonsky.web.app import create_run_app
    from commonsky.web.static_files import check_vendor

    check_vendor()
    run_dir = Path(tempfile.mkdtemp(prefix="commonsky-run-"))
    try:
        settings = load_settings(database_url(db, run_dir), host=host, port=port, allow_remote=allow_remote)
    except InputError:
        run_dir.rmdir()
        raise
    if db is not None:
        from commonsky.service.seed import taken_names

        taken = taken_names(settings, loaded)
        if taken:
            run_dir.rmdir()
            raise InputError(f"--db {db}: already holds parties {', '.join(taken)}; give a new database to seed")
    keys = run_dir / "keys.txt"

    def on_seeded(seeded: Seeded) -> None:
        write_keys(seeded, keys)
        if tty:
            sys.stdout.write("\r\x1b[2K")
            for s in seeded.parties:
                print(f"  {s.party.name} ({s.party.role.value}): {s.key}")
        accepted = sum(i.accepted for i in seeded.intents)
        print(
            f"commonsky: seeded {len(seeded.parties)} parties, {len(seeded.zones)} zones, {len(seeded.intents)} "
            f"intents ({accepted} accepted when filed) into {settings.safe_database_url()}; API keys in {keys}"
        )

    app = create_run_app(runner, loaded, settings, on_seeded=on_seeded, resume=True)
    print(f"commonsky: {loaded.name}: map at http://{host}:{port}/  (broker API and docs at /docs; Ctrl-C to stop)")
    settle_heap()
    status.start()
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        stop.set()
        close_feeds(feeds)
        if tty:
            sys.stdout.write("\n")


def register(app: typer.Typer) -> None:
    app.command("run")(run)
