"""What readsb and dump1090 send besides Mode S frames: heartbeats, receiver ids, status and position frames.

Interleaved with a real Beast capture, none of them changes the frames read from it, none counts as garbage."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonsky.surveillance.feeds.avr import AvrFramer
from commonsky.surveillance.feeds.beast import BeastFramer, encode_beast
from commonsky.surveillance.feeds.modes import RawFrame


@pytest.fixture(scope="module")
def capture(reference_dir: Path) -> list[RawFrame]:
    return BeastFramer().feed((reference_dir / "adsb" / "sample_dump1090.bin").read_bytes())


# Written out byte by byte from readsb's net_io.c and dump1090's framing, not from the framer's own constants.
HEARTBEAT = b"\x1a\x31" + b"\x00" * 9
STATUS = b"\x1a\x34" + bytes(range(1, 22))  # 21 bytes after the type, as dump1090 frames a '4'


def receiver_id(value: int) -> bytes:
    raw = value.to_bytes(8, "big")
    return b"\x1a\xe3" + raw.replace(b"\x1a", b"\x1a\x1a")


def position(lat: float, lon: float, alt: float) -> bytes:
    body = b"\x00" * 4 + struct.pack("<f", lat) + struct.pack("<f", lon) + struct.pack("<f", alt) + b"\x00" * 5
    return b"\x1a\x35" + body.replace(b"\x1a", b"\x1a\x1a")


def test_heartbeats_status_and_ids_between_real_frames(capture: list[RawFrame]) -> None:
    first, second = 0x1A2B3C4D5E6F7A1A, 0x0102030405060708
    stream = bytearray(HEARTBEAT + position(43.6, 1.37, 150.0) + receiver_id(first))
    for k, frame in enumerate(capture):
        if k == 100:
            stream += HEARTBEAT + STATUS + receiver_id(second)
        stream += encode_beast(frame)
    framer = BeastFramer()
    frames = [f for i in range(0, len(stream), 7) for f in framer.feed(bytes(stream[i : i + 7]))]
    assert [(f.mlat_ticks, f.msg) for f in frames] == [(f.mlat_ticks, f.msg) for f in capture]
    assert [f.receiver_id for f in frames] == [first] * 100 + [second] * (len(capture) - 100)
    c = framer.counters
    assert (c.heartbeats, c.receiver_frames, c.garbage_bytes, c.mode_ac) == (2, 4, 0, 0)
    assert framer.position == pytest.approx((43.6, 1.37, 150.0), abs=1e-5)


def test_unknown_type_after_escape_is_garbage_and_reading_goes_on(capture: list[RawFrame]) -> None:
    stream = b"\x1a\x39junk" + b"".join(encode_beast(f) for f in capture[:10])
    framer = BeastFramer()
    assert len(framer.feed(stream)) == 10
    assert framer.counters.garbage_bytes == 6


def test_avr_heartbeat_is_not_a_mode_ac_reply() -> None:
    framer = AvrFramer()
    frames = framer.feed(b"*0000;\n*8D4840D6202CC371C32CE0576098;\n*7700;\n")
    assert [f.hex for f in frames] == ["8D4840D6202CC371C32CE0576098", "7700"]
    assert (framer.counters.heartbeats, framer.counters.mode_ac, framer.counters.garbage_lines) == (1, 1, 0)


def _pairs(frames: list[RawFrame]) -> list[tuple[int | None, str]]:
    return [(f.mlat_ticks, f.hex) for f in frames]


def test_beast_capture_yields_exactly_the_listed_frames(beast_bytes: bytes, expected: list[tuple[int, str]]) -> None:
    framer = BeastFramer()
    frames = framer.feed(beast_bytes) + framer.flush()
    assert len(expected) == 239
    assert _pairs(frames) == expected
    assert framer.counters.frames == 239
    assert framer.counters.garbage_bytes == 0
    assert all(f.signal is not None and 0 <= f.signal <= 255 for f in frames)
    assert b"\x1a\x1a" in beast_bytes  # the capture exercises escaped 0x1a bytes


def test_beast_one_byte_at_a_time(beast_bytes: bytes, expected: list[tuple[int, str]]) -> None:
    framer = BeastFramer()
    frames = [frame for i in range(len(beast_bytes)) for frame in framer.feed(beast_bytes[i : i + 1])]
    assert _pairs(frames) == expected
    assert framer.counters.garbage_bytes == 0


def test_beast_encoder_inverts_the_framer(beast_bytes: bytes) -> None:
    frames = BeastFramer().feed(beast_bytes)
    assert b"".join(encode_beast(f) for f in frames) == beast_bytes


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.binary(min_size=1, max_size=30).filter(lambda b: 0x1A not in b), min_size=1, max_size=8),
    st.randoms(use_true_random=False),
)
def test_beast_resyncs_after_garbage_between_frames(
    beast_bytes: bytes, expected: list[tuple[int, str]], junk: list[bytes], rnd: object
) -> None:
    frames = BeastFramer().feed(beast_bytes)
    stream = [encode_beast(f) for f in frames]
    positions = sorted(rnd.sample(range(len(stream) + 1), len(junk)))  # type: ignore[attr-defined]
    for offset, (pos, chunk) in enumerate(zip(positions, junk, strict=True)):
        stream.insert(pos + offset, chunk)
    framer = BeastFramer()
    got = framer.feed(b"".join(stream)) + framer.flush()
    assert _pairs(got) == expected
    assert framer.counters.garbage_bytes == sum(len(j) for j in junk)


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 4217), st.binary(max_size=12)), max_size=12), st.integers(1, 600))
def test_beast_corrupted_stream_never_crashes_and_loses_little(
    beast_bytes: bytes, edits: list[tuple[int, bytes]], chunk: int
) -> None:
    data = bytearray(beast_bytes)
    for pos, junk in sorted(edits, reverse=True):
        data[pos : pos + len(junk)] = junk  # overwrite real bytes with arbitrary ones, 0x1a included
    framer = BeastFramer()
    frames = [f for i in range(0, len(data), chunk) for f in framer.feed(bytes(data[i : i + chunk]))]
    frames += framer.flush()
    assert all(len(f.msg) in (2, 7, 14) for f in frames)
    # each edit spoils a bounded number of frames (the frame it hits and the one a fake start may swallow)
    assert len(frames) >= 239 - 3 * len(edits)
    if not edits:
        assert len(frames) == 239
