"""AVR raw hex framing (dump1090 port 30002, ``--raw`` files): lines in, `RawFrame` out.

``*8D4840D6202CC371C32CE0576098;`` is one message; ``@`` + 12 hex digits of 12 MHz MLAT counter + message + ``;`` is
the timestamped variant. Mode A/C replies are 4 hex digits. Any other non-empty line is garbage and counted.
"""

from __future__ import annotations

import string

from commonsky.surveillance.feeds.lines import LineFramer
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


class AvrFramer(LineFramer):
    """Stateful AVR stream decoder: `feed` chunks, get the frames of the complete lines. Not thread-safe."""

    def parse_line(self, line: str) -> RawFrame | None:
        return parse_avr_line(line)
