"""`kill -9` of `commonsky serve` (SQLite, WAL, synchronous=FULL) under load loses no acknowledged write.

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
    lock, stop = threading.Lock(), threading.Event()

    def writer(w: int) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=5.0) as client:
            for i in range(1_500):  # bounded request loop
                if stop.is_set():
                    return
                body = {"volumes": [circle(30.0 + w, 40.0 + (i % 300) * 0.05, radius_m=1_000.0)]}
                try:
                    response = client.post("/intents", json=body)
                except httpx.HTTPError:
                    return  # the server is gone: whatever was not answered was not acknowledged
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
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    output = log.read_text()
    assert "POST /intents" in output  # the access log was on...
    assert issued.key not in output and issued.key[21:] not in output  # ...and no key ever reached it
