"""The bundled gazetteer: GeoNames towns (cities500) plus a small cited file, as column arrays.

Places live in parallel numpy arrays (``lat_deg``, ``lon_deg``, ``population``...) so that many of them can be
tested against a polygon at once; a `Place` value is only built for the rows a caller asks for. Names are looked
up through a sorted list of normalised keys (primary names and Latin-script alternate names), built once by
``scripts/build_data.py`` with the same `normalize_name` as here.
"""

from __future__ import annotations

import bisect
import csv
import difflib
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from commonsky.errors import InputError, NotFoundError

# Bump when normalize_name changes: the bundled keys were built with this version and must be rebuilt.
NORMALIZATION_VERSION = 1

_APOSTROPHES = "'`´‘’ʹʻʼʽʾʿˈ′"  # look-alike apostrophes and modifier letters
_FOLD = str.maketrans(
    {
        **{ch: "" for ch in _APOSTROPHES},
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "æ": "ae",
        "œ": "oe",
        "ı": "i",
        "ħ": "h",
        "ŧ": "t",
    }
)
_NON_WORD = re.compile(r"[\W_]+")


def normalize_name(name: str) -> str:
    """Fold a name for lookup: case, diacritics and apostrophes ignored, any other punctuation becomes a space.

    >>> normalize_name("As-Sa'diyah") == normalize_name("as sadiyah") == "as sadiyah"
    True
    >>> normalize_name("  Khānaqīn ")
    'khanaqin'
    """
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = stripped.casefold().translate(_FOLD)
    return _NON_WORD.sub(" ", folded).strip()


@dataclass(frozen=True)
class Place:
    """A named place. ``population`` 0 means unknown; ``source`` is ``"GeoNames <id>"`` or ``"cited: <url>"``."""

    name: str
    lat_deg: float
    lon_deg: float
    country_iso3: str
    population: int
    source: str


@dataclass(frozen=True)
class PlaceArrays:
    """Column view of many places (all arrays have the same length, one row per place)."""

    lat_deg: npt.NDArray[np.float64]
    lon_deg: npt.NDArray[np.float64]
    names: npt.NDArray[np.object_]  # Python str objects (a fixed-width unicode array would be 70 MB for all)
    country_iso3: npt.NDArray[np.str_]
    population: npt.NDArray[np.int64]
    index: npt.NDArray[np.intp]  # row numbers in the gazetteer, for `Gazetteer.place_at`


@dataclass(frozen=True)
class CitedPlace:
    """One row of ``places_extra.csv``: a place missing from GeoNames, with the page its coordinates come from."""

    name: str
    alternate_names: tuple[str, ...]
    lat_deg: float
    lon_deg: float
    country_iso3: str
    population: int
    source_url: str


def read_cited_places(text: str) -> list[CitedPlace]:
    """Parse ``places_extra.csv`` (columns: name, alternate_names ';'-separated, lat_deg, lon_deg, country_iso3,
    population (empty = unknown), source_url, accessed). Lines starting with '#' are comments. Raises
    `InputError` naming the line of a row with a missing field, a bad number or no source."""
    kept = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip() and line[:1] != "#"]
    reader = csv.DictReader(io.StringIO("\n".join(line for _, line in kept)))
    rows = []
    for row in reader:
        where = f"places_extra.csv line {kept[reader.line_num - 1][0]}"
        try:
            cited = CitedPlace(
                name=row["name"].strip(),
                alternate_names=tuple(a.strip() for a in (row.get("alternate_names") or "").split(";") if a.strip()),
                lat_deg=float(row["lat_deg"]),
                lon_deg=float(row["lon_deg"]),
                country_iso3=row["country_iso3"].strip().upper(),
                population=int(row["population"] or 0),
                source_url=row["source_url"].strip(),
            )
        except (AttributeError, KeyError, TypeError, ValueError) as error:
            raise InputError(f"{where}: missing or malformed field ({error})") from error
        if not (-90.0 <= cited.lat_deg <= 90.0 and -180.0 <= cited.lon_deg <= 180.0):
            raise InputError(f"{where}: coordinates out of range")
        if not cited.name or not cited.source_url.startswith(("http://", "https://")):
            raise InputError(f"{where}: a cited place needs a name and a source URL")
        rows.append(cited)
    return rows


class Gazetteer:
    """Places as column arrays with a sorted name index. Immutable after construction; safe to share.

    ``keys`` is sorted and ``key_rows[i]`` is the row that ``keys[i]`` names (a key may repeat for several rows).
    ``sources[i]`` overrides the GeoNames source for row ``i`` (cited places); otherwise it is ``GeoNames <id>``.
    """

    def __init__(
        self,
        *,
        names: Sequence[str],
        lat_deg: npt.NDArray[np.float64],
        lon_deg: npt.NDArray[np.float64],
        country_iso3: npt.NDArray[np.str_],
        population: npt.NDArray[np.int64],
        geonameid: npt.NDArray[np.int64],
        keys: list[str],
        key_rows: npt.NDArray[np.int64],
        sources: dict[int, str],
    ) -> None:
        self._names = np.asarray(names, dtype=object)
        self._lat = lat_deg
        self._lon = lon_deg
        self._country = country_iso3
        self._population = population
        self._geonameid = geonameid
        self._keys = keys
        self._key_rows = key_rows
        self._sources = sources

    def __len__(self) -> int:
        return len(self._lat)

    def place_at(self, row: int) -> Place:
        """The place in row ``row`` (0 <= row < len(self))."""
        source = self._sources.get(row) or f"GeoNames {int(self._geonameid[row])}"
        return Place(
            name=str(self._names[row]),
            lat_deg=float(self._lat[row]),
            lon_deg=float(self._lon[row]),
            country_iso3=str(self._country[row]),
            population=int(self._population[row]),
            source=source,
        )

    def rows_in(self, bbox: tuple[float, float, float, float] | None) -> npt.NDArray[np.intp]:
        """Row numbers of places inside ``bbox`` = (min_lon, min_lat, max_lon, max_lat), edges included.

        A bbox with min_lon > max_lon crosses the antimeridian. ``None`` means every place.
        """
        if bbox is None:
            return np.arange(len(self._lat))
        min_lon, min_lat, max_lon, max_lat = bbox
        in_lat = (self._lat >= min_lat) & (self._lat <= max_lat)
        if min_lon <= max_lon:
            in_lon = (self._lon >= min_lon) & (self._lon <= max_lon)
        else:
            in_lon = (self._lon >= min_lon) | (self._lon <= max_lon)
        return np.flatnonzero(in_lat & in_lon)

    def arrays(self, bbox: tuple[float, float, float, float] | None = None) -> PlaceArrays:
        """Column arrays of the places inside ``bbox`` (see `rows_in`), in gazetteer order."""
        rows = self.rows_in(bbox)
        return PlaceArrays(
            lat_deg=self._lat[rows],
            lon_deg=self._lon[rows],
            names=self._names[rows],
            country_iso3=self._country[rows],
            population=self._population[rows],
            index=rows,
        )

    def places(self, bbox: tuple[float, float, float, float] | None = None) -> list[Place]:
        """The places inside ``bbox`` as values, most populous first (ties by name)."""
        rows = self.rows_in(bbox)
        names, lat, lon = self._names[rows].tolist(), self._lat[rows].tolist(), self._lon[rows].tolist()
        country, population = self._country[rows].tolist(), self._population[rows].tolist()
        ids = self._geonameid[rows].tolist()
        places = [
            Place(n, la, lo, c, p, self._sources.get(r) or f"GeoNames {i}")
            for r, n, la, lo, c, p, i in zip(rows.tolist(), names, lat, lon, country, population, ids, strict=True)
        ]
        places.sort(key=lambda place: (-place.population, place.name))
        return places

    def _rows_for_key(self, key: str) -> list[int]:
        start = bisect.bisect_left(self._keys, key)
        stop = bisect.bisect_right(self._keys, key, lo=start)
        return sorted({int(row) for row in self._key_rows[start:stop]})

    def find(self, name: str, country_iso3: str | None = None) -> Place:
        """The place called ``name`` (primary or alternate name; case, diacritics and apostrophes ignored).

        Several matches: a cited place first, then the most populous. Raises `NotFoundError` naming close
        names when nothing matches.
        """
        key = normalize_name(name)
        rows = [r for r in self._rows_for_key(key) if country_iso3 is None or self._country[r] == country_iso3]
        if rows:
            best = max(rows, key=lambda r: (r in self._sources, int(self._population[r]), -r))
            return self.place_at(best)
        where = f" in {country_iso3}" if country_iso3 else ""
        close = self.suggest(key, country_iso3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise NotFoundError(f"unknown place {name!r}{where}{hint}")

    def suggest(self, key: str, country_iso3: str | None = None, limit: int = 5) -> list[str]:
        """Up to ``limit`` close names for a normalised ``key``, as ``"Name (ISO3)"``.

        Searches keys sharing the first letter and of similar length (the sorted index makes that a slice),
        then all keys of similar length if that finds nothing.
        """
        if not key:
            return []
        start = bisect.bisect_left(self._keys, key[0])
        stop = bisect.bisect_left(self._keys, key[0] + "\U0010ffff")
        candidates = self._similar(range(start, stop), key, country_iso3)
        if not candidates:
            candidates = self._similar(range(len(self._keys)), key, country_iso3)
        matches = difflib.get_close_matches(key, list(candidates), n=limit * 3, cutoff=0.75)
        out: list[str] = []
        for match in matches:
            row = max(candidates[match], key=lambda r: int(self._population[r]))
            label = f"{self._names[row]} ({self._country[row]})"
            if label not in out:
                out.append(label)
        return out[:limit]

    def _similar(self, positions: range, key: str, country_iso3: str | None) -> dict[str, list[int]]:
        near: dict[str, list[int]] = {}
        for position in positions:
            candidate = self._keys[position]
            if abs(len(candidate) - len(key)) > 3:
                continue
            row = int(self._key_rows[position])
            if country_iso3 is not None and self._country[row] != country_iso3:
                continue
            near.setdefault(candidate, []).append(row)
        return near
