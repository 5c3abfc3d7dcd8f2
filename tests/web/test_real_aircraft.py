"""The live map's API shows real aircraft as heard: ICAO address, callsign, squawk and the receiver that sees
them, from synthetic traffic served over loopback as a receiver would serve it; the sensors layer places the
receiver. Only 127.0.0.1 and free ports; every wait is bounded."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from commonsky.sim.live_feeds import feeds_pipeline, feeds_runner, feeds_scenario
from commonsky.surveillance.feeds.live import LiveFeed
from commonsky.surveillance.feeds.replay import ReplayServer
from commonsky.surveillance.feeds.source import ReconnectPolicy
from commonsky.surveillance.feeds.synthetic import synthetic_fleet, synthetic_recording
from commonsky.surveillance.feeds.url import parse_feed_url
from commonsky.web.app import create_live_app

pytestmark = pytest.mark.slow
CENTRE = (50.0, 8.0)
QUICK = ReconnectPolicy(max_retries=None, initial_backoff_s=0.1, max_backoff_s=0.5, idle_timeout_s=5.0)


@pytest.fixture
def client() -> Iterator[tuple[TestClient, dict[str, tuple[str, str]]]]:
    fleet = synthetic_fleet(8, CENTRE, radius_m=100_000.0, seed=5)
    expected = {f"{p.icao24:06x}": (p.callsign, p.squawk) for p in fleet}
    with ReplayServer(synthetic_recording(fleet, 60.0)) as server:
        url = parse_feed_url(f"beast://127.0.0.1:{server.port}?lat={CENTRE[0]}&lon={CENTRE[1]}&name=Mast%20A")
        feed = LiveFeed(url, QUICK, poll_s=0.05)
        feed.start()
        try:
            scenario = feeds_scenario(time.time())
            runner = feeds_runner(scenario, feeds_pipeline(scenario, [feed]))
            with TestClient(create_live_app(runner, name="receivers")) as c:
                yield c, expected
        finally:
            feed.stop()


def test_tracks_carry_icao_callsign_squawk_and_receiver(
    client: tuple[TestClient, dict[str, tuple[str, str]]],
) -> None:
    c, expected = client
    end, tracks = time.monotonic() + 30.0, []
    while time.monotonic() < end:
        tracks = c.get("/api/picture/tracks").json()["tracks"]
        if len(tracks) == len(expected) and all(t["squawk"] for t in tracks):
            break
        time.sleep(0.3)
    got = {t["icao24"]: (t["callsign"], t["squawk"]) for t in tracks}
    assert got == expected
    assert {t["sources"] for t in tracks} == {"Mast A"}
    sensors = c.get("/api/layers/sensors").json()["features"]
    assert [(f["properties"]["name"], f["geometry"]["coordinates"]) for f in sensors] == [("Mast A", [8.0, 50.0])]
    view = c.get("/api/status").json()["view"]  # the map opens on the receiver's reach (no scenario places it)
    assert (view["west"] + view["east"]) / 2 == pytest.approx(CENTRE[1]) and view["west"] < CENTRE[1] - 1.0
    assert (view["south"] + view["north"]) / 2 == pytest.approx(CENTRE[0]) and view["south"] < CENTRE[0] - 1.0
