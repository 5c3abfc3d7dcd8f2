"""Broker -> picture -> party: how long a zone written through the broker API takes to reach the live picture, and
an alert on the picture to reach its party's notifications WebSocket (`commonsky run`'s app, served on loopback).

- zone in / out: from the answer to ``POST /zones`` (``DELETE``) to the zone being in (out of) the plan the
  running pipeline checks, on SQLite (one instance) and on PostgreSQL with the write made on another instance;
- alert out: from the first snapshot that holds a party's incursion alert to its arrival on that party's socket.

Times are wall clock on this machine, the run at 10x (one tick every 0.1 s: a new plan waits for the next tick).
No peer does this; the goal is the issue's: within 1 s.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
import uuid
from typing import Any

from benchmarks.context import BenchContext, table
from benchmarks.pgdb import database
from commonsky.service.examples import zone_feature

T0633 = 1_417_501_980.0
SAMPLES = 8


def _box(lat: float, lon: float, name: str) -> dict[str, Any]:
    h = 0.3
    return zone_feature(name, lon - h, lat - h, lon + h, lat + h)


def _wait(test: Any, limit_s: float = 10.0) -> float:
    """Seconds until ``test()`` holds (polled every 2 ms); NaN after ``limit_s``."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit_s:
        if test():
            return time.perf_counter() - start
        time.sleep(0.002)
    return float("nan")


def _measure(root: Any, url: str, other_instance: bool) -> dict[str, list[float]]:
    import httpx
    from websockets.sync.client import connect

    from commonsky.service.app import create_app
    from commonsky.service.seed import Seeded
    from commonsky.service.settings import ServiceSettings
    from commonsky.sim.run_config import RunConfig
    from commonsky.sim.runner import make_runner
    from commonsky.sim.scenario import load_scenario
    from commonsky.web.app import create_run_app
    from commonsky.web.serving import ServerThread

    scenario = load_scenario(root / "scenarios" / "diyala-2014.yaml")
    runner = make_runner(scenario, RunConfig(), speed=10.0, start_s=T0633)
    settings = ServiceSettings(database_url=url)
    seeded: list[Seeded] = []
    out: dict[str, list[float]] = {"in": [], "out": [], "alert": []}
    with ServerThread(create_run_app(runner, scenario, settings, on_seeded=seeded.append)) as live:
        writer_server = ServerThread(create_app(settings)).start() if other_instance else live
        try:
            http = httpx.Client(base_url=writer_server.url, timeout=20.0)
            auth = {"Authorization": f"Bearer {seeded[0].key_of('authority')}"}
            coalition = {"Authorization": f"Bearer {seeded[0].key_of('coalition')}"}
            _wait(lambda: any(p == "coalition" for p in runner.snapshot.picture.party), 30.0)
            ws_url = writer_server.url.replace("http://", "ws://") + "notifications"
            with connect(ws_url, additional_headers=coalition) as socket:
                socket.recv(timeout=10.0)
                for k in range(SAMPLES):
                    snap = runner.snapshot
                    i = next(i for i, p in enumerate(snap.picture.party) if p == "coalition")
                    name = f"bench zone {k}"
                    seen: list[float] = []
                    stop = threading.Event()

                    def watch(zone: str = name, stop: threading.Event = stop, seen: list[float] = seen) -> None:
                        while not stop.is_set():
                            alerts = runner.snapshot.alerts
                            if any(a.kind.value == "incursion" and a.subjects[1] == zone for a in alerts):
                                seen.append(time.perf_counter())
                                return
                            time.sleep(0.002)

                    watcher = threading.Thread(target=watch, daemon=True)
                    watcher.start()
                    feature = _box(float(snap.picture.lat_deg[i]), float(snap.picture.lon_deg[i]), name)
                    made = http.post("/zones", json={"feature": feature}, headers=auth).json()
                    out["in"].append(_wait(lambda z=name: z in {x.name for x in runner.pipeline.plan.zones}))
                    heard = float("nan")
                    deadline = time.perf_counter() + 15.0
                    while time.perf_counter() < deadline:
                        try:
                            message = json.loads(socket.recv(timeout=max(0.05, deadline - time.perf_counter())))
                        except TimeoutError:
                            break
                        if message.get("kind") == "incursion" and message.get("zone") == name:
                            heard = time.perf_counter()
                            break
                    stop.set()
                    watcher.join(1.0)
                    out["alert"].append(heard - seen[0] if seen else float("nan"))
                    http.delete(f"/zones/{made['id']}", params={"version": made["version"]}, headers=auth)
                    out["out"].append(_wait(lambda z=name: z not in {x.name for x in runner.pipeline.plan.zones}))
            http.close()
        finally:
            if other_instance:
                writer_server.stop()
    return out


def _row(what: str, values: list[float]) -> list[str]:
    ok = [v for v in values if v == v]
    if not ok:
        return [what, "-", "-", "-", f"0 of {len(values)}"]
    ms = [1e3 * v for v in ok]
    return [
        what,
        f"{statistics.median(ms):.0f}",
        f"{max(ms):.0f}",
        "yes" if max(ms) < 1000 else "no",
        f"{len(ok)} of {len(values)}",
    ]


def run(ctx: BenchContext) -> str:
    sqlite_dir = ctx.root / "out" / f"bench-plan-{uuid.uuid4().hex[:8]}"
    sqlite_dir.mkdir(parents=True, exist_ok=True)
    lite = _measure(ctx.root, f"sqlite:///{sqlite_dir / 'broker.db'}", other_instance=False)
    rows = [
        _row("SQLite: zone in the picture", lite["in"]),
        _row("SQLite: zone out of the picture", lite["out"]),
        _row("SQLite: incursion alert on the party's socket", lite["alert"]),
    ]
    try:
        with database("bench_") as url:
            pg = _measure(ctx.root, url, other_instance=True)
        rows += [
            _row("PostgreSQL, write on another instance: zone in", pg["in"]),
            _row("PostgreSQL, write on another instance: zone out", pg["out"]),
            _row("PostgreSQL, socket on another instance: incursion alert", pg["alert"]),
        ]
    except Exception as error:  # no PostgreSQL here: say so in the table's place
        rows.append(["PostgreSQL", "-", "-", "-", f"not measured: {error}"])
    return "\n".join(
        [
            "## Broker to picture to party: latency",
            "",
            f"{SAMPLES} zones created and withdrawn by the authority through the API while `commonsky run`'s app runs "
            "the Diyala scenario at 10x from 06:33Z, each over a coalition aircraft: wall time from the API's answer "
            "to the zone being in (out of) the plan the pipeline checks, and from the first snapshot holding the "
            "coalition's incursion alert to its arrival on the coalition's notifications WebSocket. No peer does "
            "this; goal: under 1 s.",
            "",
            table(["what", "p50 ms", "max ms", "goal (< 1000 ms) met", "measured"], rows),
            "",
        ]
    )
