"""A recorded-traffic file built from a deterministic simulation of straight-line flights, with bad rows.

Encounters (known by construction):
- AAA001 / AAA002: head-on at FL300, 200 km apart at t = 0: a real loss of separation, predictable minutes ahead;
- CCC001 / CCC002: CCC001 climbs towards CCC002's level on a crossing course, then levels off 1100 ft below it:
  an alert with no loss of separation (a nuisance alert);
- DDD001 / DDD002: DDD002 appears already 3 km beside DDD001 at the same level: a loss nobody could warn of;
- EEE001 flies into the zone of `zones.geojson`; the others are far from everything.
Bad rows: NaN and missing fields, a duplicate (id, timestamp), rows out of time order, an impossible speed and a
position spike.
"""

from __future__ import annotations

import csv
import importlib.util
import math
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from shapely.geometry import box

from commonsky.airspace.zone import Zone, ZoneKind, write_zones
from commonsky.safety.alerts import Alert
from commonsky.safety.tracks import RecordedTracks
from commonsky.units import parse_altitude

ROOT = Path(__file__).resolve().parents[2]
R_E = 6371000.0
Degrees = float | np.ndarray
KT = 1852.0 / 3600.0
T0 = 1_700_000_000
DURATION_S = 900


def haversine_m(lat1: Degrees, lon1: Degrees, lat2: Degrees, lon2: Degrees, radius_m: float) -> Any:
    """Great-circle distance on a sphere of ``radius_m`` (haversine), the tests' own oracle: of two points, or
    element-wise of arrays of them."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(np.subtract(lon2, lon1)) / 2) ** 2
    return 2 * radius_m * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial great-circle bearing from point 1 to point 2, degrees clockwise from north in [0, 360)."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(y, x)) % 360.0


def _flight(
    icao: str,
    lat0: float,
    lon0: float,
    ft: float,
    kt: float,
    trk: float,
    fpm: float,
    start: int = 0,
    level_off_ft: float | None = None,
) -> list[list[object]]:
    rows = []
    offset = sum(map(ord, icao)) % 5
    for t in range(start + offset, DURATION_S, 5):
        dt = t - start
        gs = kt * KT
        lat = lat0 + math.degrees(gs * math.cos(math.radians(trk)) * dt / R_E)
        lon = lon0 + math.degrees(gs * math.sin(math.radians(trk)) * dt / (R_E * math.cos(math.radians(lat0))))
        alt = ft + fpm * dt / 60.0
        vr = fpm
        if level_off_ft is not None and ((fpm > 0 and alt >= level_off_ft) or (fpm < 0 and alt <= level_off_ft)):
            alt, vr = level_off_ft, 0.0
        rows.append([T0 + t, icao, icao.upper() + "X", lat, lon, round(alt, 1), kt, trk, vr])
    return rows


def build_tracks(path: Path) -> dict[str, int]:
    half = math.degrees(100000.0 / (R_E * math.cos(math.radians(48.0))))
    rows: list[list[object]] = []
    rows += _flight("aaa001", 48.0, 5.0 - half, 30000, 447.0, 90.0, 0.0)
    rows += _flight("aaa002", 48.0, 5.0 + half, 30000, 447.0, 270.0, 0.0)
    # Crossing: both reach 52N 0E at t = 300 s; ccc001 climbs 1000 fpm from FL250 but levels at 28,900 ft.
    d1, d2 = 450 * KT * 300, 400 * KT * 300
    rows += _flight("ccc001", 52.0 - math.degrees(d1 / R_E), 0.0, 25000, 450.0, 0.0, 1000.0, level_off_ft=28900)
    rows += _flight("ccc002", 52.0, -math.degrees(d2 / (R_E * math.cos(math.radians(52.0)))), 30000, 400.0, 90.0, 0.0)
    rows += _flight("ddd001", 40.0, -3.0, 35000, 420.0, 0.0, 0.0)
    dlon = math.degrees(3000.0 / (R_E * math.cos(math.radians(40.0))))
    lat_at = 40.0 + math.degrees(420 * KT * 600 / R_E)
    rows += _flight("ddd002", lat_at, -3.0 + dlon, 35000, 420.0, 0.0, 0.0, start=600)
    rows += _flight("eee001", 45.0, 20.0, 20000, 300.0, 90.0, 0.0)
    for k in range(6):
        rows += _flight(f"fff00{k}", 30.0 + 3 * k, -40.0, 33000, 380.0, 45.0 * k, 0.0)
    rows.sort(key=lambda r: (r[0], r[1]))
    good = len(rows)
    header = [
        "timestamp",
        "icao24",
        "callsign",
        "latitude",
        "longitude",
        "altitude",
        "groundspeed",
        "track",
        "vertical_rate",
    ]
    text = [[str(v) for v in r] for r in rows]
    bad = {
        "missing_or_nan": [
            [str(T0 + 100), "fff000", "X", "nan", "-40.0", "33000", "380", "0", "0"],
            [str(T0 + 101), "fff001", "X", "31.0", "-40.0", "33000", "", "45", "0"],
            [str(T0 + 102), "", "X", "31.0", "-40.0", "33000", "380", "45", "0"],
            [str(T0 + 103), "fff001", "X", "31.0", "-40.0", "33000", "fast", "45", "0"],
        ],
        "impossible_speed": [[str(T0 + 104), "fff002", "X", "36.0", "-40.0", "33000", "5000", "90", "0"]],
    }
    dup = list(text[10])
    text.insert(11, dup)  # the same (icao24, timestamp) twice: the second copy is dropped
    spike_at = next(k for k, r in enumerate(text) if r[1] == "fff003" and int(r[0]) > T0 + 300)
    text[spike_at] = [*text[spike_at][:3], str(float(text[spike_at][3]) + 2.0), *text[spike_at][4:]]
    text[200], text[201] = text[201], text[200] if text[200][0] != text[201][0] else text[201]
    text[400], text[420] = text[420], text[400]  # out of order: sorted back, not dropped
    for rows_bad in bad.values():
        text[300:300] = rows_bad
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(text)
    return {"good": good, "missing_or_nan": 4, "impossible_speed": 2, "duplicate_id_time": 1}


@pytest.fixture(scope="session")
def replay_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("replay")
    tracks = folder / "tracks.csv"
    expected = build_tracks(tracks)
    zone = Zone(
        "Training area",
        ZoneKind.RESTRICTED,
        box(21.0, 44.5, 22.0, 45.5),
        floor=parse_altitude("FL100"),
        ceiling=parse_altitude("FL300"),
    )
    zones = folder / "zones.geojson"
    write_zones(zones, [zone])
    return tracks, zones, expected


@pytest.fixture(scope="session")
def samples() -> Path:
    """The folder of the `traffic` wheel's sample trajectories (``<category>/<name>.json.gz``), extracted once
    into ``.cache/traffic-samples`` by ``scripts/traffic_samples.py``."""
    folder: Path = load_script(ROOT / "scripts" / "traffic_samples.py").extract(ROOT / ".cache" / "traffic-samples")
    return folder


def load_script(path: Path) -> ModuleType:
    """A script of the project (scripts/, benchmarks/) loaded as a module, by its path."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def legacy_replay_by_slot(tracks: RecordedTracks, slot_s: float, base_s: float) -> list[Alert]:
    """The alerts of the replay loop as it was before issue 13 (``benchmarks/legacy_replay.py``), run on each
    encounter slot (``slot_s`` long, centred on ``base_s + k * slot_s``) of ``tracks`` alone: encounters never
    meet across slots, and the old loop costs every step of the span it is given."""
    legacy = load_script(ROOT / "benchmarks" / "legacy_replay.py")
    slot = np.floor((tracks.time_s - base_s) / slot_s + 0.5).astype(int)
    per_row = ("time_s", "icao24", "callsign", "lat_deg", "lon_deg", "alt_m", "gs_ms", "trk_deg", "vs_ms")
    out: list[Alert] = []
    for k in np.unique(slot).tolist():
        m = slot == k
        part = replace(tracks, **{n: getattr(tracks, n)[m] for n in (*per_row, "vs_filt_ms", "on_ground")})
        out += legacy.legacy_replay(part)
    return out


@dataclass(frozen=True)
class TurningSamples:
    """Aircraft states with a turn rate and a report age: a `commonsky.safety.turns.TurningMotion` built in tests."""

    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray
    vn_ms: np.ndarray
    ve_ms: np.ndarray
    vs_ms: np.ndarray
    turn_dps: np.ndarray
    age_s: np.ndarray
