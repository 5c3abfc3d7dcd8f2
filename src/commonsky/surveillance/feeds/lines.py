"""Splitting a byte stream into text lines, with a bound on line length so binary garbage cannot grow memory."""

from __future__ import annotations

MAX_LINE_BYTES = 4096


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
