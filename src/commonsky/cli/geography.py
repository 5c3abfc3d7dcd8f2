"""Commands on real geography: `border`, `zone buffer`, `zone places`, `distance`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from commonsky.cli._output import console, km_mi, km_mi_text, latlon_text, print_json, signed_edge_text
from commonsky.errors import InputError

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of a table.")]


def _pair(text: str, option: str) -> tuple[str, str]:
    parts = [p.strip() for p in text.replace(",", ":").split(":")]
    if len(parts) != 2 or not all(parts):
        raise InputError(f"{option} {text!r}: expected two countries as A:B, e.g. IRN:IRQ")
    return parts[0], parts[1]


def border(
    a: Annotated[str, typer.Argument(help="First country (ISO3, ISO2 or name).")],
    b: Annotated[str, typer.Argument(help="Second country.")],
    out: Annotated[Path | None, typer.Option(help="Write the boundary line as GeoJSON.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """The shared land boundary of two countries and its geodesic length."""
    import shapely
    from shapely.geometry import mapping

    from commonsky.airspace.geojson import write_json
    from commonsky.geo.geodesy import geodesic_length_m
    from commonsky.geo.world import load_world

    world = load_world()
    first, second = world.country(a), world.country(b)
    line = world.border(first.iso3, second.iso3)
    length = geodesic_length_m(line)
    summary = {
        "a": {"iso3": first.iso3, "name": first.name},
        "b": {"iso3": second.iso3, "name": second.name},
        "length": km_mi(length),
        "parts": int(shapely.get_num_geometries(line)),
        "vertices": int(shapely.get_num_coordinates(line)),
        "source": "Natural Earth 1:10m Admin-0",
    }
    if out is not None:
        feature = {
            "type": "Feature",
            "properties": {"name": f"{first.iso3}–{second.iso3} border", **summary},
            "geometry": mapping(line),
        }
        write_json(out, {"type": "FeatureCollection", "features": [feature]})
        summary["out"] = str(out)
    if as_json:
        print_json(summary)
        return
    console().print(
        f"{first.name} ({first.iso3}) – {second.name} ({second.iso3}) border: {km_mi_text(length)}, "
        f"{summary['vertices']} vertices in {summary['parts']} part(s)" + (f"; written to {out}" if out else "")
    )


def zone_buffer(
    border_pair: Annotated[str, typer.Option("--border", help="The border, as A:B (e.g. IRN:IRQ).")],
    distance: Annotated[str, typer.Option(help="Buffer distance with unit: 20mi, 30km, 15NM.")],
    out: Annotated[Path, typer.Option(help="Zone GeoJSON file to write.")],
    side: Annotated[str | None, typer.Option(help="Keep only this country's side.")] = None,
    clip: Annotated[str | None, typer.Option(help="Clip to this province (Admin-1), e.g. Diyala.")] = None,
    name: Annotated[str | None, typer.Option(help="Zone name (default describes the zone).")] = None,
    kind: Annotated[
        str, typer.Option(help="Zone kind: buffer, restricted, prohibited, corridor, advisory.")
    ] = "buffer",
    floor: Annotated[str, typer.Option(help="Floor: SFC, 500ft AGL, FL100 ...")] = "SFC",
    ceiling: Annotated[str, typer.Option(help="Ceiling: UNL, FL320 ...")] = "UNL",
    as_json: JsonOpt = False,
) -> None:
    """A geodesic buffer zone along a border, clipped to one side and optionally a province."""
    from dataclasses import replace

    from commonsky.airspace.zone import ZoneKind, write_zones
    from commonsky.geo.border_zone import BorderBuffer, build_border_zone
    from commonsky.geo.world import load_world
    from commonsky.units import parse_altitude, parse_distance

    a, b = _pair(border_pair, "--border")
    try:
        zone_kind = ZoneKind(kind)
    except ValueError:
        raise InputError(f"--kind {kind!r}: use one of {', '.join(k.value for k in ZoneKind)}") from None
    spec = BorderBuffer(a, b, parse_distance(distance, what="--distance"), side, clip)
    zone = build_border_zone(load_world(), spec, name=name, kind=zone_kind)
    zone = replace(zone, floor=parse_altitude(floor), ceiling=parse_altitude(ceiling))
    write_zones(out, [zone])
    area = zone.area_km2()
    if as_json:
        print_json(
            {
                "name": zone.name,
                "kind": zone.kind.value,
                "area_km2": round(area, 1),
                "distance": km_mi(spec.distance_m),
                "out": str(out),
                "buffer": zone.extra["buffer"],
            }
        )
        return
    console().print(f"{zone.name}: {area:,.0f} km² ({area / 2.589988:,.0f} sq mi), written to {out}")


def zone_places(
    zone_file: Annotated[Path, typer.Argument(help="Zone GeoJSON (from `commonsky zone buffer` or any zone).")],
    margin: Annotated[str, typer.Option(help="Also list places outside the zone within this margin.")] = "5mi",
    as_json: JsonOpt = False,
) -> None:
    """The places inside a zone and those just outside, with their distance to the border."""
    from rich.table import Table

    from commonsky.airspace.zone import read_zones
    from commonsky.geo.world import load_world
    from commonsky.geo.zone_places import places_in_zone
    from commonsky.units import parse_length

    margin_m = parse_length(margin, what="--margin")
    if margin_m < 0:
        raise InputError(f"--margin must not be negative, got {margin!r}")
    world = load_world()
    results = [places_in_zone(world, zone, margin_m) for zone in read_zones(zone_file)]
    if as_json:
        print_json(
            [
                {
                    "zone": r.zone_name,
                    "distance_to": r.reference,
                    "margin": km_mi(r.margin_m),
                    "places": [
                        {
                            "name": s.place.name,
                            "country": s.place.country_iso3,
                            "lat": s.place.lat_deg,
                            "lon": s.place.lon_deg,
                            "population": s.place.population,
                            "inside": s.inside,
                            "distance": km_mi(s.distance_m),
                            "edge": km_mi(s.edge_m),
                            "source": s.place.source,
                        }
                        for s in r.inside + r.near_outside
                    ],
                }
                for r in results
            ]
        )
        return
    out = console()
    for r in results:
        table = Table(title=f"{r.zone_name}: {len(r.inside)} places inside, {len(r.near_outside)} just outside")
        for column in ("place", "pop.", f"to {r.reference or 'edge'} km", "mi", "standing"):
            table.add_column(column, justify="right" if column not in ("place", "standing") else "left")
        for s in r.inside + r.near_outside:
            table.add_row(
                s.place.name,
                f"{s.place.population:,}" if s.place.population else "",
                f"{s.distance_m / 1000:.1f}",
                f"{s.distance_m / 1609.344:.1f}",
                signed_edge_text(s.edge_m),
                style=None if s.inside else "yellow",
            )
        out.print(table)


def distance(
    place: Annotated[str, typer.Argument(help="A place name, e.g. Jalawla.")],
    to_border: Annotated[str, typer.Option("--to-border", help="The other country of the border.")],
    country: Annotated[str | None, typer.Option(help="Country of the place, to pick among namesakes.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """A place's geodesic distance to the border between its country and another."""
    import numpy as np

    from commonsky.geo.geodesy import distance_to_geometry_m
    from commonsky.geo.world import load_world

    world = load_world()
    found = world.place(place, country)
    other = world.country(to_border)
    line = world.border(found.country_iso3, other.iso3)
    metres = float(distance_to_geometry_m(np.array([found.lat_deg]), np.array([found.lon_deg]), line)[0])
    if as_json:
        print_json(
            {
                "place": found.name,
                "country": found.country_iso3,
                "lat": found.lat_deg,
                "lon": found.lon_deg,
                "border": f"{found.country_iso3}–{other.iso3}",
                "distance": km_mi(metres),
                "source": found.source,
            }
        )
        return
    console().print(
        f"{found.name} ({found.country_iso3}, {latlon_text(found.lat_deg, found.lon_deg)}) is "
        f"{km_mi_text(metres)} from the {found.country_iso3}–{other.iso3} border"
    )


def register(app: typer.Typer) -> None:
    app.command()(border)
    app.command()(distance)
    zone = typer.Typer(help="Build and inspect zones (GeoJSON zone format).", no_args_is_help=True)
    zone.command("buffer")(zone_buffer)
    zone.command("places")(zone_places)
    from commonsky.cli import zone_exchange

    zone_exchange.register(zone)
    app.add_typer(zone, name="zone")
