"""Corruption injected into real streams of every format is counted and never crashes the pipeline."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonsky.surveillance.feeds.avr import format_avr_line
from commonsky.surveillance.feeds.beast import BeastFramer, encode_beast
from commonsky.surveillance.feeds.counters import FeedCounters
from commonsky.surveillance.feeds.decode import ModeSDecoder
from commonsky.surveillance.feeds.modes import RawFrame
from commonsky.surveillance.feeds.pipeline import FeedPipeline
from commonsky.surveillance.feeds.records import StateVector
from commonsky.surveillance.feeds.sbs import format_sbs
from commonsky.surveillance.feeds.source import Chunk


def _run(fmt: str, data: bytes, chunk: int = 4096) -> tuple[FeedCounters, list[StateVector]]:
    counters = FeedCounters()
    pipeline = FeedPipeline(fmt, counters)
    states: list[StateVector] = []
    for i in range(0, len(data), chunk):
        states += pipeline.feed(Chunk(data[i : i + chunk], 1.6e9))
    states += pipeline.finish(1.6e9)
    return counters, states


@pytest.fixture(scope="module")
def streams(reference_dir: Path) -> dict[str, bytes]:
    adsb = reference_dir / "adsb"
    beast = (adsb / "sample_dump1090.bin").read_bytes()
    frames = BeastFramer().feed(beast)
    hexcsv = b"\n".join((adsb / "pymodes_sample_data_adsb.csv").read_bytes().splitlines()[:400]) + b"\n"
    _, states = _run("hexcsv", hexcsv)
    return {
        "beast": beast,
        "avr": "".join(format_avr_line(f) for f in frames).encode(),
        "hexcsv": hexcsv,
        "sbs": "".join(format_sbs(s) for s in states).encode(),
    }


def test_every_bit_flip_in_a_message_is_rejected(
    streams: dict[str, bytes], verified_count: Callable[[list[bytes]], int]
) -> None:
    frames = BeastFramer().feed(streams["beast"])
    decoder = ModeSDecoder()
    accepted = sum(decoder.decode(f, 0.0) is not None for f in frames)  # knows the capture's aircraft now
    assert accepted == verified_count([f.msg for f in frames]) > 200
    crc, unverified = decoder.counters.crc_failures, decoder.counters.unverified
    flips = 0
    for i, frame in enumerate(frames):
        msg = bytearray(frame.msg)
        byte = 1 + i % (len(msg) - 1)  # a bit after the downlink-format byte ...
        if msg[0] >> 3 == 11 and byte == len(msg) - 1:
            byte -= 1  # ... but not in a DF11's last 7 bits, where parity carries the interrogator code
        msg[byte] ^= 1 << (i % 8)
        assert decoder.decode(RawFrame(bytes(msg), frame.mlat_ticks), 0.0) is None
        flips += 1
    assert decoder.counters.crc_failures - crc + decoder.counters.unverified - unverified == flips == 239
    assert decoder.counters.crc_failures - crc == sum(f.msg[0] >> 3 in (11, 17) for f in frames)
    # and through the whole pipeline, re-framed as Beast: fewer messages, nothing crashes
    counters, _ = _run(
        "beast",
        b"".join(encode_beast(RawFrame(f.msg[:1] + bytes([f.msg[1] ^ 1]) + f.msg[2:], f.mlat_ticks)) for f in frames),
    )
    assert counters.frames == 239 and counters.decoded == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fmt=st.sampled_from(["beast", "avr", "hexcsv", "sbs"]),
    edits=st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=20)), min_size=1, max_size=10),
    chunk=st.integers(1, 5000),
)
def test_random_garbage_never_crashes(
    streams: dict[str, bytes], fmt: str, edits: list[tuple[float, bytes]], chunk: int
) -> None:
    data = bytearray(streams[fmt])
    for where, junk in edits:
        pos = int(where * len(data))
        data[pos:pos] = junk
    counters, states = _run(fmt, bytes(data), chunk)
    snapshot = counters.snapshot()
    assert all(value >= 0 for value in snapshot.values())
    for state in states:
        assert math.isfinite(state.latitude_deg) and -90 <= state.latitude_deg <= 90
        assert math.isfinite(state.longitude_deg) and -180 <= state.longitude_deg <= 180
    clean, _ = _run(fmt, streams[fmt])
    assert counters.frames >= clean.frames - 3 * len(edits)  # each insertion spoils a bounded number of frames


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    junk=st.lists(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz!?#$% ", min_size=1, max_size=40).filter(lambda s: s.strip()),
        min_size=1,
        max_size=20,
    )
)
def test_junk_lines_are_counted_one_by_one(streams: dict[str, bytes], junk: list[str]) -> None:
    for fmt in ("avr", "hexcsv", "sbs"):
        lines = streams[fmt].decode().splitlines(keepends=True)
        step = max(1, len(lines) // len(junk))
        for k, text in enumerate(junk):
            lines.insert(1 + k * (step + 1), text + "\n")
        counters, _ = _run(fmt, "".join(lines).encode())
        clean, _ = _run(fmt, streams[fmt])
        assert counters.garbage_lines == len(junk)
        assert counters.frames == clean.frames
