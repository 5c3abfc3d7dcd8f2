"""Map layers: named groups of GeoJSON features with a role that decides how they are drawn.

Every output (PNG, HTML, KML) draws a sequence of `Layer` values. Features are plain GeoJSON Feature dicts in
lon/lat degrees (WGS84), so any producer (zones, intents, conflicts, coverage) can hand its features over
without a conversion step.

Place features (role ``place``) may carry, besides ``name``: ``inside`` (bool: inside the zone, or near it
outside), ``distance_km`` (to the border or zone edge), ``edge_km`` (> 0 inside by, < 0 outside by),
``country_iso3``, ``population``. `place_feature` builds one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from commonsky.airspace.geojson import features_of, geometry_from_json, load_json
from commonsky.errors import InputError
from commonsky.render.style import BASE_BORDER, ROLES, Style, feature_kind, feature_style, muted_style, role_style

if TYPE_CHECKING:
    from commonsky.render.basemap import WorldLike

BBox = tuple[float, float, float, float]
"""(min_lon, min_lat, max_lon, max_lat) in degrees; ``max_lon`` exceeds 180 when the view crosses the antimeridian."""

MI_M = 1609.344
_ZONE_FORMAT = "commonsky.zone/1"
_CONTEXT_ROLES = ("country", "province", "border")


@dataclass(frozen=True)
class Layer:
    """One legend entry's worth of features.

    ``role`` is one of `commonsky.render.style.ROLES`; ``features`` are GeoJSON Feature dicts in lon/lat.
    ``base`` marks layers of the base map (countries, borders, provinces), drawn under everything else and listed
    last in the legend. ``muted`` marks a context layer, drawn lighter and dashed (e.g. the national zone around
    the province's part that the map is about).
    """

    name: str
    role: str
    features: tuple[dict[str, Any], ...]
    base: bool = False
    muted: bool = False

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise InputError(f"layer {self.name!r}: unknown role {self.role!r} (use {', '.join(ROLES)})")

    def style_of(self, feature: dict[str, Any]) -> Style:
        """How one of this layer's features is drawn, in every output."""
        return feature_style(self.role, feature.get("properties") or {}, base=self.base, muted=self.muted)


def place_feature(name: str, lon_deg: float, lat_deg: float, **properties: Any) -> dict[str, Any]:
    """A place as a GeoJSON Point Feature (see the module docstring for the properties the maps read)."""
    return {
        "type": "Feature",
        "properties": {"name": name, **properties},
        "geometry": {"type": "Point", "coordinates": [lon_deg, lat_deg]},
    }


def zone_places_layer(result: Any, name: str | None = None) -> Layer:
    """The places of a `commonsky.geo.zone_places.ZonePlaces` (inside, then near outside) as one place layer.

    Each feature carries ``inside``, ``distance_km`` (to the border or zone edge, as ``reference`` says),
    ``edge_km`` (> 0 inside by, < 0 outside by), ``country_iso3`` and ``population``.
    """
    features = tuple(
        place_feature(
            s.place.name,
            s.place.lon_deg,
            s.place.lat_deg,
            inside=bool(s.inside),
            distance_km=round(s.distance_m / 1000.0, 2),
            edge_km=round(s.edge_m / 1000.0, 2),
            reference=s.reference,
            country_iso3=s.place.country_iso3,
            population=s.place.population,
        )
        for s in (*result.inside, *result.near_outside)
    )
    return Layer(name or f"Places: {result.zone_name}", "place", features)


def layers_from_file(path: Path | str) -> list[Layer]:
    """Read any GeoJSON file (Feature, FeatureCollection or bare geometry) into layers.

    - each zone feature (``properties.format == "commonsky.zone/1"``) becomes its own layer, role ``zone``,
      named after the zone and styled by ``properties.kind``;
    - a feature whose ``properties.role`` is a known role, or whose ``properties.format`` is
      ``commonsky.<role>/N``, takes that role;
    - Point features with a ``name`` become places; lines named like a border or boundary become borders;
    - the rest are role ``other``. Features of one role (other than zones) share one layer, named after the
      collection's ``name`` or else the file's stem.

    Features without geometry are skipped; invalid geometry raises `GeometryError` naming file and feature.
    """
    where = str(path)
    doc = load_json(Path(path))
    features = features_of(doc, where)
    label = doc.get("name") if isinstance(doc.get("name"), str) else Path(path).stem
    zones: list[Layer] = []
    groups: dict[str, list[dict[str, Any]]] = {}
    for i, feature in enumerate(features):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise InputError(f"{where}: features[{i}]: expected a GeoJSON Feature")
        if feature.get("geometry") is None:
            continue
        geometry = geometry_from_json(feature["geometry"], f"{where}: features[{i}].geometry")
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            raise InputError(f"{where}: features[{i}].properties: expected an object")
        role = _role_of(props, geometry)
        if role == "zone":
            zones.append(Layer(str(props.get("name") or f"{label} zone {i + 1}"), "zone", (feature,)))
        else:
            groups.setdefault(role, []).append(feature)
    if not zones and not groups:
        raise InputError(f"{where}: contains no features with geometry")
    named = {"place": label if "place" in label.lower() else f"{label}: places", "border": label, "other": label}
    grouped = [
        Layer(_group_name(fs) or named.get(role, f"{label}: {role}"), role, tuple(fs)) for role, fs in groups.items()
    ]
    return zones + grouped


def _group_name(features: list[dict[str, Any]]) -> str | None:
    """The name of a one-feature group that is not a place (a border line, a province): the feature's name."""
    if len(features) != 1:
        return None
    props = features[0].get("properties") or {}
    name = props.get("name")
    is_point = (features[0].get("geometry") or {}).get("type") in ("Point", "MultiPoint")
    return name if isinstance(name, str) and name.strip() and not is_point else None


def _role_of(props: dict[str, Any], geometry: BaseGeometry) -> str:
    fmt = props.get("format")
    if fmt == _ZONE_FORMAT:
        return "zone"
    role = props.get("role")
    if isinstance(role, str) and role in ROLES:
        return role
    if isinstance(fmt, str) and fmt.startswith("commonsky.") and "/" in fmt:
        named = fmt.removeprefix("commonsky.").split("/", 1)[0]
        if named in ROLES:
            return named
    name = props.get("name")
    if geometry.geom_type in ("Point", "MultiPoint") and isinstance(name, str) and name.strip():
        return "place"
    if geometry.geom_type in ("LineString", "MultiLineString") and isinstance(name, str):
        lowered = name.lower()
        if "border" in lowered or "boundary" in lowered:
            return "border"
    return "other"


def basemap_layers(bbox: BBox, world: WorldLike, *, tolerance_deg: float | None = None) -> list[Layer]:
    """Countries (filled, labelled), land borders and provinces of ``world`` within ``bbox``.

    Provinces come only with regional views (at most 50 degrees across each way); the province layer of a wider
    view is empty.

    Geometries are clipped to the box (plus a margin) and simplified to ``tolerance_deg`` (default: 1/2000 of
    the box width, well under a pixel), so a map of one region stays small. Returns the layers bottom to top:
    countries, provinces, borders (all with ``base=True``).
    """
    from commonsky.render.basemap import build_basemap  # shapely work only when a base map is asked for

    return build_basemap(normalise_bbox(bbox), world, tolerance_deg)


def normalise_bbox(bbox: Sequence[float]) -> BBox:
    """Check a bbox and put it in the canonical form: min_lon in [-180, 180), max_lon > min_lon (may exceed 180).

    A box given with ``min_lon > max_lon`` (e.g. ``(170, -20, -170, 10)``) is read as crossing the antimeridian.
    """
    if len(bbox) != 4 or not all(math.isfinite(v) for v in bbox):
        raise InputError(f"bbox {tuple(bbox)!r}: expected four finite numbers min_lon, min_lat, max_lon, max_lat")
    min_lon, min_lat, max_lon, max_lat = (float(v) for v in bbox)
    if not (-90.0 <= min_lat < max_lat <= 90.0):
        raise InputError(f"bbox latitudes {min_lat}..{max_lat}: need -90 <= min_lat < max_lat <= 90")
    shift = 360.0 * math.floor((min_lon + 180.0) / 360.0)
    min_lon, max_lon = min_lon - shift, max_lon - shift
    while max_lon <= min_lon:
        max_lon += 360.0
    if max_lon - min_lon > 360.0:
        max_lon = min_lon + 360.0
    return (min_lon, min_lat, max_lon, max_lat)


def feature_geometries(features: Iterable[dict[str, Any]]) -> list[BaseGeometry | None]:
    """Shapely geometries of features (None where a feature has no geometry)."""
    return [None if f.get("geometry") is None else shape(f["geometry"]) for f in features]


def auto_bbox(layers: Sequence[Layer], pad_frac: float = 0.15) -> BBox:
    """The smallest lon/lat box around every feature, padded by ``pad_frac`` of its size on each side.

    Context layers (roles country, province, border) are fitted only when there is nothing else: a map of a zone
    and the whole border it came from centres on the zone. Longitudes are treated as a circle: features on both
    sides of the antimeridian give a box across it (``max_lon`` > 180) rather than one spanning the globe. A
    single point gets a box about 60 km across.
    """
    focus = [layer for layer in layers if layer.role not in _CONTEXT_ROLES and layer.features]
    geoms = [
        g for layer in (focus or layers) for g in feature_geometries(layer.features) if g is not None and not g.is_empty
    ]
    if not geoms:
        raise InputError("nothing to draw: the layers have no features with geometry")
    coords = shapely.get_coordinates(geoms)
    lons = np.mod(coords[:, 0] + 180.0, 360.0) - 180.0
    min_lon, max_lon = _covering_arc(lons)
    min_lat, max_lat = float(coords[:, 1].min()), float(coords[:, 1].max())
    lat_mid = math.radians((min_lat + max_lat) / 2.0)
    half_min = 0.27  # degrees of latitude: about 30 km
    width = max(max_lon - min_lon, 2 * half_min / max(math.cos(lat_mid), 0.05))
    height = max(max_lat - min_lat, 2 * half_min)
    mid_lon, mid_lat = (min_lon + max_lon) / 2.0, (min_lat + max_lat) / 2.0
    half_w = min(width * (0.5 + pad_frac), 180.0)
    half_h = height * (0.5 + pad_frac)
    return normalise_bbox(
        (mid_lon - half_w, max(mid_lat - half_h, -89.9), mid_lon + half_w, min(mid_lat + half_h, 89.9))
    )


def _covering_arc(lons: np.ndarray) -> tuple[float, float]:
    """The shortest longitude interval containing all ``lons`` (degrees in [-180, 180)): it starts after the
    widest gap between neighbouring longitudes on the circle."""
    ordered = np.unique(lons)
    if ordered.size == 1:
        return float(ordered[0]), float(ordered[0])
    gaps = np.diff(np.append(ordered, ordered[0] + 360.0))
    widest = int(np.argmax(gaps))
    if widest == ordered.size - 1:
        return float(ordered[0]), float(ordered[-1])
    return float(ordered[widest + 1]), float(ordered[widest] + 360.0)


def place_label(props: dict[str, Any]) -> str:
    """A place's map label: its name, with its distance (km and mi) when known, and how far outside it is."""
    name = str(props.get("name", ""))
    distance_km = props.get("distance_km")
    edge_km = props.get("edge_km")
    if isinstance(edge_km, int | float) and not isinstance(edge_km, bool) and edge_km < 0:
        return f"{name} (outside by {-edge_km * 1000 / MI_M:.1f} mi)"
    if isinstance(distance_km, int | float) and not isinstance(distance_km, bool):
        return f"{name} ({distance_km:.1f} km / {distance_km * 1000 / MI_M:.1f} mi)"
    return name


@dataclass(frozen=True)
class LegendEntry:
    """One line of a legend: a label and the style swatch drawn as ``shape`` (``fill``, ``line`` or ``point``)."""

    label: str
    style: Style
    shape: str


def legend_entries(layers: Sequence[Layer]) -> list[LegendEntry]:
    """The legend of a map, top to bottom: user layers first (one entry per zone kind or place standing found in
    the layer), then the base map's entries."""
    entries: list[LegendEntry] = []
    for layer in sorted(layers, key=lambda lay: lay.base):
        if not layer.features or (layer.base and layer.role == "country"):
            continue  # nothing drawn, or the land fill, which explains itself
        kinds = sorted({feature_kind(layer.role, f.get("properties") or {}) or "" for f in layer.features})
        types = {(f.get("geometry") or {}).get("type", "") for f in layer.features}
        for kind in kinds or [""]:
            style = _legend_style(layer, kind)
            label = layer.name
            if layer.role == "place" and kind:
                label = "Place inside the zone" if kind == "inside" else "Place near, outside the zone"
            elif layer.role == "zone" and kind:
                label = f"{layer.name} ({kind})"
            entries.append(LegendEntry(label, style, _legend_shape(layer.role, types)))
    unique: dict[tuple[str, str], LegendEntry] = {}
    for entry in entries:
        unique.setdefault((entry.label, entry.shape), entry)
    return list(unique.values())


def _legend_style(layer: Layer, kind: str) -> Style:
    if layer.base and layer.role == "border":
        return BASE_BORDER
    style = role_style(layer.role, kind or None)
    return muted_style(style) if layer.muted else style


def _legend_shape(role: str, types: set[str]) -> str:
    if role in ("border", "province"):
        return "line"
    if role == "place" or (types and types <= {"Point", "MultiPoint"}):
        return "point"
    if types & {"Polygon", "MultiPolygon", "GeometryCollection"} or not types:
        return "fill"
    return "line"  # lines, perhaps with points (a track and its last fix)
