"""Peer: BlueSky 1.1.1's conflict detection on a states CSV; prints one JSON line. Run with the peers' python.

Usage: python bluesky_cd.py STATES.csv [cstatebased|statebased] [repeat]

The C++ ``cstatebased.detect(ownship, intruder, rpz, hpz, dtlookahead)`` reads numpy attributes ``lat``, ``lon``,
``trk``, ``gs``, ``alt``, ``vs`` (degrees, m, m/s) and ``id`` of its traffic objects, so a plain namespace with
those arrays drives it headless without starting the simulator. Only the detect call is timed; peak memory is
this process's max RSS after detection (it includes the interpreter and numpy).
"""

from __future__ import annotations

import csv
import json
import resource
import sys
import time
import types

import numpy as np


def load(path: str) -> types.SimpleNamespace:
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    col = {
        k: np.array([float(r[k]) for r in rows]) for k in ("lat_deg", "lon_deg", "alt_m", "gs_ms", "trk_deg", "vs_ms")
    }
    return types.SimpleNamespace(
        id=[r["id"] for r in rows],
        lat=col["lat_deg"],
        lon=col["lon_deg"],
        trk=col["trk_deg"],
        gs=col["gs_ms"],
        alt=col["alt_m"],
        vs=col["vs_ms"],
        ntraf=len(rows),
    )


def main() -> None:
    path = sys.argv[1]
    method = sys.argv[2] if len(sys.argv) > 2 else "cstatebased"
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    traf = load(path)
    n = traf.ntraf
    rpz, hpz, tla = np.full(n, 5 * 1852.0), np.full(n, 1000 * 0.3048), np.full(n, 300.0)
    if method == "cstatebased":
        from bluesky.traffic.asas import cstatebased

        def run() -> list[tuple[str, str]]:
            return list(cstatebased.detect(traf, traf, rpz, hpz, tla)[0])
    else:
        from bluesky.traffic.asas.statebased import StateBased

        detector = StateBased.__new__(StateBased)  # skip the simulator's settings machinery

        def run() -> list[tuple[str, str]]:
            return list(detector.detect(traf, traf, rpz, hpz, tla)[0])

    times = []
    pairs: list[tuple[str, str]] = []
    for _ in range(repeat):
        began = time.perf_counter()
        pairs = run()
        times.append(time.perf_counter() - began)
    unique = sorted({tuple(sorted(p)) for p in pairs})
    print(
        json.dumps(
            {
                "method": method,
                "n": n,
                "best_s": min(times),
                "median_s": float(np.median(times)),
                "pairs": [list(p) for p in unique],
                "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
