"""Notifications (`service.notify`): the hub delivers each party's events to that party's subscribers only, in
order, from any thread; a subscriber that falls behind is told to close (its queue emptied, ``None`` last); the
PostgreSQL relay carries events between two instances' hubs, an event too big for NOTIFY losing only its geometry."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from sqlalchemy import create_engine

from commonsky.service.notify import Hub, PgRelay


async def _drain(queue: asyncio.Queue[dict[str, Any] | None], count: int) -> list[dict[str, Any] | None]:
    return [await asyncio.wait_for(queue.get(), 20.0) for _ in range(count)]


def test_each_party_hears_its_own_events_in_order_from_any_thread() -> None:
    async def run() -> None:
        hub = Hub()
        hub.bind(asyncio.get_running_loop())
        a1, a2, b = hub.subscribe("a"), hub.subscribe("a"), hub.subscribe("b")

        def publish() -> None:
            for n in range(20):
                hub.publish("a" if n % 2 == 0 else "b", {"n": n})

        thread = threading.Thread(target=publish)
        thread.start()
        thread.join()
        evens = [{"n": n} for n in range(0, 20, 2)]
        assert await _drain(a1, 10) == evens and await _drain(a2, 10) == evens
        assert await _drain(b, 10) == [{"n": n} for n in range(1, 20, 2)]
        hub.unsubscribe("a", a1)
        hub.publish("a", {"n": 99})
        assert await _drain(a2, 1) == [{"n": 99}] and a1.empty()
        hub.publish("nobody", {"n": 0})  # no subscriber: nothing happens

    asyncio.run(run())


def test_a_subscriber_that_falls_behind_is_told_to_close() -> None:
    async def run() -> None:
        hub = Hub(queue_size=3)
        hub.bind(asyncio.get_running_loop())
        slow = hub.subscribe("a")
        for n in range(4):
            hub.publish("a", {"n": n})
        await asyncio.sleep(0)  # let the loop run the deliveries
        await asyncio.sleep(0)
        assert slow.qsize() == 1 and slow.get_nowait() is None

    asyncio.run(run())


@pytest.mark.postgres
def test_the_relay_carries_events_between_instances(pg_url: str) -> None:
    async def run() -> None:
        loop = asyncio.get_running_loop()
        hubs = [Hub(), Hub()]
        for hub in hubs:
            hub.bind(loop)
        engine = create_engine(pg_url)
        relays = [PgRelay(pg_url, engine, hub) for hub in hubs]
        for relay in relays:
            relay.start()
            assert relay.listening.is_set()
        try:
            here, there = hubs[0].subscribe("p"), hubs[1].subscribe("p")
            small = {"type": "zone.affects", "intent_id": "i1", "where": {"type": "Point", "coordinates": [45, 33]}}
            ring = [[45.0 + i * 1e-4, 33.0] for i in range(800)]
            big = {"type": "zone.affects", "intent_id": "i2", "where": {"type": "Polygon", "coordinates": [ring]}}
            await loop.run_in_executor(None, relays[0].publish, "p", small)
            await loop.run_in_executor(None, relays[0].publish, "p", big)
            slim = {k: v for k, v in big.items() if k != "where"} | {"where_omitted": True}
            assert await _drain(here, 2) == [small, slim]
            assert await _drain(there, 2) == [small, slim]
        finally:
            for relay in relays:
                relay.stop()
            engine.dispose()

    asyncio.run(run())
