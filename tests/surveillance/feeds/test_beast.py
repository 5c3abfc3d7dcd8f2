"""What readsb and dump1090 send besides Mode S frames: heartbeats, receiver ids, status and position frames.

Interleaved with a real Beast capture, none of them changes the frames read from it, none counts as garbage."""

from __future__ import annotations

import math
import struct
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from commonsky.surveillance.feeds.avr import AvrFramer
from commonsky.surveillance.feeds.beast import BeastFramer, encode_beast
from commonsky.surveillance.feeds.counters import FeedCounters
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


class SequentialBeastFramer:
    """The oracle: `BeastFramer` as it was before it read clean stretches with arrays (one frame at a time), copied
    with its constants written out."""

    def __init__(self) -> None:
        self.counters = FeedCounters()
        self._buffer = bytearray()
        self.receiver_id: int | None = None
        self.position: tuple[float, float, float] | None = None

    def feed(self, data: bytes) -> list[RawFrame]:
        self._buffer += data
        frames: list[RawFrame] = []
        mode_ac = 0
        buf = self._buffer
        pos = 0
        size = len(buf)
        while pos < size:
            start = buf.find(0x1A, pos)
            if start < 0:
                self.counters.garbage_bytes += size - pos
                pos = size
                break
            self.counters.garbage_bytes += start - pos
            pos = start
            if start + 1 >= size:
                break
            kind = buf[start + 1]
            need = BODY_BYTES.get(kind)
            if need is None:
                self.counters.garbage_bytes += 1
                pos = start + 1
                continue
            body: bytearray | None = buf[start + 2 : start + 2 + need]
            end = start + 2 + need
            if body is not None and (len(body) != need or 0x1A in body):
                body, end = self._unescape(buf, start + 2, need)
            if body is None:
                if end < 0:
                    break
                self.counters.garbage_bytes += end - start
                pos = end
                continue
            pos = end
            if kind in (0x31, 0x32, 0x33):
                if kind == 0x31:
                    if body == bytes(9):
                        self.counters.heartbeats += 1
                        continue
                    mode_ac += 1
                frames.append(
                    RawFrame(
                        msg=bytes(body[7:]),
                        mlat_ticks=int.from_bytes(body[:6], "big"),
                        signal=body[6],
                        receiver_id=self.receiver_id,
                    )
                )
            else:
                self._special(kind, bytes(body))
        del buf[:pos]
        if len(buf) > 1 << 20:
            self.counters.garbage_bytes += len(buf)
            buf.clear()
        self.counters.frames += len(frames)
        self.counters.mode_ac += mode_ac
        return frames

    def _special(self, kind: int, body: bytes) -> None:
        self.counters.receiver_frames += 1
        if kind == 0xE3:
            self.receiver_id = int.from_bytes(body, "big")
        elif kind == 0x35:
            lat, lon, alt = struct.unpack("<fff", body[4:16])
            if all(map(math.isfinite, (lat, lon, alt))) and abs(lat) <= 90 and abs(lon) <= 180 and (lat, lon) != (0, 0):
                self.position = (lat, lon, alt)

    def flush(self) -> list[RawFrame]:
        self.counters.garbage_bytes += len(self._buffer)
        self._buffer.clear()
        return []

    @staticmethod
    def _unescape(buf: bytearray, begin: int, need: int) -> tuple[bytearray | None, int]:
        chunk = buf[begin : begin + need]
        if len(chunk) == need and 0x1A not in chunk:
            return chunk, begin + need
        out = bytearray()
        i = begin
        size = len(buf)
        while len(out) < need:
            if i >= size:
                return None, -1
            byte = buf[i]
            if byte == 0x1A:
                if i + 1 >= size:
                    return None, -1
                if buf[i + 1] != 0x1A:
                    return None, i
                i += 1
            out.append(byte)
            i += 1
        return out, i


BODY_BYTES = {0x31: 9, 0x32: 14, 0x33: 21, 0x34: 21, 0x35: 21, 0xE3: 8}  # unescaped bytes after the type byte
SPICY = st.one_of(st.sampled_from([0x1A, 0x00, 0x31, 0x33, 0x35, 0xE3]), st.integers(0, 255))  # escapes, often


@st.composite
def spicy_bytes(draw: st.DrawFn, size: int) -> bytes:
    """``size`` random bytes, a few of them 0x1a (often side by side, often the first or last ones)."""
    data = bytearray(draw(st.binary(min_size=size, max_size=size)))
    ends = st.sampled_from([0, 1, size - 2, size - 1])
    for i in draw(st.lists(st.one_of(ends, st.integers(0, size - 1)), max_size=4)):
        data[i] = 0x1A
    return bytes(data)


def framed(kind: int, body: bytes) -> bytes:
    return bytes([0x1A, kind]) + body.replace(b"\x1a", b"\x1a\x1a")


@st.composite
def beast_frame(draw: st.DrawFn) -> bytes:
    """A well-formed frame of any kind, its 0x1a bytes escaped."""
    kind = draw(st.sampled_from(sorted(BODY_BYTES)))
    body = draw(spicy_bytes(BODY_BYTES[kind]))
    if kind == 0x35 and draw(st.booleans()):  # a plausible receiver position
        lat, lon = draw(st.floats(-90, 90, width=32)), draw(st.floats(-180, 180, width=32))
        body = body[:4] + struct.pack("<fff", lat, lon, draw(st.floats(-500, 9000, width=32))) + body[16:]
    if kind == 0x31 and draw(st.booleans()):
        body = bytes(9)  # a heartbeat
    return framed(kind, body)


@st.composite
def beast_garbage(draw: st.DrawFn) -> bytes:
    """A frame cut short (or followed by its own bytes), an unknown type byte, or random bytes."""
    what = draw(st.integers(0, 2))
    if what == 0:
        frame = draw(beast_frame())
        return frame[: draw(st.integers(1, len(frame)))] + frame[: draw(st.integers(0, 3))]
    if what == 1:
        return bytes([0x1A, draw(SPICY)])
    return bytes(draw(st.lists(SPICY, min_size=1, max_size=12)))


@st.composite
def chunked_streams(draw: st.DrawFn) -> list[bytes]:
    """Stretches of well-formed frames (a few kB, as the framer reads them with arrays) with garbage between them,
    cut anywhere: also inside escapes and just after a lone 0x1a."""
    some = st.one_of(st.integers(1, 3), st.integers(0, 30)).flatmap(
        lambda n: st.lists(beast_frame(), min_size=n, max_size=n)
    )
    frames = st.tuples(some, st.integers(1, 40)).map(lambda drawn: b"".join(drawn[0]) * drawn[1])
    stretches = draw(st.lists(st.tuples(frames, beast_garbage()), max_size=5))
    stream = b"".join(frames + garbage for frames, garbage in stretches) + draw(frames)
    cuts = draw(st.lists(st.integers(0, len(stream)), max_size=6))
    escapes = [i + 1 for i, byte in enumerate(stream) if byte == 0x1A]
    if escapes:
        cuts += draw(st.lists(st.sampled_from(escapes), max_size=3))
    bounds = [0, *sorted(set(cuts)), len(stream)]
    return [stream[a:b] for a, b in pairwise(bounds)]


def _observed(framer: BeastFramer | SequentialBeastFramer) -> tuple[object, ...]:
    return (framer.counters.snapshot(), framer.receiver_id, repr(framer.position), bytes(framer._buffer))


@settings(max_examples=200, deadline=None)
@given(chunked_streams())
@example([framed(0x32, bytes(13) + b"\x1a") * 400 + framed(0xE3, b"\x1a" * 8) * 400])  # frames ending in escapes
def test_array_reader_reads_exactly_as_the_sequential_one(chunks: list[bytes]) -> None:
    framer, oracle = BeastFramer(), SequentialBeastFramer()
    for chunk in chunks:
        got, want = framer.feed(chunk), oracle.feed(chunk)
        assert [repr(f) for f in got] == [repr(f) for f in want]  # repr: also the types (int, not a numpy int)
        assert _observed(framer) == _observed(oracle)
    framer.flush()
    oracle.flush()
    assert _observed(framer) == _observed(oracle)
