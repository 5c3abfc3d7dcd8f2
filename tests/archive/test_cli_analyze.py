"""`commonsky analyze` end to end on a real LocalCluster: every output, infringements checked against the
reported positions, and bad input as one line with exit code 2."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from .test_equivalence import single_process

ZONE = (9.0, 49.5, 10.5, 50.5)  # W, S, E, N
FLOOR_M, CEILING_M = 0.0, 9300.0  # FL305: the lowest level of the test traffic is inside, the others above


def zones_file(folder: Path) -> Path:
    w, s, e, n = ZONE
    feature = {
        "type": "Feature",
        "properties": {
            "format": "commonsky.zone/1",
            "name": "Test box",
            "kind": "restricted",
            "binding": True,
            "floor": {"value": FLOOR_M, "unit": "m", "ref": "AMSL"},
            "ceiling": {"value": CEILING_M, "unit": "m", "ref": "AMSL"},
        },
        "geometry": {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]},
    }
    advisory = json.loads(json.dumps(feature))
    advisory["properties"].update(name="Advisory box", binding=False)
    path = folder / "zones.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature, advisory]}))
    return path


def depth_m(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Distance inside the box to its nearest edge, metres, equirectangular at the box centre."""
    w, s, e, n = ZONE
    k = np.radians(1.0) * 6371000.0
    coslat = np.cos(np.radians(0.5 * (s + n)))
    return np.minimum.reduce([(lat - s) * k, (n - lat) * k, (lon - w) * k * coslat, (e - lon) * k * coslat])


@pytest.mark.slow
def test_outputs_and_infringements(opensky_archive: tuple[Path, pd.DataFrame], tmp_path: Path, cli: Any) -> None:
    folder, frame = opensky_archive
    out = tmp_path / "out"
    options = ["--out", str(out), "--zones", str(zones_file(tmp_path)), "--workers", "1", "--tile", "5", "--json"]
    result = cli("analyze", str(folder), *options)
    assert result.code == 0, result.err
    summary = result.json()
    names = ["losses", "infringements"]
    for name in names:
        for ext in ("parquet", "csv", "geojson"):
            assert (out / f"{name}.{ext}").stat().st_size > 0
    assert (out / "heatmap.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    losses = pd.read_parquet(out / "losses.parquet")
    want = single_process(frame)
    assert summary["losses"] == len(losses) == len(want)
    # Every output carries each episode's kind, that of the single-process truth (the replay's).
    kinds = want["kind"].value_counts()
    assert kinds["loss"] > 0 and kinds["height_keeping"] > 0
    assert summary["true_losses"] == kinds["loss"] and summary["height_keeping"] == kinds["height_keeping"]
    key = ["icao24_a", "icao24_b", "start_s"]
    got = losses.astype({"icao24_a": object, "icao24_b": object}).merge(want, on=key, suffixes=("", "_want"))
    assert len(got) == len(want) and (got["kind"] == got["kind_want"]).all()
    assert (pd.read_csv(out / "losses.csv")["kind"].value_counts() == kinds).all()
    features = json.loads((out / "losses.geojson").read_text())["features"]
    assert sorted(f["properties"]["kind"] for f in features) == sorted(want["kind"])
    for name in ("day", "region"):
        counts = pd.read_csv(out / f"counts_per_{name}.csv")
        assert counts["true_losses"].sum() == kinds["loss"]
        assert counts["height_keeping"].sum() == kinds["height_keeping"]
        assert counts["infringements"].sum() == summary["infringements"]
    per_region = pd.read_csv(out / "counts_per_region.csv")
    assert set(per_region["region"]) >= {"DEU"}  # the European traffic is over Germany

    zones = pd.read_parquet(out / "infringements.parquet")
    assert summary["infringements"] == len(zones) > 0
    assert set(zones["zone"]) == {"Test box"}  # the advisory zone binds nobody
    w, s, e, n = ZONE
    air = frame.loc[~frame["onground"]]
    inside = air.loc[
        (air["lat"] > s)
        & (air["lat"] < n)
        & (air["lon"] > w)
        & (air["lon"] < e)
        & (air["baroaltitude"] >= FLOOR_M)
        & (air["baroaltitude"] <= CEILING_M)
    ]
    joined = inside.merge(zones, on="icao24", how="left")
    covered = (joined["time"] >= joined["start_s"]) & (joined["time"] <= joined["end_s"])
    by_row = covered.groupby([joined["icao24"], joined["time"]]).any()
    assert by_row.all() and len(by_row) == len(inside)  # every reported position inside is in an episode
    assert (zones["duration_s"] == zones["end_s"] - zones["start_s"]).all()
    reported = set(zip(air["icao24"], air["time"], strict=True))
    before = np.array([(a, t - 1) in reported for a, t in zip(zones["icao24"], zones["start_s"], strict=True)])
    assert zones["entered"].to_numpy()[before].all()  # a report one second before: it came in
    first_seen = air.groupby("icao24")["time"].min()
    at_start = (zones["start_s"] == zones["icao24"].map(first_seen)).to_numpy()
    assert at_start.any() and not zones["entered"].to_numpy()[at_start].any()  # inside from its first report
    deepest = inside.assign(d=depth_m(inside["lat"].to_numpy(), inside["lon"].to_numpy())).groupby("icao24")["d"].max()
    got = zones.groupby("icao24")["depth_m"].max()
    assert (got.reindex(deepest.index) >= deepest - 1.0).all()  # samples include every reported second
    assert (got <= depth_m(np.array([0.5 * (s + n)]), np.array([0.5 * (w + e)]))[0] + 1.0).all()
    assert np.allclose(
        zones["depth_m"],
        depth_m(zones["deepest_lat"].to_numpy(), zones["deepest_lon"].to_numpy()),
        rtol=0.01,
        atol=50.0,
    )


def _one_line_error(result: Any, words: str) -> None:
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("commonsky: error:"), result.err
    assert words in lines[0], lines[0]


def test_unreadable_parquet(tmp_path: Path, cli: Any) -> None:
    (tmp_path / "broken.parquet").write_bytes(b"not a parquet file at all")
    _one_line_error(cli("analyze", str(tmp_path), "--out", str(tmp_path / "o")), "unreadable Parquet")


def test_unknown_schema(tmp_path: Path, cli: Any) -> None:
    pd.DataFrame({"when": [1, 2], "who": ["a", "b"]}).to_parquet(tmp_path / "x.parquet")
    _one_line_error(cli("analyze", str(tmp_path), "--out", str(tmp_path / "o")), "unknown schema")


def test_no_parquet_files(tmp_path: Path, cli: Any) -> None:
    _one_line_error(cli("analyze", str(tmp_path / "*.parquet"), "--out", str(tmp_path / "o")), "no Parquet files")


def test_unreachable_scheduler(opensky_archive: tuple[Path, pd.DataFrame], tmp_path: Path, cli: Any) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again below: nothing listens there
    folder, _ = opensky_archive
    result = cli("analyze", str(folder), "--out", str(tmp_path / "o"), "--scheduler", f"tcp://127.0.0.1:{port}")
    _one_line_error(result, "unreachable")
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_no_rows_in_window(opensky_archive: tuple[Path, pd.DataFrame], tmp_path: Path, cli: Any) -> None:
    folder, _ = opensky_archive
    window = ["--from", "2030-01-01T00:00:00Z", "--to", "2030-01-02T00:00:00Z"]
    result = cli("analyze", str(folder), "--out", str(tmp_path / "o"), "--workers", "1", *window)
    _one_line_error(result, "no rows in the analysis window")
    assert not (tmp_path / "o").exists()
