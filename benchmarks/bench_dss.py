"""DSS throughput: PUT of non-overlapping F3548 operational intent references over HTTP (issue 15).

Open-loop load at a fixed rate: each request is due at its own instant and its latency runs from that instant, so a
server that falls behind is charged for its queue. Each body is a new operational intent reference (one 4D volume:
a 200 m circle, 0-120 m, one hour, somewhere in a 10 x 10 degree area, never overlapping another) asking for an
implicit subscription, with a token signed by a key made for the run (as InterUSS's prober does). The peer is
InterUSS's Go + CockroachDB DSS, which cannot run here (no Go toolchain or container): its published local figure
is printed beside ours, not measured.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import statistics
import subprocess
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.context import BenchContext, table
from benchmarks.pgdb import drop, postgres_url
from benchmarks.procstat import cpu_s
from benchmarks.server import paced, serve

RATES = ((150, 10.0), (300, 5.0))  # requests/s, seconds
PEER = "InterUSS DSS (Go + CockroachDB), published local figure: about 120-150 req/s, p50 about 20 ms, p95 about 40 ms"


def _keys(work: Path) -> tuple[Any, Path]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = work / "dss.pem"
    pem.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return key, pem


def _token(key: Any) -> str:
    import jwt

    now = int(time.time())
    claims = {"sub": "bench", "aud": "localhost", "scope": "utm.strategic_coordination", "exp": now + 3600}
    return str(jwt.encode(claims, key, algorithm="RS256"))


def _serve(url: str, pem: Path, log: Path, synchronous: str) -> tuple[str, subprocess.Popen[bytes]]:
    # the authority's grant to the benchmark's USS: every DSS write is charged to its probe budget
    env = {**os.environ, "COMMONSKY_SQLITE_SYNCHRONOUS": synchronous, "COMMONSKY_PROBE_BUDGET_UNITS": "1e12"}
    dss = ["--dss-public-key", str(pem), "--dss-audience", "localhost"]
    return serve(url, log, env, "/dss/v1/healthy", dss)


def _body(i: int, offset: int) -> dict[str, Any]:
    """The i-th intent: cells of 0.01 degrees (about 1 km) in a 1000 x 1000 grid, so no two overlap."""
    cell = i + offset
    lat, lng = 20.0 + (cell // 1000) * 0.01, 10.0 + (cell % 1000) * 0.01
    start = datetime.now(UTC) + timedelta(minutes=10)

    def moment(at: datetime) -> dict[str, str]:
        return {"value": at.isoformat().replace("+00:00", "Z"), "format": "RFC3339"}

    return {
        "extents": [
            {
                "volume": {
                    "outline_circle": {"center": {"lat": lat, "lng": lng}, "radius": {"value": 200, "units": "M"}},
                    "altitude_lower": {"value": 0, "reference": "W84", "units": "M"},
                    "altitude_upper": {"value": 120, "reference": "W84", "units": "M"},
                },
                "time_start": moment(start),
                "time_end": moment(start + timedelta(hours=1)),
            }
        ],
        "key": [],
        "state": "Accepted",
        "uss_base_url": "https://uss.bench/v1",
        "new_subscription": {"uss_base_url": "https://uss.bench/v1", "notify_for_constraints": False},
    }


class _Pool:
    """Keep-alive HTTP/1.1 connections, requests pre-encoded: the load generator must cost far less than the
    server it measures (httpx costs about as much per request as the DSS itself on this machine)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def send(self, payload: bytes) -> int:
        conn = self.idle.pop() if self.idle else await asyncio.open_connection(self.host, self.port)
        reader, writer = conn
        writer.write(payload)
        await writer.drain()
        status = int((await reader.readline()).split()[1])
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        await reader.readexactly(length)
        self.idle.append(conn)
        return status

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


def _payload(base: str, token: str, body: dict[str, Any]) -> bytes:
    host = base.split("//", 1)[1]
    data = json.dumps(body).encode()
    head = (
        f"PUT /dss/v1/operational_intent_references/{uuid.uuid4()} HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    return head.encode() + data


async def _load(base: str, token: str, rate: int, seconds: float, offset: int) -> dict[str, float]:
    count = int(rate * seconds)
    payloads = [_payload(base, token, _body(i, offset)) for i in range(count)]
    host, port = base.split("//", 1)[1].split(":")
    pool = _Pool(host, int(port))
    latencies: list[float] = []
    errors = 0

    async def one(i: int, due: float) -> None:
        nonlocal errors
        try:
            status = await pool.send(payloads[i])
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            errors += 1
            return
        if status != 201:
            errors += 1
            return
        latencies.append(time.perf_counter() - due)

    elapsed = await paced(count, rate, one)
    pool.close()
    quantile = statistics.quantiles(sorted(latencies), n=100) if len(latencies) > 1 else [float("nan")] * 99
    return {
        "sent": count,
        "errors": errors,
        "p50_ms": quantile[49] * 1e3,
        "p95_ms": quantile[94] * 1e3,
        "achieved": len(latencies) / elapsed,
    }


def run(ctx: BenchContext) -> str:
    work = Path(tempfile.mkdtemp(prefix="bench-dss-"))
    key, pem = _keys(work)
    token = _token(key)
    configs = [
        ("SQLite (WAL, synchronous=FULL)", f"sqlite:///{work / 'full.db'}", "FULL"),
        ("SQLite (WAL, synchronous=NORMAL)", f"sqlite:///{work / 'normal.db'}", "NORMAL"),
    ]
    pg = postgres_url("bench_dss_")
    if pg is not None:
        configs.append(("PostgreSQL, 1 instance", pg, "FULL"))
    rows = []
    for name, url, synchronous in configs:
        base, process = _serve(url, pem, work / "server.log", synchronous)
        offset = 0
        try:
            for rate, seconds in RATES:
                cpu0_s = cpu_s(process.pid)
                result = asyncio.run(_load(base, token, rate, seconds, offset))
                cpu_ms = (cpu_s(process.pid) - cpu0_s) * 1e3 / max(result["sent"] - result["errors"], 1)
                offset += int(rate * seconds)
                rows.append(
                    [
                        name,
                        f"{rate:,}",
                        f"{result['achieved']:,.0f}",
                        f"{result['p50_ms']:.1f}",
                        f"{result['p95_ms']:.1f}",
                        f"{cpu_ms:.1f}",
                        f"{result['errors']:.0f} / {result['sent']:.0f}",
                    ]
                )
                print(rows[-1], flush=True)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    if pg is not None:
        drop(pg)
    else:
        rows.append(["PostgreSQL", "-", "-", "-", "-", "-", "not run: scripts/pg.sh could not start PostgreSQL"])
    rows.append([PEER, "-", "-", "-", "-", "-", "not measured here"])
    header = [
        "configuration",
        "offered req/s",
        "achieved req/s",
        "p50 ms",
        "p95 ms",
        "server CPU ms/req",
        "errors / sent",
    ]
    load = os.getloadavg()[0]
    return (
        "## DSS: PUT of operational intent references (issue 15)\n\n"
        "PUT /dss/v1/operational_intent_references/{id}, each a new non-overlapping reference with an implicit "
        "subscription, RS256 token, open-loop load for 10 s at 150 req/s and 5 s at 300 req/s; latency from each "
        "request's due time to its answer; server CPU is the `commonsky serve` process's user + system time per "
        "answered request (1000 / it bounds what one free core could sustain). Goal (issue 15): 150 req/s "
        "sustained with p95 under 40 ms. Load generator, server and database share this machine's cores; "
        f"1-minute load average at the end of the run: {load:.1f}.\n\n" + table(header, rows) + "\n"
    )
