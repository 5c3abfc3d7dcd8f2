"""`write_outputs`: every file `commonsky replay` writes, read back and compared with the result it came from."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from commonsky.airspace.zone import read_zones
from commonsky.safety.replay import ReplayResult, replay
from commonsky.safety.replay_outputs import write_outputs
from commonsky.safety.track_files import read_tracks


@pytest.fixture(scope="module")
def result(replay_files: tuple[Path, Path, dict[str, int]]) -> ReplayResult:
    tracks_path, zones_path, _ = replay_files
    return replay(read_tracks(tracks_path), read_zones(zones_path))


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_file_is_written(result: ReplayResult, tmp_path: Path) -> None:
    written = write_outputs(result, tmp_path / "out")
    assert sorted(p.name for p in written) == [
        "alerts.csv",
        "alerts.geojson",
        "events.csv",
        "events.geojson",
        "losses.csv",
        "nuisance_by_cause.png",
        "over_time.png",
        "report.html",
        "summary.json",
        "warning_time.png",
    ]
    assert all(p.parent == tmp_path / "out" and p.stat().st_size > 0 for p in written)
    assert "data:image/png;base64," in (tmp_path / "out" / "report.html").read_text()


def test_the_tables_hold_the_result(result: ReplayResult, tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_outputs(result, out)
    alerts = _rows(out / "alerts.csv")
    assert len(result.alerts) > 0
    assert [(int(r["alert_id"]), r["kind"], r["subject"], r["other"]) for r in alerts] == [
        (a.alert_id, a.kind.value, *a.subjects) for a in result.alerts
    ]
    assert [float(r["raised_s"]) for r in alerts] == [a.raised_s for a in result.alerts]
    events = _rows(out / "events.csv")
    assert [(r["event"], float(r["time_s"]), int(r["alert_id"])) for r in events] == [
        (e.kind.value, e.time_s, e.alert.alert_id) for e in result.events
    ]
    losses = _rows(out / "losses.csv")
    assert len(result.losses) > 0
    assert [(r["id_a"], r["id_b"]) for r in losses] == list(
        zip(result.losses.id_a.tolist(), result.losses.id_b.tolist(), strict=True)
    )
    summary = json.loads((out / "summary.json").read_text())
    assert summary == json.loads(json.dumps(result.summary, default=float))
    assert summary["rows_skipped"] == sum(summary["skipped"].values()) > 0


def test_geojson_places_each_located_alert(result: ReplayResult, tmp_path: Path) -> None:
    write_outputs(result, tmp_path)
    geo = json.loads((tmp_path / "alerts.geojson").read_text())
    located = [a for a in result.alerts if a.lat is not None and a.lon is not None]
    assert len(located) > 0
    assert [f["geometry"]["coordinates"] for f in geo["features"]] == [[a.lon, a.lat] for a in located]
    assert [f["properties"]["alert_id"] for f in geo["features"]] == [a.alert_id for a in located]
    assert all("lat" not in f["properties"] for f in geo["features"])
