"""The prefilter grid never hides a candidate: any two boxes that overlap in space and time share a key (or one is
listed as wide), and a box lists one key per (0.5 degree cell, UTC day) it touches, counted here."""

from __future__ import annotations

import math

import numpy as np

from commonsky.service.engine import Bounds
from commonsky.service.grid import MAX_KEYS, WIDE, grid_keys

DAY_S = 86_400.0


def _box(rng: np.random.Generator) -> Bounds:
    # around three places, one astride the equator and the prime meridian (negative cell indices)
    centre_lon, centre_lat = [(45.0, 33.0), (-0.3, -0.3), (170.0, -40.0)][int(rng.integers(3))]
    lon, lat = centre_lon + rng.uniform(-2.0, 2.0), centre_lat + rng.uniform(-2.0, 2.0)
    t0 = 1.7e9 + rng.uniform(0.0, 5 * DAY_S)
    return Bounds(
        lon, lat, lon + rng.exponential(0.7), lat + rng.exponential(0.7), 0.0, 1000.0, t0, t0 + rng.exponential(DAY_S)
    )


def _overlap(a: Bounds, b: Bounds) -> bool:
    return (
        a.min_lon <= b.max_lon
        and b.min_lon <= a.max_lon
        and a.min_lat <= b.max_lat
        and b.min_lat <= a.max_lat
        and a.t0_s <= b.t1_s
        and b.t0_s <= a.t1_s
    )


def test_overlapping_boxes_share_a_key() -> None:
    rng = np.random.default_rng(3)
    boxes = [_box(rng) for _ in range(400)]
    keys = [set(grid_keys(b)) for b in boxes]
    pairs = 0
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            if _overlap(boxes[i], boxes[j]):
                pairs += 1
                assert WIDE in keys[i] or WIDE in keys[j] or keys[i] & keys[j]
    assert pairs > 100


def test_one_key_per_cell_and_day() -> None:
    rng = np.random.default_rng(4)
    for _ in range(300):
        b = _box(rng)
        cells = (math.floor(b.max_lon / 0.5) - math.floor(b.min_lon / 0.5) + 1) * (
            math.floor(b.max_lat / 0.5) - math.floor(b.min_lat / 0.5) + 1
        )
        days = math.floor(b.t1_s / DAY_S) - math.floor(b.t0_s / DAY_S) + 1
        keys = grid_keys(b)
        assert keys == sorted(keys)
        assert keys == [WIDE] if cells * days > MAX_KEYS else len(keys) == cells * days


def test_unbounded_boxes_are_wide() -> None:
    assert grid_keys(Bounds(0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, math.inf)) == [WIDE]
    assert grid_keys(Bounds(-180.0, -90.0, 180.0, 90.0, 0.0, 1.0, 0.0, 1.0)) == [WIDE]
