"""Splitting a byte stream into text lines, with a bound on line length so binary garbage cannot grow memory."""

from __future__ import annotations

from commonsky.surveillance.feeds.counters import FeedCounters
from commonsky.surveillance.feeds.modes import RawFrame

MAX_LINE_BYTES = 4096
HEARTBEAT_MSG = bytes(2)


class LineSplitter:
    """Stateful: `feed` bytes, get complete lines (decoded as latin-1, stripped). Not thread-safe.

    A run of more than `MAX_LINE_BYTES` without a newline is dropped and reported through `overflows`.
    """

    def __init__(self) -> None:
        self._pending = bytearray()
        self.overflows = 0

    def feed(self, data: bytes) -> list[str]:
        self._pending += data
        cut = self._pending.rfind(b"\n")
        if cut < 0:
            if len(self._pending) > MAX_LINE_BYTES:
                self._pending.clear()
                self.overflows += 1
            return []
        complete = bytes(self._pending[:cut])
        del self._pending[: cut + 1]
        return [line.strip() for line in complete.decode("latin-1").split("\n")]

    def flush(self) -> str:
        """The unterminated rest of the stream (may be empty); clears the buffer."""
        rest = bytes(self._pending).decode("latin-1").strip()
        self._pending.clear()
        return rest


class LineFramer:
    """Stateful line-based framing (AVR, hexcsv): `feed` chunks, get the frames of the complete lines.

    Subclasses give `parse_line`; a line it rejects counts as garbage unless `ignorable` says otherwise (e.g. a
    CSV header on the first line). Over-long lines count as garbage too. Not thread-safe.
    """

    def __init__(self, counters: FeedCounters | None = None) -> None:
        self.counters = counters if counters is not None else FeedCounters()
        self._lines = LineSplitter()
        self._lines_seen = 0  # non-empty lines handled so far

    def parse_line(self, line: str) -> RawFrame | None:
        raise NotImplementedError

    def ignorable(self, line: str) -> bool:
        """A rejected line that is not garbage; by default none is."""
        return False

    def feed(self, data: bytes) -> list[RawFrame]:
        """Append ``data`` and return the frames of every line it completes."""
        frames = self._parse(self._lines.feed(data))
        self.counters.garbage_lines += self._lines.overflows
        self._lines.overflows = 0
        return frames

    def flush(self) -> list[RawFrame]:
        """End of stream or lost connection: parse the unterminated last line (a cut line counts as garbage)."""
        return self._parse([self._lines.flush()])

    def _parse(self, lines: list[str]) -> list[RawFrame]:
        frames = []
        for line in lines:
            if not line:
                continue
            frame = self.parse_line(line)
            if frame is not None and frame.msg == HEARTBEAT_MSG and not frame.mlat_ticks:
                self.counters.heartbeats += 1  # dump1090/readsb raw-output keep-alive, *0000;
            elif frame is not None:
                frames.append(frame)
            elif not self.ignorable(line):
                self.counters.garbage_lines += 1
            self._lines_seen += 1
        self.counters.frames += len(frames)
        self.counters.mode_ac += sum(1 for frame in frames if frame.is_mode_ac)
        return frames
