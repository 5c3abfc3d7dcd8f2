"""Reading and checking GeoJSON geometries and files, with one-line errors that name the problem.

Coordinates are GeoJSON order: longitude, latitude in degrees (WGS84).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from commonsky.errors import GeometryError, InputError

GEOMETRY_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
}


def geometry_from_json(obj: Any, where: str = "geometry") -> BaseGeometry:
    """Build a shapely geometry from a GeoJSON geometry object and check it.

    Raises `GeometryError` for a missing type, bad coordinates, out-of-range longitude or latitude, or an
    invalid polygon (self-intersection, too few points), naming ``where`` and the reason.
    """
    if not isinstance(obj, dict):
        raise GeometryError(f"{where}: expected a GeoJSON geometry object, got {type(obj).__name__}")
    kind = obj.get("type")
    if kind not in GEOMETRY_TYPES:
        raise GeometryError(f"{where}: unknown geometry type {kind!r}")
    try:
        geom = shape(obj)
    except Exception as error:  # shapely raises several types for malformed coordinates
        raise GeometryError(f"{where}: malformed {kind} coordinates ({error})") from error
    check_geometry(geom, where)
    return geom


def check_geometry(geom: BaseGeometry, where: str = "geometry") -> None:
    """Raise `GeometryError` unless ``geom`` is non-empty, valid, and within lon [-180, 180], lat [-90, 90]."""
    if geom.is_empty:
        raise GeometryError(f"{where}: geometry is empty")
    coords = shapely.get_coordinates(geom)
    if not (abs(coords[:, 0]) <= 180.0).all() or not (abs(coords[:, 1]) <= 90.0).all():
        raise GeometryError(f"{where}: coordinates outside lon [-180, 180], lat [-90, 90] (GeoJSON is lon, lat)")
    if not shapely.is_valid(geom):
        raise GeometryError(f"{where}: invalid geometry: {explain_validity(geom)}")


def load_json(path: Path) -> Any:
    """Read a JSON file; a missing file or bad JSON raises `InputError` naming the file and line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise InputError(f"{path}: no such file") from error
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 text") from error
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})") from error


def features_of(obj: Any, where: str) -> list[dict[str, Any]]:
    """The features of a FeatureCollection, a single Feature, or a bare geometry (wrapped as a Feature)."""
    if not isinstance(obj, dict):
        raise GeometryError(f"{where}: expected a GeoJSON object")
    kind = obj.get("type")
    if kind == "FeatureCollection":
        features = obj.get("features")
        if not isinstance(features, list):
            raise GeometryError(f"{where}: FeatureCollection has no 'features' list")
        return features
    if kind == "Feature":
        return [obj]
    if kind in GEOMETRY_TYPES:
        return [{"type": "Feature", "properties": {}, "geometry": obj}]
    raise GeometryError(f"{where}: not GeoJSON (type {kind!r})")


def write_json(path: Path, obj: Any) -> None:
    """Write JSON atomically: a crash mid-write never leaves a half file where a good one was."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(json.dumps(obj, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    tmp.replace(target)
