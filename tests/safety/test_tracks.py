"""`tracks_from_columns`: hygiene (skipped rows counted by reason) and values derived from positions, against
computations written here."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from commonsky.safety.track_files import read_tracks
from commonsky.safety.tracks import Derived, tracks_from_columns

from .conftest import bearing_deg, haversine_m


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


LAG_S = 5.0
"""Derived speeds span at least this long (rows are often 1-2 s apart and positions rounded)."""


def test_derived_groundspeed_is_the_distance_over_the_time() -> None:
    """No groundspeed column: a wandering flight's derived speed at each report (but the first, which has no
    earlier one) is the haversine distance from the latest report at least `LAG_S` older (else the first)
    over the time between them, and its track the bearing from it: causal, as a live safety net needs."""
    rng = np.random.default_rng(5)
    n = 40
    t = np.cumsum(rng.choice([2.0, 4.0, 5.0], n))
    lat = 50.0 + np.cumsum(rng.uniform(0.0, 0.004, n))
    lon = 4.0 + np.cumsum(rng.uniform(0.002, 0.006, n))
    columns = {
        "timestamp": t,
        "icao24": np.full(n, "abc"),
        "latitude": lat,
        "longitude": lon,
        "altitude": np.full(n, 30000.0),
    }
    tracks = tracks_from_columns(columns)
    assert len(tracks) == n and tracks.derived[Derived.GROUNDSPEED_TRACK.value] == n - 1
    for k in range(1, n):
        j = max(i for i in range(k) if t[i] <= t[k] - LAG_S) if t[0] <= t[k] - LAG_S else 0
        expected = haversine_m(lat[j], lon[j], lat[k], lon[k], 6371000.0) / (t[k] - t[j])
        assert tracks.gs_ms[k] == pytest.approx(expected, rel=1e-4), k
        assert tracks.trk_deg[k] == pytest.approx(bearing_deg(lat[j], lon[j], lat[k], lon[k]), abs=0.05), k


def test_a_track_column_that_contradicts_the_positions_is_replaced_by_theirs() -> None:
    """A straight flight due east whose reported track is off by 100 deg on most rows (as in the ``traffic``
    package's calibration samples): once that holds over most of the last minute, the track is the bearing of the
    positions, the groundspeed stays as reported; a second flight whose track is off on a few isolated rows (noise,
    or a hard turn the chord lags) keeps its reported track."""
    n = 60
    t = 5.0 * np.arange(n)
    lon = 4.0 + np.degrees(200.0 * t / (6371000.0 * math.cos(math.radians(50.0))))
    good = np.full(n, 90.0)
    good[[10, 30, 50]] = 170.0
    bad = np.where(np.arange(n) % 4 == 0, 90.0, 190.0)
    columns = {
        "timestamp": np.concatenate([t, t]),
        "icao24": np.array(["bad"] * n + ["good"] * n),
        "latitude": np.concatenate([np.full(n, 50.0), np.full(n, 51.0)]),
        "longitude": np.concatenate([lon, lon]),
        "altitude": np.full(2 * n, 30000.0),
        "groundspeed": np.full(2 * n, 389.0),
        "track": np.concatenate([bad, good]),
    }
    tracks = tracks_from_columns(columns)
    mine = tracks.icao24 == "bad"
    trk, time_s = tracks.trk_deg[mine], tracks.time_s[mine]
    late = time_s >= 60.0
    assert np.abs(trk[late] - 90.0).max() < 0.5
    assert tracks.gs_ms[mine] == pytest.approx(389.0 * 1852.0 / 3600.0)
    assert (tracks.trk_deg[~mine] == good).all()
    assert tracks.derived[Derived.TRACK.value] >= int(late.sum()) * 3 // 4
