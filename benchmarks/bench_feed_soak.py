"""A live feed held for minutes: memory of the picture and of the feed's reader, and latency minute by minute.

The same run as `bench_feeds`' live rows (`benchmarks.live_feed`: synthetic aircraft generated while they play, so
the run may last as long as asked), at one rate for ``--minutes`` after a warm-up. ``make bench`` runs the issue's
10 minutes; the same alone, best on a quiet machine::

    PYTHONPATH=src .venv/bin/python -m benchmarks.bench_feed_soak --minutes 10 --rate 50000

which writes its section into docs/performance.md (keeping the others). A shorter run says "too short" rather
than judging the picture's memory before its trails are full. Memory: resident set size every 5 s;
growth is the least-squares slope over the samples after warm-up (MB per minute) and over the second half of the
run (once the picture's 5-minute trails are full), beside start, end and max.
"""

from __future__ import annotations

import argparse
import os

import numpy as np

from benchmarks.context import BenchContext, table
from benchmarks.live_feed import LiveResult, measure, percentile_s
from commonsky.sim.run_config import RunConfig

MINUTES = 10.0
RATE = 50_000
WARMUP_S = 75.0
"""The reader keeps 60 s of positions per aircraft (`StateOptions.max_gap_s`): its memory fills that long first."""
GROWTH_MB_MIN = 1.0
"""A slope under this (MB per minute) counts as no growth: 10 MB over a 10-minute run, within the allocator's noise."""


TRAILS_FULL_S = RunConfig().trail_step_s * RunConfig().trail_len
"""When the picture's trails are full: its memory grows until then by design (30 points per track)."""


def _memory_row(name: str, r: LiveResult, column: int, fills_s: float = 0.0) -> list[str]:
    """One process's memory; ``fills_s``: how long its memory fills by design (the verdict waits for it)."""
    mb = [x[column] for x in r.rss]
    late = r.rss_slope_mb_min(column, since_s=r.seconds / 2.0)
    if r.warmup_s + r.seconds / 2.0 < fills_s:
        verdict = f"too short to tell (fills for {fills_s:.0f} s)"
    else:
        verdict = "yes" if abs(late) < GROWTH_MB_MIN else "no"
    return [
        name,
        f"{mb[0]:.0f}",
        f"{mb[-1]:.0f}",
        f"{max(mb):.0f}",
        f"{r.rss_slope_mb_min(column):+.2f}",
        f"{late:+.2f}",
        verdict,
    ]


def section(r: LiveResult) -> str:
    minutes = [
        [
            str(k + 1),
            f"{percentile_s(h, 50):.2f}",
            f"{percentile_s(h, 99):.2f}",
            f"{percentile_s(h, 100):.2f}",
            f"{int(h.sum()):,}",
        ]
        for k, h in enumerate(r.minutes)
        if h.sum()
    ]
    cpu = r.cpu
    # Read in full and on time: a generator held back by a slow reader (TCP back-pressure) sends late, then in bursts.
    sustained = r.decoded_per_s >= 0.95 * r.offered and r.generator_late_s < 1.0
    header = [
        "process",
        "RSS MB start",
        "end",
        "max",
        "growth MB/min (whole run)",
        "(second half)",
        f"flat (second half < {GROWTH_MB_MIN:g} MB/min)",
    ]
    memory = [_memory_row("picture (`commonsky run`)", r, 1, TRAILS_FULL_S), _memory_row("feed reader (child)", r, 2)]
    text = [
        "## Live feed held for minutes: memory and latency over time",
        "",
        f"{r.offered:,} messages/s offered ({r.offered // 10:,} synthetic aircraft generated while they play, served "
        f"as Beast over loopback by their own process), read by `commonsky run`'s feeds-only loop with a "
        f"{r.tick_s:g} s tick (as in the live rows of `bench_feeds`), measured for {r.seconds / 60:g} min after "
        f"{r.warmup_s:.0f} s of warm-up: {r.decoded_per_s:,.0f} messages/s read "
        f"({'sustained' if sustained else 'NOT sustained'}), {r.tracks:,} tracks at the end, the generator at most "
        f"{r.generator_late_s:.2f} s behind its schedule, the reader's clock {r.anchor_offset_s * 1e3:.1f} ms late "
        f"against it (added to the latencies). CPU cores used: picture {cpu.get('picture', 0):.2f}, "
        f"reader {cpu.get('reader', 0):.2f}, generator {cpu.get('generator', 0):.2f}. Load average during the run "
        f"{np.mean(r.load):.1f} (max {max(r.load):.1f}) on {os.cpu_count()} cores. Latency as in `bench_feeds` "
        f"(socket to published picture): p50 {r.p(50):.2f} s, p99 {r.p(99):.2f} s. Memory: resident set size every "
        "5 s; growth is the least-squares slope (MB per minute) over the whole run and over its second half, once the "
        "picture's trails (30 points, one every 10 s) are full (the reader's 60 s of positions per aircraft fill "
        "during the warm-up): the flat verdict is the second half's. Goal (issue 12): no growth of "
        "memory over 10 minutes, p99 under 1 s. The 10-minute run: "
        "`PYTHONPATH=src .venv/bin/python -m benchmarks.bench_feed_soak --minutes 10 --rate 50000`.",
        "",
        table(header, memory),
        "",
        table(["minute", "latency p50 s", "p99 s", "max s", "reports"], minutes),
        "",
    ]
    return "\n".join(text)


def run(ctx: BenchContext, minutes: float = MINUTES, rate: int = RATE, warmup_s: float = WARMUP_S) -> str:
    from commonsky.sim.run_config import FEEDS_TICK_S

    return section(measure(ctx.root, rate // 10, minutes * 60.0, warmup_s, FEEDS_TICK_S))


def main() -> None:
    import sys

    from benchmarks.run import ROOT, write_doc

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0, help="measured minutes (after the warm-up)")
    parser.add_argument("--rate", type=int, default=RATE, help="messages per second (10 per aircraft)")
    parser.add_argument("--warmup", type=float, default=WARMUP_S, help="seconds before measuring")
    args = parser.parse_args()
    if args.minutes <= 0 or args.rate < 10 or args.warmup < 0:
        parser.error("--minutes must be positive, --rate at least 10, --warmup not negative")
    text = run(BenchContext(peer_python=sys.executable, root=ROOT), args.minutes, args.rate, args.warmup)
    print(text, flush=True)
    write_doc({"bench_feed_soak": text})


if __name__ == "__main__":
    main()
