"""The audit chain: every change is a link; tampering with, or removing, any row is caught at that row."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from typing import Any

from sqlalchemy import text

from commonsky.service.examples import circle, zone_feature


def _busy_world(make_client: Any, file_intent: Any, url: str) -> tuple[Any, Any]:
    client, party = make_client(url)
    icao, usaf, iqaf = party("icao", "authority"), party("usaf", "operator"), party("iqaf", "operator")
    first = client.post("/intents", json={"volumes": [circle(33.75, 45.0)]}, headers=usaf.headers).json()["intent"]
    file_intent(client, iqaf, [circle(33.75, 45.0)], priority=3)
    client.post("/zones", json={"feature": zone_feature("ROZ", 40, 30, 41, 31)}, headers=icao.headers)
    client.put(f"/intents/{first['id']}/state", json={"version": "stale", "state": "ended"}, headers=usaf.headers)
    return client, icao


def test_every_change_is_chained_and_tampering_is_caught(make_client: Any, file_intent: Any, database_url: str) -> None:
    client, icao = _busy_world(make_client, file_intent, database_url)
    entries = client.get("/audit", headers=icao.headers).json()
    actions = [(e["entity"], e["action"]) for e in entries]
    assert actions.count(("party", "create")) == 3 and ("intent", "preempt") in actions
    assert ("zone", "create") in actions and [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(entries))
    assert client.get("/audit/verify", headers=icao.headers).json() == {
        "ok": True,
        "checked": len(entries),
        "broken_seq": None,
        "reason": "",
    }
    database = client.app.state.services.db
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET change = replace(change, 'ROZ', 'XYZ') WHERE entity = 'zone'"))
    zone_seq = next(e["seq"] for e in entries if e["entity"] == "zone")
    broken = client.get("/audit/verify", headers=icao.headers).json()
    assert broken["ok"] is False and broken["broken_seq"] == zone_seq and broken["checked"] == zone_seq - 1
    assert "altered" in broken["reason"]


def test_removed_row_is_caught_and_cli_reports_it(make_client: Any, file_intent: Any, sqlite_url: str) -> None:
    client, _ = _busy_world(make_client, file_intent, sqlite_url)
    run = [sys.executable, "-m", "commonsky.cli", "audit", "verify", "--db", sqlite_url, "--json"]
    intact = subprocess.run(run, capture_output=True, text=True, timeout=120, check=False)
    assert intact.returncode == 0, intact.stderr
    assert json.loads(intact.stdout)["ok"] is True
    with client.app.state.services.db.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE seq = 4"))
    broken = subprocess.run(run[:-1], capture_output=True, text=True, timeout=120, check=False)
    assert broken.returncode == 1
    assert "BROKEN at entry 4" in broken.stdout and "missing" in broken.stdout
