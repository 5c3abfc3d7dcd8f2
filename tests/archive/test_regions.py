"""`commonsky.archive.regions`: the country under each point, compared with a plain inside-the-box test on a
world of three rectangular countries written here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from commonsky.archive.regions import SEA, regions_of

BOXES = {"AAA": (0.0, 0.0, 10.0, 10.0), "BBB": (10.0, 0.0, 20.0, 5.0), "CCC": (-180.0, -60.0, -170.0, -50.0)}


@dataclass(frozen=True)
class Country:
    iso3: str
    name: str
    geometry: BaseGeometry


@dataclass(frozen=True)
class World:
    boxes: dict[str, tuple[float, float, float, float]]

    def countries(self) -> Sequence[Country]:
        return [Country(k, k.title(), box(*b)) for k, b in self.boxes.items()]

    def provinces(self, country: str | None = None) -> Sequence[Country]:
        return []


def test_regions_are_the_boxes_the_points_are_strictly_inside() -> None:
    rng = np.random.default_rng(2)
    lat = np.concatenate([rng.uniform(-70, 15, 3000), [5.0, 0.0, 2.5, -55.0]])
    lon = np.concatenate([rng.uniform(-180, 25, 3000), [10.0, 5.0, 15.0, -180.0]])  # then edges and a corner
    want = []
    for la, lo in zip(lat.tolist(), lon.tolist(), strict=True):
        inside = [k for k, (w, s, e, n) in BOXES.items() if w < lo < e and s < la < n]
        want.append(inside[0] if inside else SEA)
    got = regions_of(lat, lon, World(BOXES))
    assert got.tolist() == want
    assert {"AAA", "BBB", "CCC", SEA} <= set(want)


def test_no_point_or_no_country() -> None:
    assert regions_of(np.zeros(0), np.zeros(0), World(BOXES)).shape == (0,)
    assert regions_of(np.array([5.0]), np.array([5.0]), World({})).tolist() == [SEA]
