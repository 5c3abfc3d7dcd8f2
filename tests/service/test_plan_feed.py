"""The broker's plan as it changes (`PlanFeed`): filed, preempted, ended intents and created, changed, withdrawn
zones reach a feed of the same process through its commit hook, a feed of another instance through PostgreSQL's
notifications, and a feed of another process on the same SQLite file through its poll. Each feed below is set up
so that only the path under test can wake it (a poll of an hour otherwise)."""

from __future__ import annotations

import queue
from typing import Any

import pytest

from commonsky.service.app import create_app
from commonsky.service.examples import circle, zone_feature
from commonsky.service.plan_feed import BrokerPlan, PlanFeed

from .conftest import FileIntent, settings_for

HOUR_S = 3600.0
WAIT_S = 30.0  # a functional limit (the feed must wake at all), not a latency threshold


class Plans:
    """Plans handed over by a feed, in order."""

    def __init__(self) -> None:
        self.seen: queue.Queue[BrokerPlan] = queue.Queue()

    def until(self, what: str, test: Any) -> BrokerPlan:
        while True:
            try:
                plan = self.seen.get(timeout=WAIT_S)
            except queue.Empty:
                pytest.fail(f"the feed never brought {what}")
            if test(plan):
                return plan


def _feed(url: str, poll_s: float) -> tuple[PlanFeed, Plans]:
    services = create_app(settings_for(url)).state.services
    plans = Plans()
    return PlanFeed(services.db, services.broker, plans.seen.put, poll_s=poll_s), plans


def _lifecycle(client: Any, party: Any, file_intent: FileIntent, plans: Plans) -> None:
    icao, usaf, iqaf = party("icao", "authority"), party("usaf", "operator"), party("iqaf", "operator")
    low = file_intent(client, usaf, [circle(33.75, 45.0)], priority=1)["intent"]
    plans.until("the filed intent", lambda p: [(i.id, i.party) for i in p.intents] == [(low["id"], "usaf")])
    high = file_intent(client, iqaf, [circle(33.76, 45.01)], priority=5)
    assert high["preempts"] is True
    plans.until("the preemption", lambda p: [i.id for i in p.intents] == [high["intent"]["id"]])
    zone = client.post("/zones", json={"feature": zone_feature("Closed", 44.8, 33.6, 45.3, 34.0)}, headers=icao.headers)
    plan = plans.until("the new zone", lambda p: [z.name for z in p.zones] == ["Closed"])
    assert plan.party_ids["icao"] and plan.party_ids["usaf"] != plan.party_ids["iqaf"]
    body = {
        "feature": zone_feature("Closed", 44.8, 33.6, 45.3, 34.0, ceiling="FL400"),
        "version": zone.json()["version"],
    }
    changed = client.put(f"/zones/{zone.json()['id']}", json=body, headers=icao.headers)
    assert changed.status_code == 200, changed.text
    plans.until("the changed zone", lambda p: [z.ceiling.label() for z in p.zones] == ["FL400"])
    client.delete(f"/zones/{zone.json()['id']}", params={"version": changed.json()["version"]}, headers=icao.headers)
    plans.until("the withdrawn zone", lambda p: p.zones == ())
    mine = high["intent"]
    ended = client.put(
        f"/intents/{mine['id']}/state",
        json={"state": "ended", "version": mine["version"], "key": []},
        headers=iqaf.headers,
    )
    assert ended.status_code == 200, ended.text
    plans.until("the ended intent", lambda p: p.intents == ())


def test_a_feed_follows_its_own_process_by_its_commit_hook(
    make_client: Any, sqlite_url: str, file_intent: FileIntent
) -> None:
    client, party = make_client(sqlite_url)
    plans = Plans()
    feed = PlanFeed(client.app.state.services.db, client.app.state.services.broker, plans.seen.put, poll_s=HOUR_S)
    feed.start()
    try:
        plans.until("the first plan", lambda p: p.intents == () and p.zones == ())
        _lifecycle(client, party, file_intent, plans)
    finally:
        feed.stop()


def test_a_feed_follows_another_process_on_the_same_sqlite_file_by_polling(
    make_client: Any, sqlite_url: str, file_intent: FileIntent
) -> None:
    client, party = make_client(sqlite_url)
    feed, plans = _feed(sqlite_url, poll_s=0.2)  # its own engine: nothing written through it
    feed.start()
    try:
        _lifecycle(client, party, file_intent, plans)
    finally:
        feed.stop()


@pytest.mark.postgres
def test_a_feed_follows_another_instance_by_postgres_notifications(
    make_client: Any, pg_url: str, file_intent: FileIntent
) -> None:
    client, party = make_client(pg_url)
    writer = PlanFeed(client.app.state.services.db, client.app.state.services.broker, lambda _: None, poll_s=HOUR_S)
    feed, plans = _feed(pg_url, poll_s=HOUR_S)  # another instance: only a notification can wake it
    writer.start()
    feed.start()
    try:
        _lifecycle(client, party, file_intent, plans)
    finally:
        feed.stop()
        writer.stop()
