"""Aerodromes of the world (OurAirports, bundled): where a slow aircraft low over the surface is a surface movement.

`Aerodromes.at` tells, per position, whether it lies on an aerodrome (within `Aerodromes.radius_m` of its
reference point) and the elevation of that aerodrome (of the nearest one it lies on). The STCA's ground suppression
reads it (`commonsky.safety.stca`): an aircraft slow and low above the elevation of the aerodrome it is on is a
surface movement, one slow and low away from every aerodrome (a helicopter, a glider) is not.

A surface is the disc around the aerodrome reference point that holds its open runways (`aerodrome_radius_m`):
taxiways and aprons lie beside the runways. The data (`data/README.md`): every aerodrome OurAirports lists that is
not closed, 2022-10-11, built by ``scripts/build_data.py``; loaded on first `load_aerodromes()` call and cached.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import cKDTree

from commonsky._typing import BoolArray, FloatArray, IndexArray, StrArray
from commonsky.geo.geodesy import distance_m
from commonsky.geo.nearest import ecef_m
from commonsky.geo.world import read_bundle

AERODROMES_FILE = "aerodromes.zip"
"""The bundled file, inside the data package (`commonsky.geo.world.DATA_PACKAGE`)."""
RUNWAY_MARGIN_M = 1000.0
"""Beyond the farthest runway end from the reference point: aprons and taxiways beside and behind the runways."""
HELIPORT_RADIUS_M = 300.0
"""A heliport without runway data."""
DEFAULT_RADIUS_M = 1000.0
"""An aerodrome with neither runway ends nor lengths."""
MAX_END_M = 10_000.0
"""A runway end farther than this from the reference point is a data error (the longest runways are 5.5 km)."""
SIZE_CLASSES_M = (2_000.0,)
"""Surface radii at which the aerodromes are split into classes for lookups (`Aerodromes`)."""


def aerodrome_radius_m(
    lat_deg: float,
    lon_deg: float,
    heliport: bool,
    runway_ends: Sequence[tuple[float, float]],
    runway_lengths_m: Sequence[float],
) -> float:
    """Radius of an aerodrome's surface around its reference point: the farthest known runway end (geodesic) plus
    `RUNWAY_MARGIN_M`; without runway ends, or with one beyond `MAX_END_M` (a data error), the longest runway up to
    that length (the reference point may be at one end of it) plus half the margin; without either,
    `HELIPORT_RADIUS_M` or `DEFAULT_RADIUS_M`."""
    ends = [(la, lo) for la, lo in runway_ends if math.isfinite(la) and math.isfinite(lo)]
    far = max((distance_m(lat_deg, lon_deg, la, lo) for la, lo in ends), default=math.inf)
    if far <= MAX_END_M:
        return far + RUNWAY_MARGIN_M
    lengths = [x for x in runway_lengths_m if math.isfinite(x) and 0.0 < x <= MAX_END_M]
    if lengths:
        return max(lengths) + 0.5 * RUNWAY_MARGIN_M
    return HELIPORT_RADIUS_M if heliport else DEFAULT_RADIUS_M


@dataclass(frozen=True, eq=False)
class Aerodromes:
    """Aerodromes as column arrays: ``ident`` (ICAO or local code), reference point, ``elevation_m`` (NaN where
    unknown) and ``radius_m`` of the surface.

    Lookups are exact: the aerodromes are split by the size of their surface (`SIZE_CLASSES_M`), and a position is
    checked against every aerodrome of a class whose reference point lies within that class's largest radius (a
    k-d tree per class): few candidates for the many small aerodromes, a wide search among the few large ones."""

    ident: StrArray
    lat_deg: FloatArray
    lon_deg: FloatArray
    elevation_m: FloatArray
    radius_m: FloatArray
    _xyz: FloatArray = field(init=False, repr=False)  # reference points, Earth-centred (m)
    _classes: list[tuple[IndexArray, cKDTree, float]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        xyz = ecef_m(self.lat_deg, self.lon_deg)
        object.__setattr__(self, "_xyz", xyz)
        bounds = [0.0, *SIZE_CLASSES_M, math.inf]
        classes = []
        for lo, hi in itertools.pairwise(bounds):
            members = np.flatnonzero((self.radius_m > lo) & (self.radius_m <= hi))
            if members.shape[0]:
                classes.append((members, cKDTree(xyz[members]), float(self.radius_m[members].max())))
        object.__setattr__(self, "_classes", classes)

    def __len__(self) -> int:
        return int(self.lat_deg.shape[0])

    def at(self, lat_deg: FloatArray, lon_deg: FloatArray) -> tuple[BoolArray, FloatArray]:
        """Per position: whether it is on an aerodrome, and the elevation of the nearest aerodrome it is on (NaN
        where it is on none, or that aerodrome's elevation is unknown). Chord distances on the ellipsoid (the
        positions' heights do not count)."""
        lat = np.asarray(lat_deg, dtype=np.float64)
        n = lat.shape[0]
        on, elevation = np.zeros(n, dtype=bool), np.full(n, np.nan)
        if n == 0:
            return on, elevation
        xyz = ecef_m(lat, np.asarray(lon_deg, dtype=np.float64))
        points, dists, which = [np.zeros(0, dtype=np.intp)], [np.zeros(0)], [np.zeros(0, dtype=np.intp)]
        for members, tree, reach_m in self._classes:
            found = tree.query_ball_point(xyz, reach_m)
            count = np.fromiter((len(f) for f in found), dtype=np.int64, count=n)
            point = np.repeat(np.arange(n), count)
            aerodrome = members[
                np.concatenate([np.zeros(0, dtype=np.intp), *(np.asarray(f, dtype=np.intp) for f in found)])
            ]
            dist = np.linalg.norm(xyz[point] - self._xyz[aerodrome], axis=1)
            covers = dist <= self.radius_m[aerodrome]
            points.append(point[covers])
            dists.append(dist[covers])
            which.append(aerodrome[covers])
        point, dist, aerodrome = np.concatenate(points), np.concatenate(dists), np.concatenate(which)
        if point.shape[0] == 0:
            return on, elevation
        order = np.lexsort((dist, point))  # by point, nearest first
        point, aerodrome = point[order], aerodrome[order]
        first = np.concatenate([[True], point[1:] != point[:-1]])
        on[point[first]] = True
        elevation[point[first]] = self.elevation_m[aerodrome[first]]
        return on, elevation


@functools.cache
def load_aerodromes() -> Aerodromes:
    """The bundled aerodromes (read once per process)."""
    bundle = read_bundle(AERODROMES_FILE)
    return Aerodromes(
        ident=np.array(bundle["idents"].split("\n"), dtype=np.str_),
        lat_deg=bundle["lat_deg"],
        lon_deg=bundle["lon_deg"],
        elevation_m=bundle["elevation_m"],
        radius_m=bundle["radius_m"],
    )
