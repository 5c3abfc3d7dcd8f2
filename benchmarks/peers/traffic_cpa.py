"""Peer: traffic's ``Traffic.closest_point_of_approach`` on an OpenSky-schema Parquet file; prints one JSON line.
Run with the peers' python (traffic 2.13 needs pandas < 3).

Usage: python traffic_cpa.py STATES.parquet WORKERS

Columns are converted to traffic's (feet, knots, ft/min, timestamps). Only the CPA call is timed. ``loss_pairs``
counts pairs with a row closer than 5 NM laterally and 1,000 ft vertically (traffic's own distances).
"""

from __future__ import annotations

import json
import sys
import time

import pandas as pd
import pyproj
from traffic.core import Traffic


def main() -> None:
    path, workers = sys.argv[1], int(sys.argv[2])
    raw = pd.read_parquet(path)
    data = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(raw["time"], unit="s", utc=True),
            "icao24": raw["icao24"],
            "callsign": raw["callsign"],
            "latitude": raw["lat"],
            "longitude": raw["lon"],
            "altitude": raw["baroaltitude"] / 0.3048,
            "groundspeed": raw["velocity"] * 3600.0 / 1852.0,
            "track": raw["heading"],
            "vertical_rate": raw["vertrate"] / 0.3048 * 60.0,
        }
    )
    traffic = Traffic(data)
    lat0, lon0 = float(data["latitude"].mean()), float(data["longitude"].mean())
    proj = pyproj.Proj(proj="lcc", lat_1=lat0 - 5, lat_2=lat0 + 5, lat_0=lat0, lon_0=lon0, ellps="WGS84")
    start = time.perf_counter()
    cpa = traffic.closest_point_of_approach(
        lateral_separation=5 * 1852.0, vertical_separation=1000.0, projection=proj, round_t="d", max_workers=workers
    )
    seconds = time.perf_counter() - start
    pairs = 0
    if cpa is not None:
        close = cpa.data.query("lateral < 5 and vertical < 1000")
        pairs = len({tuple(sorted(p)) for p in zip(close["icao24_x"], close["icao24_y"], strict=True)})
    flights = int(data["icao24"].nunique())
    print(json.dumps({"seconds": seconds, "rows": len(data), "flights": flights, "loss_pairs": pairs}))


if __name__ == "__main__":
    main()
