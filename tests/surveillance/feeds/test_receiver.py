"""`ReceiverSource`: a real feed (a replay server on loopback) polled into plots; its memory of codes and flags."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from commonsky.geo.geodesy import LocalFrame
from commonsky.surveillance.feeds.live import LiveFeed
from commonsky.surveillance.feeds.receiver import ReceiverSettings, ReceiverSource
from commonsky.surveillance.feeds.replay import Recording, ReplayServer
from commonsky.surveillance.feeds.source import ReconnectPolicy
from commonsky.surveillance.feeds.synthetic import SyntheticAircraft, synthetic_recording
from commonsky.surveillance.feeds.url import parse_feed_url

QUICK = ReconnectPolicy(max_retries=None, initial_backoff_s=0.1, max_backoff_s=0.5, idle_timeout_s=5.0)
LAT, LON = 51.4, 7.0
FLEETS, PER_FLEET, FLEET_S = 3, 6, 2.0


def _fleet(k: int) -> list[SyntheticAircraft]:
    """Fleet ``k``: its own addresses and codes; its last aircraft on the ground."""
    return [
        SyntheticAircraft(
            0x400000 + 0x100 * k + j,
            f"CHN{k}{j:02d}",
            f"{k + 1}{j + 1}00",
            LAT + 0.05 * j,
            LON + 0.05 * k,
            0.0 if j == PER_FLEET - 1 else 30_000.0,
            300.0,
            90.0,
            on_ground=j == PER_FLEET - 1,
        )
        for j in range(PER_FLEET)
    ]


def _churn() -> Recording:
    """The fleets one after another, ``FLEET_S`` each: every address is heard for a while, then never again."""
    parts = [synthetic_recording(_fleet(k), FLEET_S) for k in range(FLEETS)]
    frames = tuple(f for part in parts for f in part.frames)
    offsets = np.concatenate([part.offsets_s + k * FLEET_S for k, part in enumerate(parts)])
    return replace(parts[0], frames=frames, offsets_s=offsets)


def test_codes_and_ground_flags_heard_and_forgotten_under_churn() -> None:
    """Per address, the code and air/ground flag match what the fleet sends; addresses no longer heard are
    forgotten, so what the receiver holds stays bounded (counted, not timed: the receiver's clock is the test's)."""
    fleets = [_fleet(k) for k in range(FLEETS)]
    expected = {f"{a.icao24:06x}": (a.squawk, a.on_ground) for fleet in fleets for a in fleet}
    now = [1.0e9]
    with ReplayServer(_churn(), speed=2.0) as server:
        feed = LiveFeed(parse_feed_url(f"beast://127.0.0.1:{server.port}?lat={LAT}&lon={LON}"), QUICK, poll_s=0.05)
        settings = ReceiverSettings(forget_after_s=3.0)
        source = ReceiverSource(feed, 0, LocalFrame(LAT, LON), settings, wall_clock=lambda: now[0])
        feed.start()
        try:
            heard: set[str] = set()
            coded: set[str] = set()
            held: list[int] = []
            total = len(server.recording.frames)
            end = time.monotonic() + 30.0
            while (server.frames_sent < total or len(held) < 5) and time.monotonic() < end:
                time.sleep(0.25)
                now[0] += 1.0  # one second of the receiver's clock per poll
                for plots in source.poll(now[0]):
                    icao = plots.icao24.tolist()
                    heard.update(icao)
                    codes = source.squawks(icao)  # "" until the aircraft's first identity reply
                    assert all(c in ("", expected[a][0]) for a, c in zip(icao, codes, strict=True))
                    coded.update(a for a, c in zip(icao, codes, strict=True) if c)
                    assert source.grounded(icao) == [expected[a][1] for a in icao]
                held.append(source.remembered())
            assert heard == set(expected)  # every fleet was heard (and plotted)
            assert len(coded) > len(expected) // 2  # and most codes were shown while their aircraft were
            assert max(held) < len(expected)  # never all at once: the early fleets were forgotten
            for _ in range(5):  # the feed is quiet now: after the forgetting delay nothing is left
                now[0] += 1.0
                source.poll(now[0])
            assert source.remembered() == 0
            assert source.squawks(sorted(expected)) == [""] * len(expected)
            assert source.grounded(sorted(expected)) == [False] * len(expected)
        finally:
            feed.stop()
