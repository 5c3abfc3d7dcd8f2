"""A live feed at a given rate, read by `commonsky run`'s loop: report-to-picture latency and memory over time.

Shared by `bench_feeds` (short runs at several rates) and `bench_feed_soak` (one long run). The feed is made while
it plays: `benchmarks.feed_generator` serves synthetic aircraft (ten messages each a second) as Beast from its own
process (`SyntheticFeedServer`), generated one second ahead and stamped with the time each frame is due on the
socket. The consumer is `commonsky run`'s feeds-only loop in this process: `ProcessFeed` (framing and decoding in a
child process), `LiveRunner` stepping the `LivePipeline` at ``tick_s``.

Latency of a report: from the time its bytes were due on the socket (its 12 MHz counter; the reader anchors the
counter on the first frame's arrival, so a generator or reader falling behind shows as latency) to the time the
snapshot of the tick that fused it was published (measured: the wall time when `LivePipeline.step` returned, just
before the runner publishes it). Counted in 1 ms bins per minute (constant memory). Memory: resident set size of
this process (the picture) and of the feed's reader process, every 5 s.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.procstat import cpu_s, rss_mb

CENTRE = (50.0, 8.0)
AGE_BINS_MS = 20_000
"""Latency bins (1 ms); a report older than 20 s counts in the last bin."""
SAMPLE_S = 5.0


def percentile_s(hist: np.ndarray, q: float) -> float:
    """The ``q``-th percentile (0..100) of ages counted in 1 ms bins, in seconds (upper edge of its bin)."""
    cumulative = np.cumsum(hist)
    if not len(cumulative) or not cumulative[-1]:
        return float("nan")
    return float(np.searchsorted(cumulative, q / 100.0 * cumulative[-1]) + 1) / 1e3


@dataclass
class LiveResult:
    """What one run measured (after ``warmup_s``): per-minute latency histograms, RSS samples, counts."""

    offered: int
    seconds: float
    warmup_s: float
    tick_s: float
    decoded_per_s: float = 0.0
    tracks: int = 0
    works_ms: list[float] = field(default_factory=list)
    minutes: np.ndarray = field(default_factory=lambda: np.zeros((0, AGE_BINS_MS), dtype=np.int64))
    rss: list[tuple[float, float, float]] = field(default_factory=list)  # (s after warm-up, picture MB, reader MB)
    load: list[float] = field(default_factory=list)
    generator_late_s: float = 0.0
    anchor_offset_s: float = float("nan")  # the reader's clock against the generator's (added to the latencies)
    cpu: dict[str, float] = field(default_factory=dict)  # cores used on average: picture, reader, generator

    @property
    def hist(self) -> np.ndarray:
        return self.minutes.sum(axis=0)

    def p(self, q: float) -> float:
        return percentile_s(self.hist, q)

    def rss_slope_mb_min(self, column: int = 1, since_s: float = 0.0) -> float:
        """Least-squares slope of RSS (``column`` 1: picture, 2: reader) against time over the samples taken
        ``since_s`` after warm-up or later (MB per minute)."""
        kept = [r for r in self.rss if r[0] >= since_s]
        if len(kept) < 3:
            return float("nan")
        t = np.array([r[0] for r in kept]) / 60.0
        mb = np.array([r[column] for r in kept])
        return float(np.polyfit(t, mb, 1)[0])


def _generator(root: Path, n_aircraft: int) -> tuple[subprocess.Popen[str], int]:
    env = {**os.environ, "PYTHONPATH": str(root / "src") + os.pathsep + str(root)}
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.feed_generator", "--aircraft", str(n_aircraft)],
        stdout=subprocess.PIPE,
        stdin=subprocess.PIPE,
        text=True,
        env=env,
        cwd=root,
    )
    assert server.stdout is not None
    line = server.stdout.readline()
    return server, int(line.split(" on 127.0.0.1:")[1].split()[0])


def measure(root: Path, n_aircraft: int, seconds: float, warmup_s: float = 10.0, tick_s: float = 0.5) -> LiveResult:
    """Serve ``n_aircraft`` (x10 msg/s) for ``warmup_s + seconds`` and measure the last ``seconds`` (docstring)."""
    from commonsky.sim.live_feeds import feeds_pipeline, feeds_runner, feeds_scenario
    from commonsky.sim.run_config import RunConfig
    from commonsky.sim.runner import settle_heap
    from commonsky.surveillance.feeds.live import FeedDrain
    from commonsky.surveillance.feeds.process import ProcessFeed
    from commonsky.surveillance.feeds.url import parse_feed_url

    n_minutes = max(1, int(np.ceil(seconds / 60.0)))
    result = LiveResult(
        n_aircraft * 10, seconds, warmup_s, tick_s, minutes=np.zeros((n_minutes, AGE_BINS_MS), dtype=np.int64)
    )
    timing = {"on": False, "began": 0.0}
    drained_times: list[np.ndarray] = []
    samples: list[Any] = []  # a few drained batches: where the reader's clock stands against the generator's

    class TimedFeed(ProcessFeed):
        """Keeps the report times of each drain until the tick that fused them is published (instrument only)."""

        def drain(self) -> FeedDrain:
            drained = super().drain()
            if timing["on"] and len(drained.states):
                drained_times.append(drained.states.column("timestamp_s"))
                if len(samples) < 20:
                    samples.append(drained.states[:200])
            return drained

    server, port = _generator(root, n_aircraft)
    try:
        url = parse_feed_url(f"beast://127.0.0.1:{port}?lat={CENTRE[0]}&lon={CENTRE[1]}&name=synthetic")
        feed = TimedFeed(url)
        feed.start()
        config = RunConfig(tick_s=tick_s)
        pipeline = feeds_pipeline(feeds_scenario(time.time()), [feed], config)
        step = pipeline.step

        def timed_step(*args: Any, **kwargs: Any) -> Any:
            snap = step(*args, **kwargs)
            published = time.time()
            if timing["on"]:
                result.works_ms.append(snap.work_ms)
                minute = min(int((time.monotonic() - timing["began"]) // 60.0), n_minutes - 1)
                for times in drained_times:
                    bins = np.clip(((published - times) * 1e3).astype(np.int64), 0, AGE_BINS_MS - 1)
                    result.minutes[minute] += np.bincount(bins, minlength=AGE_BINS_MS)
            drained_times.clear()
            return snap

        pipeline.step = timed_step  # type: ignore[method-assign]
        runner = feeds_runner(feeds_scenario(time.time()), pipeline)
        settle_heap()  # as `commonsky run` does before its loop
        runner.start()
        time.sleep(warmup_s)
        decoded_start = feed.counters.frames
        timing["began"] = began = time.monotonic()
        timing["on"] = True
        reader = feed.pid
        pids = {"picture": None, "reader": reader, "generator": server.pid}
        cpu0 = {k: cpu_s(pid) for k, pid in pids.items()}
        while (left := began + seconds - time.monotonic()) > 0.0:
            result.rss.append((time.monotonic() - began, rss_mb(), rss_mb(reader)))
            result.load.append(os.getloadavg()[0])
            time.sleep(min(SAMPLE_S, left))
        elapsed = time.monotonic() - began
        result.rss.append((elapsed, rss_mb(), rss_mb(reader)))
        result.decoded_per_s = (feed.counters.frames - decoded_start) / elapsed
        result.cpu = {k: (cpu_s(pid) - cpu0[k]) / elapsed for k, pid in pids.items()}
        timing["on"] = False
        result.tracks = len(runner.snapshot.picture)
        runner.stop()
        feed.stop()
        if runner.error is not None:
            raise runner.error
    finally:
        try:  # the generator ends when its stdin is closed, saying how late it ever sent
            out, _ = server.communicate(timeout=10)
            result.generator_late_s = (
                float(out.split("late max ")[1].split()[0]) if "late max " in out else float("nan")
            )
            started_s = float(out.split("started ")[1].split()[0]) if "started " in out else float("nan")
        except subprocess.TimeoutExpired:
            server.kill()
            started_s = float("nan")
    result.anchor_offset_s = _anchor_offset_s(samples, started_s, n_aircraft)
    shift = round(result.anchor_offset_s * 1e3) if np.isfinite(result.anchor_offset_s) else 0
    if shift > 0:  # the reader's clock runs late by the offset: its reports looked younger than they were
        late = result.minutes[:, AGE_BINS_MS - shift :].sum(axis=1)
        result.minutes = np.concatenate(
            [np.zeros((n_minutes, shift), dtype=np.int64), result.minutes[:, : AGE_BINS_MS - shift]], axis=1
        )
        result.minutes[:, -1] += late
    return result


def _anchor_offset_s(samples: list[Any], started_s: float, n_aircraft: int) -> float:
    """How late the reader's clock runs against the generator's schedule (s): the reader anchors its 12 MHz clock
    at the first frame's arrival, the generator counts from when that frame was due. Aircraft ``k``'s positions
    are due at whole and half seconds plus ``k / n_aircraft`` from the start, so each report gives the offset
    modulo 0.5 s (taken in -0.25..0.25 s; the median over the samples)."""
    offsets = []
    for batch in samples:
        phase = (np.array([int(a, 16) for a in batch.text("icao24")]) - 0x700000) / n_aircraft
        x = batch.column("timestamp_s") - started_s - phase
        offsets.append((x + 0.25) % 0.5 - 0.25)
    return float(np.median(np.concatenate(offsets))) if offsets else float("nan")
