"""The border-zone report: the zone, its area, the places inside and just outside, claims checked, and maps.

``make run`` produces it for the embedded default: Iraq within 20 statute miles of the Iran–Iraq border,
the Diyala part of it, and the 2014 claim that Jalawla and As-Sa'diyah lie inside.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from commonsky.airspace.zone import Zone, write_zones
from commonsky.geo.border_zone import BorderBuffer, build_border_zone
from commonsky.geo.world import World
from commonsky.geo.zone_places import PlaceStanding, ZonePlaces, places_in_zone, standing_of
from commonsky.units import MI_M

DEFAULT_SPEC = BorderBuffer("IRN", "IRQ", 20 * MI_M, side="IRQ", clip="Diyala")
DEFAULT_CHECKS = ("Jalawla", "As-Sa'diyah")


@dataclass(frozen=True)
class ZoneReport:
    national: Zone  # the whole-border zone on the side country
    focus: Zone  # the clipped zone (or the national one when no clip)
    places: ZonePlaces
    checks: tuple[PlaceStanding, ...]
    files: tuple[Path, ...]


def standing_feature(s: PlaceStanding) -> dict[str, Any]:
    """A place's standing as a GeoJSON Point feature (for maps and exports)."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [s.place.lon_deg, s.place.lat_deg]},
        "properties": {
            "name": s.place.name,
            "country": s.place.country_iso3,
            "population": s.place.population,
            "inside": s.inside,
            "distance_km": round(s.distance_m / 1000, 2),
            "distance_mi": round(s.distance_m / MI_M, 2),
            "edge_km": round(s.edge_m / 1000, 2),
            "edge_mi": round(s.edge_m / MI_M, 2),
            "distance_to": s.reference,
            "source": s.place.source,
        },
    }


def write_places_csv(path: Path, rows: Sequence[PlaceStanding]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "name",
                "country",
                "lat_deg",
                "lon_deg",
                "population",
                "inside",
                "distance_km",
                "distance_mi",
                "edge_km",
                "edge_mi",
                "distance_to",
                "source",
            ]
        )
        for s in rows:
            writer.writerow(
                [
                    s.place.name,
                    s.place.country_iso3,
                    f"{s.place.lat_deg:.6f}",
                    f"{s.place.lon_deg:.6f}",
                    s.place.population,
                    s.inside,
                    f"{s.distance_m / 1000:.2f}",
                    f"{s.distance_m / MI_M:.2f}",
                    f"{s.edge_m / 1000:.2f}",
                    f"{s.edge_m / MI_M:.2f}",
                    s.reference,
                    s.place.source,
                ]
            )


def build_report(
    world: World,
    spec: BorderBuffer = DEFAULT_SPEC,
    *,
    margin_m: float = 5 * MI_M,
    checks: Sequence[str] = DEFAULT_CHECKS,
    out_dir: Path,
    progress: Callable[[str], None] = lambda _: None,
) -> ZoneReport:
    """Build the zones, measure the places, check the named places, and write every file into ``out_dir``."""
    from commonsky.airspace.geojson import write_json
    from commonsky.render.html import render_html
    from commonsky.render.kml import render_kml
    from commonsky.render.layers import Layer, auto_bbox
    from commonsky.render.png import render_png

    out_dir.mkdir(parents=True, exist_ok=True)
    progress("geodesic buffer of the whole border")
    national = build_border_zone(world, replace(spec, clip=None))
    focus = national
    if spec.clip is not None:
        progress(f"clipping to {spec.clip}")
        focus = build_border_zone(world, spec)
    progress("places inside and just outside")
    places = places_in_zone(world, focus, margin_m)
    checked = tuple(standing_of(world, focus, world.place(name)) for name in checks)
    rows = places.inside + places.near_outside
    progress("writing files")
    files = [out_dir / "zone.geojson", out_dir / "places.csv", out_dir / "places.geojson"]
    write_zones(files[0], [national, focus] if focus is not national else [national])
    write_places_csv(files[1], rows)
    place_features = [standing_feature(s) for s in rows] + [standing_feature(s) for s in checked if s not in rows]
    write_json(files[2], {"type": "FeatureCollection", "features": place_features})
    layers = [
        Layer(national.name, "zone", (national.to_feature(),), muted=focus is not national),
        Layer(
            "Iran–Iraq border" if spec.a in ("IRN", "IRQ") else "border",
            "border",
            (
                {
                    "type": "Feature",
                    "properties": {"name": f"{spec.a}–{spec.b} border"},
                    "geometry": _mapping(world.border(spec.a, spec.b)),
                },
            ),
        ),
        Layer("places (inside / just outside)", "place", tuple(place_features)),
    ]
    if focus is not national:
        layers.insert(1, Layer(focus.name, "zone", (focus.to_feature(),)))
    bbox = auto_bbox([Layer("focus", "zone", (focus.to_feature(),))], pad_frac=0.25)
    title = focus.name
    for path, render in (("map.png", render_png), ("map.html", render_html)):
        progress(f"drawing {path}")
        render(layers, out_dir / path, title=title, bbox=bbox, world=world)
        files.append(out_dir / path)
    render_kml(layers, out_dir / "zone.kml", title=title)
    files.append(out_dir / "zone.kml")
    return ZoneReport(national, focus, places, checked, tuple(files))


def _mapping(geom: Any) -> dict[str, Any]:
    from shapely.geometry import mapping

    return dict(mapping(geom))
