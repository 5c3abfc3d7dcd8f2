"""The bundled world: countries (Natural Earth 1:10m Admin-0), provinces (Admin-1) and places (GeoNames + cited).

Everything is read lazily from ``commonsky/data`` on the first `load_world()` call and cached; nothing happens at
import. Coordinates are longitude, latitude in degrees on WGS84. Provenance and licences: ``data/README.md`` (the
provinces are derived from a GPL-2+ QGIS file and so live apart, in ``commonsky/data/qgis_gpl/``).

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
from importlib.resources.abc import Traversable
from typing import Any

import numpy as np
import shapely
from shapely import LineString, MultiLineString, MultiPolygon, Polygon

from commonsky.errors import NoSharedBorderError, NotFoundError
from commonsky.geo.borders import BORDER_TOLERANCE_DEG, shared_boundary
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

DATA_PACKAGE = "commonsky.data"
# The bundled files, as paths inside DATA_PACKAGE (scripts/build_data.py writes them there). The provinces come from
# QGIS's generalised world map, which Debian's copyright file puts under GPL-2+: own folder, beside that licence.
COUNTRIES_FILE = "countries.zip"
PROVINCES_FILE = "qgis_gpl/provinces.zip"
PLACES_FILE = "places.zip"
CITED_PLACES_FILE = "places_extra.csv"


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


# -- loading the bundle --------------------------------------------------------------------------------------------
def _data_file(name: str) -> Traversable:
    """The bundled file at ``name``, a "/"-separated path inside the data package."""
    return resources.files(DATA_PACKAGE).joinpath(*name.split("/"))


def read_bundle(name: str) -> dict[str, Any]:
    """Members of a bundled zip: ``.npy`` as arrays, ``.json`` parsed, ``.txt`` as one string."""
    data = _data_file(name).read_bytes()
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
    bundle = read_bundle(PLACES_FILE)
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
    text = _data_file(CITED_PLACES_FILE).read_text(encoding="utf-8")
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
    countries_bundle = read_bundle(COUNTRIES_FILE)
    records = countries_bundle["countries"]
    countries = [
        Country(iso3=r["iso3"], iso2=r["iso2"], name=r["name"], geometry=g)
        for r, g in zip(records, _geometries(countries_bundle), strict=True)
    ]
    provinces_bundle = read_bundle(PROVINCES_FILE)
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
