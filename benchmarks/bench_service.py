"""Broker latency: p50/p99 of intent submission (HTTP, end to end) with 100,000 stored intents.

Open-loop load at a fixed rate (100 and 1,000 requests/s): each request is due at its own instant and its latency
is measured from that instant, so a server that falls behind is charged for the queue it builds (no coordinated
omission). Configurations: SQLite (one process), PostgreSQL with one and with two `commonsky serve` instances
behind one database (the load alternates between them). Everything runs on this machine on 127.0.0.1: the load
generator, the servers and PostgreSQL share its cores.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks.context import BenchContext, table

STORED = 100_000
RATES = ((100, 10.0), (1_000, 2.0))  # requests/s, seconds
AREA = (35.0, 25.0, 60.0, 40.0)  # lon/lat box the stored and new intents fall in
T0 = 1_417_392_000.0  # 2014-12-01T00:00Z
BLOCKS = ((3_048.0, 4_572.0), (4_572.0, 6_096.0), (6_096.0, 7_620.0), (7_620.0, 9_144.0))


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def _box(rng: random.Random) -> tuple[dict[str, Any], dict[str, float]]:
    """A random 0.05-0.15 degree box volume (stored form) and its bounds columns."""
    lon0 = rng.uniform(AREA[0], AREA[2] - 0.2)
    lat0 = rng.uniform(AREA[1], AREA[3] - 0.2)
    size = rng.uniform(0.05, 0.15)
    lo, hi = rng.choice(BLOCKS)
    start = T0 + rng.randrange(0, 30 * 24) * 3600.0
    ring = [[lon0, lat0], [lon0 + size, lat0], [lon0 + size, lat0 + size], [lon0, lat0 + size], [lon0, lat0]]
    volume = {
        "shape": {"type": "polygon", "geometry": {"type": "Polygon", "coordinates": [ring]}},
        "floor": {"value": lo, "unit": "m", "ref": "AMSL"},
        "ceiling": {"value": hi, "unit": "m", "ref": "AMSL"},
        "start": _iso(start),
        "end": _iso(start + 3600.0),
        "daily": [],
    }
    columns = {
        "min_lon": lon0,
        "min_lat": lat0,
        "max_lon": lon0 + size,
        "max_lat": lat0 + size,
        "alt_lo_m": lo,
        "alt_hi_m": hi,
        "t0_s": start,
        "t1_s": start + 3600.0,
    }
    return volume, columns


def _seed(url: str) -> str:
    """Migrate, create one operator, bulk-insert STORED accepted intents; return the operator's key."""
    from sqlalchemy import insert

    from commonsky.service import auth
    from commonsky.service.db import Database
    from commonsky.service.engine import Bounds
    from commonsky.service.grid import grid_keys
    from commonsky.service.migrate import upgrade
    from commonsky.service.models import IntentCellRow, IntentRow
    from commonsky.service.settings import ServiceSettings

    database = Database(ServiceSettings(database_url=url, sqlite_synchronous="NORMAL"))
    upgrade(database)
    party, issued = auth.create_party(database, f"bench{uuid.uuid4().hex[:6]}", "operator")
    rng = random.Random(1)
    now = time.time()
    for _batch in range(0, STORED, 10_000):
        rows = []
        for _ in range(10_000):
            volume, columns = _box(rng)
            rows.append(
                {
                    "id": str(uuid.uuid4()),
                    "party_id": party.id,
                    "priority": 0,
                    "state": "accepted",
                    "version": "seed",
                    "volumes": [volume],
                    "note": "",
                    "created_s": now,
                    "updated_s": now,
                    **columns,
                }
            )
        cells = [{"key": k, "intent_id": r["id"]} for r in rows for k in grid_keys(Bounds(**_bounds_of(r)))]
        with database.write() as session:
            session.execute(insert(IntentRow), rows)
            session.execute(insert(IntentCellRow), cells)
    database.dispose()
    return issued.key


def _bounds_of(row: dict[str, Any]) -> dict[str, float]:
    names = ("min_lon", "min_lat", "max_lon", "max_lat", "alt_lo_m", "alt_hi_m", "t0_s", "t1_s")
    return {name: row[name] for name in names}


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _serve(url: str, log: Path, synchronous: str = "FULL") -> tuple[str, subprocess.Popen[bytes]]:
    import httpx

    port = _port()
    env = {
        **os.environ,
        "COMMONSKY_RATE_PER_S": "1000000",
        "COMMONSKY_RATE_BURST": "1000000",
        "COMMONSKY_PROBE_BUDGET_UNITS": "1e12",  # the load is one operator filing 100,000s of times
        "COMMONSKY_SQLITE_SYNCHRONOUS": synchronous,
    }
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "commonsky.cli",
                "serve",
                "--db",
                url,
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
        )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/health", timeout=1.0).status_code == 200:
                return base, process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not start: {log.read_text()[-1000:]}")


async def _load(bases: list[str], key: str, rate: int, seconds: float, name: str) -> dict[str, float]:
    import httpx

    rng = random.Random(f"{name}/{rate}")  # new bodies for each row: configurations share a database
    headers = {"Authorization": f"Bearer {key}"}
    count = int(rate * seconds)
    bodies = [{"volumes": [_box(rng)[0]]} for _ in range(count)]
    latencies: list[float] = []
    errors = area_changed = 0
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    async with httpx.AsyncClient(headers=headers, timeout=120.0, limits=limits) as client:

        async def one(i: int, due: float) -> None:
            nonlocal errors, area_changed
            try:
                response = await client.post(
                    f"{bases[i % len(bases)]}/intents", params={"resolve": "false"}, json=bodies[i]
                )
                # 201: decided; 409: refused because the empty key missed an intent in the way (also an answer)
                if response.status_code == 409:
                    area_changed += 1
                elif response.status_code != 201:
                    errors += 1
                    return
            except httpx.HTTPError:
                errors += 1
                return
            latencies.append(time.perf_counter() - due)

        start = time.perf_counter() + 0.2
        tasks = []
        for i in range(count):  # bounded: exactly `count` requests
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i, due)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    latencies.sort()
    quantile = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [float("nan")] * 99
    return {
        "sent": count,
        "ok": len(latencies),
        "errors": errors,
        "area_changed": area_changed,
        "p50_ms": quantile[49] * 1e3,
        "p99_ms": quantile[98] * 1e3,
        "achieved": len(latencies) / elapsed,
    }


def _postgres_url() -> str | None:
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        ["bash", str(root / "scripts" / "pg.sh"), "start"], capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode != 0:
        return None
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect("host=127.0.0.1 port=54329 user=commonsky dbname=postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"postgresql+psycopg://commonsky@127.0.0.1:54329/{name}"


def _drop(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect("host=127.0.0.1 port=54329 user=commonsky dbname=postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def run(ctx: BenchContext) -> str:
    work = Path(tempfile.mkdtemp(prefix="bench-service-"))
    sqlite = f"sqlite:///{work / 'bench.db'}"
    configs: list[tuple[str, str, int, str]] = [
        ("SQLite (WAL, synchronous=FULL)", sqlite, 1, "FULL"),
        ("SQLite (WAL, synchronous=NORMAL)", sqlite, 1, "NORMAL"),
    ]
    pg = _postgres_url()
    if pg is not None:
        configs += [("PostgreSQL, 1 instance", pg, 1, "FULL"), ("PostgreSQL, 2 instances", pg, 2, "FULL")]
    rows = []
    keys: dict[str, str] = {}
    for name, url, instances, synchronous in configs:
        if url not in keys:
            began = time.perf_counter()
            keys[url] = _seed(url)
            print(f"seeded {STORED:,} intents into {name.split(',')[0]} in {time.perf_counter() - began:.1f} s")
        servers = [_serve(url, work / f"server{i}.log", synchronous) for i in range(instances)]
        try:
            for rate, seconds in RATES:
                result = asyncio.run(_load([b for b, _ in servers], keys[url], rate, seconds, name))
                rows.append(
                    [
                        name,
                        f"{rate:,}",
                        f"{result['achieved']:,.0f}",
                        f"{result['p50_ms']:.1f}",
                        f"{result['p99_ms']:.1f}",
                        f"{result['area_changed']:.0f}",
                        f"{result['errors']:.0f} / {result['sent']:.0f}",
                    ]
                )
                print(rows[-1], flush=True)
        finally:
            for _, process in servers:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
    if pg is not None:
        _drop(pg)
    if pg is None:
        rows.append(["PostgreSQL", "-", "-", "-", "-", "-", "not run: scripts/pg.sh could not start PostgreSQL"])
    header = ["configuration", "offered req/s", "achieved req/s", "p50 ms", "p99 ms", "409 area", "errors / sent"]
    return (
        "## Broker: intent submission latency (issue 7)\n\n"
        f"POST /intents (decided at once, `resolve=false`) with {STORED:,} accepted intents stored over a 25 x 15 "
        "degree area, open-loop load for 10 s at 100 req/s and 2 s at 1,000 req/s; latency from each request's due "
        "time to its answer. Each body carries the empty area key, so the few that meet a stored intent are answered "
        "409 with what is in the way (counted under '409 area', and in the latencies: they are answers, "
        "not errors). Load generator, servers and database share this machine's cores. No latency goal is "
        "set by the issue; the 1,000 req/s rows show where one machine saturates (achieved < offered).\n\n"
        + table(header, rows)
        + "\n"
    )
