"""What readsb and dump1090 send besides Mode S frames: heartbeats, receiver ids, status and position frames.

Interleaved with a real Beast capture, none of them changes the frames read from it, none counts as garbage."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

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
