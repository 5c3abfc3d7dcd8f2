"""Every picture of a replay at once: the samples `frames` makes (which report, which pictures, dead-reckoned
where) and the conflicts `geometry` finds, against a per-report and per-pair computation written here."""

from __future__ import annotations

import math

import numpy as np
import pytest

from commonsky.safety.batch import Frames, candidate_pairs, frames, geometry
from commonsky.safety.params import Protection, ProtectionPolicy
from commonsky.safety.tracks import RecordedTracks, tracks_from_columns

R_M = 6371000.0
FT = 0.3048
STEP_S = 5.0
STALE_S = 30.0
PROTECTION = Protection(radius_m=9260.0, half_height_m=1000.0 * FT, lookahead_s=120.0)


def _traffic(seed: int) -> RecordedTracks:
    """Level aircraft at FL300, 305 and 320 over 60 x 60 km, reporting every 2 to 9 s with speed and track."""
    rng = np.random.default_rng(seed)
    rows = []
    for n in range(24):
        lat, lon = 47.0 + rng.uniform(-0.27, 0.27), 8.0 + rng.uniform(-0.4, 0.4)
        ft = float(rng.choice([30000.0, 30500.0, 32000.0]))
        trk, kt = float(rng.uniform(0.0, 360.0)), float(rng.uniform(250.0, 480.0))
        t = float(rng.uniform(0.0, 10.0))
        while t < 300.0:
            rows.append((t, f"a{n:02d}", lat, lon, ft, kt, trk))
            dt = float(rng.choice([2.0, 4.0, 9.0]))
            d = kt * 1852.0 / 3600.0 * dt
            lat += math.degrees(d * math.cos(math.radians(trk)) / R_M)
            lon += math.degrees(d * math.sin(math.radians(trk)) / (R_M * math.cos(math.radians(lat))))
            t += dt
    t, ids, lat, lon, ft, kt, trk = (np.array(c) for c in zip(*rows, strict=True))
    columns = {
        "timestamp": t,
        "icao24": ids,
        "latitude": lat,
        "longitude": lon,
        "altitude": ft,
        "groundspeed": kt,
        "track": trk,
        "vertical_rate": np.zeros(t.shape),
    }
    return tracks_from_columns(columns)


def _destination(lat: float, lon: float, trk_deg: float, d_m: float) -> tuple[float, float]:
    """The point ``d_m`` along the great circle leaving (lat, lon) on ``trk_deg``."""
    p, lam, a, dr = math.radians(lat), math.radians(lon), math.radians(trk_deg), d_m / R_M
    p2 = math.asin(math.sin(p) * math.cos(dr) + math.cos(p) * math.sin(dr) * math.cos(a))
    lam2 = lam + math.atan2(math.sin(a) * math.sin(dr) * math.cos(p), math.cos(dr) - math.sin(p) * math.sin(p2))
    return math.degrees(p2), math.degrees(lam2)


def test_each_report_is_shown_until_the_next_or_until_stale_dead_reckoned() -> None:
    tracks = _traffic(1)
    f = frames(tracks, ProtectionPolicy(default=PROTECTION), STEP_S, STALE_S)
    expected = set()
    for name in np.unique(tracks.icao24):
        rows = np.flatnonzero(tracks.icao24 == name)
        for x, r in enumerate(rows):
            t = tracks.time_s[r]
            until = min(t + STALE_S, tracks.time_s[rows[x + 1]] - 1e-9) if x + 1 < len(rows) else t + STALE_S
            expected |= {(k, int(r)) for k in range(math.ceil(t / STEP_S), math.floor(until / STEP_S) + 1)}
    assert sorted(zip(f.k.tolist(), f.row.tolist(), strict=True)) == sorted(expected)
    assert (np.diff(f.k) >= 0).all()
    for s in range(0, len(f), 37):
        r = int(f.row[s])
        lat, lon = _destination(
            tracks.lat_deg[r],
            tracks.lon_deg[r],
            tracks.trk_deg[r],
            tracks.gs_ms[r] * (f.k[s] * STEP_S - tracks.time_s[r]),
        )
        assert f.lat_deg[s] == pytest.approx(lat, abs=2e-5) and f.lon_deg[s] == pytest.approx(lon, abs=3e-5)
        assert f.alt_m[s] == pytest.approx(tracks.alt_m[r], abs=1.0)


def _conflicts(f: Frames, margin: float) -> set[tuple[int, int]]:
    """Sample pairs of the same picture whose straight-line motion brings them within ``radius * margin`` at some
    time in [0, lookahead] while within the half-height (level flights: vertical is constant)."""
    k, lat, lon, alt = f.k, f.lat_deg, f.lon_deg, f.alt_m
    vn, ve = f.vn_ms, f.ve_ms
    out = set()
    for picture in np.unique(k):
        idx = np.flatnonzero(k == picture)
        for x, p in enumerate(idx):
            for q in idx[x + 1 :]:
                if abs(alt[p] - alt[q]) >= PROTECTION.half_height_m:
                    continue
                mid = math.radians(0.5 * (lat[p] + lat[q]))
                dy = math.radians(lat[q] - lat[p]) * R_M
                dx = math.radians(lon[q] - lon[p]) * R_M * math.cos(mid)
                ux, uy = ve[q] - ve[p], vn[q] - vn[p]
                v2 = ux * ux + uy * uy
                t = 0.0 if v2 == 0 else min(max(-(dx * ux + dy * uy) / v2, 0.0), PROTECTION.lookahead_s)
                if math.hypot(dx + ux * t, dy + uy * t) < PROTECTION.radius_m * margin:
                    out.add((int(p), int(q)))
    return out


@pytest.mark.parametrize("seed", [2, 3])
def test_geometry_finds_the_pairs_that_will_come_within_the_protection(seed: int) -> None:
    policy = ProtectionPolicy(default=PROTECTION)
    f = frames(_traffic(seed), policy, STEP_S, STALE_S)
    sure, maybe = _conflicts(f, 0.99), _conflicts(f, 1.01)
    assert len(sure) > 20
    p, q = candidate_pairs(f, PROTECTION.radius_m, PROTECTION.half_height_m, PROTECTION.lookahead_s)
    assert sure <= set(zip(p.tolist(), q.tolist(), strict=True))
    (geo,) = geometry(f, policy)
    found = {(min(a, b), max(a, b)) for a, b in zip(geo.i.tolist(), geo.j.tolist(), strict=True)}
    assert sure <= found <= maybe
