"""Beast binary framing (Mode-S Beast, dump1090/readsb port 30005): bytes in, `RawFrame` out.

A frame is ``0x1a``, a type byte (``'1'`` Mode A/C, ``'2'`` Mode S short, ``'3'`` Mode S long), a 6-byte big-endian
12 MHz MLAT counter, one signal byte and the 2, 7 or 14 message bytes. Inside a frame every ``0x1a`` data byte is
sent twice. Anything else is garbage: it is counted and skipped until the next frame start.

What readsb and dump1090 also send, handled as they send it:

- heartbeats: a ``'1'`` frame whose counter, signal and message are all zero (every 60 s on an idle link) --
  counted in ``heartbeats``, never a Mode A/C frame;
- ``'4'`` (Beast status) and ``'5'`` (Radarcape receiver position) frames: 21 bytes after the type, as dump1090
  frames them; a ``'5'`` frame's little-endian float32 latitude/longitude/altitude (offsets 4, 8, 12) set
  `BeastFramer.position` (the receiver's own position, for local CPR decoding);
- receiver-id prefixes (readsb ``--net-receiver-id``): ``0x1a 0xe3`` and 8 big-endian bytes naming the receiver of
  the frames that follow (`BeastFramer.receiver_id`, stamped on each frame).

Speed: long stretches of well-formed frames are found and read with a few array operations over the whole buffer
(`_CleanFrames` states the invariant that makes this exact); everything else is read one frame at a time. Both
give the same frames, counts and attributes (the tests compare them with the frame-by-frame reader on random
streams of frames, escapes and garbage cut anywhere).
"""

from __future__ import annotations

import functools
import math
import struct
from collections.abc import Iterable
from itertools import repeat

import numpy as np
from numpy.typing import NDArray

from commonsky.surveillance.feeds.counters import FeedCounters
from commonsky.surveillance.feeds.modes import RawFrame

ESCAPE = 0x1A
HEADER_BYTES = 7  # 6 timestamp + 1 signal
PAYLOAD_BYTES = {0x31: 2, 0x32: 7, 0x33: 14}
STATUS = 0x34  # '4': Beast status frame, skipped
POSITION = 0x35  # '5': Radarcape receiver position
EXTRA_BYTES = 21  # after the type byte of a '4' or '5' frame
RECEIVER_ID = 0xE3
RECEIVER_ID_BYTES = 8
BODY_BYTES = {
    **{kind: HEADER_BYTES + size for kind, size in PAYLOAD_BYTES.items()},
    STATUS: EXTRA_BYTES,
    POSITION: EXTRA_BYTES,
    RECEIVER_ID: RECEIVER_ID_BYTES,
}
HEARTBEAT_BODY = bytes(HEADER_BYTES + 2)
MAX_BUFFER_BYTES = 1 << 20
CLEAN_MIN_BYTES = 4096  # shorter buffers are read frame by frame: setting up the arrays would cost more
CLEAN_MIN_FRAMES = 16  # so are shorter stretches of clean frames


class BeastFramer:
    """Stateful Beast stream decoder: `feed` chunks of any size, get the complete frames. Not thread-safe.

    Frames split across chunks are kept until complete. A frame cut short by an unescaped ``0x1a`` is garbage and
    parsing resumes at that byte, so one corrupted byte loses at most one frame.

    Two readers give the same frames, counts and attributes: `_read_clean` takes long stretches of well-formed
    frames found by `_CleanFrames` in a few array operations, `_read_sequential` reads one frame at a time
    everywhere else (garbage, frames cut short, the incomplete frame at the end, short buffers).
    """

    def __init__(self, counters: FeedCounters | None = None) -> None:
        self.counters = counters if counters is not None else FeedCounters()
        self._buffer = b""
        self.receiver_id: int | None = None
        self.position: tuple[float, float, float] | None = None  # lat_deg, lon_deg, alt_m of a Radarcape

    def feed(self, data: bytes) -> list[RawFrame]:
        """Append ``data`` and return every frame completed by it, in stream order."""
        buf = self._buffer + data
        frames: list[RawFrame] = []
        clean = _CleanFrames(buf) if len(buf) >= CLEAN_MIN_BYTES else None
        pos = 0
        size = len(buf)
        while pos < size:
            entry = clean.next_entry(pos) if clean is not None else size
            if clean is not None and entry == pos:
                pos = self._read_clean(clean, pos, frames)
                continue
            pos, waiting = self._read_sequential(buf, pos, entry, frames)
            if waiting:
                break
        self._buffer = buf[pos:]
        if len(self._buffer) > MAX_BUFFER_BYTES:  # cannot happen with well-formed frames; bounds memory on bad input
            self.counters.garbage_bytes += len(self._buffer)
            self._buffer = b""
        self.counters.frames += len(frames)
        return frames

    def _read_clean(self, clean: _CleanFrames, pos: int, frames: list[RawFrame]) -> int:
        """Read the run of clean frames starting at ``pos`` (an entry of ``clean``); returns where it ends."""
        first, stop = clean.run_at(pos)
        kinds, bodies, data = clean.kinds[first:stop], clean.body_starts[first:stop], clean.unescaped
        out = kinds <= max(PAYLOAD_BYTES)  # Mode A/C and Mode S frames: the other types (4, 5, id) are higher
        mode_ac = kinds == 0x31
        if mode_ac.any():
            heartbeat = mode_ac.copy()
            heartbeat[mode_ac] = ~_rows(data, bodies[mode_ac], HEADER_BYTES + 2).any(axis=1)
            out &= ~heartbeat
            heartbeats = int(heartbeat.sum())
            self.counters.heartbeats += heartbeats
            self.counters.mode_ac += int(mode_ac.sum()) - heartbeats
        receivers: Iterable[int | None] = repeat(self.receiver_id)
        if not out.all():
            receivers = self._read_special_frames(data, kinds, bodies, out)
        kinds, bodies = kinds[out], bodies[out]
        msgs = np.empty(bodies.size, object)
        for kind, size in PAYLOAD_BYTES.items():
            these = kinds == kind
            msgs[these] = _rows(data, bodies[these] + HEADER_BYTES, size).view(f"V{size}").ravel()
        ticks = _rows(data, bodies - 2, 8).view(">u8").ravel() & 0xFFFFFFFFFFFF  # from the 0x1a and type byte: masked
        signals = data[bodies + HEADER_BYTES - 1]
        columns = zip(
            msgs.tolist(), ticks.tolist(), signals.tolist(), repeat(None), repeat(None), receivers, strict=False
        )
        frames.extend(map(tuple.__new__, repeat(RawFrame), columns))  # RawFrame._make without its per-row checks
        return int(clean.starts[stop])

    def _read_special_frames(
        self, data: NDArray[np.uint8], kinds: NDArray[np.uint8], bodies: NDArray[np.int64], out: NDArray[np.bool_]
    ) -> Iterable[int | None]:
        """The status, position and receiver-id frames among clean ones; returns the receiver of each ``out`` frame."""
        receivers: Iterable[int | None] = repeat(self.receiver_id)
        ids = kinds == RECEIVER_ID
        if ids.any():  # each frame is stamped with the last receiver id before it
            values = _rows(data, bodies[ids], RECEIVER_ID_BYTES).view(">u8").ravel().tolist()
            receivers = np.array([self.receiver_id, *values], object)[np.cumsum(ids)[out]].tolist()
            self.receiver_id = values[-1]
            self.counters.receiver_frames += len(values)
        for i in np.flatnonzero((kinds == STATUS) | (kinds == POSITION)).tolist():
            self._special(int(kinds[i]), data[bodies[i] : bodies[i] + EXTRA_BYTES].tobytes())
        return receivers

    def _read_sequential(self, buf: bytes, pos: int, stop: int, frames: list[RawFrame]) -> tuple[int, bool]:
        """Read frame by frame from ``pos`` until at or past ``stop``: (where it stopped, waiting for more bytes).

        The reference reading: `_read_clean` must give what this gives on the frames it takes."""
        size = len(buf)
        while pos < stop:
            start = buf.find(ESCAPE, pos)
            if start < 0:
                self.counters.garbage_bytes += size - pos
                return size, False
            self.counters.garbage_bytes += start - pos
            pos = start
            if start + 1 >= size:
                return pos, True  # a lone 0x1a at the end: wait for the type byte
            kind = buf[start + 1]
            need = BODY_BYTES.get(kind)
            if need is None:
                self.counters.garbage_bytes += 1  # not a frame start (or a stray escaped byte): skip it
                pos = start + 1
                continue
            body: bytes | bytearray | None = buf[start + 2 : start + 2 + need]  # common case inline: whole, unescaped
            end = start + 2 + need
            if body is not None and (len(body) != need or ESCAPE in body):
                body, end = self._unescape(buf, start + 2, need)
            if body is None:
                if end < 0:
                    return pos, True  # incomplete: wait for more bytes
                self.counters.garbage_bytes += end - start  # cut short by a new frame start at `end`
                pos = end
                continue
            pos = end
            if kind in PAYLOAD_BYTES:
                if kind == 0x31:
                    if body == HEARTBEAT_BODY:
                        self.counters.heartbeats += 1
                        continue
                    self.counters.mode_ac += 1
                frames.append(
                    RawFrame(
                        msg=bytes(body[HEADER_BYTES:]),
                        mlat_ticks=int.from_bytes(body[:6], "big"),
                        signal=body[6],
                        receiver_id=self.receiver_id,
                    )
                )
            else:
                self._special(kind, bytes(body))
        return pos, False

    def _special(self, kind: int, body: bytes) -> None:
        """A receiver-id prefix, a status or a position frame: nothing for the decoder, counted."""
        self.counters.receiver_frames += 1
        if kind == RECEIVER_ID:
            self.receiver_id = int.from_bytes(body, "big")
        elif kind == POSITION:
            lat, lon, alt = struct.unpack("<fff", body[4:16])
            if all(map(math.isfinite, (lat, lon, alt))) and abs(lat) <= 90 and abs(lon) <= 180 and (lat, lon) != (0, 0):
                self.position = (lat, lon, alt)

    def flush(self) -> list[RawFrame]:
        """End of stream or lost connection: a partial frame left in the buffer is counted as garbage."""
        self.counters.garbage_bytes += len(self._buffer)
        self._buffer = b""
        return []

    @staticmethod
    def _unescape(buf: bytes, begin: int, need: int) -> tuple[bytes | bytearray | None, int]:
        """Read ``need`` unescaped bytes from ``begin``.

        Returns (bytes, end) when complete, (None, -1) when the buffer ends first, (None, i) when an unescaped
        ``0x1a`` at ``i`` interrupts the frame.
        """
        chunk = buf[begin : begin + need]
        if len(chunk) == need and ESCAPE not in chunk:
            return chunk, begin + need  # the common case: nothing escaped
        out = bytearray()
        i = begin
        size = len(buf)
        while len(out) < need:
            if i >= size:
                return None, -1
            byte = buf[i]
            if byte == ESCAPE:
                if i + 1 >= size:
                    return None, -1
                if buf[i + 1] != ESCAPE:
                    return None, i
                i += 1
            out.append(byte)
            i += 1
        return out, i


class _CleanFrames:
    """The stretches of a buffer made of well-formed frames only, and the buffer with its escapes removed.

    The invariant: in a maximal run of ``0x1a`` bytes followed by another byte, a reader inside a frame takes the
    bytes in escape pairs from the run's first, so in a well-formed stream an even run is all escapes and an odd
    run is escapes followed by one frame start (the run's last byte, followed by the type byte). The frame that
    starts at the end of an odd run is *clean* when its type byte is known and the bytes up to the next odd run's
    end, unescaped, are exactly its body: then the sequential reader, standing at its start, reads exactly that
    frame and stops at the next start. A run reaching the end of the buffer is unfinished and starts nothing here;
    the last start's frame is never clean (its end is not known).
    """

    def __init__(self, buf: bytes) -> None:
        raw = np.frombuffer(buf, np.uint8)
        escapes = np.flatnonzero(raw == ESCAPE)
        run_first = np.flatnonzero(np.diff(escapes, prepend=-2) != 1)  # runs of 0x1a, as indices into `escapes`
        run_len = np.diff(run_first, append=escapes.size)
        run_pos = escapes[run_first]
        run_last = run_pos + run_len - 1
        pairs = run_len // 2
        pairs_through = np.cumsum(pairs)
        odd = (run_len % 2 == 1) & (run_last + 1 < raw.size)
        self.starts = run_last[odd]
        self.kinds = raw[self.starts + 1]
        self.body_starts = self.starts - pairs_through[odd] + 2  # in `unescaped`
        self.unescaped = raw
        if pairs.any():  # drop the second byte of each escape pair
            seconds = np.repeat(run_pos + 1 - 2 * (pairs_through - pairs), pairs) + 2 * np.arange(pairs_through[-1])
            keep = np.ones(raw.size, bool)
            keep[seconds] = False
            self.unescaped = raw[keep]
        need = _body_bytes_table()[self.kinds]
        clean = need > 0
        clean[:-1] &= np.diff(self.body_starts) - 2 == need[:-1]
        clean[-1:] = False
        unclean = np.flatnonzero(~clean)
        self.run_ends = unclean[np.searchsorted(unclean, np.arange(self.starts.size))]  # first unclean from each
        self.entries = self.starts[self.run_ends - np.arange(self.starts.size) >= CLEAN_MIN_FRAMES]
        self.size = raw.size

    def next_entry(self, pos: int) -> int:
        """The first start at or after ``pos`` followed by at least `CLEAN_MIN_FRAMES` clean frames (else the size)."""
        i = int(np.searchsorted(self.entries, pos))
        return int(self.entries[i]) if i < self.entries.size else self.size

    def run_at(self, pos: int) -> tuple[int, int]:
        """(first, stop): the clean frames from the entry ``pos`` are the starts ``first`` to ``stop - 1``."""
        first = int(np.searchsorted(self.starts, pos))
        return first, int(self.run_ends[first])


def _rows(data: NDArray[np.uint8], starts: NDArray[np.int64], size: int) -> NDArray[np.uint8]:
    """The ``size`` bytes from each of ``starts``, one row each: a copy, taken through a view of overlapping rows."""
    overlapping: NDArray[np.uint8] = np.ndarray((data.size - size + 1, size), np.uint8, data, 0, (1, 1))
    return overlapping[starts]


@functools.cache
def _body_bytes_table() -> NDArray[np.int64]:
    """`BODY_BYTES` as an array indexed by the type byte (0: not a frame type)."""
    table = np.zeros(256, np.int64)
    for kind, need in BODY_BYTES.items():
        table[kind] = need
    return table


def encode_beast(frame: RawFrame) -> bytes:
    """The Beast bytes of one frame (escaping included): the inverse of `BeastFramer`, for tests and replays."""
    kind = {2: 0x31, 7: 0x32, 14: 0x33}[len(frame.msg)]
    body = (frame.mlat_ticks or 0).to_bytes(6, "big") + bytes([frame.signal or 0]) + frame.msg
    return bytes([ESCAPE, kind]) + body.replace(b"\x1a", b"\x1a\x1a")


BEAST_HEARTBEAT = bytes([ESCAPE, 0x31]) + HEARTBEAT_BODY
"""What readsb and dump1090 send on an idle Beast link."""


def encode_receiver_id(receiver_id: int) -> bytes:
    """The readsb receiver-id prefix (``0x1a 0xe3`` + 8 bytes, escaped) naming the receiver of the next frames."""
    return bytes([ESCAPE, RECEIVER_ID]) + receiver_id.to_bytes(8, "big").replace(b"\x1a", b"\x1a\x1a")


def encode_position(lat_deg: float, lon_deg: float, alt_m: float) -> bytes:
    """A Radarcape ``'5'`` receiver-position frame (zero counter and padding around the three float32)."""
    body = bytes(4) + struct.pack("<fff", lat_deg, lon_deg, alt_m) + bytes(EXTRA_BYTES - 16)
    return bytes([ESCAPE, POSITION]) + body.replace(b"\x1a", b"\x1a\x1a")
