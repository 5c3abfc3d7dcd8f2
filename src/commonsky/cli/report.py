"""`commonsky report`: the border-zone report (default: Iraq within 20 mi of Iran, Diyala; `make run`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from commonsky.cli._output import console, km_mi, km_mi_text, print_json, signed_edge_text
from commonsky.cli.geography import _pair


def report(
    out: Annotated[Path, typer.Option(help="Folder for zone.geojson, zone.kml, map.png, map.html, places.csv.")],
    border_pair: Annotated[str, typer.Option("--border", help="The border, as A:B.")] = "IRN:IRQ",
    distance: Annotated[str, typer.Option(help="Buffer distance with unit.")] = "20mi",
    side: Annotated[str, typer.Option(help="The side of the border the zone covers.")] = "IRQ",
    clip: Annotated[str | None, typer.Option(help="Province to focus on ('' for none).")] = "Diyala",
    margin: Annotated[str, typer.Option(help="List places outside the zone within this margin.")] = "5mi",
    check: Annotated[list[str] | None, typer.Option(help="Places whose standing to check (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Build a border zone, list the places in and just outside it, check named places, write maps and files."""
    from rich.table import Table

    from commonsky.geo.border_zone import BorderBuffer
    from commonsky.geo.world import load_world
    from commonsky.reports.zone_report import DEFAULT_CHECKS, build_report
    from commonsky.units import parse_distance, parse_length

    a, b = _pair(border_pair, "--border")
    spec = BorderBuffer(a, b, parse_distance(distance, what="--distance"), side, clip or None)
    margin_m = parse_length(margin, what="--margin")
    checks = tuple(check) if check else (DEFAULT_CHECKS if (a, b, side) in (("IRN", "IRQ", "IRQ"),) else ())
    out_console = console()
    with out_console.status("loading world data") as status:
        world = load_world()
        result = build_report(
            world, spec, margin_m=margin_m, checks=checks, out_dir=out, progress=lambda text: status.update(text)
        )
    national_area, focus_area = result.national.area_km2(), result.focus.area_km2()
    if as_json:
        print_json(
            {
                "zone": {"name": result.national.name, "area_km2": round(national_area, 1)},
                "focus": {"name": result.focus.name, "area_km2": round(focus_area, 1)},
                "inside": [s.place.name for s in result.places.inside],
                "near_outside": [s.place.name for s in result.places.near_outside],
                "checks": [
                    {"name": s.place.name, "inside": s.inside, "distance": km_mi(s.distance_m), "edge": km_mi(s.edge_m)}
                    for s in result.checks
                ],
                "files": [str(p) for p in result.files],
            }
        )
        return
    out_console.print(f"[bold]{result.national.name}[/]: {national_area:,.0f} km²")
    if result.focus is not result.national:
        out_console.print(f"[bold]{result.focus.name}[/]: {focus_area:,.0f} km²")
    table = Table(title=f"Places in {result.focus.name} and within {margin} outside it")
    for column in ("place", "population", f"to {result.places.reference}", "standing"):
        table.add_column(column)
    for s in result.places.inside + result.places.near_outside:
        table.add_row(
            s.place.name,
            f"{s.place.population:,}" if s.place.population else "–",
            km_mi_text(s.distance_m),
            signed_edge_text(s.edge_m),
            style=None if s.inside else "yellow",
        )
    out_console.print(table)
    for s in result.checks:
        verdict = "[green]inside[/]" if s.inside else "[red]outside[/]"
        out_console.print(
            f"{s.place.name}: {km_mi_text(s.distance_m)} from the {s.reference}: {verdict} the "
            f"{spec.distance_m / 1609.344:g} mi zone, {signed_edge_text(s.edge_m)}"
        )
    if result.checks:
        held = [s.place.name for s in result.checks if s.inside]
        failed = [s.place.name for s in result.checks if not s.inside]
        claim = f"Claim 'all of {', '.join(s.place.name for s in result.checks)} lie within the zone': "
        claim += "holds" if not failed else f"holds for {', '.join(held) or 'none'}, not for {', '.join(failed)}"
        out_console.print(claim)
    out_console.print("Files: " + ", ".join(str(p) for p in result.files))


def register(app: typer.Typer) -> None:
    app.command()(report)
