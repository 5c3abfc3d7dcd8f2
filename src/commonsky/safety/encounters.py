"""Encounters built from recorded flights: real trajectories shifted in time and level so that they meet.

A safety net is tuned and judged on encounters; recorded traffic has few (controllers keep aircraft apart), so
these functions make more from real flights, keeping every report's real noise, turns and vertical profile:
find where two flights' ground tracks cross (`crossing`), then shift one in time so both pass there together
and in altitude by a chosen number of feet (`shifted`). Tables are columns in the OpenSky / ``traffic``
convention (``timestamp`` s, ``icao24``, ``latitude``, ``longitude``, ``altitude`` ft, ...), as
`commonsky.safety.tracks.tracks_from_columns` reads them; every function returns new arrays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy.spatial import cKDTree

from commonsky._typing import FloatArray
from commonsky.earth import BLUESKY_EARTH_RADIUS_M

Columns = Mapping[str, np.ndarray]
NUMERIC = ("timestamp", "latitude", "longitude", "altitude", "groundspeed", "track", "vertical_rate")


def flight(columns: Columns, icao24: str) -> dict[str, np.ndarray]:
    """The rows of one aircraft, sorted by time."""
    rows = np.flatnonzero(np.asarray(columns["icao24"]) == icao24)
    rows = rows[np.argsort(np.asarray(columns["timestamp"], dtype=np.float64)[rows], kind="stable")]
    return {name: np.asarray(values)[rows] for name, values in columns.items()}


def around(f: Columns, time_s: float, half_s: float) -> dict[str, np.ndarray]:
    """The rows of ``f`` within ``half_s`` of ``time_s``."""
    keep = np.abs(np.asarray(f["timestamp"], dtype=np.float64) - time_s) <= half_s
    return {name: np.asarray(values)[keep] for name, values in f.items()}


def shifted(f: Columns, icao24: str, dt_s: float = 0.0, dalt_ft: float = 0.0) -> dict[str, np.ndarray]:
    """The flight under a new id, ``dt_s`` later and ``dalt_ft`` higher (on-ground rows keep their altitude)."""
    out = {name: np.array(values, copy=True) for name, values in f.items()}
    out["icao24"] = np.full(out["icao24"].shape[0], icao24)
    out["timestamp"] = np.asarray(out["timestamp"], dtype=np.float64) + dt_s
    alt = np.asarray(out["altitude"], dtype=np.float64)
    ground = np.asarray(out.get("onground", np.zeros(alt.shape[0], dtype=bool)), dtype=bool)
    out["altitude"] = np.where(ground, alt, alt + dalt_ft)
    return out


def concat(flights: Sequence[Columns]) -> dict[str, np.ndarray]:
    """One table of several flights (columns missing from some are filled with NaN / False / empty)."""
    names = sorted({n for f in flights for n in f})
    out: dict[str, np.ndarray] = {}
    for name in names:
        parts = []
        for f in flights:
            n = np.asarray(f["timestamp"]).shape[0]
            if name in f:
                parts.append(np.asarray(f[name]))
            elif name == "onground":
                parts.append(np.zeros(n, dtype=bool))
            elif name in ("icao24", "callsign"):
                parts.append(np.full(n, ""))
            else:
                parts.append(np.full(n, np.nan))
        out[name] = np.concatenate(parts)
    return out


def _xy(lat: FloatArray, lon: FloatArray, lat0: float) -> FloatArray:
    return np.stack(
        [BLUESKY_EARTH_RADIUS_M * np.radians(lon) * np.cos(np.radians(lat0)), BLUESKY_EARTH_RADIUS_M * np.radians(lat)],
        axis=1,
    )


@dataclass(frozen=True)
class Crossing:
    """Where two ground tracks come closest: the report times of each flight there and the distance (m)."""

    time_a_s: float
    time_b_s: float
    distance_m: float
    angle_deg: float


def crossing(a: Columns, b: Columns) -> Crossing:
    """The closest approach of the two flights' ground tracks, ignoring time (between reports)."""
    lat_a, lon_a = np.asarray(a["latitude"], dtype=np.float64), np.asarray(a["longitude"], dtype=np.float64)
    lat_b, lon_b = np.asarray(b["latitude"], dtype=np.float64), np.asarray(b["longitude"], dtype=np.float64)
    lat0 = float(np.mean(lat_a))
    xa, xb = _xy(lat_a, lon_a, lat0), _xy(lat_b, lon_b, lat0)
    dist, idx = cKDTree(xb).query(xa)
    i = int(np.argmin(dist))
    j = int(idx[i])
    ta, tb = np.asarray(a["timestamp"], dtype=np.float64), np.asarray(b["timestamp"], dtype=np.float64)
    da = xa[min(i + 1, len(xa) - 1)] - xa[max(i - 1, 0)]
    db = xb[min(j + 1, len(xb) - 1)] - xb[max(j - 1, 0)]
    cos = float(np.dot(da, db) / max(np.linalg.norm(da) * np.linalg.norm(db), 1e-9))
    return Crossing(float(ta[i]), float(tb[j]), float(dist[i]), float(np.degrees(np.arccos(np.clip(cos, -1, 1)))))


def altitude_at(f: Columns, time_s: float) -> float:
    """Reported altitude (ft) of the report nearest ``time_s``."""
    t = np.asarray(f["timestamp"], dtype=np.float64)
    return float(np.asarray(f["altitude"], dtype=np.float64)[int(np.argmin(np.abs(t - time_s)))])


def is_level(f: Columns, time_s: float, around_s: float = 120.0, band_ft: float = 100.0) -> bool:
    """Whether the flight's reported altitude stays within ``band_ft`` over ``time_s`` +/- ``around_s``."""
    t = np.asarray(f["timestamp"], dtype=np.float64)
    alt = np.asarray(f["altitude"], dtype=np.float64)
    near = np.abs(t - time_s) <= around_s
    if np.count_nonzero(near) < 3 or not np.isfinite(alt[near]).all():
        return False
    covered = float(t[near].min()) <= time_s - 0.8 * around_s and float(t[near].max()) >= time_s + 0.8 * around_s
    return bool(np.ptp(alt[near]) <= band_ft) and covered


class EncounterKind(StrEnum):
    """What an encounter was built to show."""

    SAME_LEVEL = "same level crossing"
    ADJACENT_LEVELS = "level at adjacent levels"
    CLIMB_THROUGH = "climb through an occupied level"
    DESCENT_THROUGH = "descent through an occupied level"


@dataclass(frozen=True)
class Encounter:
    """One built encounter: its kind and the ids of its two flights (``level_id`` holds a level)."""

    kind: EncounterKind
    level_id: str
    other_id: str


def vertical_rate_fpm(f: Columns, time_s: float, around_s: float = 60.0) -> float:
    """Mean vertical rate (ft/min) from the reported altitudes over ``time_s`` +/- ``around_s``."""
    t = np.asarray(f["timestamp"], dtype=np.float64)
    alt = np.asarray(f["altitude"], dtype=np.float64)
    near = (np.abs(t - time_s) <= around_s) & np.isfinite(alt)
    if np.count_nonzero(near) < 3 or np.ptp(t[near]) <= 0:
        return 0.0
    return float(np.polyfit(t[near], alt[near], 1)[0] * 60.0)


def encounter_set(
    columns: Columns,
    per_kind: int = 8,
    slot_s: float = 2 * 3600.0,
    max_track_gap_m: float = 300.0,
    min_rows: int = 60,
) -> tuple[dict[str, np.ndarray], list[Encounter]]:
    """Encounters from the flights of ``columns``: for pairs whose ground tracks cross (within
    ``max_track_gap_m``, at 45 to 135 degrees) where the first holds a level, the second is shifted in time so
    both reach the crossing together, and in altitude: to the same level and to the level 1,000 ft above
    (two encounters) if it is level too, or so that it passes the first one's level there if it climbs or
    descends (more than 1,000 ft/min). Each encounter keeps the flights' reports within ``slot_s`` / 4 of the
    crossing and gets its own ``slot_s`` of time, so encounters never meet each other; up to ``per_kind`` of
    each kind, in a fixed order (deterministic)."""
    flights = _flights(columns, min_rows)
    made: list[Encounter] = []
    pieces: list[dict[str, np.ndarray]] = []
    count = dict.fromkeys(EncounterKind, 0)
    for x, y, i, j, gap_m in _crossings(flights, max_track_gap_m):
        if all(v >= per_kind for v in count.values()):
            break
        for a, b, c in (
            (flights[x], flights[y], _crossing_at(flights[x], flights[y], i, j, gap_m)),
            (flights[y], flights[x], _crossing_at(flights[y], flights[x], j, i, gap_m)),
        ):
            if not 45.0 <= c.angle_deg <= 135.0 or not is_level(a, c.time_a_s):
                continue
            alt_a = round(altitude_at(a, c.time_a_s) / 100.0) * 100.0
            rate = vertical_rate_fpm(b, c.time_b_s)
            if is_level(b, c.time_b_s):
                alt_b = round(altitude_at(b, c.time_b_s) / 100.0) * 100.0
                plans = [
                    (EncounterKind.SAME_LEVEL, alt_a - alt_b),
                    (EncounterKind.ADJACENT_LEVELS, alt_a + 1000 - alt_b),
                ]
            elif abs(rate) > 1000.0:
                kind = EncounterKind.CLIMB_THROUGH if rate > 0 else EncounterKind.DESCENT_THROUGH
                plans = [(kind, alt_a - altitude_at(b, c.time_b_s))]
            else:
                continue
            for kind, dalt in plans:
                if count[kind] >= per_kind:
                    continue
                n = len(made)
                base = n * slot_s - c.time_a_s + 1_600_000_000.0
                level_id, other_id = f"e{n:03d}a", f"e{n:03d}b"
                pieces.append(shifted(around(a, c.time_a_s, slot_s / 4), level_id, base))
                pieces.append(
                    shifted(around(b, c.time_b_s, slot_s / 4), other_id, base + c.time_a_s - c.time_b_s, dalt)
                )
                made.append(Encounter(kind, level_id, other_id))
                count[kind] += 1
    return concat(pieces) if pieces else {}, made


def _flights(columns: Columns, min_rows: int) -> list[dict[str, np.ndarray]]:
    """Each aircraft's rows (at least ``min_rows``), sorted by time, numeric columns as floats; by id."""
    ids = np.asarray(columns["icao24"]).astype(np.str_)
    t = np.asarray(columns["timestamp"], dtype=np.float64)
    order = np.lexsort((t, ids))
    table: dict[str, np.ndarray] = {}
    for name, values in columns.items():
        v = np.asarray(values)[order]
        if name in NUMERIC:
            v = np.array([np.nan if x is None else x for x in v.tolist()], dtype=np.float64)
        elif name == "onground":
            v = np.array([bool(x) for x in v.tolist()])
        table[name] = v
    table["icao24"] = ids[order]
    starts = np.flatnonzero(np.concatenate([[True], table["icao24"][1:] != table["icao24"][:-1]]))
    stops = np.concatenate([starts[1:], [order.shape[0]]])
    return [
        {name: values[a:b] for name, values in table.items()}
        for a, b in zip(starts.tolist(), stops.tolist(), strict=True)
        if b - a >= min_rows
    ]


def _crossings(flights: Sequence[Columns], within_m: float) -> list[tuple[int, int, int, int, float]]:
    """For each pair of flights (x < y) with reports closer than ``within_m``: the closest two reports (their
    rows i in x and j in y) and their distance; ordered by flight pair."""
    if len(flights) < 2:
        return []
    lat = np.concatenate([np.asarray(f["latitude"], dtype=np.float64) for f in flights])
    lon = np.concatenate([np.asarray(f["longitude"], dtype=np.float64) for f in flights])
    sizes = np.array([np.asarray(f["latitude"]).shape[0] for f in flights])
    owner = np.repeat(np.arange(len(flights)), sizes)
    first = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    xy = _xy(lat, lon, float(np.mean(lat)))
    pairs = cKDTree(xy).query_pairs(within_m, output_type="ndarray")
    p, q = pairs[:, 0], pairs[:, 1]
    keep = owner[p] != owner[q]
    p, q = p[keep], q[keep]
    swap = owner[p] > owner[q]
    p, q = np.where(swap, q, p), np.where(swap, p, q)
    dist = np.hypot(*(xy[p] - xy[q]).T)
    key = owner[p] * len(flights) + owner[q]
    order = np.lexsort((dist, key))
    best = order[np.concatenate([[True], key[order][1:] != key[order][:-1]])] if order.shape[0] else order
    return [
        (
            int(owner[p[k]]),
            int(owner[q[k]]),
            int(p[k] - first[owner[p[k]]]),
            int(q[k] - first[owner[q[k]]]),
            float(dist[k]),
        )
        for k in best.tolist()
    ]


def _crossing_at(a: Columns, b: Columns, i: int, j: int, gap_m: float) -> Crossing:
    lat_a, lon_a = np.asarray(a["latitude"], dtype=np.float64), np.asarray(a["longitude"], dtype=np.float64)
    lat_b, lon_b = np.asarray(b["latitude"], dtype=np.float64), np.asarray(b["longitude"], dtype=np.float64)
    lat0 = float(lat_a[i])
    da = _xy(lat_a[[min(i + 1, len(lat_a) - 1)]], lon_a[[min(i + 1, len(lat_a) - 1)]], lat0) - _xy(
        lat_a[[max(i - 1, 0)]], lon_a[[max(i - 1, 0)]], lat0
    )
    db = _xy(lat_b[[min(j + 1, len(lat_b) - 1)]], lon_b[[min(j + 1, len(lat_b) - 1)]], lat0) - _xy(
        lat_b[[max(j - 1, 0)]], lon_b[[max(j - 1, 0)]], lat0
    )
    cos = float(np.dot(da[0], db[0]) / max(np.linalg.norm(da[0]) * np.linalg.norm(db[0]), 1e-9))
    ta, tb = np.asarray(a["timestamp"], dtype=np.float64), np.asarray(b["timestamp"], dtype=np.float64)
    return Crossing(float(ta[i]), float(tb[j]), gap_m, float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))))


def lift_off(f: Columns, climb_rows: int = 20) -> int:
    """Row of the first airborne report after ground reports, followed by ``climb_rows`` airborne reports that
    climb; -1 if the flight has no such take-off."""
    ground = np.asarray(f.get("onground", np.zeros(0, dtype=bool)), dtype=bool)
    alt = np.asarray(f["altitude"], dtype=np.float64)
    for i in np.flatnonzero(ground[:-1] & ~ground[1:]).tolist():
        after = slice(i + 1, i + 1 + climb_rows)
        if ground[after].any() or ground[after].shape[0] < climb_rows:
            continue
        climb = alt[after]
        if np.isfinite(climb).all() and climb[-1] - climb[0] > 300.0:
            return i + 1
    return -1


def beside(
    mover: Columns, row: int, target: Columns, target_row: int, icao24: str, east_m: float
) -> dict[str, np.ndarray]:
    """``mover`` under a new id, moved in time and space so that its report ``row`` is ``east_m`` east of the
    target's report ``target_row``, at the same time and altitude (a ground movement beside a take-off)."""
    out = shifted(mover, icao24, float(target["timestamp"][target_row]) - float(mover["timestamp"][row]))
    lat0 = float(target["latitude"][target_row])
    dlat = lat0 - float(mover["latitude"][row])
    dlon = float(target["longitude"][target_row]) - float(mover["longitude"][row])
    dlon += float(np.degrees(east_m / (BLUESKY_EARTH_RADIUS_M * np.cos(np.radians(lat0)))))
    out["latitude"] = np.asarray(out["latitude"], dtype=np.float64) + dlat
    out["longitude"] = np.asarray(out["longitude"], dtype=np.float64) + dlon
    out["altitude"] = np.full(out["altitude"].shape[0], float(target["altitude"][target_row]))
    out["onground"] = np.ones(out["altitude"].shape[0], dtype=bool)  # a ground movement (real flags flicker)
    return out


def ground_set(
    columns: Columns, count: int = 6, slot_s: float = 2 * 3600.0, east_m: float = 300.0, first_slot: int = 0
) -> tuple[dict[str, np.ndarray], list[tuple[str, str]]]:
    """Take-offs with a ground movement beside them: for consecutive departures of ``columns``, the ground part
    of the next one (up to its take-off) is moved ``east_m`` beside the first one's lift-off point, at that
    time, on the ground. Returns the table and the (departure id, ground mover id) pairs; slots as in
    `encounter_set` (numbered from ``first_slot``)."""
    departures = [(f, lift_off(f)) for f in _flights(columns, 60)]
    departures = [(f, i) for f, i in departures if i > 10]
    pieces: list[dict[str, np.ndarray]] = []
    made: list[tuple[str, str]] = []
    for n in range(min(count, len(departures) - 1)):
        (dep, lift), (other, other_lift) = departures[n], departures[n + 1]
        ground = around(other, float(other["timestamp"][other_lift - 1]), 1e9)
        ground = {name: values[:other_lift] for name, values in ground.items()}
        slot = (first_slot + n) * slot_s + 1_600_000_000.0
        base = slot - float(dep["timestamp"][lift])
        dep_id, mover_id = f"g{n:03d}d", f"g{n:03d}m"
        dep_piece = shifted(around(dep, float(dep["timestamp"][lift]), slot_s / 4), dep_id, base)
        row = other_lift // 2
        lift_row = int(np.argmin(np.abs(dep_piece["timestamp"] - slot)))
        pieces.append(dep_piece)
        pieces.append(beside(ground, row, dep_piece, lift_row, mover_id, east_m))
        made.append((dep_id, mover_id))
    return concat(pieces) if pieces else {}, made
