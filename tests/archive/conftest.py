"""Small archives for the archive tests: dense traffic across hour, tile and antimeridian boundaries, written as
Parquet in the OpenSky state_vectors_data4 schema (or the traffic columns), and Dask clients on real
LocalClusters."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from commonsky.archive.cluster import dask_client

HOUR0 = 1_700_002_800  # an hour boundary (UNIX s)
R = 6371000.0


def states(seed: int = 7, duration_s: int = 1500) -> pd.DataFrame:
    """OpenSky-schema rows: 70 aircraft over 8.5-11.5 E, 49-51 N and 30 across 180 degrees, one report a
    second from HOUR0 - duration/2, straight tracks, three levels with some climbers; some aircraft lose random
    seconds, some have 60-90 s gaps, two report on the ground for a while."""
    rng = np.random.default_rng(seed)
    n_eu, n_pac = 70, 30
    n = n_eu + n_pac
    lat0 = np.concatenate([rng.uniform(49.0, 51.0, n_eu), rng.uniform(-1.0, 1.0, n_pac)])
    lon0 = np.concatenate([rng.uniform(8.5, 11.5, n_eu), rng.uniform(178.5, 181.5, n_pac)])
    trk = rng.uniform(0, 360, n)
    gs = rng.uniform(120, 250, n)
    alt0 = rng.choice([9144.0, 9449.0, 9754.0], n) + rng.normal(0, 30, n)
    vs = np.where(rng.random(n) < 0.2, rng.uniform(-8, 8, n), 0.0)
    t = np.arange(duration_s, dtype=np.int64)
    tt = np.repeat(t[None, :], n, axis=0).astype(np.float64)
    lat = lat0[:, None] + np.degrees(gs[:, None] * np.cos(np.radians(trk))[:, None] * tt / R)
    lon = lon0[:, None] + np.degrees(
        gs[:, None] * np.sin(np.radians(trk))[:, None] * tt / (R * np.cos(np.radians(lat0))[:, None])
    )
    lon = np.mod(lon + 180.0, 360.0) - 180.0
    alt = alt0[:, None] + vs[:, None] * tt
    keep = rng.random((n, duration_s)) > 0.15  # lost seconds
    for k in rng.choice(n, 12, replace=False):  # gaps longer than max_gap_s
        start = rng.integers(0, duration_s - 100)
        keep[k, start : start + rng.integers(60, 90)] = False
    ground = np.zeros((n, duration_s), dtype=bool)
    for k in rng.choice(n, 2, replace=False):
        ground[k, 200:400] = True
    ac = np.repeat(np.arange(n)[:, None], duration_s, axis=1)
    m = keep.ravel()
    time = (HOUR0 - duration_s // 2 + tt.ravel()[m]).astype(np.int64)
    frame = pd.DataFrame(
        {
            "time": time,
            "icao24": np.array([f"{0x3C0000 + k:06x}" for k in range(n)], dtype=object)[ac.ravel()[m]],
            "lat": lat.ravel()[m],
            "lon": lon.ravel()[m],
            "velocity": np.repeat(gs, duration_s)[m],
            "heading": np.repeat(trk, duration_s)[m],
            "vertrate": np.repeat(vs, duration_s)[m],
            "callsign": np.array([f"TST{k:03d}" for k in range(n)], dtype=object)[ac.ravel()[m]],
            "onground": ground.ravel()[m],
            "baroaltitude": alt.ravel()[m],
            "geoaltitude": alt.ravel()[m] + 50.0,
            "lastposupdate": time - 0.3,
            "lastcontact": time - 0.1,
        }
    )
    frame["hour"] = frame["time"] - frame["time"] % 3600
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)  # archives are not sorted


def write_hourly(frame: pd.DataFrame, folder: Path, time_column: str = "time", row_group_size: int = 20_000) -> Path:
    """One Parquet file per hour, as OpenSky partitions its table."""
    folder.mkdir(parents=True, exist_ok=True)
    t = frame[time_column]
    seconds = t if pd.api.types.is_numeric_dtype(t) else (t - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
    for hour, part in frame.groupby(seconds // 3600):
        part.to_parquet(folder / f"states_{int(hour) * 3600}.parquet", index=False, row_group_size=row_group_size)
    return folder


@pytest.fixture(scope="session")
def opensky_archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    frame = states()
    return write_hourly(frame, tmp_path_factory.mktemp("opensky")), frame


@pytest.fixture(scope="module")
def two_workers() -> Iterator[object]:
    with dask_client(workers=2, memory_limit="1GiB") as client:
        yield client


@pytest.fixture(scope="module")
def one_worker() -> Iterator[object]:
    with dask_client(workers=1, memory_limit="1GiB") as client:
        yield client
