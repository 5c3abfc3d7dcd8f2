"""Alert quality on real recorded traffic: the PyPI `traffic` package's sample trajectories, and encounters built
from them, judged against a loss computation written here (not the product's).

The samples come from the `traffic` wheel (MIT), extracted by ``scripts/traffic_samples.py`` (pip download, no
install). Encounters: en-route flights of the ``switzerland`` sample shifted in time and level so that they
cross at the same level, at adjacent levels (1,000 ft apart, both level), or while one climbs or descends
through the other's level; and departures of the Paris ``quickstart`` sample with a ground movement beside
their lift-off point. The baseline ("today") is the replay loop as it was before issue 13
(``benchmarks/legacy_replay.py``), run on the same reports.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from commonsky.geo.aerodromes import load_aerodromes
from commonsky.safety.alerts import Alert, AlertKind
from commonsky.safety.encounters import EncounterKind, concat, encounter_set, ground_set
from commonsky.safety.replay import ReplayResult, replay
from commonsky.safety.stca import terminal_policy
from commonsky.safety.track_files import read_json_records, read_tracks
from commonsky.safety.tracks import RecordedTracks, tracks_from_columns

from .conftest import legacy_replay_by_slot, load_script

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
R_M = 6371000.0
RADIUS_M = 5 * 1852.0
GAP_S = 30.0


# --- the independent loss computation: per pair, per second, vertical in feet -------------------------------


@dataclass
class Flight:
    t: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    alt_ft: np.ndarray  # reported altitude, exact
    fl_ft: np.ndarray  # reported altitude rounded to 100 ft (the flight level a controller's label shows)
    ground: np.ndarray


def _flights(table: dict[str, np.ndarray]) -> dict[str, Flight]:
    out = {}
    ids = np.asarray(table["icao24"]).astype(str)
    t_all = np.asarray(table["timestamp"], dtype=float)
    alt_all = np.array([np.nan if v is None else float(v) for v in np.asarray(table["altitude"])])
    lat_all = np.asarray(table["latitude"], dtype=float)
    lon_all = np.asarray(table["longitude"], dtype=float)
    ground_all = (
        np.array([bool(v) for v in np.asarray(table["onground"])])
        if "onground" in table
        else np.zeros(t_all.shape[0], dtype=bool)
    )
    order = np.lexsort((np.arange(t_all.shape[0]), t_all, ids))
    names, starts = np.unique(ids[order], return_index=True)
    for name, rows in zip(names, np.split(order, starts[1:]), strict=True):
        t = t_all[rows]
        first = np.concatenate([[True], t[1:] != t[:-1]])
        rows = rows[first]
        alt = alt_all[rows]
        out[str(name)] = Flight(
            t_all[rows],
            lat_all[rows],
            lon_all[rows],
            alt,
            np.round(alt / 100.0) * 100.0,
            ground_all[rows] | ~np.isfinite(alt),
        )
    return out


def _at(f: Flight, grid: np.ndarray) -> tuple[np.ndarray, ...]:
    i = np.clip(np.searchsorted(f.t, grid, side="right") - 1, 0, f.t.shape[0] - 1)
    j = np.minimum(i + 1, f.t.shape[0] - 1)
    exact = (f.t[i] == grid) & ~f.ground[i]
    inside = (f.t[i] < grid) & (grid < f.t[j]) & (f.t[j] - f.t[i] <= GAP_S) & ~f.ground[i] & ~f.ground[j]
    w = np.where(inside, (grid - f.t[i]) / np.where(j > i, f.t[j] - f.t[i], 1.0), 0.0)
    return (
        exact | inside,
        f.lat[i] + w * (f.lat[j] - f.lat[i]),
        f.lon[i] + w * (f.lon[j] - f.lon[i]),
        f.alt_ft[i] + w * (f.alt_ft[j] - f.alt_ft[i]),
    )


def _angle_m(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    def unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        p, q = np.radians(lat), np.radians(lon)
        return np.stack([np.cos(p) * np.cos(q), np.cos(p) * np.sin(q), np.sin(p)], axis=1)

    u, v = unit(lat1, lon1), unit(lat2, lon2)
    return np.asarray(R_M * np.arctan2(np.linalg.norm(np.cross(u, v), axis=1), np.einsum("ij,ij->i", u, v)))


Loss = tuple[str, str, float, float, str]
"""(a, b, start, end, kind) with a < b; kind "loss" (a true loss), "height_keeping" or "parallel_runways"."""
TRUE = "loss"


def _qnh_offset_ft(flights: dict[str, Flight]) -> float:
    """The QNH offset the reports show: among reports from 1,500 ft to 5,000 ft (the transition altitude) of
    aircraft level then (altitude changed by less than 400 ft/min since their report 20-60 s earlier), the most
    common distance to the nearest multiple of 1,000 ft (25 ft bins), negated; 0 unless that bin and its two
    neighbours hold half of at least 100 such reports."""
    devs = []
    for f in flights.values():
        ok = ~f.ground
        for i in np.flatnonzero(ok & (f.alt_ft >= 1500.0) & (f.alt_ft < 5000.0)):
            j = int(np.searchsorted(f.t, f.t[i] - 20.0, side="right")) - 1
            if j < 0 or f.t[i] - f.t[j] > 60.0 or f.ground[j]:
                continue
            if abs(f.alt_ft[i] - f.alt_ft[j]) / (f.t[i] - f.t[j]) < 400.0 / 60.0:
                devs.append((round(f.alt_ft[i] / 25.0) * 25.0 + 500.0) % 1000.0 - 500.0)
    if len(devs) < 100:
        return 0.0
    values, counts = np.unique(np.array(devs), return_counts=True)
    mode = float(values[np.argmax(counts)])
    near = sum(c for v, c in zip(values, counts, strict=True) if min(abs(v - mode), 1000.0 - abs(v - mode)) <= 25.0)
    return -mode if near >= 0.5 * len(devs) else 0.0


def _held_level_ft(f: Flight, start: float, end: float, qnh_ft: float = 0.0) -> float:
    """The IFR level the flight held within 300 ft over [start - 20 s, end] and was level at (altitude changed by
    less than 400 ft/min over any 20 s ending in [start, end]), or NaN. Levels are multiples of 1,000 ft of
    pressure altitude, or of QNH altitude (pressure altitude + ``qnh_ft``) where that is below 5,500 ft (the
    5,000 ft transition altitude and half a level)."""
    grid = np.arange(start - 20.0, end + 1.0)
    ok, _, _, ft = _at(f, grid)
    qnh = ft[ok] + qnh_ft
    levels = np.where(qnh < 5500.0, np.round(qnh / 1000.0) * 1000.0 - qnh_ft, np.round(ft[ok] / 1000.0) * 1000.0)
    if levels.size == 0 or levels.min() != levels.max() or np.abs(ft[ok] - levels).max() >= 300.0:
        return math.nan
    now = np.flatnonzero(ok[20:]) + 20
    now = now[ok[now - 20]]
    if now.size and np.abs(ft[now] - ft[now - 20]).max() >= 400.0 / 3.0:
        return math.nan
    return float(levels[0])


def _near(fa: Flight, fb: Flight) -> bool:
    """False only if the two flights' latitudes never come within 5 NM of each other (a pair that cannot lose
    separation; 5 NM is 0.0833 degrees of latitude, 0.09 with margin)."""
    la, lb = fa.lat[np.isfinite(fa.lat)], fb.lat[np.isfinite(fb.lat)]
    if la.size == 0 or lb.size == 0:
        return False
    return bool(la.min() - 0.09 <= lb.max() and lb.min() - 0.09 <= la.max())


def _bearing_deg(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Initial great-circle bearing from point 1 to point 2 (degrees)."""
    p1, p2, dl = np.radians(lat1), np.radians(lat2), np.radians(lon2 - lon1)
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return np.asarray(np.degrees(np.arctan2(y, x)))


def _cross_track_m(
    lat: np.ndarray, lon: np.ndarray, trk: np.ndarray, lat_o: np.ndarray, lon_o: np.ndarray
) -> np.ndarray:
    """Distance of the other point from the great circle through (lat, lon) along ``trk`` (spherical formula)."""
    d = _angle_m(lat, lon, lat_o, lon_o) / R_M
    theta = np.radians(_bearing_deg(lat, lon, lat_o, lon_o) - trk)
    return np.asarray(np.abs(np.arcsin(np.sin(d) * np.sin(theta))) * R_M)


def _motion(f: Flight, grid: np.ndarray) -> tuple[np.ndarray, ...]:
    """(known, lat, lon, alt_ft, track_deg, climbing or descending) at each second: track and altitude change
    over the 20 s before, or after where the 20 s before were not observed."""
    ok, lat, lon, ft = _at(f, grid)
    ok0, lat0, lon0, ft0 = _at(f, grid - 20.0)
    ok1, lat1, lon1, ft1 = _at(f, grid + 20.0)
    fa, fo = np.where(ok0, lat0, lat), np.where(ok0, lon0, lon)
    ta, to = np.where(ok0, lat, lat1), np.where(ok0, lon, lon1)
    climb = np.abs(np.where(ok0, ft - ft0, ft1 - ft)) >= 400.0 / 3.0
    return ok & (ok0 | ok1), lat, lon, ft, _bearing_deg(fa, fo, ta, to), climb


def _parallel_runways(fa: Flight, fb: Flight, start: float, end: float) -> bool:
    """ICAO independent parallel approaches or departures, segregated parallel operations (1,035 m, Doc 9643), by
    geometry, at every second of [start, end]: both below 5,000 ft, not both level, tracks within 5 degrees,
    each at least 1,035 m from the other's great circle."""
    grid = np.arange(start, end + 1.0)
    ka, lat_a, lon_a, ft_a, trk_a, mv_a = _motion(fa, grid)
    kb, lat_b, lon_b, ft_b, trk_b, mv_b = _motion(fb, grid)
    dtrk = np.abs((trk_a - trk_b + 180.0) % 360.0 - 180.0)
    apart = np.minimum(
        _cross_track_m(lat_a, lon_a, trk_a, lat_b, lon_b), _cross_track_m(lat_b, lon_b, trk_b, lat_a, lon_a)
    )
    ok = ka & kb & (ft_a < 5000.0) & (ft_b < 5000.0) & (mv_a | mv_b) & (dtrk <= 5.0) & (apart >= 1035.0)
    return bool(ok.all())


def independent_losses(table: dict[str, np.ndarray], terminal: bool = False) -> list[Loss]:
    """Consecutive whole seconds at which both are airborne inside their observed spans (reports at most 30 s
    apart) and closer than 5 NM (``terminal``: 3 NM unless one of them is at or above FL195) and 1,000 ft
    (reported altitudes, exact); "height_keeping" if both held IFR levels 1,000 ft apart (level, within 300 ft),
    else "parallel_runways" if the pair flew parallel runway operations throughout, else a true loss."""
    flights = _flights(table)
    qnh_ft = _qnh_offset_ft(flights)
    names = sorted(flights)
    out = []
    for x, a in enumerate(names):
        for b in names[x + 1 :]:
            fa, fb = flights[a], flights[b]
            lo, hi = max(fa.t[0], fb.t[0]), min(fa.t[-1], fb.t[-1])
            if lo > hi or not _near(fa, fb):
                continue
            grid = np.arange(math.ceil(lo), math.floor(hi) + 1, dtype=float)
            va, la_a, lo_a, fa_ft = _at(fa, grid)
            vb, la_b, lo_b, fb_ft = _at(fb, grid)
            both = va & vb
            loss = np.zeros(grid.shape[0], dtype=bool)
            radius = np.full(grid.shape[0], RADIUS_M)
            if terminal:
                radius = np.where(np.maximum(fa_ft, fb_ft) >= 19500.0, RADIUS_M, 3 * 1852.0)
            loss[both] = (np.abs(fa_ft[both] - fb_ft[both]) < 1000.0 - 1e-6) & (
                _angle_m(la_a[both], lo_a[both], la_b[both], lo_b[both]) < radius[both] - 1e-6
            )
            edges = np.flatnonzero(np.diff(np.concatenate([[0], loss.astype(int), [0]])))
            for s, e in zip(edges[::2], edges[1::2], strict=True):
                start, end = float(grid[s]), float(grid[e - 1])
                apart = abs(_held_level_ft(fa, start, end, qnh_ft) - _held_level_ft(fb, start, end, qnh_ft)) >= 1000.0
                kind = (
                    "height_keeping" if apart else "parallel_runways" if _parallel_runways(fa, fb, start, end) else TRUE
                )
                out.append((a, b, start, end, kind))
    return out


# --- judging alerts against those losses ----------------------------------------------------------------------


def warning_times(alerts: list[Alert], losses: list[Loss]) -> list[float | None]:
    """Per loss: seconds from the earliest alert for its pair still up when it began, or None (not warned)."""
    out: list[float | None] = []
    for a, b, start, _, _ in losses:
        raised = [
            al.raised_s
            for al in alerts
            if al.kind is AlertKind.CONFLICT
            and al.subjects == (a, b)
            and al.raised_s < start
            and (al.ended_s is None or al.ended_s >= start)
        ]
        out.append(start - min(raised) if raised else None)
    return out


def nuisance(alerts: list[Alert], losses: list[Loss]) -> int:
    """Conflict alerts during whose life their pair never lost separation."""
    return sum(
        1
        for al in alerts
        if al.kind is AlertKind.CONFLICT
        and not any(
            (a, b) == al.subjects and s <= (al.ended_s if al.ended_s is not None else math.inf) and e >= al.raised_s
            for a, b, s, e, _ in losses
        )
    )


def _latest(f: Flight, time_s: float) -> int:
    return int(np.searchsorted(f.t, time_s, side="right") - 1)


def level_adjacent_alerts(alerts: list[Alert], table: dict[str, np.ndarray]) -> int:
    """Alerts raised while both aircraft were level (same flight level at their latest report and at their
    latest report 30 s or more earlier, no more than 90 s earlier) and at least 1,000 ft apart."""
    flights = _flights(table)
    count = 0
    for al in alerts:
        levels = []
        for name in al.subjects:
            f = flights[name]
            now, before = _latest(f, al.raised_s), _latest(f, al.raised_s - 30.0)
            level = (
                before >= 0
                and al.raised_s - f.t[before] <= 90.0
                and not f.ground[now]
                and not f.ground[before]
                and f.fl_ft[now] == f.fl_ft[before]
            )
            levels.append(float(f.fl_ft[now]) if level else math.nan)
        count += bool(abs(levels[0] - levels[1]) >= 1000.0)
    return count


def held_level_alerts(alerts: list[Alert], table: dict[str, np.ndarray]) -> int:
    """Alerts raised while both aircraft held IFR levels at least 1,000 ft apart, as the truth's height keeping
    reads them: each less than 300 ft from a multiple of 1,000 ft and level (altitude changed by less than
    400 ft/min over the last 20 s)."""
    flights = _flights(table)
    count = 0
    for al in alerts:
        levels = []
        for name in al.subjects:
            ok, _, _, ft = _at(flights[name], np.array([al.raised_s - 20.0, al.raised_s]))
            level = float(np.round(ft[1] / 1000.0) * 1000.0)
            held = bool(ok.all()) and abs(ft[1] - ft[0]) < 400.0 / 3.0 and abs(ft[1] - level) < 300.0
            levels.append(level if held else math.nan)
        count += bool(abs(levels[0] - levels[1]) >= 1000.0)
    return count


def ground_alerts(alerts: list[Alert], table: dict[str, np.ndarray]) -> int:
    """Alerts raised while one of the aircraft's latest reports said it was on the ground."""
    flights = _flights(table)
    count = 0
    for al in alerts:
        on = []
        for name in al.subjects:
            f = flights[name]
            k = _latest(f, al.raised_s)
            on.append(k >= 0 and bool(f.ground[k]))
        count += any(on)
    return count


# --- the studies ----------------------------------------------------------------------------------------------


@dataclass
class Study:
    table: dict[str, np.ndarray]
    tracks: RecordedTracks
    result: ReplayResult
    losses: list[Loss]
    legacy: list[Alert]
    kinds: dict[tuple[str, str], str]


@pytest.fixture(scope="module")
def study(samples: Path) -> Study:
    slot_s = 3600.0
    swiss = read_json_records(samples / "collections" / "switzerland.json.gz")
    table, made = encounter_set(swiss, per_kind=8, slot_s=slot_s)
    paris = read_json_records(samples / "collections" / "quickstart.json.gz")
    ground_table, ground_pairs = ground_set(paris, count=6, slot_s=slot_s, first_slot=len(made))
    table = concat([table, ground_table])
    tracks = tracks_from_columns(table)
    result = replay(tracks, aerodromes=load_aerodromes())
    legacy = legacy_replay_by_slot(tracks, slot_s, 1_600_000_000.0)
    kinds = {(e.level_id, e.other_id): e.kind.value for e in made}
    kinds.update({tuple(sorted(p)): "ground" for p in ground_pairs})  # type: ignore[misc]
    return Study(table, tracks, result, independent_losses(table), legacy, kinds)


def test_encounters_cover_every_kind(study: Study) -> None:
    counts = {kind: sum(v == kind.value for v in study.kinds.values()) for kind in EncounterKind}
    assert all(n >= 5 for n in counts.values()), counts
    assert sum(v == "ground" for v in study.kinds.values()) >= 5


def _ours(result: ReplayResult) -> list[Loss]:
    e = result.losses
    return list(
        zip(
            e.id_a.tolist(),
            e.id_b.tolist(),
            e.start_s.tolist(),
            e.end_s.tolist(),
            [k.value for k in e.kinds()],
            strict=True,
        )
    )


def test_every_loss_is_in_the_replay_losses(study: Study) -> None:
    """The same episodes (exact feet), each of the same kind; both kinds occur."""
    ours = _ours(study.result)
    assert sum(loss[4] == TRUE for loss in study.losses) >= 15
    assert sum(loss[4] == "height_keeping" for loss in study.losses) >= 5
    assert sorted(ours) == sorted(study.losses)


def test_losses_are_warned_early(study: Study) -> None:
    """At least 95 % of the true losses warned, median warning at least 60 s."""
    times = warning_times(study.result.alerts, [loss for loss in study.losses if loss[4] == TRUE])
    warned = [w for w in times if w is not None]
    assert len(warned) >= 0.95 * len(times)
    assert statistics.median(warned) >= 60.0


def test_no_alert_for_level_pairs_at_adjacent_levels(study: Study) -> None:
    assert level_adjacent_alerts(study.result.alerts, study.table) == 0
    assert held_level_alerts(study.result.alerts, study.table) == 0
    # The checks bite: the replay as it was raised such alerts on the same reports.
    assert level_adjacent_alerts(study.legacy, study.table) > 0
    assert held_level_alerts(study.legacy, study.table) > 0
    adjacent = {p for p, kind in study.kinds.items() if kind == EncounterKind.ADJACENT_LEVELS.value}
    assert not any(loss[:2] in adjacent and loss[4] == TRUE for loss in study.losses)


def test_no_alert_involves_an_aircraft_on_the_ground(study: Study) -> None:
    assert ground_alerts(study.result.alerts, study.table) == 0
    assert ground_alerts(study.legacy, study.table) > 0
    movers = {p for p, kind in study.kinds.items() if kind == "ground"}
    assert not any(loss[:2] in movers for loss in study.losses)


def test_nuisance_per_loss_is_at_most_a_third_of_the_old_replay(study: Study) -> None:
    n_loss = len(study.losses)
    ours = nuisance(study.result.alerts, study.losses) / n_loss
    before = nuisance(study.legacy, study.losses) / n_loss
    assert before > 0
    assert ours <= before / 3.0, (ours, before)


def test_the_airport_sample_as_it_is(samples: Path) -> None:
    """Zurich airport surface traffic as recorded (flickering on-ground flags, garbage altitudes on the ground):
    the replay finds exactly the independent losses and raises no alert involving an aircraft on the ground."""
    path = samples / "onground" / "zurich_airport.json.gz"
    table = read_json_records(path)
    result = replay(read_tracks(path), aerodromes=load_aerodromes())
    ours = sorted(
        zip(result.losses.id_a.tolist(), result.losses.id_b.tolist(), result.losses.start_s.tolist(), strict=True)
    )
    assert ours == sorted((a, b, s) for a, b, s, _, _ in independent_losses(table))
    assert ground_alerts(result.alerts, table) == 0


# --- the Paris terminal sample as it is -------------------------------------------------------------------------


def _clean_table(tracks: RecordedTracks) -> dict[str, np.ndarray]:
    """The reports the replay kept after hygiene (tested on its own in test_tracks), as a table in feet."""
    return {
        "timestamp": tracks.time_s,
        "icao24": tracks.icao24,
        "latitude": tracks.lat_deg,
        "longitude": tracks.lon_deg,
        "altitude": tracks.alt_m / 0.3048,
        "onground": tracks.on_ground,
    }


def _span_start(f: Flight, time_s: float) -> float:
    """First report of the run of airborne reports (at most 30 s apart) that holds ``time_s``."""
    i = _latest(f, time_s)
    while i > 0 and not f.ground[i - 1] and f.t[i] - f.t[i - 1] <= GAP_S:
        i -= 1
    return float(f.t[i])


def parallel_alerts(alerts: list[Alert], losses: list[Loss]) -> int:
    """Alerts raised inside a "parallel_runways" episode of their pair (while it flew parallel operations)."""
    return sum(
        1
        for al in alerts
        if al.kind is AlertKind.CONFLICT
        and any(
            (a, b) == al.subjects and kind == "parallel_runways" and s <= al.raised_s <= e
            for a, b, s, e, kind in losses
        )
    )


def test_the_terminal_sample_as_it_is(samples: Path) -> None:
    """The Paris sample (arrivals and departures of Charles de Gaulle, Orly, Le Bourget) with terminal minima,
    3 NM below FL195 (the truth is computed here with them; 5 NM above): the same episodes of the same kinds as
    the independent computation, parallel runway operations among them and counted, the pop-ups counted as the
    reports say, no alert for a parallel pair, an aircraft on the ground or a level pair at adjacent levels, and
    nuisance per loss at most a third of the old replay's (5 NM, 300 s: it alerted on every parallel approach)."""
    path = samples / "collections" / "quickstart.json.gz"
    tracks = read_tracks(path)
    policy = terminal_policy()
    result = replay(tracks, policy=policy, aerodromes=load_aerodromes())
    table = _clean_table(tracks)
    losses = independent_losses(table, terminal=True)
    assert sorted(_ours(result)) == sorted(losses)
    kinds = [loss[4] for loss in losses]
    assert kinds.count("parallel_runways") >= 10 and kinds.count(TRUE) >= 10
    q = result.summary["quality"]
    assert (q["true_losses"], q["parallel_runways"]) == (kinds.count(TRUE), kinds.count("parallel_runways"))
    flights = _flights(table)
    # Level aircraft hold 3,000-5,000 ft QNH at 2,625-4,625 ft pressure altitude: a QNH of about 1,027 hPa.
    assert result.summary["qnh_offset_ft"] == _qnh_offset_ft(flights) == 375.0
    assert kinds.count("height_keeping") >= 1
    popups = [
        start - max(_span_start(flights[a], start), _span_start(flights[b], start)) < 20.0
        for a, b, start, _, kind in losses
        if kind == TRUE
    ]
    assert q["not_warnable"] == sum(popups) > 0
    assert parallel_alerts(result.alerts, losses) == 0
    assert ground_alerts(result.alerts, table) == 0
    assert level_adjacent_alerts(result.alerts, table) == held_level_alerts(result.alerts, table) == 0
    legacy = load_script(ROOT / "benchmarks" / "legacy_replay.py").legacy_replay(tracks)
    assert parallel_alerts(legacy, losses) > 0
    before = nuisance(legacy, losses)
    assert nuisance(result.alerts, losses) <= before / 3.0, before
