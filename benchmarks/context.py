"""What every benchmark receives from the runner, and small timing helpers shared by them."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BenchContext:
    peer_python: str  # interpreter of the peers' venv (.venv-bench): BlueSky lives there
    root: Path  # project root


def best_and_median(fn: Callable[[], object], repeat: int = 5) -> tuple[float, float]:
    """Run ``fn`` ``repeat`` times; return (best, median) wall time in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def table(header: list[str], rows: list[list[str]]) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
