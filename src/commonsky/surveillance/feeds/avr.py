"""AVR raw hex framing (dump1090 port 30002, ``--raw`` files): lines in, `RawFrame` out.

``*8D4840D6202CC371C32CE0576098;`` is one message; ``@`` + 12 hex digits of 12 MHz MLAT counter + message + ``;`` is
the timestamped variant. Mode A/C replies are 4 hex digits. Any other non-empty line is garbage and counted.
"""

from __future__ import annotations

import string

from commonsky.surveillance.feeds.counters import FeedCounters
from commonsky.surveillance.feeds.lines import LineSplitter
from commonsky.surveillance.feeds.modes import RawFrame

HEX_DIGITS = frozenset(string.hexdigits)
MESSAGE_HEX = (4, 14, 28)


def parse_avr_line(line: str) -> RawFrame | None:
    """One AVR line as a frame, or None when it is not a well-formed AVR message. Pure; never raises."""
    line = line.strip()
    if len(line) < 6 or line[-1] != ";" or line[0] not in "*@":
        return None
    body = line[1:-1]
    ticks: int | None = None
    if line[0] == "@":
        if len(body) < 12 + 4:
            return None
        stamp, body = body[:12], body[12:]
        if not HEX_DIGITS.issuperset(stamp):
            return None
        ticks = int(stamp, 16)
    if len(body) not in MESSAGE_HEX or not HEX_DIGITS.issuperset(body):
        return None
    return RawFrame(msg=bytes.fromhex(body), mlat_ticks=ticks)


def format_avr_line(frame: RawFrame) -> str:
    """The AVR line of a frame (``@`` variant when it has a timestamp), with a trailing newline."""
    if frame.mlat_ticks is None:
        return f"*{frame.hex};\n"
    return f"@{frame.mlat_ticks:012X}{frame.hex};\n"


class AvrFramer:
    """Stateful AVR stream decoder: `feed` chunks, get the frames of the complete lines. Not thread-safe."""

    def __init__(self, counters: FeedCounters | None = None) -> None:
        self.counters = counters if counters is not None else FeedCounters()
        self._lines = LineSplitter()

    def feed(self, data: bytes) -> list[RawFrame]:
        """Append ``data`` and return the frames of every line it completes."""
        frames = self._parse(self._lines.feed(data))
        self._count_overflows()
        return frames

    def flush(self) -> list[RawFrame]:
        """End of stream or lost connection: parse the unterminated last line (a cut line counts as garbage)."""
        return self._parse([self._lines.flush()])

    def _parse(self, lines: list[str]) -> list[RawFrame]:
        frames = []
        for line in lines:
            if not line:
                continue
            frame = parse_avr_line(line)
            if frame is None:
                self.counters.garbage_lines += 1
                continue
            frames.append(frame)
        self.counters.frames += len(frames)
        self.counters.mode_ac += sum(1 for frame in frames if frame.is_mode_ac)
        return frames

    def _count_overflows(self) -> None:
        self.counters.garbage_lines += self._lines.overflows
        self._lines.overflows = 0
