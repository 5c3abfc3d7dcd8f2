"""The grid x time index returns exactly what an exhaustive scalar check returns, through inserts and removes."""

from __future__ import annotations

import numpy as np
import pytest

from commonsky.airspace.index import VolumeIndex
from commonsky.airspace.volume import AltitudeBand, CircleShape, CorridorShape, TimeWindow, Volume, overlap
from commonsky.units import FT_M, Altitude, AltitudeRef


def random_volumes(rng: np.random.Generator, n: int, lon0: float = 44.0, lat0: float = 33.0) -> list[Volume]:
    out = []
    for _ in range(n):
        lat, lon = lat0 + rng.uniform(0, 3), lon0 + rng.uniform(0, 3)
        floor_ft = float(rng.uniform(0, 30_000))
        ref = AltitudeRef.STD if rng.random() < 0.5 else AltitudeRef.AMSL
        band = AltitudeBand(Altitude(floor_ft * FT_M, ref), Altitude((floor_ft + rng.uniform(500, 8000)) * FT_M, ref))
        start = float(rng.uniform(0, 12 * 3600))
        window = TimeWindow(start, start + float(rng.uniform(600, 4 * 3600)))
        if rng.random() < 0.5:
            shape: CircleShape | CorridorShape = CircleShape((lat, lon), float(rng.uniform(2_000, 30_000)))
        else:
            end = (lat + rng.uniform(-0.6, 0.6), lon + rng.uniform(-0.6, 0.6))
            shape = CorridorShape(((lat, lon), end), float(rng.uniform(1_000, 10_000)))
        out.append(Volume(shape, band, window))
    return out


def exhaustive(stored: dict[int, Volume], query: Volume) -> set[int]:
    return {key for key, vol in stored.items() if overlap(query, vol) is not None}


@pytest.mark.parametrize("cell_deg,bucket_s", [(0.5, 3600.0), (0.1, 600.0), (2.0, 7200.0)])
def test_index_matches_exhaustive_check(cell_deg: float, bucket_s: float) -> None:
    rng = np.random.default_rng(7)
    volumes = random_volumes(rng, 300)
    index = VolumeIndex(cell_deg=cell_deg, bucket_s=bucket_s, max_buckets=3)  # some windows go to the long bucket
    stored = dict(enumerate(volumes))
    for key, vol in stored.items():
        index.insert(key, [vol])
    total = 0
    for query in random_volumes(rng, 40):
        found = {hit.owner for hit in index.hits(query)}
        assert found == exhaustive(stored, query)
        assert found == {hit.owner for hit in index.hits(query, use_index=False)}
        total += len(found)
    assert total > 20  # the test must exercise real hits


def test_remove_and_reinsert() -> None:
    rng = np.random.default_rng(11)
    volumes = random_volumes(rng, 200)
    index = VolumeIndex()
    for key, vol in enumerate(volumes):
        index.insert(key, [vol])
    removed = set(range(0, 200, 3))
    for key in removed:
        index.remove(key)
    assert len(index) == 200 - len(removed)
    stored = {k: v for k, v in enumerate(volumes) if k not in removed}
    for query in random_volumes(rng, 25):
        assert {h.owner for h in index.hits(query)} == exhaustive(stored, query)
    # slots are reused and the answers stay right
    for key in removed:
        index.insert(key, [volumes[key]])
    assert index.volume_count == 200
    for query in random_volumes(rng, 25):
        assert {h.owner for h in index.hits(query)} == exhaustive(dict(enumerate(volumes)), query)


def test_owner_with_several_volumes_reports_which() -> None:
    rng = np.random.default_rng(3)
    a, b = random_volumes(rng, 2)
    index = VolumeIndex()
    index.insert("route", [a, b])
    hits = index.hits(b)
    assert ("route", 1) in {(h.owner, h.volume_index) for h in hits}


def test_antimeridian_volumes_meet_across_it() -> None:
    band = AltitudeBand(Altitude(0.0, AltitudeRef.AMSL), Altitude(3000.0, AltitudeRef.AMSL))
    west = Volume(CircleShape((-17.0, 179.95), 20_000.0), band, TimeWindow(0.0, 3600.0))
    east = Volume(CircleShape((-17.0, -179.95), 20_000.0), band, TimeWindow(0.0, 3600.0))
    far = Volume(CircleShape((-17.0, 0.0), 20_000.0), band, TimeWindow(0.0, 3600.0))
    index = VolumeIndex()
    index.insert("west", [west])
    index.insert("far", [far])
    assert [h.owner for h in index.hits(east)] == ["west"]
