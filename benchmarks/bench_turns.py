"""Live conflict alert with turning traffic: what the turn prediction costs the live safety net per picture.

`SafetyNet.step` (the live STCA: `TrackRateFilter` rates, QNH estimate, parallel-runway filter, turn prediction)
over a stream of synthetic pictures, 1 s apart: aircraft spread over a 400 km disc at FL250-FL400, 230 m/s, a
share of them in standard-rate turns (3 deg/s; the others straight), the same stream with the turn prediction on
and off (`TurnRule(enabled=False)`: the linear prediction alone) in the same run. 30 pictures fill the rate
windows first; the next 30 are timed. No peer predicts turns in its conflict detection (BlueSky's is linear), so
the comparison is with the linear prediction alone; `benchmarks/bench_live.py` has the whole live tick.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from benchmarks.context import BenchContext, table

RADIUS_M = 400_000.0
GS_MS = 230.0
WARM, TIMED = 30, 30


def _stream(n: int, share: float, seed: int = 1) -> list[object]:
    """Pictures 1 s apart of ``n`` aircraft, ``share`` of them turning at 3 deg/s (half left, half right)."""
    from commonsky.picture import Picture

    rng = np.random.default_rng(seed)
    r = RADIUS_M * np.sqrt(rng.random(n))
    bearing = rng.uniform(0.0, 2.0 * np.pi, n)
    x, y = r * np.sin(bearing), r * np.cos(bearing)
    heading = rng.uniform(0.0, 360.0, n)
    alt = rng.integers(25, 41, n) * 1000.0 * 0.3048
    rate = np.where(rng.random(n) < share, rng.choice([-3.0, 3.0], n), 0.0)
    ids = np.array([f"T{k:05d}" for k in range(n)])
    out = []
    for t in range(WARM + TIMED):
        out.append(
            Picture.from_arrays(
                ids,
                48.0 + y / 111_195.0,
                5.0 + x / (111_195.0 * np.cos(np.radians(48.0))),
                alt,
                np.full(n, GS_MS),
                np.mod(heading, 360.0),
                np.zeros(n),
                time_s=float(t),
            )
        )
        step = np.radians(heading + 0.5 * rate)
        x, y = x + GS_MS * np.sin(step), y + GS_MS * np.cos(step)
        heading = heading + rate
    return out


def _ms_per_step(pictures: list[object], turns_on: bool) -> tuple[float, int]:
    from commonsky.safety.pipeline import SafetyNet
    from commonsky.safety.qnh import QnhEstimate
    from commonsky.safety.stca import stca_policy
    from commonsky.safety.track_rates import TrackRateFilter
    from commonsky.safety.turns import TurnRule

    net = SafetyNet(stca_policy(), rates=TrackRateFilter(), qnh=QnhEstimate(), turn=TurnRule(enabled=turns_on))
    times, conflicts = [], 0
    for k, p in enumerate(pictures):
        start = time.perf_counter()
        found = net.step(p)  # type: ignore[arg-type]
        if k >= WARM:
            times.append((time.perf_counter() - start) * 1e3)
            conflicts += len(found.conflicts)
    return statistics.median(times), conflicts // TIMED


def run(ctx: BenchContext) -> str:
    rows = []
    for n, share in ((2000, 0.0), (2000, 0.02), (2000, 0.10), (10_000, 0.02)):
        pictures = _stream(n, share)
        on_ms, on_pairs = _ms_per_step(pictures, True)
        off_ms, off_pairs = _ms_per_step(pictures, False)
        rows.append(
            [
                f"{n:,}",
                f"{share:.0%}",
                f"{off_ms:.1f}",
                f"{on_ms:.1f}",
                f"{on_ms / off_ms:.1f}x",
                f"{off_pairs} / {on_pairs}",
            ]
        )
    return "\n".join(
        [
            "## Live conflict alert with turning traffic (issue 13)",
            "",
            "`SafetyNet.step` per 1 s picture (median of 30, after 30 filling the rate windows), synthetic aircraft "
            "over a 400 km disc at FL250-FL400, some in standard-rate turns; the same stream with the linear "
            "prediction alone and with the turn prediction (linear or curved). Single process.",
            "",
            table(
                [
                    "aircraft",
                    "turning",
                    "linear only, ms",
                    "with turn prediction, ms",
                    "cost",
                    "conflicts per picture (linear / with turns)",
                ],
                rows,
            ),
            "",
        ]
    )
