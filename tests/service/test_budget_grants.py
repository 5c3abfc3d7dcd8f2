"""Probe budget, size limits and granted priorities, through the HTTP API. Costs are recomputed here from the
bodies (per grid cell, 5-minute steps x 1,000 ft bands, at least 100 units), independently of the broker."""

from __future__ import annotations

import time
from typing import Any

import pytest

from commonsky.service.examples import box

DAY_S = 86_400.0


@pytest.fixture
def world(make_client: Any, database_url: str) -> Any:
    client, party = make_client(database_url, probe_budget_units=10_000.0)
    return client, party("icao", "authority"), party("usaf", "operator"), party("iqaf", "operator")


def _check(client: Any, who: Any, volume: dict[str, Any], priority: int = 0) -> Any:
    body = {"volumes": [volume], "priority": priority}
    return client.post("/intents/check", json=body, headers=who.headers, params={"resolve": "false"})


def _left(client: Any, who: Any) -> float:
    return float(client.get("/grants/me", headers=who.headers).json()["budget_left"])


def test_requests_are_charged_by_size_and_refused_with_a_true_retry_after(world: Any) -> None:
    client, _, usaf, _ = world
    # 25 cells x 24 steps x 10 bands = 6,000 units
    wide = box(45.0, 33.5, 45.5, 34.0, floor="FL100", ceiling="FL200")
    assert _check(client, usaf, wide).status_code == 200
    assert _left(client, usaf) == pytest.approx(4_000.0, abs=5.0)
    # one cell, one step, one band: charged the 100 unit floor of a cell
    small = box(45.01, 33.51, 45.09, 33.59, floor="FL100", ceiling="FL110", end="2014-12-01T06:05:00Z")
    assert _check(client, usaf, small).status_code == 200
    assert _left(client, usaf) == pytest.approx(3_900.0, abs=5.0)
    began = time.monotonic()
    refused = _check(client, usaf, wide)
    assert refused.status_code == 429 and "\n" not in refused.json()["detail"]
    left = 3_900.0 + (time.monotonic() - began + 1.0) * 10_000.0 / DAY_S
    wait_s = int(refused.headers["Retry-After"])
    assert wait_s >= 1 and abs(wait_s - (6_000.0 - left) / (10_000.0 / DAY_S)) < 10.0
    # a filing is charged too; the other party's budget is its own
    filed = client.post("/intents", json={"volumes": [wide], "key": []}, headers=usaf.headers)
    assert filed.status_code == 429
    _, _, _, iqaf = world
    assert _check(client, iqaf, wide).status_code == 200


def test_size_limits_are_refused_before_judging(world: Any) -> None:
    client, _, usaf, _ = world
    over_a_day = box(44.0, 33.0, 46.0, 35.0, floor="SFC", ceiling="UNL")  # 400 cells x 24 steps x 60 bands
    refused = _check(client, usaf, over_a_day)
    assert refused.status_code == 413 and "daily budget" in refused.json()["detail"]
    soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 40 * DAY_S))
    later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 40 * DAY_S + 600))
    ahead = _check(client, usaf, box(45.0, 33.5, 45.1, 33.6, start=soon, end=later))
    assert ahead.status_code == 413 and "30 days ahead" in ahead.json()["detail"]
    huge = _check(client, usaf, box(40.0, 30.0, 45.0, 35.0, floor="FL100", ceiling="FL101"))
    assert huge.status_code == 413 and "km²" in huge.json()["detail"]
    assert _left(client, usaf) == pytest.approx(10_000.0, abs=5.0)  # refused before anything was charged


def test_priority_above_the_grant_is_403_and_the_authority_grants_more(world: Any) -> None:
    client, icao, usaf, iqaf = world
    volume = box(45.0, 33.5, 45.1, 33.6)
    assert _check(client, usaf, volume, priority=50).status_code == 200
    for priority in (51, 100):
        refused = client.post("/intents", json={"volumes": [volume], "priority": priority}, headers=usaf.headers)
        assert refused.status_code == 403
        assert refused.json() == {"detail": f"priority {priority} is above this party's grant (50)"}
    assert client.get("/intents", headers=usaf.headers).json() == []
    grant = {"max_priority": 100, "budget_units": 20_000.0}
    assert client.put("/parties/usaf/grant", json=grant, headers=iqaf.headers).status_code == 403
    assert client.put("/parties/nobody/grant", json=grant, headers=icao.headers).status_code == 404
    assert client.put("/parties/usaf/grant", json=grant, headers=icao.headers).status_code == 200
    mine = client.get("/grants/me", headers=usaf.headers).json()
    assert mine["max_priority"] == 100 and mine["budget_units"] == 20_000.0
    emergency = client.post("/intents", json={"volumes": [volume], "priority": 100}, headers=usaf.headers)
    assert emergency.status_code == 201 and emergency.json()["accepted"]
    # iqaf, routine, is refused by the emergency intent and learns nothing of its class, priority or owner
    seen = _check(client, iqaf, volume, priority=50).json()
    assert not seen["accepted"] and "emergency" not in str(seen) and "usaf" not in str(seen)
    assert {c["reason"] for c in seen["conflicts"]} == {"another party's intent"}
