"""The bundled world: countries (Natural Earth 1:10m Admin-0), provinces (Admin-1) and places (GeoNames + cited).

Everything is read lazily from ``commonsky/data`` on the first `load_world()` call and cached; nothing happens at
import. Coordinates are longitude, latitude in degrees on WGS84. Provenance and licences: ``data/README.md``.

>>> world = load_world()
>>> world.country("iraq").iso3, [c.iso3 for c in world.neighbours("IRQ")]
('IRQ', ['IRN', 'JOR', 'KWT', 'SAU', 'SYR', 'TUR'])
"""

from __future__ import annotations

import bisect
import difflib
import functools
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely import LineString, MultiLineString, MultiPolygon, Polygon

from commonsky.errors import NoSharedBorderError, NotFoundError
from commonsky.geo.places import (
    NORMALIZATION_VERSION,
    Gazetteer,
    Place,
    PlaceArrays,
    normalize_name,
    read_cited_places,
)

__all__ = [
    "BORDER_TOLERANCE_DEG",
    "Country",
    "Place",
    "PlaceArrays",
    "Province",
    "World",
    "load_world",
    "shared_boundary",
]

# Natural Earth neighbours share their border vertices, except for a few metres near some tripoints: a vertex of
# one outline within this distance (about 1 m) of the other outline counts as on the border.
BORDER_TOLERANCE_DEG = 1e-5
DATA_PACKAGE = "commonsky.data"


@dataclass(frozen=True)
class Country:
    """A country or territory of Natural Earth Admin-0. ``iso2`` is "" where none exists; geometry lon/lat."""

    iso3: str
    iso2: str
    name: str
    geometry: Polygon | MultiPolygon


@dataclass(frozen=True)
class Province:
    """A first-level subdivision (Natural Earth Admin-1 as generalised by QGIS); geometry lon/lat."""

    name: str
    country_iso3: str
    geometry: Polygon | MultiPolygon


class World:
    """Countries, provinces and places with lookups by code or name. Immutable; safe to share between threads."""

    def __init__(
        self,
        countries: list[Country],
        country_aliases: dict[str, str],
        provinces: list[Province],
        province_aliases: dict[str, list[int]],
        gazetteer: Callable[[], Gazetteer],
    ) -> None:
        """``gazetteer`` is called (once, on first use of places) to get the places; pass a cached loader."""
        self._countries = countries
        self._by_iso3 = {c.iso3: c for c in countries}
        self._aliases = country_aliases
        self._provinces = provinces
        self._province_aliases = province_aliases
        self._load_gazetteer = gazetteer
        self._country_tree = shapely.STRtree([c.geometry for c in countries])

    # -- countries ---------------------------------------------------------------------------------------------
    def countries(self) -> list[Country]:
        """Every country and territory, in Natural Earth order."""
        return list(self._countries)

    def country(self, key: str) -> Country:
        """The country with ISO3 code, ISO2 code or name ``key`` (case and diacritics ignored; common aliases
        such as "UK", "USA", "Persia" accepted). Raises `NotFoundError` with close codes and names."""
        iso3 = self._aliases.get(normalize_name(key))
        if iso3 is not None:
            return self._by_iso3[iso3]
        close = _close_keys(normalize_name(key), self._aliases, limit=4)
        hint = f" (did you mean {', '.join(f'{c} ({self._by_iso3[c].name})' for c in close)}?)" if close else ""
        raise NotFoundError(f"unknown country {key!r}{hint}")

    def neighbours(self, key: str) -> list[Country]:
        """The countries sharing a land border with ``key``, by ISO3 code."""
        country = self.country(key)
        near = self._country_tree.query(country.geometry, predicate="dwithin", distance=BORDER_TOLERANCE_DEG)
        candidates = sorted(int(i) for i in near)
        found = [
            self._countries[i]
            for i in candidates
            if self._countries[i].iso3 != country.iso3
            and not shared_boundary(country.geometry, self._countries[i].geometry).is_empty
        ]
        return sorted(found, key=lambda c: c.iso3)

    def border(self, a: str, b: str) -> LineString | MultiLineString:
        """The land boundary of ``a`` shared with ``b``, as merged lines on ``a``'s outline vertices.

        Raises `NoSharedBorderError` when they share none (only a point, or only sea).
        """
        first, second = self.country(a), self.country(b)
        if first.iso3 == second.iso3:
            raise NoSharedBorderError(f"{first.iso3} and {second.iso3} are the same country")
        line = shared_boundary(first.geometry, second.geometry)
        if line.is_empty:
            raise NoSharedBorderError(f"{first.iso3} and {second.iso3} share no land border")
        return line

    # -- provinces ---------------------------------------------------------------------------------------------
    def provinces(self, country: str | None = None) -> list[Province]:
        """All provinces, or those of ``country`` (any key `country` accepts)."""
        if country is None:
            return list(self._provinces)
        iso3 = self.country(country).iso3
        return [p for p in self._provinces if p.country_iso3 == iso3]

    def province(self, name: str, country: str | None = None) -> Province:
        """The province called ``name`` (its Natural Earth, GeoNames or WOE name), optionally within ``country``.

        Raises `NotFoundError` with close names, or when the name is ambiguous across countries.
        """
        iso3 = self.country(country).iso3 if country is not None else None
        rows = [
            r
            for r in self._province_aliases.get(normalize_name(name), [])
            if iso3 is None or self._provinces[r].country_iso3 == iso3
        ]
        if len({self._provinces[r].country_iso3 for r in rows}) > 1:
            options = ", ".join(f"{self._provinces[r].name} ({self._provinces[r].country_iso3})" for r in rows[:6])
            raise NotFoundError(f"province {name!r} is ambiguous: {options}; give a country")
        if rows:
            return self._provinces[rows[0]]
        keys = [
            k
            for k, rs in self._province_aliases.items()
            if iso3 is None or any(self._provinces[r].country_iso3 == iso3 for r in rs)
        ]
        close = difflib.get_close_matches(normalize_name(name), keys, n=8, cutoff=0.6)
        labels = list(
            dict.fromkeys(
                f"{self._provinces[r].name} ({self._provinces[r].country_iso3})"
                for k in close
                for r in self._province_aliases[k]
                if iso3 is None or self._provinces[r].country_iso3 == iso3
            )
        )[:5]
        where = f" in {iso3}" if iso3 else ""
        hint = f" (did you mean {', '.join(labels)}?)" if labels else ""
        raise NotFoundError(f"unknown province {name!r}{where}{hint}")

    # -- places ------------------------------------------------------------------------------------------------
    @property
    def _gazetteer(self) -> Gazetteer:
        return self._load_gazetteer()

    def places(self, bbox: tuple[float, float, float, float] | None = None) -> list[Place]:
        """Places within ``bbox`` = (min_lon, min_lat, max_lon, max_lat) in degrees (all if None), most populous
        first. min_lon > max_lon means the box crosses the antimeridian."""
        return self._gazetteer.places(bbox)

    def place_arrays(self, bbox: tuple[float, float, float, float] | None = None) -> PlaceArrays:
        """The places within ``bbox`` as column arrays (lat_deg, lon_deg, names, country_iso3, population), for
        testing many places at once. ``PlaceArrays.index`` rows turn back into values with `place_at`."""
        return self._gazetteer.arrays(bbox)

    def place_at(self, row: int) -> Place:
        """The place in gazetteer row ``row`` (see `place_arrays`)."""
        return self._gazetteer.place_at(row)

    def place(self, name: str, country: str | None = None) -> Place:
        """The place called ``name``: exact match on its name or an alternate name, ignoring case, diacritics and
        apostrophes; a cited place first, then the most populous. Raises `NotFoundError` with close names."""
        iso3 = self.country(country).iso3 if country is not None else None
        return self._gazetteer.find(name, iso3)


def shared_boundary(
    a: Polygon | MultiPolygon, b: Polygon | MultiPolygon, tolerance_deg: float = BORDER_TOLERANCE_DEG
) -> LineString | MultiLineString:
    """The part of ``a``'s outline that runs along ``b``'s outline, merged into lines (empty if none).

    ``b``'s vertices lying on a segment of ``a`` are first inserted into ``a``'s outline (so edges shared only in
    part are found). A segment of ``a`` then belongs to the border when both its ends and its midpoint lie within
    ``tolerance_deg`` of ``b``'s outline; runs of such segments become lines, so a contact at a single point gives
    nothing. Vertices are ``a``'s, plus ``b``'s where inserted.
    """
    b_segments = _segments_near(b, _expand(a.bounds, tolerance_deg))
    if len(b_segments) == 0:
        return MultiLineString()
    tree = shapely.STRtree(b_segments)
    b_box = _expand(b.bounds, tolerance_deg)
    b_points = np.unique(shapely.get_coordinates(shapely.get_point(b_segments, 0)), axis=0)
    lines = []
    for ring in _rings(a, b_box):
        ring = _with_points(ring, b_points, b_box, tolerance_deg)
        inside = _in_box(ring, b_box)
        on_border = _segments_on(ring, inside, tree, b_segments, tolerance_deg)
        lines.extend(_runs(ring, on_border))
    if not lines:
        return MultiLineString()
    merged = shapely.line_merge(MultiLineString(lines))
    assert isinstance(merged, LineString | MultiLineString)
    return merged


def _in_box(coords: npt.NDArray[np.float64], box: tuple[float, float, float, float]) -> Any:
    x, y = coords[:, 0], coords[:, 1]
    return (x >= box[0]) & (x <= box[2]) & (y >= box[1]) & (y <= box[3])


def _with_points(
    ring: npt.NDArray[np.float64], points: npt.NDArray[np.float64], box: tuple[float, float, float, float], tol: float
) -> Any:
    """``ring`` with those ``points`` inserted that lie within ``tol`` of one of its segments (meeting ``box``)
    but farther than ``tol`` from both of that segment's ends, in order along the ring."""
    start, end = ring[:-1], ring[1:]
    lo, hi = np.minimum(start, end), np.maximum(start, end)
    candidates = np.flatnonzero(
        (hi[:, 0] >= box[0]) & (lo[:, 0] <= box[2]) & (hi[:, 1] >= box[1]) & (lo[:, 1] <= box[3])
    )
    low, high = ring.min(axis=0) - tol, ring.max(axis=0) + tol
    points = points[_in_box(points, (float(low[0]), float(low[1]), float(high[0]), float(high[1])))]
    if len(candidates) == 0 or len(points) == 0:
        return ring
    segments = shapely.linestrings(np.stack([start[candidates], end[candidates]], axis=1))
    boxes = shapely.box(points[:, 0] - tol, points[:, 1] - tol, points[:, 0] + tol, points[:, 1] + tol)
    point_idx, candidate_idx = shapely.STRtree(segments).query(boxes)
    if len(point_idx) == 0:
        return ring
    close = shapely.distance(shapely.points(points[point_idx]), segments[candidate_idx]) <= tol
    point_idx, segment_idx = point_idx[close], candidates[candidate_idx[close]]
    direction = end[segment_idx] - start[segment_idx]
    length = np.hypot(direction[:, 0], direction[:, 1])
    along = ((points[point_idx] - start[segment_idx]) * direction).sum(axis=1) / np.maximum(length, 1e-300)
    interior = (along > tol) & (along < length - tol)
    if not interior.any():
        return ring
    keys = np.concatenate(
        [np.arange(len(start), dtype=np.float64), segment_idx[interior] + along[interior] / length[interior]]
    )
    coords = np.concatenate([start, points[point_idx[interior]]])
    order = np.argsort(keys, kind="stable")
    merged = coords[order]
    return np.concatenate([merged, merged[:1]])


def _expand(bounds: tuple[float, float, float, float], margin: float) -> tuple[float, float, float, float]:
    return bounds[0] - margin, bounds[1] - margin, bounds[2] + margin, bounds[3] + margin


def _rings(
    geom: Polygon | MultiPolygon, box: tuple[float, float, float, float] | None = None
) -> list[npt.NDArray[np.float64]]:
    """The coordinates of ``geom``'s rings (shells and holes), only those meeting ``box`` if given."""
    rings = shapely.get_rings(shapely.get_parts(geom))
    if box is not None:
        bounds = shapely.bounds(rings)
        meets = (
            (bounds[:, 0] <= box[2]) & (bounds[:, 2] >= box[0]) & (bounds[:, 1] <= box[3]) & (bounds[:, 3] >= box[1])
        )
        rings = rings[meets]
    return [shapely.get_coordinates(r) for r in rings]


def _segments_near(geom: Polygon | MultiPolygon, box: tuple[float, float, float, float]) -> npt.NDArray[Any]:
    """The segments of ``geom``'s rings whose bounding box meets ``box``, as an array of 2-point LineStrings."""
    parts = []
    for ring in _rings(geom, box):
        start, end = ring[:-1], ring[1:]
        lo, hi = np.minimum(start, end), np.maximum(start, end)
        keep = (hi[:, 0] >= box[0]) & (lo[:, 0] <= box[2]) & (hi[:, 1] >= box[1]) & (lo[:, 1] <= box[3])
        parts.append(np.stack([start[keep], end[keep]], axis=1))
    pairs = np.concatenate(parts) if parts else np.empty((0, 2, 2))
    return shapely.linestrings(pairs) if len(pairs) else np.empty(0, dtype=object)


def _near(points: npt.NDArray[np.float64], tree: shapely.STRtree, segments: npt.NDArray[Any], tol: float) -> Any:
    """Which of ``points`` (n x 2) lie within ``tol`` of any of ``segments``."""
    boxes = shapely.box(points[:, 0] - tol, points[:, 1] - tol, points[:, 0] + tol, points[:, 1] + tol)
    point_idx, segment_idx = tree.query(boxes)
    close = shapely.distance(shapely.points(points[point_idx]), segments[segment_idx]) <= tol
    near = np.zeros(len(points), dtype=bool)
    near[point_idx[close]] = True
    return near


def _segments_on(
    ring: npt.NDArray[np.float64],
    inside: npt.NDArray[np.bool_],
    tree: shapely.STRtree,
    segments: npt.NDArray[Any],
    tol: float,
) -> Any:
    """Which segments of ``ring`` run along ``segments`` (only vertices flagged ``inside`` can qualify)."""
    vertex_near = np.zeros(len(ring), dtype=bool)
    vertex_near[inside] = _near(ring[inside], tree, segments, tol)
    on = vertex_near[:-1] & vertex_near[1:]
    candidates = np.flatnonzero(on)
    if len(candidates):
        midpoints = (ring[candidates] + ring[candidates + 1]) / 2.0
        on[candidates] = _near(midpoints, tree, segments, tol)
    return on


def _runs(ring: npt.NDArray[np.float64], on: npt.NDArray[np.bool_]) -> list[LineString]:
    """Lines made of consecutive ``on`` segments of a closed ring (a run may wrap past the ring's start)."""
    if not on.any():
        return []
    if on.all():
        return [LineString(ring)]
    shift = int(np.flatnonzero(~on)[0]) + 1  # start just after an off segment, so no run wraps
    order = np.roll(np.arange(len(on)), -shift)
    flags = on[order]
    edges = np.diff(np.concatenate([[0], flags.astype(np.int8), [0]]))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    lines = []
    for start, stop in zip(starts, stops, strict=True):
        segment_ids = order[start:stop]
        vertex_ids = np.append(segment_ids, segment_ids[-1] + 1)
        lines.append(LineString(ring[vertex_ids]))
    return lines


# -- loading the bundle --------------------------------------------------------------------------------------------
def _read_bundle(name: str) -> dict[str, Any]:
    """Members of a bundled zip: ``.npy`` as arrays, ``.json`` parsed, ``.txt`` as one string."""
    data = resources.files(DATA_PACKAGE).joinpath(name).read_bytes()
    out: dict[str, Any] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.namelist():
            raw = archive.read(member)
            stem, _, kind = member.rpartition(".")
            if kind == "npy":
                out[stem] = np.load(io.BytesIO(raw), allow_pickle=False)
            elif kind == "json":
                out[stem] = json.loads(raw)
            else:
                out[stem] = raw.decode("utf-8")
    return out


def _geometries(bundle: dict[str, Any]) -> list[Polygon | MultiPolygon]:
    """Multipolygons from ragged arrays (coords, ring/polygon/geometry offsets); one-part ones become Polygons."""
    offsets = (bundle["ring_offsets"], bundle["polygon_offsets"], bundle["geometry_offsets"])
    multi = shapely.from_ragged_array(shapely.GeometryType.MULTIPOLYGON, bundle["coords"], offsets)
    single = shapely.get_num_geometries(multi) == 1
    geoms = multi.copy()
    geoms[single] = shapely.get_geometry(multi[single], 0)
    return list(geoms)


def _read_gazetteer(country_iso2_to_iso3: dict[str, str]) -> Gazetteer:
    bundle = _read_bundle("places.zip")
    meta = bundle["meta"]
    if meta["normalization_version"] != NORMALIZATION_VERSION:
        raise RuntimeError("bundled places were built with another normalize_name: run `make data`")
    names = bundle["names"].split("\n")
    keys = bundle["keys"].split("\n")
    key_rows = bundle["key_rows"].astype(np.int64)
    codes = np.asarray(meta["country_codes"])
    country = codes[bundle["country_index"]]
    lat, lon = bundle["lat_deg"], bundle["lon_deg"]
    population, geonameid = bundle["population"].astype(np.int64), bundle["geonameid"].astype(np.int64)
    sources: dict[int, str] = {}
    text = resources.files(DATA_PACKAGE).joinpath("places_extra.csv").read_text(encoding="utf-8")
    extra_keys: list[tuple[str, int]] = []
    for cited in read_cited_places(text):
        row = len(names)
        names.append(cited.name)
        lat, lon = np.append(lat, cited.lat_deg), np.append(lon, cited.lon_deg)
        country = np.append(country, country_iso2_to_iso3.get(cited.country_iso3, cited.country_iso3))
        population, geonameid = np.append(population, cited.population), np.append(geonameid, 0)
        sources[row] = f"cited: {cited.source_url}"
        extra_keys.extend((k, row) for k in {normalize_name(n) for n in (cited.name, *cited.alternate_names)} if k)
    if extra_keys:
        extra_keys.sort()
        positions = [bisect.bisect_left(keys, k) for k, _ in extra_keys]
        key_rows = np.insert(key_rows, positions, [r for _, r in extra_keys])
        merged = []
        previous = 0
        for position, (key, _) in zip(positions, extra_keys, strict=True):
            merged.extend(keys[previous:position])
            merged.append(key)
            previous = position
        merged.extend(keys[previous:])
        keys = merged
    return Gazetteer(
        names=names,
        lat_deg=lat,
        lon_deg=lon,
        country_iso3=country,
        population=population,
        geonameid=geonameid,
        keys=keys,
        key_rows=key_rows,
        sources=sources,
    )


def _close_keys(query: str, table: dict[str, str], limit: int, cutoff: float = 0.6) -> list[str]:
    """Up to ``limit`` distinct values of ``table`` whose keys resemble ``query``: difflib ratio plus a bonus for
    a shared prefix (a mistyped code usually keeps its first letters); ties go to the larger key, as in difflib."""
    matcher = difflib.SequenceMatcher(b=query)
    scored = []
    for candidate in table:
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:
            continue
        ratio = matcher.ratio()
        if ratio >= cutoff:
            prefix = _common_prefix_length(candidate, query)
            scored.append((ratio + 0.2 * prefix / max(len(query), 1), candidate))
    scored.sort(reverse=True)
    return list(dict.fromkeys(table[c] for _, c in scored))[:limit]


def _common_prefix_length(a: str, b: str) -> int:
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return length


@functools.cache
def load_world() -> World:
    """The bundled world, read once per process and shared (about 0.2 s; places load on first use, 0.2 s)."""
    countries_bundle = _read_bundle("countries.zip")
    records = countries_bundle["countries"]
    countries = [
        Country(iso3=r["iso3"], iso2=r["iso2"], name=r["name"], geometry=g)
        for r, g in zip(records, _geometries(countries_bundle), strict=True)
    ]
    provinces_bundle = _read_bundle("provinces.zip")
    provinces = [
        Province(name=r["name"], country_iso3=r["country_iso3"], geometry=g)
        for r, g in zip(provinces_bundle["provinces"], _geometries(provinces_bundle), strict=True)
    ]
    province_aliases: dict[str, list[int]] = {}
    for row, record in enumerate(provinces_bundle["provinces"]):
        for alias in record["aliases"]:
            province_aliases.setdefault(alias, []).append(row)
    iso2_to_iso3 = {c.iso2: c.iso3 for c in countries if c.iso2}
    gazetteer = functools.cache(functools.partial(_read_gazetteer, iso2_to_iso3))
    return World(countries, countries_bundle["aliases"], provinces, province_aliases, gazetteer)
