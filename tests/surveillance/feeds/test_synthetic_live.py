"""Synthetic aircraft served live (`SyntheticFeedServer`): each second holds exactly its frames, they verify, and
decoded they place each aircraft where it flies at the time its frame was due; a reader over TCP hears them all."""

from __future__ import annotations

import dataclasses
import math
import time

import pytest

from commonsky.errors import InputError
from commonsky.surveillance.feeds.beast import BeastFramer
from commonsky.surveillance.feeds.counters import FeedCounters
from commonsky.surveillance.feeds.live import LiveFeed
from commonsky.surveillance.feeds.modes import MLAT_HZ
from commonsky.surveillance.feeds.pipeline import FeedOptions, FeedPipeline
from commonsky.surveillance.feeds.source import Chunk, ReconnectPolicy
from commonsky.surveillance.feeds.synthetic import messages, synthetic_fleet
from commonsky.surveillance.feeds.synthetic_live import SyntheticFeedServer, SyntheticSky
from commonsky.surveillance.feeds.url import parse_feed_url

T0 = 1.0e9
QUICK = ReconnectPolicy(max_retries=None, initial_backoff_s=0.05, max_backoff_s=0.2, idle_timeout_s=5.0)


def test_each_second_holds_its_frames_in_time_order() -> None:
    fleet = synthetic_fleet(25, (50.0, 8.0), seed=2)
    sky = SyntheticSky(fleet, lap_s=1800)
    for second in range(5):
        traffic = sky.next_second()
        framer = BeastFramer(FeedCounters())
        frames = framer.feed(b"".join(data for _, data, _ in traffic.slices))
        assert sum(count for _, _, count in traffic.slices) == len(frames)
        due = [((f.mlat_ticks or 0) - 1) / MLAT_HZ for f in frames]
        assert all(second <= t < second + 1 for t in due) and due == sorted(due)
        assert [at for at, _, _ in traffic.slices] == sorted(at for at, _, _ in traffic.slices)
        if second:  # the first second lacks the spill of a second before it
            assert len(frames) == 10 * len(fleet)


def test_decoded_positions_are_where_the_aircraft_fly() -> None:
    fleet = synthetic_fleet(20, (50.0, 8.0), seed=4)
    sky = SyntheticSky(fleet, lap_s=1800)
    data = b"".join(d for _ in range(6) for _, d, _ in sky.next_second().slices)
    pipeline = FeedPipeline("beast", options=FeedOptions(start_s=T0))
    states = pipeline.feed(Chunk(data, T0)) + pipeline.finish(T0)
    assert pipeline.counters.crc_failures == 0 and pipeline.counters.unverified == 0
    by_icao = {f"{p.icao24:06x}": p for p in fleet}
    assert {s.icao24 for s in states} == set(by_icao)
    for state in states:
        lat, lon, _ = by_icao[state.icao24].position(state.timestamp_s - T0)
        north = math.radians(state.latitude_deg - lat) * 6_371_000.0
        east = math.radians(state.longitude_deg - lon) * 6_371_000.0 * math.cos(math.radians(lat))
        assert math.hypot(north, east) < 20.0


def test_a_reader_hears_every_aircraft_over_tcp() -> None:
    fleet = synthetic_fleet(30, (50.0, 8.0), seed=5)
    with SyntheticFeedServer(fleet, lap_s=600) as server:
        feed = LiveFeed(parse_feed_url(f"beast://127.0.0.1:{server.port}?lat=50&lon=8"), QUICK, poll_s=0.05)
        feed.start()
        heard: set[str] = set()
        try:
            end = time.monotonic() + 20.0
            while len(heard) < len(fleet) and time.monotonic() < end:
                time.sleep(0.2)
                heard |= {s.icao24 for s in feed.drain().states}
        finally:
            feed.stop()
        assert heard == {f"{p.icao24:06x}" for p in fleet}
        assert feed.counters.crc_failures == 0 and server.frames_sent > 0


@pytest.mark.parametrize(("fleet_size", "lap_s", "message"), [(0, 60, "at least one aircraft"), (3, 1, "lap of 1 s")])
def test_bad_settings_are_one_line_errors(fleet_size: int, lap_s: int, message: str) -> None:
    with pytest.raises(InputError, match=message):
        SyntheticFeedServer(synthetic_fleet(fleet_size, (50.0, 8.0)), lap_s=lap_s)


def test_a_second_holds_what_each_aircraft_sends_then() -> None:
    """Level aircraft's messages are made once but for their positions: the same frames as `messages` makes
    afresh (a climbing aircraft's are made afresh)."""
    fleet = synthetic_fleet(12, (50.0, 8.0), seed=6)
    fleet[3] = dataclasses.replace(fleet[3], vs_fpm=1500.0)
    sky = SyntheticSky(fleet, lap_s=1800)
    sky.next_second()
    traffic = sky.next_second()  # second 1: the spill of second 0, then second 1's own frames
    expected = sorted(
        (round(t, 6), msg)
        for k, plane in enumerate(fleet)
        for second in (0, 1)
        for t, msg in messages(plane, second + k / len(fleet))
        if 1.0 <= t < 2.0
    )
    frames = BeastFramer(FeedCounters()).feed(b"".join(data for _, data, _ in traffic.slices))
    got = sorted((round(((f.mlat_ticks or 0) - 1) / MLAT_HZ, 6), f.msg) for f in frames)
    assert [m for _, m in got] == [m for _, m in expected]
    assert all(abs(a - b) < 1e-6 for (a, _), (b, _) in zip(got, expected, strict=True))
