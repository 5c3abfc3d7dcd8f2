"""Alert quality on held-out real traffic: encounters built here from samples of the `traffic` package that the
rest of the project does not tune on (calibration, featured, surveys, military, noisy, ambulances, gliders and
tv_relay flights; for ground movements noisy_takeoff, noisy_ground, zurich_airport and savan; never
``switzerland`` nor ``quickstart``), replayed with `commonsky replay` as a user runs it (a CSV in, alerts.csv and
losses.csv out), and judged against a loss computation written here (haversine over reported positions,
interpolated only inside each flight's observed span; none of the product's code).

Encounters: a flight holding a level (moved to an IFR level, FL070-FL390) and another flight, moved rigidly
(translated and rotated about the meeting point, so every report keeps its real noise, turns and vertical
profile) and shifted in time so that both meet there together, at a random crossing angle, miss distance and
arrival offset: at the same level, at the adjacent level (1,000 ft apart, both level), or climbing or descending
(established for 90 s) through the first one's level. Two kinds of set, each drawn twice (seeds 13 and 16):
meetings anywhere in the flights, which are mostly
manoeuvring (flight-inspection patterns, orbits, display flights), and meetings where both flew straight for the
two minutes before. Ground movements: a departure (on-ground flags as recorded) with another aircraft's ground
movement 300 m beside its lift-off point, flagged on the ground. Each encounter has its own hour.

The figures of issue 13: every loss found, at least 95 % of (warnable) true losses warned before they begin,
median warning at least 60 s, no alert for a pair holding adjacent levels, none involving an aircraft on the
ground, nuisance alerts per loss at most a third of the replay as it was before (``benchmarks/legacy_replay.py``).
The live run's safety net meets the same figures on the same reports, played to it a picture every 5 s as a
tracker presents them (`live_stream`). Losses that began from levels held 1,000 ft apart are marked in losses.csv
as the judge finds them.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import math
import statistics
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from commonsky.cli import main

from .conftest import haversine_m, legacy_replay_by_slot
from .live_stream import live_conflict_alerts

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
R_M = 6371000.0
RADIUS_M = 5 * 1852.0
VERTICAL_FT = 1000.0
GAP_S = 30.0
SLOT_S = 3600.0
LIVE_TICK_S = 5.0  # replay's step; the live run's 1 s gives the same figures at five times the cost (docs/stca.md)
BASE_S = 1_700_000_000.0
HALF_S = 600.0  # each flight's reports kept within 10 min of the meeting
LEVEL_SOURCES = (
    "calibration",
    "featured",
    "surveys",
    "military",
    "noisy",
    "ambulances",
    "tv_relay",
    "gliders",
)
GROUND_SOURCES = ("noisy/noisy_takeoff", "noisy/noisy_ground", "onground/zurich_airport", "collections/savan")


# --- reading the samples (records or pandas' columns), one clean flight per aircraft --------------------------


@dataclass(frozen=True)
class Flight:
    """One aircraft's reports, sorted by time: t (s), lat, lon (deg), alt (ft), gs (kt), trk (deg), ground."""

    name: str
    t: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    alt: np.ndarray
    gs: np.ndarray
    trk: np.ndarray
    ground: np.ndarray

    def rows(self, keep: np.ndarray) -> Flight:
        return Flight(
            self.name,
            self.t[keep],
            self.lat[keep],
            self.lon[keep],
            self.alt[keep],
            self.gs[keep],
            self.trk[keep],
            self.ground[keep],
        )


def _load(path: Path) -> dict[str, list[object]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    if isinstance(data, dict):
        labels = sorted({k for v in data.values() for k in v}, key=int)
        return {c: [v.get(k) for k in labels] for c, v in data.items()}
    names = sorted({k for r in data for k in r})
    return {c: [r.get(c) for r in data] for c in names}


def _num(values: list[object]) -> np.ndarray:
    return np.array([math.nan if v is None else float(v) for v in values])  # type: ignore[arg-type]


def flights_of(path: Path) -> list[Flight]:
    """The sample's aircraft, each cleaned here (not by the product): rows with a time, a position and (unless on
    the ground) an altitude; one row per time; forward-filled positions (the same position as the previous row)
    dropped; a report more than 1.5 km/s or 12,000 ft/min away from both neighbours, or 6,000 ft/min out and
    back, dropped (spikes)."""
    c = _load(path)
    n = len(c["timestamp"])
    t = _num(c["timestamp"])
    t = t / 1000.0 if np.nanmedian(t) > 1e11 else t
    ids = np.array([str(v) for v in c["icao24"]])
    ground = np.array([bool(v) for v in c.get("onground", [False] * n)])
    cols = [_num(c[k]) if k in c else np.full(n, math.nan) for k in ("latitude", "longitude", "altitude")]
    gs = _num(c["groundspeed"]) if "groundspeed" in c else np.full(n, math.nan)
    trk = _num(c["track"]) if "track" in c else np.full(n, math.nan)
    out = []
    for name in sorted(set(ids.tolist())):
        m = np.flatnonzero((ids == name) & np.isfinite(t) & np.isfinite(cols[0]) & np.isfinite(cols[1]))
        m = m[np.isfinite(cols[2][m]) | ground[m]]
        m = m[np.argsort(t[m], kind="stable")]
        f = Flight(name, t[m], cols[0][m], cols[1][m], cols[2][m], gs[m], trk[m], ground[m])
        first = np.concatenate([[True], np.diff(f.t) > 0])
        f = f.rows(first)
        moved = np.concatenate([[True], (np.diff(f.lat) != 0) | (np.diff(f.lon) != 0)])
        f = f.rows(moved | f.ground)
        for _ in range(3):
            if f.t.shape[0] < 3:
                break
            d = haversine_m(f.lat[:-1], f.lon[:-1], f.lat[1:], f.lon[1:], R_M)
            dt = np.diff(f.t)
            fast = d / dt > 1500.0
            rate = np.where(f.ground[1:] | f.ground[:-1], 0.0, np.diff(f.alt) / dt)
            bad = np.zeros(f.t.shape[0], dtype=bool)
            # away from both neighbours: 1.5 km/s, or 6,000 ft/min out and back
            bad[1:-1] = (
                (fast[:-1] & fast[1:])
                | ((np.abs(rate[:-1]) > 200.0) & (np.abs(rate[1:]) > 200.0))
                | ((np.abs(rate[:-1]) > 100.0) & (rate[:-1] * rate[1:] < -1e4))
            )
            if not bad.any():
                break
            f = f.rows(~bad)
        if f.t.shape[0] >= 60:
            out.append(f)
    return out


# --- the independent truth ------------------------------------------------------------------------------------


def _at(f: Flight, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(observed, lat, lon, alt) at each time: at an airborne report, or between two airborne reports at most
    GAP_S apart (linear); elsewhere not observed."""
    i = np.clip(np.searchsorted(f.t, grid, side="right") - 1, 0, f.t.shape[0] - 1)
    j = np.minimum(i + 1, f.t.shape[0] - 1)
    exact = (f.t[i] == grid) & ~f.ground[i]
    between = (f.t[i] < grid) & (grid < f.t[j]) & (f.t[j] - f.t[i] <= GAP_S) & ~f.ground[i] & ~f.ground[j]
    w = np.where(between, (grid - f.t[i]) / np.maximum(f.t[j] - f.t[i], 1e-9), 0.0)
    return (
        exact | between,
        f.lat[i] + w * (f.lat[j] - f.lat[i]),
        f.lon[i] + w * (f.lon[j] - f.lon[i]),
        f.alt[i] + w * (f.alt[j] - f.alt[i]),
    )


def _held_level(f: Flight, start: float, end: float) -> float:
    """The multiple of 1,000 ft the flight stayed within 300 ft of over [start - 20 s, end], level throughout
    (altitude changed by less than 400 ft/min over every 20 s), or NaN."""
    grid = np.arange(start - 20.0, end + 1.0)
    ok, _, _, alt = _at(f, grid)
    if not ok.any():
        return math.nan
    levels = np.round(alt[ok] / 1000.0) * 1000.0
    if levels.min() != levels.max() or np.abs(alt[ok] - levels).max() >= 300.0:
        return math.nan
    now = np.flatnonzero(ok[20:]) + 20
    now = now[ok[now - 20]]
    if now.size and np.abs(alt[now] - alt[now - 20]).max() >= 400.0 / 3.0:
        return math.nan
    return float(levels[0])


Loss = tuple[str, str, float, float, str]


def true_losses(flights: list[Flight]) -> list[Loss]:
    """Episodes of consecutive whole seconds when two airborne, observed aircraft are closer than 5 NM and
    1,000 ft (exact feet); "height_keeping" if both held IFR levels 1,000 ft or more apart, else "loss"."""
    out = []
    for x, a in enumerate(flights):
        for b in flights[x + 1 :]:
            lo, hi = max(a.t[0], b.t[0]), min(a.t[-1], b.t[-1])
            if lo > hi:
                continue
            grid = np.arange(math.ceil(lo), math.floor(hi) + 1.0)
            oka, lat_a, lon_a, alt_a = _at(a, grid)
            okb, lat_b, lon_b, alt_b = _at(b, grid)
            both = oka & okb
            near = np.zeros(grid.shape[0], dtype=bool)
            # exact in the unit the minima are set in (1 micrometre and 1e-6 ft of float rounding)
            near[both] = (np.abs(alt_a[both] - alt_b[both]) < VERTICAL_FT - 1e-6) & (
                haversine_m(lat_a[both], lon_a[both], lat_b[both], lon_b[both], R_M) < RADIUS_M - 1e-6
            )
            edges = np.flatnonzero(np.diff(np.concatenate([[0], near.astype(int), [0]])))
            for s, e in zip(edges[::2], edges[1::2], strict=True):
                start, end = float(grid[s]), float(grid[e - 1])
                apart = abs(_held_level(a, start, end) - _held_level(b, start, end)) >= 1000.0
                names = sorted((a.name, b.name))
                out.append((names[0], names[1], start, end, "height_keeping" if apart else "loss"))
    return out


# --- building the encounters ----------------------------------------------------------------------------------


def _level_at(f: Flight, i: int, half_s: float = 120.0) -> bool:
    """Level (within 100 ft) and airborne over +/- half_s of report i, reports at most 15 s apart there."""
    m = np.abs(f.t - f.t[i]) <= half_s
    t = f.t[m]
    return bool(
        t.shape[0] >= 8
        and t[0] <= f.t[i] - 0.9 * half_s
        and t[-1] >= f.t[i] + 0.9 * half_s
        and np.diff(t).max() <= 15.0
        and not f.ground[m].any()
        and np.ptp(f.alt[m]) <= 100.0
    )


def _rate_at(f: Flight, i: int, half_s: float = 45.0) -> float:
    """Altitude slope (ft/min) over +/- half_s of report i (NaN if the reports there are sparse or on ground)."""
    m = np.abs(f.t - f.t[i]) <= half_s
    t = f.t[m]
    if t.shape[0] < 4 or np.diff(t).max() > 15.0 or f.ground[m].any() or np.ptp(t) < half_s:
        return math.nan
    return float(np.polyfit(t - f.t[i], f.alt[m], 1)[0] * 60.0)


def _tracked_before(f: Flight, i: int, before_s: float = 240.0) -> bool:
    """Airborne reports at most 15 s apart over the before_s before report i (so a loss there is warnable)."""
    m = (f.t >= f.t[i] - before_s) & (f.t <= f.t[i] + 60.0)
    t = f.t[m]
    return bool(t.shape[0] > 5 and t[0] <= f.t[i] - 0.95 * before_s and np.diff(t).max() <= 15.0)


def _heading(f: Flight, i: int) -> float:
    """Ground track (deg) from the reports 10 s either side of report i."""
    j0 = int(np.searchsorted(f.t, f.t[i] - 10.0))
    j1 = min(int(np.searchsorted(f.t, f.t[i] + 10.0)), f.t.shape[0] - 1)
    y = math.radians(f.lat[j1] - f.lat[j0])
    x = math.radians(f.lon[j1] - f.lon[j0]) * math.cos(math.radians(f.lat[i]))
    return math.degrees(math.atan2(x, y)) % 360.0


def moved(
    f: Flight, i: int, name: str, at_t: float, at_lat: float, at_lon: float, turn_deg: float, dalt_ft: float
) -> Flight:
    """The reports of f within HALF_S of report i, under a new name, moved so that report i is at (at_lat,
    at_lon) at at_t: local east/north offsets from report i rotated by turn_deg (clockwise), track too;
    airborne rows dalt_ft higher."""
    m = np.abs(f.t - f.t[i]) <= HALF_S
    g = f.rows(m)
    k = int(np.flatnonzero(np.flatnonzero(m) == i)[0])
    east = np.radians(g.lon - g.lon[k]) * R_M * math.cos(math.radians(g.lat[k]))
    north = np.radians(g.lat - g.lat[k]) * R_M
    c, s = math.cos(math.radians(turn_deg)), math.sin(math.radians(turn_deg))
    e2, n2 = c * east + s * north, -s * east + c * north
    return Flight(
        name,
        g.t - g.t[k] + at_t,
        at_lat + np.degrees(n2 / R_M),
        at_lon + np.degrees(e2 / (R_M * math.cos(math.radians(at_lat)))),
        np.where(g.ground, g.alt, g.alt + dalt_ft),
        g.gs,
        (g.trk + turn_deg) % 360.0,
        g.ground,
    )


def _pick(points: list[tuple[int, int]], rng: np.random.Generator) -> tuple[int, int]:
    """A flight drawn uniformly among those with points (each recorded flight weighs the same, however long),
    then one of its points."""
    owners = sorted({n for n, _ in points})
    n = owners[int(rng.integers(len(owners)))]
    mine = [p for p in points if p[0] == n]
    return mine[int(rng.integers(len(mine)))]


KINDS = ("same level", "adjacent levels", "climb through", "descent through")


@dataclass(frozen=True)
class Encounter:
    kind: str
    a: str  # holds the level
    b: str
    a_source: str
    b_source: str


def _straight(f: Flight, i: int, before_s: float = 120.0, within_deg: float = 10.0) -> bool:
    """The flight's ground track (from positions, over 20 s) stayed within within_deg of its value at report i over
    the before_s before it."""
    idx = np.flatnonzero((f.t >= f.t[i] - before_s) & (f.t <= f.t[i]))[::3]
    now = _heading(f, i)
    return all(abs((_heading(f, k) - now + 180.0) % 360.0 - 180.0) <= within_deg for k in idx.tolist())


def flight_pool(samples: Path) -> list[tuple[str, Flight]]:
    """The flights of the held-out samples, each named ``<category>/<sample>:<icao24>``."""
    pool: list[tuple[str, Flight]] = []
    for source in LEVEL_SOURCES:
        for path in sorted((samples / source).glob("*.json.gz")):
            try:
                pool += [(f"{source}/{path.name.split('.')[0]}:{f.name}", f) for f in flights_of(path)]
            except KeyError:
                continue  # no position columns (performance data)
    return pool


def encounters(
    pool: list[tuple[str, Flight]], per_kind: int, seed: int = 13, straight: bool = False
) -> tuple[list[Flight], list[Encounter]]:
    """``per_kind`` encounters of each kind between flights of the pool (never two copies of the same recorded
    flight), at random crossing angles (30 to 175 deg), miss distances (0 to 4 NM; one in five 6 to 9 NM) and
    arrival offsets (+/- 20 s), at levels FL070 to FL390; each in its own hour."""
    rng = np.random.default_rng(seed)
    levels, climbs, descents = [], [], []
    for n, (_, f) in enumerate(pool):
        idx = np.arange(0, f.t.shape[0], 7)
        for i in idx.tolist():
            if f.ground[i] or f.gs[i] < 90.0 or not _tracked_before(f, i):
                continue
            if straight and not _straight(f, i):
                continue
            if _level_at(f, i):
                levels.append((n, i))
            else:
                # established: more than 1,000 ft/min the same way over the 90 s before and the 30 s after
                before = _rate_at(f, int(np.searchsorted(f.t, f.t[i] - 60.0)), 30.0)
                rate = _rate_at(f, i, 30.0)
                if min(rate, before) > 1000.0:
                    climbs.append((n, i))
                elif max(rate, before) < -1000.0:
                    descents.append((n, i))
    made: list[Encounter] = []
    out: list[Flight] = []
    for kind in KINDS:
        others = climbs if kind == "climb through" else descents if kind == "descent through" else levels
        tries = 0
        count = 0
        while count < per_kind and tries < 1000:
            tries += 1
            na, ia = _pick(levels, rng)
            nb, ib = _pick(others, rng)
            if pool[na][0] == pool[nb][0]:
                continue
            fa, fb = pool[na][1], pool[nb][1]
            slot = BASE_S + len(made) * SLOT_S
            level = 1000.0 * float(rng.integers(7, 40))
            a_alt = float(np.median(fa.alt[np.abs(fa.t - fa.t[ia]) <= 120.0]))
            a = moved(fa, ia, f"h{len(made):03d}a", slot, 47.0, 8.0, 0.0, level - a_alt)
            angle = float(rng.uniform(30.0, 175.0)) * (1 if rng.random() < 0.5 else -1)
            turn = (_heading(fa, ia) + angle - _heading(fb, ib)) % 360.0
            miss_m = float(rng.uniform(6.0, 9.0) if rng.random() < 0.2 else rng.uniform(0.0, 4.0)) * 1852.0
            side = math.radians(_heading(fa, ia) + 90.0)
            at_lat = 47.0 + math.degrees(miss_m * math.cos(side) / R_M)
            at_lon = 8.0 + math.degrees(miss_m * math.sin(side) / (R_M * math.cos(math.radians(47.0))))
            if kind in ("same level", "adjacent levels"):
                b_alt = float(np.median(fb.alt[np.abs(fb.t - fb.t[ib]) <= 120.0]))
                target = level + (1000.0 * (1 if rng.random() < 0.5 else -1) if kind == "adjacent levels" else 0.0)
            else:
                b_alt, target = float(fb.alt[ib]), level
            dt = float(rng.uniform(-20.0, 20.0))
            b = moved(fb, ib, f"h{len(made):03d}b", slot + dt, at_lat, at_lon, turn, target - b_alt)
            out += [a, b]
            made.append(Encounter(kind, a.name, b.name, pool[na][0], pool[nb][0]))
            count += 1
    return out, made


def _lift_off(f: Flight) -> int:
    """First airborne report after a ground report, followed by 20 airborne reports climbing 300 ft; -1 if none."""
    for i in np.flatnonzero(f.ground[:-1] & ~f.ground[1:]).tolist():
        after = slice(i + 1, i + 21)
        if f.ground[after].shape[0] == 20 and not f.ground[after].any() and f.alt[i + 20] - f.alt[i + 1] > 300.0:
            return i + 1
    return -1


def ground_encounters(samples: Path, first_slot: int) -> tuple[list[Flight], list[tuple[str, str]]]:
    """Each departure of the ground samples (as recorded, with its on-ground flags) with another flight's ground
    reports (the longest run of on-ground reports) 300 m east of its lift-off point, at the lift-off altitude,
    flagged on the ground, passing there at lift-off time."""
    flights = [f for source in GROUND_SOURCES for f in flights_of(samples / f"{source}.json.gz")]
    departures = []
    for f in flights:
        for i in np.flatnonzero(f.ground[:-1] & ~f.ground[1:]).tolist():
            lift = _lift_off(f.rows(np.arange(f.t.shape[0]) >= i))
            if lift >= 0:
                departures.append((f, i + lift))
                break
    movers = [f for f in flights if f.ground.sum() >= 60]
    out: list[Flight] = []
    pairs = []
    for n, (dep, lift) in enumerate(departures):
        mover = next((m for m in movers if m.name != dep.name), None)
        if mover is None:
            continue
        movers = movers[1:] + movers[:1]
        slot = BASE_S + (first_slot + n) * SLOT_S
        east = 300.0 / (R_M * math.cos(math.radians(dep.lat[lift])))
        d = moved(dep, lift, f"g{n:03d}d", slot, dep.lat[lift], dep.lon[lift], 0.0, 0.0)
        g = mover.rows(mover.ground)
        k = g.t.shape[0] // 2
        m = moved(g, k, f"g{n:03d}m", slot, dep.lat[lift], dep.lon[lift] + math.degrees(east), 0.0, 0.0)
        m = replace(m, alt=np.full(m.t.shape[0], dep.alt[lift]))
        out += [d, m]
        pairs.append((d.name, m.name))
    return out, pairs


# --- running the CLI and judging ------------------------------------------------------------------------------


def write_csv(path: Path, flights: list[Flight]) -> None:
    rows = []
    for f in flights:
        for k in range(f.t.shape[0]):
            alt = "" if not np.isfinite(f.alt[k]) else repr(float(f.alt[k]))
            gs = "" if not np.isfinite(f.gs[k]) else repr(float(f.gs[k]))
            trk = "" if not np.isfinite(f.trk[k]) else repr(float(f.trk[k]))
            rows.append((f.t[k], f.name, repr(float(f.lat[k])), repr(float(f.lon[k])), alt, gs, trk, f.ground[k]))
    rows.sort(key=lambda r: (r[0], r[1]))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerow(("timestamp", "icao24", "latitude", "longitude", "altitude", "groundspeed", "track", "onground"))
        w.writerows([(repr(float(r[0])), *r[1:7], str(bool(r[7]))) for r in rows])


@dataclass(frozen=True)
class Alert:
    pair: tuple[str, str]
    raised_s: float
    ended_s: float


@dataclass(frozen=True)
class Replayed:
    alerts: list[Alert]
    losses: list[Loss]
    from_held_levels: set[tuple[str, str, float]]  # (pair, start) of the episodes losses.csv marks so
    summary: dict[str, Any]


def warning_s(alerts: list[Alert], loss: Loss) -> float | None:
    """Seconds from the earliest alert of the pair raised before the loss began and still up then, or None."""
    up = [a.raised_s for a in alerts if a.pair == loss[:2] and a.raised_s < loss[2] <= a.ended_s]
    return loss[2] - min(up) if up else None


def nuisance(alerts: list[Alert], losses: list[Loss]) -> int:
    """Alerts during whose life their pair never lost separation."""
    return sum(
        not any(lo[:2] == a.pair and lo[2] <= a.ended_s and lo[3] >= a.raised_s for lo in losses) for a in alerts
    )


def _latest(f: Flight, time_s: float) -> int:
    return int(np.searchsorted(f.t, time_s, side="right")) - 1


def held_level(f: Flight, time_s: float) -> float:
    """The multiple of 1,000 ft the flight held at time_s: observed over the last 60 s, every altitude then within
    200 ft of it (the Mode C tolerance of ICAO Doc 4444 8.5.5), and level (less than 400 ft/min over the last
    20 s); else NaN."""
    ok, _, _, alt = _at(f, np.arange(time_s - 60.0, time_s + 0.5))
    level = float(np.round(alt[-1] / 1000.0) * 1000.0)
    if not ok.all() or np.abs(alt - level).max() >= 200.0 or abs(alt[-1] - alt[-21]) >= 400.0 / 3.0:
        return math.nan
    return level


def adjacent_alerts(alerts: list[Alert], flights: dict[str, Flight]) -> list[Alert]:
    """Alerts raised while both aircraft held levels at least 1,000 ft apart."""
    return [
        al
        for al in alerts
        if abs(held_level(flights[al.pair[0]], al.raised_s) - held_level(flights[al.pair[1]], al.raised_s)) >= 1000.0
    ]


def ground_alerts(alerts: list[Alert], flights: dict[str, Flight]) -> list[Alert]:
    """Alerts raised while either aircraft's latest report said it was on the ground."""
    return [al for al in alerts if any(flights[n].ground[max(_latest(flights[n], al.raised_s), 0)] for n in al.pair)]


@dataclass(frozen=True)
class Figures:
    losses: dict[str, int]
    warned: int
    median_warning_s: float
    nuisance_per_loss: float
    adjacent: int
    ground: int

    def __str__(self) -> str:
        n = self.losses.get("warnable", 0)
        return (
            f"losses {self.losses}, warned {self.warned}/{n} ({100.0 * self.warned / max(n, 1):.0f} %), "
            f"median warning {self.median_warning_s:.0f} s, nuisance per loss {self.nuisance_per_loss:.2f}, "
            f"adjacent-level alerts {self.adjacent}, ground alerts {self.ground}"
        )


FIRST_SIGHT_S = 20.0


def seen_for_s(f: Flight, time_s: float) -> float:
    """How long the flight had been observed without a break (airborne reports at most GAP_S apart) at time_s."""
    i = _latest(f, time_s)
    k = i
    while k > 0 and not f.ground[k - 1] and f.t[k] - f.t[k - 1] <= GAP_S:
        k -= 1
    return time_s - float(f.t[k])


def warnable(loss: Loss, flights: dict[str, Flight]) -> bool:
    """A true loss both aircraft had been observed for at least FIRST_SIGHT_S before (not a pop-up)."""
    return loss[4] == "loss" and min(seen_for_s(flights[n], loss[2]) for n in loss[:2]) >= FIRST_SIGHT_S


def figures(flights: list[Flight], run: Replayed, truth: list[Loss]) -> Figures:
    by_name = {f.name: f for f in flights}
    kinds: dict[str, int] = {}
    for loss in truth:
        kinds[loss[4]] = kinds.get(loss[4], 0) + 1
    kinds["warnable"] = sum(warnable(loss, by_name) for loss in truth)
    times = [warning_s(run.alerts, loss) for loss in truth if warnable(loss, by_name)]
    warned = [w for w in times if w is not None]
    return Figures(
        kinds,
        len(warned),
        statistics.median(warned) if warned else math.nan,
        nuisance(run.alerts, truth) / max(len(truth), 1),
        len(adjacent_alerts(run.alerts, by_name)),
        len(ground_alerts(run.alerts, by_name)),
    )


def legacy_alerts(tracks_csv: Path) -> list[Alert]:
    """The conflict alerts of the replay as it was before issue 13 (``benchmarks/legacy_replay.py``, "today"),
    run on each encounter's hour of the same reports (its loop costs every step)."""
    from commonsky.safety.alerts import AlertKind
    from commonsky.safety.track_files import read_tracks

    tracks = read_tracks(tracks_csv)
    return [
        Alert((min(a.subjects), max(a.subjects)), a.raised_s, math.inf if a.ended_s is None else a.ended_s)
        for a in legacy_replay_by_slot(tracks, SLOT_S, BASE_S)
        if a.kind is AlertKind.CONFLICT
    ]


# --- the tests ------------------------------------------------------------------------------------------------


def run_replay(folder: Path, flights: list[Flight]) -> Replayed:
    """`commonsky replay` on the flights written as a CSV, as a user runs it; its alerts.csv and losses.csv."""
    write_csv(folder / "tracks.csv", flights)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        try:
            main(["replay", str(folder / "tracks.csv"), "--out", str(folder / "out"), "--json"])
            code = 0
        except SystemExit as stop:
            code = int(stop.code or 0)
    assert code == 0
    with open(folder / "out" / "alerts.csv", encoding="utf-8") as handle:
        alerts = [
            Alert(
                (min(r["subject"], r["other"]), max(r["subject"], r["other"])),
                float(r["raised_s"]),
                float(r["ended_s"]) if r["ended_s"] else math.inf,
            )
            for r in csv.DictReader(handle)
            if r["kind"] == "conflict"
        ]
    with open(folder / "out" / "losses.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    losses: list[Loss] = [
        (min(r["id_a"], r["id_b"]), max(r["id_a"], r["id_b"]), float(r["start_s"]), float(r["end_s"]), r["kind"])
        for r in rows
    ]
    held = {
        (loss[0], loss[1], loss[2]) for loss, r in zip(losses, rows, strict=True) if r["from_held_levels"] == "true"
    }
    return Replayed(alerts, losses, held, json.loads(buffer.getvalue()))


@dataclass(frozen=True)
class Study:
    flights: list[Flight]
    made: list[Encounter]
    ground_pairs: list[tuple[str, str]]
    run: Replayed
    truth: list[Loss]
    legacy: list[Alert]
    live: list[Alert]  # the live safety net's, on the same reports (`live_stream`)

    @property
    def by_name(self) -> dict[str, Flight]:
        return {f.name: f for f in self.flights}


@pytest.fixture(scope="module")
def pool(samples: Path) -> list[tuple[str, Flight]]:
    return flight_pool(samples)


@pytest.fixture(
    scope="module", params=[("manoeuvring", 13), ("straight", 13), ("manoeuvring", 16), ("straight", 16)], ids=str
)
def study(
    request: pytest.FixtureRequest,
    samples: Path,
    pool: list[tuple[str, Flight]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Study:
    """Held-out sets of two kinds, each drawn twice: meetings anywhere in the flights ("manoeuvring": calibration
    patterns, orbits, display flights) with the ground movements, and meetings where both flew straight for the 2
    minutes before. (Seed 16 is a draw where alerts that ended 15 s after their condition made too many nuisance
    alerts: one encounter re-raised its alert every few cycles.)"""
    kind, seed = request.param
    straight = kind == "straight"
    flights, made = encounters(pool, per_kind=20, seed=seed, straight=straight)
    pairs: list[tuple[str, str]] = []
    if not straight:
        ground, pairs = ground_encounters(samples, first_slot=len(made))
        flights += ground
    folder = tmp_path_factory.mktemp(f"held_out_{kind}_{seed}")
    run = run_replay(folder, flights)
    tracks = folder / "tracks.csv"
    live = [Alert(*a) for a in live_conflict_alerts(tracks, LIVE_TICK_S)]
    return Study(flights, made, pairs, run, true_losses(flights), legacy_alerts(tracks), live)


def test_the_encounters_cover_every_kind_from_many_samples(study: Study) -> None:
    kinds = [e.kind for e in study.made]
    assert all(kinds.count(kind) == 20 for kind in KINDS)
    sources = {e.a_source.split(":")[0] for e in study.made} | {e.b_source.split(":")[0] for e in study.made}
    assert len(sources) >= 15 and not any(s.endswith(("/switzerland", "/quickstart")) for s in sources)
    assert all(e.a_source != e.b_source for e in study.made)
    if study.ground_pairs:
        assert len(study.ground_pairs) >= 3


def test_every_loss_is_in_losses_csv(study: Study) -> None:
    """The replay's losses.csv holds exactly the episodes computed here, of the same kinds."""
    kinds = [loss[4] for loss in study.truth]
    assert kinds.count("loss") >= 40 and kinds.count("height_keeping") >= 10
    assert sorted(study.run.losses) == sorted(study.truth)


def test_true_losses_are_warned_early(study: Study) -> None:
    """Of the true losses both aircraft had been seen for 20 s before (pop-ups cannot be warned), at least 95 %
    warned before they begin; median warning at least 60 s."""
    losses = [loss for loss in study.truth if warnable(loss, study.by_name)]
    times = [warning_s(study.run.alerts, loss) for loss in losses]
    warned = [w for w in times if w is not None]
    assert len(losses) >= 40
    assert len(warned) >= 0.95 * len(losses), (len(warned), len(losses))
    assert statistics.median(warned) >= 60.0, statistics.median(warned)


def test_misses_from_held_levels_are_told_apart(study: Study) -> None:
    """losses.csv marks exactly the true losses that began while both aircraft held IFR levels 1,000 ft or more
    apart over the 20 s before (one then left its level towards the other), and the summary counts the warnable
    misses among them apart from the others."""
    by = study.by_name
    began_held = {
        (a, b, start)
        for a, b, start, _, kind in study.truth
        if kind == "loss"
        and abs(_held_level(by[a], start - 20.0, start - 1.0) - _held_level(by[b], start - 20.0, start - 1.0)) >= 1000.0
    }
    assert study.run.from_held_levels == began_held
    missed = [loss for loss in study.truth if warnable(loss, by) and warning_s(study.run.alerts, loss) is None]
    q = study.run.summary["quality"]
    assert q["missed_from_held_levels"] == sum(loss[:3] in began_held for loss in missed)
    assert q["missed"] == q["missed_at_first_sight"] + q["missed_from_held_levels"] + q["missed_other"]
    assert q["missed_from_held_levels"] >= 1  # every set so far has such a miss: the check bites


def test_no_alert_for_pairs_holding_adjacent_levels(study: Study) -> None:
    assert adjacent_alerts(study.run.alerts, study.by_name) == []
    assert len(adjacent_alerts(study.legacy, study.by_name)) >= 5  # the old replay raised such alerts
    # The judge bites: alerts raised at the meetings of the adjacent-level encounters would be counted.
    meetings = [
        Alert((e.a, e.b), BASE_S + n * SLOT_S, math.inf) for n, e in enumerate(study.made) if e.kind == KINDS[1]
    ]
    assert len(adjacent_alerts(meetings, study.by_name)) >= 0.75 * len(meetings)


def test_no_alert_involves_an_aircraft_on_the_ground(study: Study) -> None:
    assert ground_alerts(study.run.alerts, study.by_name) == []
    if study.ground_pairs:
        assert len(ground_alerts(study.legacy, study.by_name)) >= len(study.ground_pairs)  # the old replay did
        # The movers are on the ground beside the lift-off point, and a loss-free pair (the truth ignores them).
        assert not any(loss[:2] in {tuple(sorted(p)) for p in study.ground_pairs} for loss in study.truth)
        flagged = [Alert(tuple(sorted(p)), study.by_name[p[1]].t[1], math.inf) for p in study.ground_pairs]  # type: ignore[misc]
        assert len(ground_alerts(flagged, study.by_name)) == len(flagged)


def test_nuisance_alerts_per_loss_are_at_most_a_third_of_the_old_replay(study: Study) -> None:
    """Conflict alerts during whose life their pair never lost separation, per loss episode."""
    n = len(study.truth)
    ours = nuisance(study.run.alerts, study.truth) / n
    before = nuisance(study.legacy, study.truth) / n
    assert 0 < ours <= before / 3.0, (ours, before)


def test_the_live_safety_net_meets_the_same_goals(study: Study) -> None:
    """The live run's safety net (its rates from the picture stream, its QNH estimate, alerts raised after 3 s),
    fed the same reports as a tracker presents them: at least 95 % of the warnable true losses warned, median
    warning at least 60 s, no adjacent-level or ground alert, nuisance alerts per loss at most a third of the old
    replay's."""
    by = study.by_name
    losses = [loss for loss in study.truth if warnable(loss, by)]
    warned = [w for w in (warning_s(study.live, loss) for loss in losses) if w is not None]
    assert len(warned) >= 0.95 * len(losses), (len(warned), len(losses))
    assert statistics.median(warned) >= 60.0, statistics.median(warned)
    assert adjacent_alerts(study.live, by) == [] and ground_alerts(study.live, by) == []
    n = len(study.truth)
    assert 0 < nuisance(study.live, study.truth) / n <= nuisance(study.legacy, study.truth) / n / 3.0
