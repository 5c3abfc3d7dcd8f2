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
"""

from __future__ import annotations

import math
import struct

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


class BeastFramer:
    """Stateful Beast stream decoder: `feed` chunks of any size, get the complete frames. Not thread-safe.

    Frames split across chunks are kept until complete. A frame cut short by an unescaped ``0x1a`` is garbage and
    parsing resumes at that byte, so one corrupted byte loses at most one frame.
    """

    def __init__(self, counters: FeedCounters | None = None) -> None:
        self.counters = counters if counters is not None else FeedCounters()
        self._buffer = bytearray()
        self.receiver_id: int | None = None
        self.position: tuple[float, float, float] | None = None  # lat_deg, lon_deg, alt_m of a Radarcape

    def feed(self, data: bytes) -> list[RawFrame]:
        """Append ``data`` and return every frame completed by it, in stream order."""
        self._buffer += data
        frames: list[RawFrame] = []
        mode_ac = 0
        buf = self._buffer
        pos = 0
        size = len(buf)
        while pos < size:
            start = buf.find(ESCAPE, pos)
            if start < 0:
                self.counters.garbage_bytes += size - pos
                pos = size
                break
            self.counters.garbage_bytes += start - pos
            pos = start
            if start + 1 >= size:
                break  # a lone 0x1a at the end: wait for the type byte
            kind = buf[start + 1]
            need = BODY_BYTES.get(kind)
            if need is None:
                self.counters.garbage_bytes += 1  # not a frame start (or a stray escaped byte): skip it
                pos = start + 1
                continue
            body: bytearray | None = buf[start + 2 : start + 2 + need]  # common case inline: whole, unescaped
            end = start + 2 + need
            if body is not None and (len(body) != need or ESCAPE in body):
                body, end = self._unescape(buf, start + 2, need)
            if body is None:
                if end < 0:
                    break  # incomplete: wait for more bytes
                self.counters.garbage_bytes += end - start  # cut short by a new frame start at `end`
                pos = end
                continue
            pos = end
            if kind in PAYLOAD_BYTES:
                if kind == 0x31:
                    if body == HEARTBEAT_BODY:
                        self.counters.heartbeats += 1
                        continue
                    mode_ac += 1
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
        del buf[:pos]
        if len(buf) > MAX_BUFFER_BYTES:  # cannot happen with well-formed frames; bounds memory on hostile input
            self.counters.garbage_bytes += len(buf)
            buf.clear()
        self.counters.frames += len(frames)
        self.counters.mode_ac += mode_ac
        return frames

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
        self._buffer.clear()
        return []

    @staticmethod
    def _unescape(buf: bytearray, begin: int, need: int) -> tuple[bytearray | None, int]:
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
