"""For the service benchmarks: a ``commonsky serve`` process on a free local port, started and waited for, and an
open-loop sender that fires requests on a fixed schedule."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from commonsky.web.serving import serve_process


def serve(
    url: str, log: Path, env: dict[str, str], health_path: str, extra_args: list[str]
) -> tuple[str, subprocess.Popen[bytes]]:
    """The base URL and process of a server on database ``url`` (output appended to ``log``), once
    ``health_path`` answers 200 (`commonsky.web.serving.serve_process`, at most 30 s)."""
    args = ["--log-level", "warning", *extra_args]
    return serve_process(url, log, args=args, env=env, health_path=health_path)


async def paced(count: int, rate_per_s: float, one: Callable[[int, float], Coroutine[Any, Any, None]]) -> float:
    """Start ``one(i, due)`` for i in 0..count-1 at ``due`` = 0.2 s from now + i / ``rate_per_s`` (perf_counter
    seconds), whether or not earlier ones have answered (open loop: a slow server meets the same offered load);
    the seconds from the first due time until all have finished."""
    start = time.perf_counter() + 0.2
    tasks: list[asyncio.Task[None]] = []
    for i in range(count):  # bounded: exactly `count` requests
        due = start + i / rate_per_s
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, due)))
    await asyncio.gather(*tasks)
    return time.perf_counter() - start
