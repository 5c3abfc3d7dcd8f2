"""`commonsky.archive.outputs`: the files of an analysis of a few hand-made episodes, each read back and
compared with what is counted here by hand (days with `datetime`, regions from the toy world of
test_regions.py, kinds, seconds), and the view around the events."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from commonsky.archive.engine import Analysis
from commonsky.archive.outputs import auto_bbox, write_analysis

from .test_regions import BOXES, World  # three rectangular countries

DAY1 = datetime(2024, 5, 1, 23, 59, 0, tzinfo=UTC).timestamp()
DAY2 = datetime(2024, 5, 2, 0, 0, 30, tzinfo=UTC).timestamp()


def analysis() -> Analysis:
    losses = pd.DataFrame(
        {
            "icao24_a": ["000001", "000002", "000003", "000004"],
            "icao24_b": ["00000a", "00000b", "00000c", "00000d"],
            "start_s": [DAY1, DAY1 + 10.0, DAY2, DAY2 + 5.0],
            "duration_s": [20.0, 5.0, 40.0, 0.0],
            "end_s": [DAY1 + 20.0, DAY1 + 15.0, DAY2 + 40.0, DAY2 + 5.0],
            "samples": [21, 6, 41, 1],
            "min_dist_m": [1000.0, 2000.0, 3000.0, 4000.0],
            "min_dalt_m": [100.0, 200.0, 250.0, 280.0],
            "alt_m": [9000.0] * 4,
            "closest_s": [DAY1, DAY1 + 10.0, DAY2, DAY2 + 5.0],
            "lat": [5.0, 2.0, 5.0, -55.0],
            "lon": [5.0, 15.0, 5.0, -175.0],  # AAA, BBB, AAA, CCC
            "kind": ["loss", "height_keeping", "loss", "loss"],
        }
    )
    zones = pd.DataFrame(
        {
            "icao24": ["000001", "000009"],
            "zone": ["box", "other"],
            "entered": [True, False],
            "start_s": [DAY2, DAY2 + 100.0],
            "duration_s": [10.0, 0.0],
            "end_s": [DAY2 + 10.0, DAY2 + 100.0],
            "samples": [11, 1],
            "depth_m": [50.0, 1.0],
            "vertical_depth_m": [10.0, 1.0],
            "entry_lat": [40.0, 7.0],
            "entry_lon": [40.0, 7.0],
            "entry_alt_m": [100.0, 200.0],
            "deepest_lat": [40.1, 7.0],
            "deepest_lon": [40.1, 7.0],
        }
    )
    return Analysis(losses, zones, reports=1000, samples=500, fast_segments=2, partitions=7, tasks=3)


def test_every_output_read_back(tmp_path: Path) -> None:
    out = tmp_path / "out"
    written = write_analysis(analysis(), out, {"radius_m": 9260.0}, World(BOXES), (-180.0, -70.0, 50.0, 60.0))
    names = sorted(p.name for p in written)
    tables = [f"{n}.{e}" for n in ("losses", "infringements") for e in ("parquet", "csv", "geojson")]
    assert names == sorted([*tables, "counts_per_day.csv", "counts_per_region.csv", "heatmap.png", "summary.json"])
    assert all(p.parent == out and p.stat().st_size > 0 for p in written)

    losses = pd.read_csv(out / "losses.csv")
    want_utc = [datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ") for t in analysis().losses["start_s"]]
    assert (
        losses["start_utc"].tolist()
        == want_utc
        == ["2024-05-01T23:59:00Z", "2024-05-01T23:59:10Z", "2024-05-02T00:00:30Z", "2024-05-02T00:00:35Z"]
    )
    assert losses["region"].tolist() == ["AAA", "BBB", "AAA", "CCC"]
    assert pd.read_parquet(out / "infringements.parquet")["region"].tolist() == ["sea", "AAA"]
    features = json.loads((out / "losses.geojson").read_text())["features"]
    assert [f["geometry"]["coordinates"] for f in features] == [[5.0, 5.0], [15.0, 2.0], [5.0, 5.0], [-175.0, -55.0]]
    assert "lat" not in features[0]["properties"] and features[1]["properties"]["kind"] == "height_keeping"

    per_day = pd.read_csv(out / "counts_per_day.csv")
    assert per_day.to_dict("list") == {
        "day": ["2024-05-01", "2024-05-02"],
        "true_losses": [1, 2],
        "height_keeping": [1, 0],
        "infringements": [0, 2],
    }
    per_region = pd.read_csv(out / "counts_per_region.csv")
    assert per_region.to_dict("list") == {
        "region": ["AAA", "BBB", "CCC", "sea"],
        "true_losses": [2, 0, 1, 0],
        "height_keeping": [0, 1, 0, 0],
        "infringements": [1, 0, 0, 1],
    }
    assert (out / "heatmap.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    summary = json.loads((out / "summary.json").read_text())
    assert summary["radius_m"] == 9260.0 and summary["outputs"] == [p.name for p in written]
    assert (summary["losses"], summary["true_losses"], summary["height_keeping"]) == (4, 3, 1)
    assert summary["loss_seconds"] == 65.0
    assert summary["loss_seconds_by_kind"] == {"loss": 60.0, "height_keeping": 5.0}
    assert summary["infringements"] == 2 and summary["infringements_by_zone"] == {"box": 1, "other": 1}
    counts = ("reports", "samples", "partitions", "tasks", "segments_faster_than_halo")
    assert [summary[k] for k in counts] == [1000, 500, 7, 3, 2]


@pytest.mark.parametrize(
    ("lats", "lons", "want"),
    [
        ([], [], (-180.0, -75.0, 180.0, 80.0)),  # nothing: the world
        ([50.0, 51.0], [8.0, 10.0], (6.0, 48.0, 12.0, 53.0)),  # padded by 2 degrees
        ([84.0, -84.0], [179.0, -179.0], (-180.0, -85.0, 180.0, 85.0)),  # clamped
        ([10.0, 10.0], [-140.0, 140.0], (-142.0, 8.0, 142.0, 12.0)),  # under 300 degrees wide: kept
        ([0.0, 0.0], [-160.0, 160.0], (-180.0, -2.0, 180.0, 2.0)),  # wider: the whole width
    ],
)
def test_auto_bbox(lats: list[float], lons: list[float], want: tuple[float, float, float, float]) -> None:
    a = analysis()
    a = Analysis(
        a.losses.iloc[:0].assign(lat=[], lon=[]) if not lats else a.losses.iloc[: len(lats)].assign(lat=lats, lon=lons),
        a.infringements.iloc[:0],
        0,
        0,
        0,
        0,
        0,
    )
    assert auto_bbox(a) == want
