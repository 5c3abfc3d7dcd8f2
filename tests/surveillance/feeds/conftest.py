"""The dump1090 Beast capture and its frame list, shared by the Beast and AVR framing tests; reading a recording
straight from its file, and a live feed until it has given enough, shared by the live, process and replay tests;
real and coded Mode S messages, shared by the field and column-wise decoding tests."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from commonsky.surveillance.feeds.beast import BeastFramer
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


def _crc24(data: bytes) -> int:
    """Mode S CRC, bit by bit (written here, not the product's table-driven one)."""
    crc = int.from_bytes(data, "big") << 24
    for bit in range(len(data) * 8 + 23, 23, -1):
        if crc >> bit & 1:
            crc ^= 0x1FFF409 << (bit - 24)
    return crc & 0xFFFFFF


def _df17(me: int, icao: int = 0x4840D6) -> bytes:
    head = bytes([0x8D]) + icao.to_bytes(3, "big") + me.to_bytes(7, "big")
    return head + _crc24(head).to_bytes(3, "big")


@pytest.fixture(scope="session")
def df17() -> Callable[..., bytes]:
    """An extended squitter (DF17) of a given 56-bit ME field and address, with its parity (`_crc24`)."""
    return _df17


@pytest.fixture(scope="session")
def real_messages(reference_dir: Path) -> list[bytes]:
    """The Mode S messages of pyModeS's samples and of a dump1090 capture (Mode A/C left out)."""
    msgs = []
    for name in ("pymodes_sample_data_adsb.csv", "pymodes_sample_data_commb_df20.csv"):
        for line in (reference_dir / "adsb" / name).read_text().splitlines():
            cells = [c.strip('"') for c in line.split(",")]
            msgs += [bytes.fromhex(c) for c in cells[1:] if len(c) in (14, 28)][:1]
    msgs += [f.msg for f in BeastFramer().feed((reference_dir / "adsb" / "sample_dump1090.bin").read_bytes())]
    return [m for m in msgs if len(m) != 2]


@pytest.fixture(scope="session")
def coded_messages() -> list[bytes]:
    """Every 13-bit altitude (DF4, DF20) and identity (DF5, DF21) code with flight status 0-3, and 200 random
    extended squitters of every type code. Replies carry no parity: decode them with trusted addresses."""
    rng = random.Random(12)
    msgs = []
    for code in range(8192):
        for df, size in ((4, 7), (5, 7), (20, 14), (21, 14)):
            head = bytes([df << 3 | rng.randrange(4), 0, code >> 8 & 0x1F, code & 0xFF])
            msgs.append(head + bytes([0x10] + [0] * (size - 5)))  # Comm-B register not 2,0
    for tc in range(1, 32):
        for _ in range(200):
            subtype = rng.choice([1, 3, 4]) if tc == 19 else rng.randrange(8)
            msgs.append(_df17(tc << 51 | subtype << 48 | rng.getrandbits(48)))
    return msgs
