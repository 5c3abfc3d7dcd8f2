"""Replay of recorded traffic: cleaning, alerts, quality against true losses, outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from commonsky.airspace.zone import read_zones
from commonsky.errors import InputError
from commonsky.safety.replay import replay, write_outputs
from commonsky.safety.tracks import read_tracks


def test_bad_rows_are_skipped_and_counted(replay_files: tuple[Path, Path, dict[str, int]]) -> None:
    tracks_path, _, expected = replay_files
    tracks = read_tracks(tracks_path)
    assert tracks.skipped == {k: expected[k] for k in ("missing_or_nan", "impossible_speed", "duplicate_id_time")}
    assert len(tracks) == expected["good"] - 1  # the spike row is one of the good ones, moved 2 degrees
    assert tracks.reordered >= 1
    assert (tracks.time_s[1:] >= tracks.time_s[:-1]).all()


def test_replay_alerts_and_quality(replay_files: tuple[Path, Path, dict[str, int]], tmp_path: Path) -> None:
    tracks_path, zones_path, _ = replay_files
    result = replay(read_tracks(tracks_path), read_zones(zones_path))
    q = result.summary["quality"]
    los_pairs = sorted((a, b) for a, b, _, _ in result.los_events)
    assert los_pairs == [("aaa001", "aaa002"), ("ddd001", "ddd002")]
    assert q["warned"] == 1 and q["missed"] == 1
    assert q["missed_at_first_sight"] == 1  # ddd002 appears already beside ddd001
    # Head-on from 200 km at 920 kt closing: the alert comes when the entry is 300 s away.
    assert 290.0 <= q["warning_time_s"]["median"] <= 310.0
    nuisance = [a for a in result.alerts if a.subjects == ("ccc001", "ccc002")]
    assert len(nuisance) == 1 and nuisance[0].actual_s is None
    assert q["nuisance_alerts"] == 1
    zone_alerts = [a for a in result.alerts if a.kind.value == "incursion"]
    assert [a.subjects for a in zone_alerts] == [("eee001", "Training area")]
    assert zone_alerts[0].actual_s is not None and zone_alerts[0].warning_time_s > 200.0
    written = write_outputs(result, tmp_path / "out")
    assert sorted(p.name for p in written) == [
        "alerts.csv",
        "alerts.geojson",
        "events.csv",
        "events.geojson",
        "summary.json",
    ]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["rows_skipped"] == 7
    geo = json.loads((tmp_path / "out" / "alerts.geojson").read_text())
    assert len(geo["features"]) == len(result.alerts)


def test_parquet_gives_the_same_result(replay_files: tuple[Path, Path, dict[str, int]], tmp_path: Path) -> None:
    tracks_path, _, _ = replay_files
    import pyarrow as pa
    import pyarrow.compute as pc

    table = pacsv.read_csv(tracks_path)
    stamps = pc.cast(pc.multiply(table.column("timestamp"), 1_000_000), pa.timestamp("us", tz="UTC"))
    table = table.set_column(0, "timestamp", stamps)  # as `traffic` writes it: datetime64 with time zone
    parquet = tmp_path / "tracks.parquet"
    pq.write_table(table, parquet)
    a, b = read_tracks(tracks_path), read_tracks(parquet)
    assert len(a) == len(b) and a.skipped == b.skipped
    assert (a.time_s == b.time_s).all() and (a.icao24 == b.icao24).all()


def test_iso_timestamps_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "iso.csv"
    path.write_text(
        "timestamp,icao24,latitude,longitude,altitude,groundspeed,track,vertical_rate\n"
        "2025-01-01T00:00:05Z,abc,50,10,30000,400,90,\n"
        "2025-01-01T00:00:00Z,abc,50,9.99,30000,400,90,0\n"
        "not a time,abc,50,9.99,30000,400,90,0\n"
    )
    tracks = read_tracks(path)
    assert len(tracks) == 2 and tracks.skipped == {"missing_or_nan": 1} and tracks.reordered == 1
    assert tracks.time_s[0] == pytest.approx(1735689600.0) and tracks.vertical_rate_missing == 1
    with pytest.raises(InputError, match="no such file"):
        read_tracks(tmp_path / "none.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("time,icao24\n1,abc\n")
    with pytest.raises(InputError, match="missing column"):
        read_tracks(bad)


def test_a_file_of_only_bad_rows_gives_an_empty_replay(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "timestamp,icao24,latitude,longitude,altitude,groundspeed,track,vertical_rate\n"
        "1,abc,95,10,30000,400,90,0\n"
        "2,abc,50,10,,400,90,0\n"
        "3,abc,50,10,30000,99999,90,0\n"
    )
    tracks = read_tracks(path)
    assert len(tracks) == 0
    assert tracks.skipped == {"position_out_of_range": 1, "missing_or_nan": 1, "impossible_speed": 1}
    result = replay(tracks)
    assert result.alerts == [] and result.summary["cycles"] == 0 and result.summary["rows_skipped"] == 3
    write_outputs(result, tmp_path / "out")
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["quality"]["los_events"] == 0
