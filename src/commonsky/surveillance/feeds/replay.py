"""Serving a recording as a live feed: a TCP server that sends its frames at the recorded pace (or faster).

`load_recording` reads a Beast, AVR or hexcsv file into a `Recording`: frames with their times (from the Beast/AVR
12 MHz counter or the hexcsv epoch; AVR lines without a counter are spread at `UNTIMED_RATE_HZ`). `ReplayServer`
listens on a port and gives every client that connects the whole recording from its start, as Beast or AVR, at
``speed`` times the recorded pace, looping when asked. Each frame's counter is its recorded time (12 MHz ticks
from the recording's start, counting on across loops), so a reader times, pairs and checks the messages exactly as
it would reading the file, whatever the speed. Thread-safe: `start` runs the server in daemon threads, one per
client; `close` ends it.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from commonsky.errors import InputError
from commonsky.surveillance.feeds.avr import format_avr_line
from commonsky.surveillance.feeds.beast import encode_beast
from commonsky.surveillance.feeds.counters import FeedCounters
from commonsky.surveillance.feeds.modes import MLAT_HZ, RawFrame, mlat_ticks
from commonsky.surveillance.feeds.pipeline import make_framer
from commonsky.surveillance.feeds.source import FileSource
from commonsky.surveillance.feeds.tcp_server import FeedServer

UNTIMED_RATE_HZ = 100.0
"""Pace of AVR frames recorded without a counter (``*...;`` lines)."""
SEND_QUANTUM_S = 0.005
"""Frames due within this much of each other go out in one write."""


class ReplayFormat(StrEnum):
    """What a replay server sends."""

    BEAST = "beast"
    AVR = "avr"


@dataclass(frozen=True)
class Recording:
    """Mode S frames (no Mode A/C) and their times in seconds from the first one, ascending."""

    frames: tuple[RawFrame, ...]
    offsets_s: NDArray[np.float64]
    counters: FeedCounters

    @property
    def duration_s(self) -> float:
        return float(self.offsets_s[-1]) if len(self.offsets_s) else 0.0


def load_recording(path: Path, fmt: str) -> Recording:
    """The frames of a Beast, AVR or hexcsv recording; `InputError` when the file is unreadable or has none."""
    if fmt not in ("beast", "avr", "hexcsv"):
        raise InputError(f"--format {fmt!r}: a recording to replay is beast, avr or hexcsv")
    counters = FeedCounters()
    framer = make_framer(fmt, counters)
    frames: list[RawFrame] = []
    for chunk in FileSource(path, counters):
        frames += framer.feed(chunk.data)
    frames += framer.flush()
    frames = [f for f in frames if not f.is_mode_ac]
    if not frames:
        raise InputError(f"{path}: no Mode S frames in this {fmt} file")
    if all(f.timestamp_s is not None for f in frames):
        times = np.array([f.timestamp_s for f in frames], dtype=float)
    elif all(f.mlat_ticks is not None for f in frames):
        times = np.array([f.mlat_ticks for f in frames], dtype=float) / MLAT_HZ
    else:
        times = np.arange(len(frames), dtype=float) / UNTIMED_RATE_HZ
    # A counter that steps back (receiver restart) or an unsorted file: keep each frame no earlier than the last.
    times = np.maximum.accumulate(times)
    return Recording(tuple(frames), times - times[0], counters)


class ReplayServer(FeedServer):
    """Serves a `Recording` on ``host:port`` (port 0: any free port, see `port`). See the module docstring."""

    def __init__(
        self,
        recording: Recording,
        out: ReplayFormat = ReplayFormat.BEAST,
        host: str = "127.0.0.1",
        port: int = 0,
        speed: float = 1.0,
        loop: bool = False,
    ) -> None:
        if not speed > 0:
            raise InputError(f"--speed {speed:g}: must be positive")
        self.recording = recording
        self.format = out
        self.speed = speed
        self.loop = loop
        super().__init__("replay", host, port)
        self.clients = 0

    def _accepted(self, conn: socket.socket) -> None:
        with self._lock:
            self.clients += 1
        self._spawn(self._serve, f"replay client :{self.port}", conn)

    def _encode(self, frame: RawFrame, recorded_s: float) -> bytes:
        stamped = RawFrame(frame.msg, mlat_ticks=mlat_ticks(recorded_s), signal=frame.signal)
        return encode_beast(stamped) if self.format is ReplayFormat.BEAST else format_avr_line(stamped).encode()

    def _batches(self) -> Iterator[tuple[float, bytes, int]]:
        """(wall offset to send at, bytes, frames) from the connection's start, forever when looping."""
        recorded = self.recording.offsets_s
        offsets = recorded / self.speed
        gap_s = max(1.0, self.recording.duration_s * 0.01)  # recorded seconds between two loops
        base_s = 0.0
        while True:
            i, n = 0, len(offsets)
            while i < n:
                j = int(np.searchsorted(offsets, offsets[i] + SEND_QUANTUM_S, side="right"))
                data = b"".join(
                    self._encode(self.recording.frames[k], base_s + float(recorded[k])) for k in range(i, j)
                )
                yield base_s / self.speed + float(offsets[i]), data, j - i
                i = j
            if not self.loop:
                return
            base_s += float(recorded[-1]) + gap_s

    def _serve(self, conn: socket.socket) -> None:
        begun = time.monotonic()
        with conn:
            try:
                for at_s, data, count in self._batches():
                    wait = begun + at_s - time.monotonic()
                    if wait > 0 and self._stop.wait(wait):
                        return
                    if self._stop.is_set():
                        return
                    conn.sendall(data)
                    with self._lock:
                        self.frames_sent += count
            except OSError:
                return  # the client went away
