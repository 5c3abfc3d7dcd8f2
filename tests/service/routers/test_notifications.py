"""Notifications over WebSocket: a party hears when a higher-priority intent or a new zone affects its intent."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

from commonsky.service.examples import circle, zone_feature


def test_preemption_and_zones_reach_the_owner_only(make_client: Any, sqlite_url: str, file_intent: Any) -> None:
    client, party = make_client(sqlite_url)
    icao, usaf, iqaf = party("icao", "authority"), party("usaf", "operator"), party("iqaf", "operator")
    mine = client.post("/intents", json={"volumes": [circle(33.75, 45.0)]}, headers=usaf.headers).json()["intent"]
    with (
        client.websocket_connect("/notifications", headers=usaf.headers) as socket,
        client.websocket_connect("/notifications", headers=iqaf.headers) as other,
    ):
        assert socket.receive_json() == {"type": "hello", "party": "usaf"}
        assert other.receive_json()["party"] == "iqaf"
        zone = client.post(
            "/zones", json={"feature": zone_feature("Closed", 44.8, 33.6, 45.3, 34.0)}, headers=icao.headers
        ).json()
        event = socket.receive_json()
        assert event["type"] == "zone.affects" and event["intent_id"] == mine["id"] and event["zone_id"] == zone["id"]
        assert event["alt_lo_m"] is not None and event["where"]["type"] == "Polygon"
        client.delete(f"/zones/{zone['id']}", params={"version": zone["version"]}, headers=icao.headers)
        taken = file_intent(client, iqaf, [circle(33.76, 45.01)], priority=4)
        event = socket.receive_json()
        assert event["type"] == "intent.preempted" and event["intent_id"] == mine["id"]
        # told which intent, when, and the class of what took its place; not whose, nor its priority or route
        assert event["by"] == "routine" and event["at"].startswith("20")
        (part,) = event["conflicts"]
        assert part["intent_id"] == mine["id"] and part["reason"] == "another party's intent"
        for secret in (taken["intent"]["id"], taken["intent"]["version"], "iqaf", '"priority"'):
            assert secret not in json.dumps(event), secret
        # the preempting party heard nothing about usaf's intent: its next event is its own
        client.post("/zones", json={"feature": zone_feature("Closed", 44.8, 33.6, 45.3, 34.0)}, headers=icao.headers)
        heard = other.receive_json()
        assert heard["type"] == "zone.affects" and heard["intent_id"] != mine["id"]


def test_notifications_need_a_key(make_client: Any, sqlite_url: str) -> None:
    client, _ = make_client(sqlite_url)
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect("/notifications", headers={"Authorization": "Bearer nope"}) as socket,
    ):
        socket.receive_json()
    assert refused.value.code == 4401


@pytest.mark.postgres
def test_events_cross_instances_on_postgres(make_client: Any, pg_url: str, file_intent: Any) -> None:
    """Two service instances behind one PostgreSQL: a write on one is heard by a subscriber of the other."""
    first, party = make_client(pg_url)
    second, _ = make_client(pg_url)
    usaf, iqaf = party("usaf", "operator"), party("iqaf", "operator")
    mine = first.post("/intents", json={"volumes": [circle(33.75, 45.0)]}, headers=usaf.headers).json()["intent"]
    with second.websocket_connect("/notifications", headers=usaf.headers) as socket:
        assert socket.receive_json()["type"] == "hello"
        taken = file_intent(first, iqaf, [circle(33.76, 45.01)], priority=4)
        assert taken["preempts"]
        event = socket.receive_json()
        assert event["type"] == "intent.preempted" and event["intent_id"] == mine["id"] and event["by"] == "routine"
        assert set(event) == {"type", "intent_id", "version", "at", "by", "conflicts"}
        current = second.get(f"/intents/{mine['id']}", headers=usaf.headers).json()
        assert current["version"] == event["version"] and current["state"] == "rejected"
