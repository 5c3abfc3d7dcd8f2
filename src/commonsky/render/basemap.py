"""The base map of a view: countries, their land borders and provinces, clipped and simplified to the box.

Works on any world object with ``countries()`` and ``provinces()`` (see `WorldLike`); `commonsky.geo.world.World`
is the real one. Geometry is lon/lat degrees; the box may cross the antimeridian (``max_lon`` > 180), in which
case it is clipped as two boxes and the features stay in [-180, 180].
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from commonsky.render.layers import BBox, Layer

# Two countries' outlines closer than this (degrees, about 11 m) are taken as one shared land border. It is a
# topological tolerance for the drawing (Natural Earth neighbours share vertices to ~1e-5 deg), not a buffer.
_TOUCH_DEG = 1e-4
_MARGIN_FRAC = 0.05
_PROVINCE_MAX_DEG = 50.0  # views wider or taller than this (degrees) get no provinces
_EXACT_BORDERS_TOL_DEG = 0.01  # simplification tolerance (about 1 km) up to which borders come from exact outlines


class CountryLike(Protocol):
    @property
    def iso3(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def geometry(self) -> BaseGeometry: ...


class ProvinceLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def country_iso3(self) -> str: ...
    @property
    def geometry(self) -> BaseGeometry: ...


class WorldLike(Protocol):
    """What the base map needs of `commonsky.geo.world.World`."""

    def countries(self) -> Sequence[CountryLike]: ...

    def provinces(self, country: str | None = None) -> Sequence[ProvinceLike]: ...


def clip_rects(bbox: BBox, margin_frac: float = _MARGIN_FRAC) -> list[BBox]:
    """The box widened by ``margin_frac`` of its size, as one or two boxes inside lon [-180, 180]."""
    min_lon, min_lat, max_lon, max_lat = bbox
    dx, dy = (max_lon - min_lon) * margin_frac, (max_lat - min_lat) * margin_frac
    min_lon, max_lon = min_lon - dx, max_lon + dx
    min_lat, max_lat = max(min_lat - dy, -90.0), min(max_lat + dy, 90.0)
    if max_lon - min_lon >= 360.0:
        return [(-180.0, min_lat, 180.0, max_lat)]
    rects: list[BBox] = []
    for shift in (-360.0, 0.0, 360.0):
        lo, hi = max(min_lon + shift, -180.0), min(max_lon + shift, 180.0)
        if hi > lo:
            rects.append((lo, min_lat, hi, max_lat))
    return rects


def clip_to_rects(geoms: np.ndarray, rects: list[BBox], polygonal: bool) -> np.ndarray:
    """Each geometry clipped to the union of ``rects`` (empty where it misses them all)."""
    pieces = [shapely.clip_by_rect(geoms, *rect) for rect in rects]
    clipped = pieces[0] if len(pieces) == 1 else shapely.union_all(np.stack(pieces, axis=1), axis=1)
    if polygonal:
        clipped = np.array([_polygons_only(g) for g in clipped], dtype=object)
    return np.asarray(clipped, dtype=object)


def _polygons_only(geom: BaseGeometry) -> BaseGeometry:
    if geom.is_empty or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon"]
    return shapely.multipolygons(parts) if parts else shapely.Polygon()


def _in_rects(geoms: np.ndarray, rects: list[BBox]) -> np.ndarray:
    bounds = shapely.bounds(geoms)
    hit = np.zeros(len(geoms), dtype=bool)
    for lo, la, hi, ha in rects:
        hit |= (bounds[:, 0] <= hi) & (bounds[:, 2] >= lo) & (bounds[:, 1] <= ha) & (bounds[:, 3] >= la)
    return hit


def land_borders(geoms: np.ndarray, touch_deg: float = _TOUCH_DEG) -> list[tuple[int, int, BaseGeometry]]:
    """Shared outline pieces between polygons: ``(i, j, lines)`` with i < j, each shared edge once.

    An edge of polygon i is shared when its midpoint lies within ``touch_deg`` of an edge of polygon j; keeping it
    only on the side with the lower index draws each border once. Edges are indexed (STRtree), so the cost grows
    with the number of edges, not with the size of the polygons.
    """
    if len(geoms) < 2:
        return []
    parts, owner_of_part = shapely.get_parts(shapely.boundary(geoms), return_index=True)
    coords, part_index = shapely.get_coordinates(parts, return_index=True)
    same = part_index[:-1] == part_index[1:]
    starts, ends = coords[:-1][same], coords[1:][same]
    owner = owner_of_part[part_index[:-1][same]]
    segments = shapely.linestrings(np.stack([starts, ends], axis=1))
    mids = shapely.points((starts + ends) / 2.0)
    mid_idx, seg_idx = shapely.STRtree(segments).query(mids, predicate="dwithin", distance=touch_deg)
    other = owner[seg_idx]
    keep = other > owner[mid_idx]
    mid_idx, other = mid_idx[keep], other[keep]
    mid_idx, first = np.unique(mid_idx, return_index=True)  # a triple point's edge goes to one pair
    other = other[first]
    pair_key = owner[mid_idx] * len(geoms) + other
    result = []
    for key in np.unique(pair_key):
        lines = shapely.line_merge(shapely.multilinestrings(segments[mid_idx[pair_key == key]]))
        result.append((int(key // len(geoms)), int(key % len(geoms)), lines))
    return result


def build_basemap(bbox: BBox, world: WorldLike, tolerance_deg: float | None) -> list[Layer]:
    """See `commonsky.render.layers.basemap_layers`."""
    rects = clip_rects(bbox)
    tol = tolerance_deg if tolerance_deg is not None else (bbox[2] - bbox[0]) / 2000.0
    countries = list(world.countries())
    c_geoms = np.array([c.geometry for c in countries], dtype=object)
    c_hit = np.flatnonzero(_in_rects(c_geoms, rects)) if len(countries) else np.array([], dtype=int)
    c_clip = clip_to_rects(c_geoms[c_hit], rects, polygonal=True) if len(c_hit) else np.array([], dtype=object)
    alive = ~shapely.is_empty(c_clip) if len(c_clip) else np.array([], dtype=bool)
    c_hit, c_clip = c_hit[alive], c_clip[alive]

    simple = shapely.simplify(c_clip, tol, preserve_topology=True) if len(c_clip) else c_clip
    country_features = [
        _feature(g, name=countries[i].name, iso3=countries[i].iso3) for i, g in zip(c_hit, simple, strict=True)
    ]
    # Over wide views, find the borders on the simplified outlines (each side moved by up to ``tol``): many times
    # faster, and a strait narrower than 2.5 tol that it may take for a border is under two pixels wide there.
    coarse = tol > _EXACT_BORDERS_TOL_DEG
    borders = land_borders(simple, 2.5 * tol) if coarse else land_borders(c_clip)
    border_features = []
    for a, b, lines in borders:
        ca, cb = countries[c_hit[a]], countries[c_hit[b]]
        names = sorted([(ca.name, ca.iso3), (cb.name, cb.iso3)], key=lambda pair: str(pair[0]))
        border_features.append(
            _feature(
                shapely.simplify(lines, tol),
                name=f"{names[0][0]} – {names[1][0]}",
                between=[names[0][1], names[1][1]],
            )
        )
    # provinces are context for regional maps; over a continent they are clutter (and thousands of outlines)
    regional = bbox[2] - bbox[0] <= _PROVINCE_MAX_DEG and bbox[3] - bbox[1] <= _PROVINCE_MAX_DEG
    provinces = list(world.provinces()) if regional else []
    p_geoms = np.array([p.geometry for p in provinces], dtype=object)
    p_hit = np.flatnonzero(_in_rects(p_geoms, rects)) if len(provinces) else np.array([], dtype=int)
    province_features = []
    if len(p_hit):
        p_clip = clip_to_rects(p_geoms[p_hit], rects, polygonal=True)
        for i, g in zip(p_hit, p_clip, strict=True):
            if not g.is_empty:
                simple = shapely.simplify(g, tol, preserve_topology=True)
                province_features.append(
                    _feature(simple, name=provinces[i].name, country_iso3=provinces[i].country_iso3)
                )
    return [
        Layer("Countries", "country", tuple(country_features), base=True),
        Layer("Province boundary", "province", tuple(province_features), base=True),
        Layer("Country border", "border", tuple(border_features), base=True),
    ]


def _feature(geom: BaseGeometry, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": mapping(geom)}
