"""``GET /conflicts`` (`service.routers.conflicts`): a party sees the conflicts of its own intents only, coarsened
and naming nothing of the other party."""

from __future__ import annotations

from typing import Any

from commonsky.service.examples import box


def test_each_party_sees_its_own_conflicts(make_client: Any, sqlite_url: str, file_intent: Any) -> None:
    client, party = make_client(sqlite_url)
    low, high, bystander = party("low", "operator"), party("high", "operator"), party("by", "operator")
    first = file_intent(client, low, [box(45.0, 33.0, 45.5, 33.5)], priority=10)
    second = file_intent(client, high, [box(45.2, 33.2, 45.7, 33.7)], priority=40)  # preempts the first
    file_intent(client, bystander, [box(40.0, 30.0, 40.2, 30.2)])
    seen = {who.name: client.get("/conflicts", headers=who.headers).json() for who in (low, high, bystander)}
    assert seen["by"] == []
    assert {c["intent_id"] for c in seen["low"]} == {first["intent"]["id"]}
    assert seen["high"] == []  # what it preempted holds no airspace any more
    assert "high" not in str(seen["low"]) and second["intent"]["id"] not in str(seen["low"])
    assert client.get("/conflicts").status_code == 401
