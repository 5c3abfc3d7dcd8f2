"""Replay of recorded traffic: cleaning, alerts, quality against true losses, outputs."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from commonsky.airspace.zone import read_zones
from commonsky.errors import InputError
from commonsky.safety.replay import NuisanceCause, replay
from commonsky.safety.replay_outputs import write_outputs
from commonsky.safety.track_files import read_tracks


def test_bad_rows_are_skipped_and_counted(replay_files: tuple[Path, Path, dict[str, int]]) -> None:
    tracks_path, _, expected = replay_files
    tracks = read_tracks(tracks_path)
    # NaN latitude and empty id: no position; the 2-degree jump and the rows placed 2 degrees off: spikes; the
    # rows without (or with impossible) groundspeed but a good position are kept, their speed derived.
    assert tracks.skipped["missing_position"] == 2
    # One copied row, and one bad row that lands on a real report's (id, time).
    assert tracks.skipped["duplicate_id_time"] == expected["duplicate_id_time"] + 1
    assert tracks.skipped["position_spike"] == 3
    assert "groundspeed_track" not in tracks.derived  # straight flight at a constant speed is not "stale"
    assert len(tracks) + sum(tracks.skipped.values()) == tracks.rows_read
    assert tracks.reordered >= 1
    assert (tracks.time_s[1:] >= tracks.time_s[:-1]).all()


def test_replay_alerts_and_quality(replay_files: tuple[Path, Path, dict[str, int]], tmp_path: Path) -> None:
    tracks_path, zones_path, _ = replay_files
    result = replay(read_tracks(tracks_path), read_zones(zones_path))
    q = result.summary["quality"]
    los_pairs = sorted(zip(result.losses.id_a.tolist(), result.losses.id_b.tolist(), strict=True))
    assert los_pairs == [("aaa001", "aaa002"), ("ddd001", "ddd002")]
    assert q["warned"] == 1 and q["missed"] == 1
    assert q["missed_at_first_sight"] == 1  # ddd002 appears already beside ddd001
    # Head-on from 200 km at 920 kt closing: the alert comes when the entry is 120 s away (STCA look-ahead).
    assert 115.0 <= q["warning_time_s"]["median"] <= 125.0
    nuisance = [a for a in result.alerts if a.subjects == ("ccc001", "ccc002")]
    assert len(nuisance) == 1 and nuisance[0].actual_s is None
    assert q["nuisance_alerts"] == 1
    assert list(result.nuisance.values()) == [NuisanceCause.ONE_CLIMBING_OR_DESCENDING]
    zone_alerts = [a for a in result.alerts if a.kind.value == "incursion"]
    assert [a.subjects for a in zone_alerts] == [("eee001", "Training area")]
    assert zone_alerts[0].actual_s is not None and zone_alerts[0].warning_time_s > 200.0
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
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["rows_skipped"] == sum(summary["skipped"].values()) > 0
    assert len((tmp_path / "out" / "losses.csv").read_text().splitlines()) == 3
    assert "data:image/png;base64," in (tmp_path / "out" / "report.html").read_text()
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
    assert len(tracks) == 2 and tracks.skipped == {"missing_position": 1} and tracks.reordered == 1
    assert tracks.time_s[0] == pytest.approx(1735689600.0)
    with pytest.raises(InputError, match="no such file"):
        read_tracks(tmp_path / "none.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("time,icao24\n1,abc\n")
    with pytest.raises(InputError, match="missing column"):
        read_tracks(bad)


def test_a_file_without_a_usable_row_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    rows = "".join(f"{k},abc,north,10,30000,400,90,0\n" for k in range(49))
    path.write_text("timestamp,icao24,latitude,longitude,altitude,groundspeed,track,vertical_rate\n" + rows)
    with pytest.raises(InputError, match=r"no usable row in 49 \(missing_position 49\)"):
        read_tracks(path)


def test_missing_speeds_are_derived_from_positions_and_spikes_dropped(tmp_path: Path) -> None:
    """A flight at 400 kt on track 090, climbing 1,500 ft/min, with groundspeed, track and vertical rate missing
    on every other row, one altitude spike of 107,700 ft and one of +3,000 ft for a single report."""
    kt = 1852.0 / 3600.0
    lines = ["timestamp,icao24,latitude,longitude,altitude,groundspeed,track,vertical_rate,onground"]
    for t in range(0, 120, 2):
        lon = 8.0 + math.degrees(400 * kt * t / (6371000.0 * math.cos(math.radians(47.0))))
        alt = 20000 + 1500 * t / 60.0 + (107700 if t == 40 else 0) + (3000 if t == 80 else 0)
        speeds = ",," if t % 4 else "400,90,1500"
        lines.append(f"{t},abc,47.0,{lon},{alt},{speeds},False")
    path = tmp_path / "climb.csv"
    path.write_text("\n".join(lines) + "\n")
    tracks = read_tracks(path)
    assert tracks.skipped == {"altitude_out_of_range": 1, "altitude_spike": 1}
    assert tracks.derived["groundspeed_track"] == 30  # t = 2, 6, ..., 118
    late = tracks.time_s >= 10
    assert tracks.gs_ms[late] == pytest.approx(400 * kt, rel=0.01)
    assert tracks.trk_deg[late] == pytest.approx(90.0, abs=0.5)
    assert tracks.vs_ms[late] * 60 / 0.3048 == pytest.approx(1500.0, rel=0.02)
    assert tracks.vs_filt_ms[tracks.time_s >= 24] * 60 / 0.3048 == pytest.approx(1500.0, rel=0.02)
    assert not tracks.on_ground.any()


def test_opensky_raw_columns_read_like_traffic_columns() -> None:
    """OpenSky's state-vector names and SI units (time, lat, lon, baroaltitude m, velocity m/s, heading, vertrate
    m/s, onground) give the same tracks as the `traffic` names in ft, kt and ft/min."""
    from commonsky.safety.tracks import tracks_from_columns

    t = np.arange(0.0, 100.0, 5.0)
    lon = 8.0 + 0.002 * t
    traffic = {
        "timestamp": t,
        "icao24": np.full(t.shape, "abc"),
        "latitude": np.full(t.shape, 47.0),
        "longitude": lon,
        "altitude": np.full(t.shape, 35000.0),
        "groundspeed": np.full(t.shape, 450.0),
        "track": np.full(t.shape, 90.0),
        "vertical_rate": np.zeros(t.shape),
        "onground": np.zeros(t.shape, dtype=bool),
    }
    opensky = {
        "time": t,
        "icao24": traffic["icao24"],
        "lat": traffic["latitude"],
        "lon": lon,
        "baroaltitude": np.full(t.shape, 35000.0 * 0.3048),
        "velocity": np.full(t.shape, 450.0 * 1852.0 / 3600.0),
        "heading": traffic["track"],
        "vertrate": np.zeros(t.shape),
        "onground": traffic["onground"],
    }
    a, b = tracks_from_columns(traffic), tracks_from_columns(opensky)
    assert len(a) == len(b) == t.shape[0]
    for name in ("time_s", "lat_deg", "lon_deg", "alt_m", "gs_ms", "trk_deg", "vs_ms"):
        assert getattr(a, name) == pytest.approx(getattr(b, name))
