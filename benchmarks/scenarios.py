"""Deterministic traffic scenarios for the conflict benchmarks, made like the BlueSky reference scenarios.

`box_scenario`: N aircraft uniform in lat 45.5-54.5 N, lon 3-17 E (about 1000 km x 1000 km around 50N 10E),
altitude uniform FL100-FL400, ground speed uniform 200-500 kt, track uniform, 30 % climbing or descending at
500-3000 fpm (sign random), the rest level: the ranges of ../shared/reference/bluesky/scenario_*.csv.

`world_scenario`: N aircraft over the whole world at a realistic density (see its docstring).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

FT_M = 0.3048
KT_MS = 1852.0 / 3600.0
FPM_MS = FT_M / 60.0

COLUMNS = ("id", "lat_deg", "lon_deg", "alt_m", "gs_ms", "trk_deg", "vn_ms", "ve_ms", "vs_ms")

# Busy regions of today's traffic (centre lat, lon, spread in degrees of latitude, share of the clustered traffic).
HOTSPOTS = (
    (49.0, 8.0, 7.0, 0.22),  # Europe
    (38.0, -90.0, 9.0, 0.24),  # contiguous USA
    (31.0, 115.0, 7.0, 0.14),  # China
    (36.0, 136.0, 3.0, 0.04),  # Japan / Korea
    (23.0, 78.0, 6.0, 0.06),  # India
    (26.0, 50.0, 5.0, 0.05),  # Gulf / Middle East
    (5.0, 105.0, 7.0, 0.06),  # South-East Asia
    (-20.0, -47.0, 6.0, 0.04),  # Brazil
    (-32.0, 146.0, 5.0, 0.03),  # Australia
    (52.0, -40.0, 4.0, 0.04),  # North Atlantic tracks
    (20.0, -100.0, 5.0, 0.03),  # Mexico / Caribbean
    (55.0, 40.0, 6.0, 0.03),  # Russia west
    (0.0, 25.0, 12.0, 0.02),  # Africa
)


def _kinematics(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    alt = rng.uniform(100 * 100 * FT_M, 400 * 100 * FT_M, n)
    gs = rng.uniform(200 * KT_MS, 500 * KT_MS, n)
    trk = rng.uniform(0.0, 360.0, n)
    vertical = rng.random(n) < 0.3
    vs = np.where(vertical, rng.uniform(500, 3000, n) * FPM_MS * rng.choice([-1.0, 1.0], n), 0.0)
    rad = np.radians(trk)
    return {
        "alt_m": alt,
        "gs_ms": gs,
        "trk_deg": trk,
        "vn_ms": gs * np.cos(rad),
        "ve_ms": gs * np.sin(rad),
        "vs_ms": vs,
    }


def box_scenario(n: int, seed: int = 1) -> dict[str, np.ndarray]:
    """N aircraft in the reference box around 50N 10E (columns of `COLUMNS`), deterministic for ``seed``."""
    rng = np.random.default_rng(seed)
    lat = rng.uniform(45.5, 54.5, n)
    lon = rng.uniform(3.0, 17.0, n)
    return {"id": np.array([f"AC{k:05d}" for k in range(n)]), "lat_deg": lat, "lon_deg": lon, **_kinematics(rng, n)}


def world_scenario(n: int = 100_000, seed: int = 1) -> dict[str, np.ndarray]:
    """N aircraft worldwide: 80 % around today's busy regions (`HOTSPOTS`), 20 % uniform over |lat| < 72.

    At N = 100,000 this is about 5x today's peak airborne traffic (~20,000), distributed like it; the densest
    1000 km x 1000 km square then holds about as many aircraft as the N = 3,000-5,000 box scenarios (printed by
    the benchmark). Longitudes wrap across the antimeridian.
    """
    rng = np.random.default_rng(seed)
    n_spread = n // 5
    z = rng.uniform(np.sin(np.radians(-72.0)), np.sin(np.radians(72.0)), n_spread)
    lat_s, lon_s = np.degrees(np.arcsin(z)), rng.uniform(-180.0, 180.0, n_spread)
    weights = np.array([h[3] for h in HOTSPOTS])
    which = rng.choice(len(HOTSPOTS), n - n_spread, p=weights / weights.sum())
    centre = np.array([(h[0], h[1], h[2]) for h in HOTSPOTS])[which]
    lat_c = np.clip(centre[:, 0] + rng.normal(0.0, 1.0, which.shape[0]) * centre[:, 2], -80.0, 80.0)
    lon_c = centre[:, 1] + rng.normal(0.0, 1.0, which.shape[0]) * centre[:, 2] * 1.6 / np.cos(np.radians(lat_c))
    lat = np.concatenate([lat_s, lat_c])
    lon = np.mod(np.concatenate([lon_s, lon_c]) + 180.0, 360.0) - 180.0
    return {"id": np.array([f"W{k:06d}" for k in range(n)]), "lat_deg": lat, "lon_deg": lon, **_kinematics(rng, n)}


def densest_box_count(scenario: dict[str, np.ndarray], size_km: float = 1000.0) -> int:
    """Aircraft in the densest size_km square (grid cells aligned to the equator and meridians)."""
    lat, lon = scenario["lat_deg"], scenario["lon_deg"]
    dlat = size_km / 111.2
    row = np.floor(lat / dlat).astype(np.int64)
    dlon = dlat / np.maximum(np.cos(np.radians((row + 0.5) * dlat)), 0.05)
    col = np.floor((lon + 180.0) / dlon).astype(np.int64)
    _, counts = np.unique(row * 100000 + col, return_counts=True)
    return int(counts.max())


def write_scenario(path: Path, scenario: dict[str, np.ndarray]) -> None:
    """Write the scenario as a states CSV with the reference columns."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        cols = [scenario[c] for c in COLUMNS]
        for k in range(len(cols[0])):
            writer.writerow([cols[0][k], *(repr(float(c[k])) for c in cols[1:])])
