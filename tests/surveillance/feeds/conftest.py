"""The dump1090 Beast capture and its frame list, shared by the Beast and AVR framing tests; reading a recording
straight from its file, and a live feed until it has given enough, shared by the live, process and replay tests."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from commonsky.surveillance.feeds.live import LiveFeed
from commonsky.surveillance.feeds.pipeline import FeedOptions, FeedPipeline, ingest
from commonsky.surveillance.feeds.process import ProcessFeed
from commonsky.surveillance.feeds.records import StateVector
from commonsky.surveillance.feeds.source import FileSource, ReconnectPolicy

QUICK = ReconnectPolicy(max_retries=None, initial_backoff_s=0.05, max_backoff_s=0.2, idle_timeout_s=5.0)
"""Reconnection fast enough for tests on loopback."""


def file_states(path: Path, fmt: str) -> list[StateVector]:
    """The states `commonsky ingest` makes of the recording at ``path``."""
    states: list[StateVector] = []
    ingest(FileSource(path), FeedPipeline(fmt, options=FeedOptions()), states.extend)
    return states


def read_until(feed: LiveFeed | ProcessFeed, count: int, timeout_s: float = 20.0) -> list[StateVector]:
    """Drain ``feed`` until it has given ``count`` states or ``timeout_s`` passed."""
    got: list[StateVector] = []
    end = time.monotonic() + timeout_s
    while len(got) < count and time.monotonic() < end:
        time.sleep(0.05)
        got += feed.drain().states
    return got


@pytest.fixture(scope="module")
def beast_bytes(reference_dir: Path) -> bytes:
    return (reference_dir / "adsb" / "sample_dump1090.bin").read_bytes()


@pytest.fixture(scope="module")
def expected(reference_dir: Path) -> list[tuple[int, str]]:
    lines = (reference_dir / "adsb" / "dump1090_beast_sample_hex.txt").read_text().split()
    return [(int(ticks), msg) for ticks, msg in (line.split(",") for line in lines)]
