"""Surveillance coverage on a ground grid: who sees an aircraft at a given altitude, the lowest altitude seen, the
share of an area that is covered, and where one more sensor would close the largest gap.

Model, said plainly:

- **Smooth earth, no terrain.** Radio lines of sight bend over a 4/3 earth (standard refraction) with no hills:
  ridges and valleys that mask low aircraft are not modelled, so real low-level coverage is worse than shown.
- A sensor sees an aircraft at ``alt_m`` over a ground point when its own model says so
  (``detection_probability > 0``): slant range within the instrumented range, above the radar horizon and the
  minimum elevation, and (radars) below the maximum elevation -- the cone of silence overhead a radar is honoured
  at a given altitude, but not in `lowest visible altitude` (the floor under which nothing is seen).
- ADS-B only hears aircraft that transmit: ``cooperative`` results leave ADS-B receivers out.
- An AEW radar flies an orbit: it is sampled at ``BuiltSensor.times_s``. ``worst`` (default) counts a point as
  covered only if it is covered from every sampled position of the orbit (what the picture always sees);
  ``union`` counts it if any position covers it (what it sees at some moment of each lap).

The grid lives in a `LocalFrame` (azimuthal equidistant about the area's centre); cells are squares of
``resolution_m`` and all count the same area (the projection distorts areas by under 0.5 % within 500 km).
Everything is vectorised over the grid; loops run over sensors and orbit samples only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from commonsky._typing import BoolArray, FloatArray
from commonsky.errors import InputError
from commonsky.geo.geodesy import LocalFrame
from commonsky.surveillance.sensor_config import BuiltSensor, SensorKind
from commonsky.surveillance.sensors.platform import FixedSite

MAX_CELLS = 4_000_000


class OrbitMode(StrEnum):
    WORST = "worst"
    UNION = "union"


@dataclass(frozen=True)
class Grid:
    """Cell centres ``east_m``/``north_m`` (ny, nx) in ``frame``; ``inside`` marks cells whose centre is in the area
    studied (a zone or the scenario's area)."""

    frame: LocalFrame
    east_m: FloatArray
    north_m: FloatArray
    resolution_m: float
    inside: BoolArray

    @classmethod
    def over(cls, area_lonlat: BaseGeometry, resolution_m: float, margin_m: float = 0.0) -> Grid:
        """A grid covering ``area_lonlat`` (plus ``margin_m`` round it), framed at the area's centre."""
        if not resolution_m > 0:
            raise InputError(f"grid resolution must be positive, got {resolution_m} m")
        c = area_lonlat.envelope.centroid
        frame = LocalFrame(float(c.y), float(c.x))
        local = frame.project(shapely.segmentize(area_lonlat, 0.05))
        x0, y0, x1, y1 = local.bounds
        xs = np.arange(x0 - margin_m + resolution_m / 2, x1 + margin_m, resolution_m)
        ys = np.arange(y0 - margin_m + resolution_m / 2, y1 + margin_m, resolution_m)
        if len(xs) * len(ys) > MAX_CELLS:
            raise InputError(
                f"grid of {len(xs)} x {len(ys)} cells at {resolution_m / 1000:g} km is too fine; "
                "use a coarser resolution"
            )
        east, north = np.meshgrid(xs, ys)
        shapely.prepare(local)
        inside = shapely.contains_xy(local, east, north)
        return cls(frame, east, north, float(resolution_m), np.asarray(inside, dtype=bool))

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.east_m.shape[0]), int(self.east_m.shape[1]))

    @property
    def cell_area_m2(self) -> float:
        return self.resolution_m**2

    def mask_of(self, area_lonlat: BaseGeometry) -> BoolArray:
        """Cells whose centre lies in ``area_lonlat``."""
        local = self.frame.project(shapely.segmentize(area_lonlat, 0.05))
        shapely.prepare(local)
        return np.asarray(shapely.contains_xy(local, self.east_m, self.north_m), dtype=bool)


@dataclass(frozen=True)
class Coverage:
    """Per-sensor results on ``grid`` at ``alt_m``: ``covered`` (S, ny, nx) and ``floor_m`` (S, ny, nx), the lowest
    altitude each sensor sees over each cell (``inf`` where it sees nothing)."""

    grid: Grid
    alt_m: float
    sensors: tuple[BuiltSensor, ...]
    covered: BoolArray
    floor_m: FloatArray
    mode: OrbitMode

    def select(self, cooperative: bool = True) -> NDArray[np.int64]:
        """Indices of the sensors that count: all, or (``cooperative=False``) those that see aircraft that do not
        transmit (radars)."""
        return np.array([i for i, s in enumerate(self.sensors) if cooperative or not s.spec.cooperative], dtype=int)

    def any_covered(self, cooperative: bool = True) -> BoolArray:
        """(ny, nx): seen by at least one counted sensor."""
        idx = self.select(cooperative)
        return np.asarray(self.covered[idx].any(axis=0), dtype=bool) if len(idx) else np.zeros(self.grid.shape, bool)

    def combined_floor_m(self, cooperative: bool = True) -> FloatArray:
        """(ny, nx): the lowest altitude any counted sensor sees over each cell."""
        idx = self.select(cooperative)
        return np.asarray(self.floor_m[idx].min(axis=0), dtype=float) if len(idx) else np.full(self.grid.shape, np.inf)

    def share(self, mask: BoolArray | None = None, cooperative: bool = True) -> float:
        """Fraction (0..1) of the cells of ``mask`` (default: the grid's area) covered at ``alt_m``."""
        m = self.grid.inside if mask is None else mask
        n = int(m.sum())
        return float((self.any_covered(cooperative) & m).sum() / n) if n else 0.0

    def lowest_detectable_alt_m(self, mask: BoolArray | None = None, cooperative: bool = True) -> float:
        """Max over the cells of ``mask`` of the min over sensors of the lowest visible altitude (m): somewhere in
        the area an aircraft below this is seen by no sensor. ``inf`` if some cell is seen by none at any height."""
        m = self.grid.inside if mask is None else mask
        if not m.any():
            raise InputError("the area holds no grid cell; use a finer resolution")
        return float(self.combined_floor_m(cooperative)[m].max())


def coverage(grid: Grid, sensors: Sequence[BuiltSensor], alt_m: float, mode: OrbitMode = OrbitMode.WORST) -> Coverage:
    """Evaluate every sensor over ``grid`` at ``alt_m`` (metres above sea level)."""
    pts = np.stack([grid.east_m, grid.north_m, np.full(grid.shape, float(alt_m))], axis=-1).reshape(-1, 3)
    covered = np.zeros((len(sensors), *grid.shape), dtype=bool)
    floor = np.full((len(sensors), *grid.shape), np.inf)
    for k, built in enumerate(sensors):
        seen = []
        floors = []
        for t in built.times_s:
            seen.append((built.sensor.detection_probability(pts, float(t)) > 0).reshape(grid.shape))
            floors.append(built.sensor.lowest_visible_alt_m(grid.east_m, grid.north_m, float(t)))
        if mode is OrbitMode.WORST:
            covered[k] = np.logical_and.reduce(seen)
            floor[k] = np.maximum.reduce(floors)
        else:
            covered[k] = np.logical_or.reduce(seen)
            floor[k] = np.minimum.reduce(floors)
    return Coverage(grid, float(alt_m), tuple(sensors), covered, floor, mode)


@dataclass(frozen=True)
class SiteChoice:
    """A proposed new sensor site: where, and how much of the studied area it newly covers (cells and m²)."""

    lat: float
    lon: float
    east_m: float
    north_m: float
    new_cells: int
    new_area_m2: float
    share_after: float


def reach_m(template: BuiltSensor, alt_m: float, max_m: float = 1_500_000.0, step_m: float = 100.0) -> float:
    """Ground distance (m) out to which ``template`` (a ground sensor) sees an aircraft at ``alt_m``: the last
    distance at which its own detection model still says yes (the floor rises monotonically with distance)."""
    if template.spec.kind is SensorKind.AEW:
        raise InputError(f"sensor {template.spec.name!r} is airborne; choose a ground sensor as the template")
    site = template.sensor.platform.position_m(0.0)
    r = np.arange(0.0, max_m, step_m)
    pts = np.column_stack([site[0] + r, np.full_like(r, site[1]), np.full_like(r, float(alt_m))])
    seen = template.sensor.detection_probability(pts, 0.0) > 0  # holes near the mast (cone of silence) ignored
    return float(r[np.flatnonzero(seen)[-1]]) if seen.any() else 0.0


def best_new_sites(
    cov: Coverage,
    template: BuiltSensor,
    spacing_m: float,
    count: int = 1,
    mask: BoolArray | None = None,
    cooperative: bool = True,
) -> tuple[SiteChoice, ...]:
    """Greedy choice of ``count`` new sites (same kind and parameters as ``template``) among candidates on a grid
    of ``spacing_m`` over the studied area, each maximising the area of ``mask`` it newly covers at ``cov.alt_m``
    (ties, as between sites deep in one wide gap, go to the candidate nearest the centre of ``mask``).

    A candidate covers the cells within the template's ground reach at that altitude (`reach_m`; the small cone
    of silence over the mast is ignored); counting uses a k-d tree over the gap cells, all candidates at once.
    """
    if count < 1 or not spacing_m > 0:
        raise InputError("need at least one site and a positive candidate spacing")
    grid = cov.grid
    m = grid.inside if mask is None else mask
    reach = reach_m(template, cov.alt_m)
    step = max(1, round(spacing_m / grid.resolution_m))
    cand = np.zeros(grid.shape, dtype=bool)
    cand[step // 2 :: step, step // 2 :: step] = True
    cand &= grid.inside
    ce, cn = grid.east_m[cand], grid.north_m[cand]
    if not len(ce):
        raise InputError("no candidate site falls inside the area; use a smaller --site-spacing")
    centre_dist = np.hypot(ce - grid.east_m[m].mean(), cn - grid.north_m[m].mean()) if m.any() else np.zeros(len(ce))
    gap = m & ~cov.any_covered(cooperative)
    total = int(m.sum())
    choices: list[SiteChoice] = []
    for _ in range(count):
        ge, gn = grid.east_m[gap], grid.north_m[gap]
        if not len(ge) or reach <= 0:
            break
        tree = cKDTree(np.column_stack([ge, gn]))
        counts = tree.query_ball_point(np.column_stack([ce, cn]), reach, return_length=True)
        best = int(np.lexsort((centre_dist, -counts))[0])  # ties (whole discs in a wide gap): nearest the centre
        if counts[best] == 0:
            break
        near = np.hypot(grid.east_m - ce[best], grid.north_m - cn[best]) <= reach
        gap &= ~near
        lat, lon = grid.frame.to_geodetic(float(ce[best]), float(cn[best]))
        covered_now = total - int(gap.sum())
        choices.append(
            SiteChoice(
                float(lat),
                float(lon),
                float(ce[best]),
                float(cn[best]),
                int(counts[best]),
                float(counts[best]) * grid.cell_area_m2,
                covered_now / total if total else 0.0,
            )
        )
    return tuple(choices)


def sensor_at(template: BuiltSensor, site: SiteChoice, sensor_id: int, name: str) -> BuiltSensor:
    """A copy of the ground ``template`` moved to ``site`` (to verify a choice with the full model)."""
    from dataclasses import replace

    alt = float(template.sensor.platform.position_m(0.0)[2])
    sensor = replace(template.sensor, sensor_id=sensor_id, platform=FixedSite(site.east_m, site.north_m, alt))
    spec = replace(template.spec, index=sensor_id, name=name, lat=site.lat, lon=site.lon)
    return BuiltSensor(spec, sensor, np.zeros(1), site.lat, site.lon)


def horizon_check_km(antenna_alt_m: float, target_alt_m: float) -> float:
    """The textbook 4/3-earth radar horizon ``4.12 * (sqrt(h1) + sqrt(h2))`` km (heights in metres)."""
    return 4.12 * (math.sqrt(max(antenna_alt_m, 0.0)) + math.sqrt(max(target_alt_m, 0.0)))


__all__ = [
    "Coverage",
    "Grid",
    "OrbitMode",
    "SiteChoice",
    "best_new_sites",
    "coverage",
    "horizon_check_km",
    "reach_m",
    "sensor_at",
]
