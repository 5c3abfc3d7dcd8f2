"""`kill -9` of `commonsky serve` (SQLite, WAL, synchronous=FULL) under load loses no acknowledged write, and the
writes whose answer the kill swallowed, retried with their Idempotency-Key, are each stored exactly once.

Also: the server's own log output never contains an API key.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from commonsky.service import audit, auth
from commonsky.service.db import Database
from commonsky.service.examples import circle
from commonsky.service.migrate import upgrade
from commonsky.service.models import IntentRow
from commonsky.service.settings import ServiceSettings


@pytest.mark.slow
def test_kill_9_under_load_loses_no_acknowledged_write(tmp_path: Path, start_server: Any) -> None:
    url = f"sqlite:///{tmp_path / 'durable.db'}"
    database = Database(ServiceSettings(database_url=url))
    upgrade(database)
    _, issued = auth.create_party(database, "usaf", "operator")
    headers = {"Authorization": f"Bearer {issued.key}"}
    log = tmp_path / "server.log"
    base, server = start_server(url, log, COMMONSKY_SQLITE_SYNCHRONOUS="FULL")
    acked: dict[str, str] = {}
    unanswered: dict[str, dict[str, Any]] = {}  # Idempotency-Key -> body of a write sent but never answered
    lock, stop = threading.Lock(), threading.Event()

    def writer(w: int) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=5.0) as client:
            for i in range(1_500):  # bounded request loop
                if stop.is_set():
                    return
                body = {"volumes": [circle(30.0 + w, 40.0 + (i % 300) * 0.05, radius_m=1_000.0)]}
                key = f"w{w}-{i}"
                try:
                    response = client.post("/intents", json=body, headers={"Idempotency-Key": key})
                except httpx.HTTPError:
                    with lock:
                        unanswered[key] = body  # the server is gone: this write may or may not have been stored
                    return
                if response.status_code == 201:
                    intent = response.json()["intent"]
                    with lock:
                        acked[intent["id"]] = intent["version"]

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30.0
    while len(acked) < 200 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(server.pid, signal.SIGKILL)  # mid-load: writers are still sending
    server.wait(timeout=10)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert len(acked) >= 200, log.read_text()[-2000:]

    with database.read() as session:
        stored = {row[0]: row[1] for row in session.execute(select(IntentRow.id, IntentRow.version)).all()}
    lost = {k: v for k, v in acked.items() if stored.get(k) != v}
    assert lost == {}, f"{len(lost)} acknowledged writes lost of {len(acked)}"
    assert audit.verify(database).ok

    port = int(base.rsplit(":", 1)[1])
    base, server = start_server(
        url, log, port=port, COMMONSKY_SQLITE_SYNCHRONOUS="FULL"
    )  # restarts on the same file (recovering the WAL) and serves what it stored
    try:
        some = sorted(acked)[:20]
        with httpx.Client(base_url=base, headers=headers, timeout=5.0) as client:
            assert all(client.get(f"/intents/{k}").json()["version"] == acked[k] for k in some)
            assert client.get("/intents", params={"limit": 1}).status_code == 200
            retried = {
                k: client.post("/intents", json=b, headers={"Idempotency-Key": k}) for k, b in unanswered.items()
            }
            again = {k: client.post("/intents", json=b, headers={"Idempotency-Key": k}) for k, b in unanswered.items()}
        assert unanswered and all(r.status_code in (201, 409) for r in retried.values()), retried
        assert all(again[k].json() == r.json() for k, r in retried.items())  # the same answer every time
        filed = {r.json()["intent"]["id"] for r in retried.values() if r.status_code == 201}
        with database.read() as session:
            stored_ids = set(session.scalars(select(IntentRow.id)).all())
        # exactly once: every stored intent is an acknowledged write or a retried one, none stored twice
        assert stored_ids == set(acked) | filed and not filed & set(acked)
        replayed = sum(r.headers.get("Idempotent-Replayed") == "true" for r in retried.values())
        print(f"{len(unanswered)} writes unanswered at the kill; {replayed} had been stored (answer replayed)")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    output = log.read_text()
    assert f"commonsky serve: database {url}" in output  # the server says which database it serves
    assert "POST /intents" in output  # the access log was on...
    assert issued.key not in output and issued.key[21:] not in output  # ...and no key ever reached it
