"""The Dask run finds the same loss episodes, of the same kinds (true loss or height keeping), as the
single-process computation on the whole data (`commonsky.safety.losses.loss_episodes` and its classification,
the replay's truth), for several tile sizes, block sizes and worker counts, and both agree with a brute-force
check written here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from commonsky.archive.block import Rows, Settings, analyse_rows
from commonsky.archive.engine import Analysis, analyse, direct_plan, merge
from commonsky.archive.infringements import ZoneSet
from commonsky.archive.partition import Tiling
from commonsky.archive.schema import SPECS, ArchiveSchema, normalise
from commonsky.archive.source import open_archive
from commonsky.safety.losses import loss_episodes

RADIUS_M, HALF_HEIGHT_M, GAP_S = 9260.0, 304.8, 30.0
COLUMNS = ["icao24_a", "icao24_b", "start_s", "end_s", "samples", "min_dist_m", "min_dalt_m", "alt_m", "kind"]
FT = 0.3048


def settings(
    tile: float, window: tuple[float, float] = (-np.inf, np.inf), gap_s: float = GAP_S, block_s: float = 3600.0
) -> Settings:
    tiling = Tiling.for_analysis(tile, RADIUS_M, gap_s, block_s)
    return Settings(RADIUS_M, HALF_HEIGHT_M, 1.0, gap_s, window, None, tiling, ZoneSet.build([]))


def single_process(
    frame: pd.DataFrame, window: tuple[float, float] = (-np.inf, np.inf), gap_s: float = GAP_S
) -> pd.DataFrame:
    ep = loss_episodes(
        frame["time"].to_numpy(float),
        frame["icao24"].to_numpy(str),
        frame["lat"],
        frame["lon"],
        frame["baroaltitude"],
        frame["onground"],
        radius_m=RADIUS_M,
        half_height_m=HALF_HEIGHT_M,
        step_s=1.0,
        max_gap_s=gap_s,
        window_s=window,
    )
    return pd.DataFrame(
        {
            "icao24_a": ep.id_a.astype(object),
            "icao24_b": ep.id_b.astype(object),
            "start_s": ep.start_s,
            "end_s": ep.end_s,
            "samples": ep.samples,
            "min_dist_m": ep.min_dist_m,
            "min_dalt_m": ep.min_dalt_m,
            "alt_m": ep.alt_m,
            "kind": [k.value for k in ep.kinds()],
        }
    )


def episodes(result: Analysis) -> pd.DataFrame:
    frame = result.losses[COLUMNS].astype({"icao24_a": object, "icao24_b": object})
    return frame.sort_values(["icao24_a", "icao24_b", "start_s"]).reset_index(drop=True)


def assert_same(got: pd.DataFrame, want: pd.DataFrame, least: int = 20) -> None:
    assert len(want) >= least  # the data must hold enough losses to mean something
    kinds = want["kind"].value_counts()
    assert kinds.get("loss", 0) >= least // 4 and kinds.get("height_keeping", 0) >= least // 4  # both kinds
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, atol=1e-9, check_dtype=False)


def in_process(frame: pd.DataFrame, s: Settings) -> Analysis:
    """Every (block, tile) partition run one after the other, each on its block with the time halo (no Dask)."""
    rows = Rows.of(normalise(frame, SPECS[ArchiveSchema.OPENSKY]))
    block_s = s.tiling.block_s
    blocks = range(int(np.floor(rows.time_s.min() / block_s)), int(np.floor(rows.time_s.max() / block_s)) + 1)
    return merge([analyse_rows(rows, s, block) for block in blocks], s)


def wavering(frame: pd.DataFrame) -> pd.DataFrame:
    """Every third aircraft's altitude waves by 50 m over 2 minutes: near its level, but at times changing
    faster than 400 ft/min over 20 s (not level, so a loss it takes part in is a true loss)."""
    code = frame["icao24"].map(lambda s: int(s, 16)).to_numpy()
    wave = 50.0 * np.sin(2 * np.pi * frame["time"].to_numpy(float) / 120.0) * (code % 3 == 0)
    return frame.assign(baroaltitude=frame["baroaltitude"] + wave)


@pytest.mark.parametrize(
    ("tile", "block_s", "gap_s"), [(1.0, 60.0, GAP_S), (2.0, 300.0, 10.0), (5.0, 3600.0, GAP_S), (10.0, 60.0, 10.0)]
)
def test_tile_and_block_sizes_match_single_process(
    opensky_archive: tuple[Path, pd.DataFrame], tile: float, block_s: float, gap_s: float
) -> None:
    """Short blocks put many episode starts (and their 20 s look-back for the kind) across block edges; a gap
    shorter than the look-back needs the look-back's time halo."""
    frame = wavering(opensky_archive[1])
    assert_same(
        episodes(in_process(frame, settings(tile, gap_s=gap_s, block_s=block_s))), single_process(frame, gap_s=gap_s)
    )


def test_height_keeping_episodes_held_levels(opensky_archive: tuple[Path, pd.DataFrame]) -> None:
    """Independent check of the kind on reported altitudes: over a height-keeping episode and the 20 s before,
    each aircraft's reports stay within 300 ft of one multiple of 1,000 ft, the two at least 1,000 ft apart."""
    frame = wavering(opensky_archive[1])
    want = single_process(frame)
    air = frame.loc[~frame["onground"]]
    by_id = {k: g.sort_values("time") for k, g in air.groupby("icao24")}

    def levels(icao: str, t0: float, t1: float) -> tuple[float, float, float]:
        g = by_id[icao]
        alt_ft = g.loc[(g["time"] >= t0) & (g["time"] <= t1), "baroaltitude"].to_numpy() / FT
        level = np.round(alt_ft / 1000.0) * 1000.0
        return float(level.min()), float(level.max()), float(np.abs(alt_ft - level).max())

    checked = 0
    for row in want.itertuples():
        if row.kind != "height_keeping":
            continue
        a_lo, a_hi, a_off = levels(row.icao24_a, row.start_s - 20.0, row.end_s)
        b_lo, b_hi, b_off = levels(row.icao24_b, row.start_s - 20.0, row.end_s)
        assert a_lo == a_hi and b_lo == b_hi and max(a_off, b_off) < 300.0 and abs(a_lo - b_lo) >= 1000.0
        checked += 1
    assert checked >= 5


@pytest.mark.slow
@pytest.mark.parametrize("tile", [1.0, 10.0])
def test_two_workers_match_single_process(
    opensky_archive: tuple[Path, pd.DataFrame], two_workers: object, tile: float
) -> None:
    folder, frame = opensky_archive
    archive = open_archive(str(folder))
    assert direct_plan(archive, settings(tile), min_tasks=4) is not None  # tasks that read their own row groups
    result = analyse(archive, settings(tile), two_workers)  # type: ignore[arg-type]
    assert_same(episodes(result), single_process(frame))
    assert result.reports == int((~frame["onground"]).sum() + frame["onground"].sum())


@pytest.mark.slow
@pytest.mark.parametrize("tile", [3.0])
def test_one_worker_matches_single_process(
    opensky_archive: tuple[Path, pd.DataFrame], one_worker: object, tile: float
) -> None:
    folder, frame = opensky_archive
    result = analyse(open_archive(str(folder)), settings(tile), one_worker)  # type: ignore[arg-type]
    assert_same(episodes(result), single_process(frame))


@pytest.mark.slow
def test_window_matches_single_process_window(opensky_archive: tuple[Path, pd.DataFrame], two_workers: object) -> None:
    folder, frame = opensky_archive
    t0 = float(frame["time"].min())
    window = (t0 + 400.0, t0 + 1100.0)  # across the hour boundary at t0 + 750
    result = analyse(open_archive(str(folder)), settings(2.0, window), two_workers)  # type: ignore[arg-type]
    assert_same(episodes(result), single_process(frame, window), least=10)
    assert result.reports == int(((frame["time"] >= window[0]) & (frame["time"] < window[1])).sum())


def test_brute_force_on_reported_seconds(opensky_archive: tuple[Path, pd.DataFrame]) -> None:
    """At seconds where both aircraft reported (no interpolation), a pair is in loss iff the haversine distance
    and the difference of the reported altitudes (exact, no rounding) are below the minima: every such (pair,
    second) lies inside one episode of the single-process result, and every pair in those episodes at such a
    second is in loss."""
    _, frame = opensky_archive
    want = single_process(frame)
    air = frame.loc[~frame["onground"], ["time", "icao24", "lat", "lon", "baroaltitude"]]
    rows = air.merge(air, on="time", suffixes=("_a", "_b"))
    near = (rows["lat_a"] - rows["lat_b"]).abs() < 0.2  # 22 km: wider than the radius
    rows = rows.loc[near & (rows["icao24_a"] < rows["icao24_b"])]
    p1, p2 = np.radians(rows["lat_a"]), np.radians(rows["lat_b"])
    h = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(rows["lon_b"] - rows["lon_a"]) / 2) ** 2
    )
    dist = 2 * 6371000.0 * np.arcsin(np.sqrt(h))
    # Exactly 1,000 ft apart (two flight levels, whatever the float rounding) is separated.
    loss = (dist < RADIUS_M) & ((rows["baroaltitude_a"] - rows["baroaltitude_b"]).abs() < HALF_HEIGHT_M - 1e-6)
    seen = rows.loc[:, ["icao24_a", "icao24_b", "time"]].assign(loss=loss.to_numpy())
    merged = seen.merge(want, on=["icao24_a", "icao24_b"], how="left")
    inside = (merged["time"] >= merged["start_s"]) & (merged["time"] <= merged["end_s"])
    covered = inside.groupby([merged["icao24_a"], merged["icao24_b"], merged["time"]]).any()
    truth = seen.set_index(["icao24_a", "icao24_b", "time"])["loss"]
    assert int(truth.sum()) > 100
    assert covered.reindex(truth.index, fill_value=False).equals(truth)


@pytest.mark.slow
def test_traffic_columns_give_the_same_losses(
    opensky_archive: tuple[Path, pd.DataFrame], two_workers: object, tmp_path: Path
) -> None:
    """The same flights in the traffic / OpenSky API columns (timestamps, feet, knots, ft/min): converted at the
    edge, they give the episodes of the single-process computation on the SI data."""
    from .conftest import write_hourly

    _, frame = opensky_archive
    air = frame.loc[~frame["onground"]].reset_index(drop=True)
    traffic = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(air["time"], unit="s", utc=True),
            "icao24": air["icao24"].str.upper(),  # ids are compared in lowercase
            "callsign": air["callsign"],
            "latitude": air["lat"],
            "longitude": air["lon"],
            "altitude": air["baroaltitude"] / 0.3048,
            "groundspeed": air["velocity"] / (1852.0 / 3600.0),
            "track": air["heading"],
            "vertical_rate": air["vertrate"] / 0.3048 * 60.0,
        }
    )
    folder = write_hourly(traffic, tmp_path / "traffic", time_column="timestamp")
    archive = open_archive(str(folder))
    assert archive.spec.schema.value == "traffic"
    result = analyse(archive, settings(2.0), two_workers)  # type: ignore[arg-type]
    got = episodes(result)
    want = single_process(air)
    pd.testing.assert_frame_equal(
        got.drop(columns=["alt_m", "min_dalt_m"]),
        want.drop(columns=["alt_m", "min_dalt_m"]),
        check_dtype=False,
        rtol=1e-9,
    )
    np.testing.assert_allclose(got["alt_m"], want["alt_m"], atol=1e-6)  # through feet and back
    np.testing.assert_allclose(got["min_dalt_m"], want["min_dalt_m"], atol=1e-6)


@pytest.mark.slow
def test_time_chunks_match_single_process(opensky_archive: tuple[Path, pd.DataFrame], two_workers: object) -> None:
    """Through the shuffle plan (as for archives without time statistics), in consecutive time chunks (one
    shuffle each, to bound worker memory): the same episodes, and every report is counted once."""
    from commonsky.archive.engine import time_chunks

    folder, frame = opensky_archive
    archive = open_archive(str(folder))
    assert archive.time_span_s == (float(frame["time"].min()), float(frame["time"].max()))
    assert len(time_chunks(archive, settings(5.0), rows_per_chunk=40_000)) == 2  # the data spans two hours
    result = analyse(archive, settings(5.0), two_workers, rows_per_chunk=40_000, shuffle=True)  # type: ignore[arg-type]
    assert_same(episodes(result), single_process(frame))
    assert result.reports == len(frame)
