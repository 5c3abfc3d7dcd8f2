"""Synthetic archives in the OpenSky ``state_vectors_data4`` schema: world traffic like `world_scenario`, one row
per aircraft per second, one Parquet file per hour (as OpenSky partitions its table).

Aircraft start where `world_scenario` puts them and fly their track at constant ground speed (a rhumb line,
turned back before 85 degrees of latitude), climbing or descending at their vertical rate between FL100 and FL400
(level once there). Deterministic for a seed. Written in row groups of ``batch_s`` seconds, so memory stays at
one batch whatever the size.

    python -m benchmarks.archive_gen OUT_DIR --rows 10000000 [--aircraft 2800]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from benchmarks.scenarios import FT_M, world_scenario
from commonsky.earth import BLUESKY_EARTH_RADIUS_M as EARTH_RADIUS_M  # the sphere the safety code measures on

START_S = 1_750_000_000 - 1_750_000_000 % 3600  # an hour boundary in 2025


def write_archive(
    out_dir: Path, aircraft: int, duration_s: int, seed: int = 1, start_s: int = START_S, batch_s: int = 60
) -> int:
    """Write ``aircraft`` x ``duration_s`` rows as hourly Parquet files into ``out_dir``; return the row count."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out_dir.mkdir(parents=True, exist_ok=True)
    sc = world_scenario(aircraft, seed=seed)
    lat, lon, alt = sc["lat_deg"].copy(), sc["lon_deg"].copy(), sc["alt_m"].copy()
    trk, gs, vs = sc["trk_deg"].copy(), sc["gs_ms"], sc["vs_ms"].copy()
    icao = np.array([f"{k:06x}" for k in range(aircraft)], dtype=object)
    callsign = np.array([f"SYN{k:05d}" for k in range(aircraft)], dtype=object)
    lo_alt, hi_alt = 100 * 100 * FT_M, 400 * 100 * FT_M
    writer: pq.ParquetWriter | None = None
    hour = -1
    rows = 0
    for first in range(0, duration_s, batch_s):
        cols: dict[str, list[np.ndarray]] = {k: [] for k in ("time", "lat", "lon", "alt", "trk", "vs")}
        for s in range(first, min(first + batch_s, duration_s)):
            cols["time"].append(np.full(aircraft, start_s + s, dtype=np.int64))
            for name, arr in (("lat", lat), ("lon", lon), ("alt", alt), ("trk", trk), ("vs", vs)):
                cols[name].append(arr.copy())
            rad = np.radians(trk)
            lat += np.degrees(gs * np.cos(rad) / EARTH_RADIUS_M)
            lon = np.mod(lon + np.degrees(gs * np.sin(rad) / (EARTH_RADIUS_M * np.cos(np.radians(lat)))) + 180, 360)
            lon -= 180.0
            turn = np.abs(lat) > 85.0
            trk[turn] = np.mod(180.0 - trk[turn], 360.0)
            alt += vs
            level = (alt <= lo_alt) | (alt >= hi_alt)
            alt = np.clip(alt, lo_alt, hi_alt)
            vs[level] = 0.0
        n = len(cols["time"])
        t = np.concatenate(cols["time"])
        table = pa.table(
            {
                "time": t,
                "icao24": np.tile(icao, n),
                "lat": np.concatenate(cols["lat"]),
                "lon": np.concatenate(cols["lon"]),
                "velocity": np.tile(gs, n),
                "heading": np.concatenate(cols["trk"]),
                "vertrate": np.concatenate(cols["vs"]),
                "callsign": np.tile(callsign, n),
                "onground": np.zeros(t.shape[0], dtype=bool),
                "baroaltitude": np.concatenate(cols["alt"]),
                "geoaltitude": np.concatenate(cols["alt"]) + 60.0,
                "lastposupdate": t.astype(np.float64) - 0.4,
                "lastcontact": t.astype(np.float64) - 0.1,
                "hour": t - t % 3600,
            }
        )
        this_hour = int(t[0] // 3600)
        if this_hour != hour:
            if writer is not None:
                writer.close()
            hour = this_hour
            writer = pq.ParquetWriter(str(out_dir / f"states_{hour * 3600}.parquet"), table.schema)
        assert writer is not None
        writer.write_table(table)
        rows += table.num_rows
    if writer is not None:
        writer.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--aircraft", type=int, default=2800)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rows = write_archive(args.out, args.aircraft, -(-args.rows // args.aircraft), seed=args.seed)
    print(f"{rows} rows in {args.out}")


if __name__ == "__main__":
    main()
