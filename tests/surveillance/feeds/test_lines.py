"""`LineSplitter`: the same lines whatever the chunking (compared with Python's own split of the whole stream),
and a run without a newline longer than the bound dropped and counted instead of growing memory."""

from __future__ import annotations

import numpy as np
import pytest

from commonsky.surveillance.feeds.lines import MAX_LINE_BYTES, LineSplitter


@pytest.mark.parametrize("seed", range(5))
def test_any_chunking_gives_the_lines_of_the_whole_stream(seed: int) -> None:
    rng = np.random.default_rng(seed)
    lines = [" *8D4840D6202CC371C32CE0576098; \r", "", "\t@0123ABCD;", "x" * 300, "\xe9t\xe9"]
    stream = "\n".join(lines[int(k)] for k in rng.integers(0, len(lines), 200)).encode("latin-1") + b"\nrest"
    cuts = np.sort(rng.choice(np.arange(1, len(stream)), size=60, replace=False))
    splitter = LineSplitter()
    got = []
    for chunk in np.split(np.frombuffer(stream, dtype=np.uint8), cuts):
        got += splitter.feed(chunk.tobytes())
    rest = splitter.flush()
    whole = stream.decode("latin-1").split("\n")
    assert got == [line.strip() for line in whole[:-1]]
    assert rest == "rest" and splitter.flush() == "" and splitter.overflows == 0


def test_a_line_beyond_the_bound_is_dropped_and_counted() -> None:
    splitter = LineSplitter()
    assert splitter.feed(b"a" * MAX_LINE_BYTES) == []
    assert splitter.overflows == 0  # at the bound: kept
    assert splitter.feed(b"b") == []
    assert splitter.overflows == 1  # beyond it: dropped
    assert splitter.feed(b"c\nnext\n") == ["c", "next"]  # the stream goes on from the next bytes
