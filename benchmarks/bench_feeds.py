"""Mode S feeds: `commonsky ingest`'s decoding and state building against rs1090's batch decoder on the same
messages, and a live feed of synthetic aircraft at a regional aggregator's rate over loopback.

Ingest: the same messages decoded by rs1090 alone (``rs1090.decode(list)``, its batch API: fields only, no parity
policy, no positions) and by `commonsky ingest`'s loop from the bytes of the recording in its 64 KB chunks (framing,
parity, address policy, field decoding, CPR positions and per-aircraft state vectors). Best of 3 each, in the same
process.

Live (`benchmarks.live_feed`): synthetic aircraft (ten messages each a second) generated while they play by their
own process and served as Beast over loopback, read by `commonsky run`'s feeds-only loop (the feed decoded in a
child process, the picture ticking every `FEEDS_TICK_S`, as ``commonsky run --feed`` does). Latency of a report:
from the time its bytes were due on the socket to the publication of the picture that holds it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.context import BenchContext, table
from benchmarks.live_feed import LiveResult, measure

CENTRE = (50.0, 8.0)
LIVE_HEADER = [
    "offered msg/s",
    "read msg/s",
    "tracks",
    "tick s",
    "latency p50 s",
    "p99 s",
    "max s",
    "tick work p99 ms",
    "CPU cores: picture / reader / generator",
    "picture RSS MB (start -> end, max)",
    "reader clock offset ms",
    "generator late max s",
    "load avg",
    "goal met",
]
# aircraft (x10 msg/s), seconds measured, tick (None: `commonsky run --feed`'s default): 50k, 20k, 5k msg/s, and 50k
# at the scenario's 1 s tick for comparison
LIVE_RATES: tuple[tuple[int, float, float | None], ...] = (
    (5_000, 30.0, None),
    (2_000, 30.0, None),
    (500, 30.0, None),
    (5_000, 30.0, 1.0),
)
WARMUP_S = 10.0
LIVE_TEXT = (
    "Live: synthetic aircraft (10 messages each a second) generated while they play, in their own process "
    "(`benchmarks.feed_generator`), served as Beast over loopback, read by `commonsky run`'s loop (feeds only; the "
    "feed framed and decoded in its own process, `ProcessFeed`, its states handed over as one buffer per 50 ms; "
    "one picture every `--tick`, 0.5 s by default with receivers; the last row at 1 s, a scenario's tick, for "
    "comparison), measured for {seconds:.0f} s after {warmup:.0f} s "
    "of warm-up. Latency of a report: from the time its bytes were due on the socket (its 12 MHz counter, anchored "
    "at the first frame's arrival: a generator or reader falling behind shows as latency; how late that anchor "
    "stands against the generator's schedule is measured from the reports' phases and added, 'reader clock "
    "offset'; a generator held back by a reader falling behind, through TCP, sends late: 'generator late max') "
    "to the publication of the picture of the tick that fused it (measured per tick). CPU: cores used "
    "on average by each process; "
    "load avg: the 1-minute load average of this {cores}-core machine during the run (it is shared: other "
    "work weighs on the figures). Goal (issue 12): the offered rate read, p99 latency under 1 s; memory over 10 "
    "minutes in the soak section (`bench_feed_soak`)."
)


def _real_messages(root: Path) -> tuple[bytes, list[str]]:
    ref = root.parent / "shared" / "reference" / "adsb"
    data = b"".join(
        (ref / n).read_bytes() for n in ("pymodes_sample_data_adsb.csv", "pymodes_sample_data_commb_df20.csv")
    )
    hexes = []
    for line in data.decode().splitlines():
        cells = [c.strip().strip('"') for c in line.split(",")]
        hexes += [c for c in cells[1:] if len(c) in (14, 28)][:1]
    return data, hexes


def _synthetic_beast(n_aircraft: int, seconds: float) -> tuple[bytes, list[str]]:
    from commonsky.surveillance.feeds.beast import encode_beast
    from commonsky.surveillance.feeds.modes import MLAT_HZ, RawFrame
    from commonsky.surveillance.feeds.synthetic import synthetic_fleet, synthetic_recording

    rec = synthetic_recording(synthetic_fleet(n_aircraft, CENTRE), seconds)
    data = b"".join(
        encode_beast(RawFrame(f.msg, mlat_ticks=int((1.0 + t) * MLAT_HZ), signal=100))
        for f, t in zip(rec.frames, rec.offsets_s, strict=True)
    )
    return data, [f.msg.hex() for f in rec.frames]


def _best(fn: Any, repeat: int = 3) -> tuple[float, float]:
    """(wall s, CPU s of this process, all its threads) of the fastest of ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        began, cpu = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - began, time.process_time() - cpu))
    return min(times)


def _ingest_row(name: str, fmt: str, data: bytes, hexes: list[str]) -> list[str]:
    import rs1090

    from commonsky.surveillance.feeds.pipeline import FeedOptions, FeedPipeline, ingest
    from commonsky.surveillance.feeds.source import CHUNK_BYTES, Chunk

    chunks = [Chunk(data[i : i + CHUNK_BYTES], 1.0e9) for i in range(0, len(data), CHUNK_BYTES)]

    def ours() -> None:  # `commonsky ingest`'s loop over the file's chunks, without the file and the CSV
        ingest(chunks, FeedPipeline(fmt, options=FeedOptions(start_s=1.0e9)), lambda states: None)

    theirs_s, theirs_cpu_s = _best(lambda: rs1090.decode(hexes))
    ours_s, ours_cpu_s = _best(ours)
    n = len(hexes)
    return [
        name,
        f"{n:,}",
        f"{n / theirs_s:,.0f}",
        f"{n / theirs_cpu_s:,.0f} ({theirs_cpu_s / theirs_s:.1f} cores)",
        f"{n / ours_s:,.0f}",
        f"{n / ours_cpu_s:,.0f}",
        f"{theirs_s / ours_s:.2f}x",
        f"{theirs_cpu_s / ours_cpu_s:.2f}x",
        "yes" if ours_s <= theirs_s else "no",
    ]


def _live_row(r: LiveResult) -> list[str]:
    cpu = r.cpu
    return [
        f"{r.offered:,}",
        f"{r.decoded_per_s:,.0f}",
        f"{r.tracks:,}",
        f"{r.tick_s:g}",
        f"{r.p(50):.2f}",
        f"{r.p(99):.2f}",
        f"{r.p(100):.2f}",
        f"{np.percentile(r.works_ms, 99):.0f}" if r.works_ms else "-",
        f"{cpu.get('picture', 0):.2f} / {cpu.get('reader', 0):.2f} / {cpu.get('generator', 0):.2f}",
        f"{r.rss[0][1]:.0f} -> {r.rss[-1][1]:.0f} (max {max(x[1] for x in r.rss):.0f})",
        f"{r.anchor_offset_s * 1e3:.1f}",
        f"{r.generator_late_s:.2f}",
        f"{np.mean(r.load):.1f}",
        "yes" if r.decoded_per_s >= 0.95 * r.offered and r.p(99) < 1.0 else "no",
    ]


def run(ctx: BenchContext) -> str:
    real_data, real_hex = _real_messages(ctx.root)
    synth_data, synth_hex = _synthetic_beast(500, 20.0)
    rows = [
        _ingest_row(
            "pyModeS samples (real, hexcsv: DF17 of one aircraft, DF20 of many)", "hexcsv", real_data, real_hex
        ),
        _ingest_row("synthetic, 500 aircraft x 20 s (Beast; DF4/5/11/17/20)", "beast", synth_data, synth_hex),
    ]
    from commonsky.sim.run_config import FEEDS_TICK_S

    live = [measure(ctx.root, n, seconds, WARMUP_S, tick or FEEDS_TICK_S) for n, seconds, tick in LIVE_RATES]
    text = [
        "## Mode S feeds: ingest against rs1090, and a live feed at an aggregator's rate",
        "",
        "Messages per second, best of 3 in one process, by wall time and per CPU second (the process's CPU time, "
        "all threads). rs1090: its batch decoder alone (`rs1090.decode(list)`: fields only), which decodes on "
        "several threads (the cores it used on average are given). commonsky: `commonsky ingest`'s loop "
        "(`pipeline.ingest`) on one thread, from the recording's bytes in the 64 KB chunks the command reads to "
        "state vectors (framing, parity and address policy, field decoding column-wise over each chunk -- "
        "natively for the messages a state vector needs, by rs1090 for the rest -- CPR positions, per-aircraft "
        "state); reading the file and writing the CSV are left out. Goal: at least as fast as rs1090 alone (wall "
        "time).",
        "",
        table(
            [
                "messages",
                "count",
                "rs1090 batch msg/s",
                "rs1090 msg per CPU s",
                "commonsky msg/s",
                "commonsky msg per CPU s",
                "ratio (wall)",
                "ratio (CPU)",
                "goal met",
            ],
            rows,
        ),
        "",
        LIVE_TEXT.format(seconds=LIVE_RATES[0][1], warmup=WARMUP_S, cores=os.cpu_count()),
        "",
        table(LIVE_HEADER, [_live_row(r) for r in live]),
        "",
    ]
    return "\n".join(text)
