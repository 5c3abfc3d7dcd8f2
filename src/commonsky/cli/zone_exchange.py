"""`zone import` and `zone export`: zones in and out of ED-318, ED-269, OpenAir (in) and KML (out)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from commonsky.airspace.formats.exchange import ExportFormat, ImportFormat
from commonsky.cli._output import console, print_json
from commonsky.errors import InputError

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of a sentence.")]


def zone_import(
    source: Annotated[Path, typer.Argument(help="The file to read.")],
    fmt: Annotated[ImportFormat, typer.Option("--format", help="What the file is: ed318, ed269 or openair.")],
    out: Annotated[Path, typer.Option(help="Zone GeoJSON file to write (commonsky.zone/1).")],
    as_json: JsonOpt = False,
) -> None:
    """Read ED-318, ED-269 or OpenAir zones into the commonsky zone format."""
    from commonsky.airspace.formats.exchange import read_zones_as
    from commonsky.airspace.zone import write_zones

    try:
        raw = source.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{source}: no such file") from None
    result = read_zones_as(raw, fmt, str(source))
    write_zones(out, result.zones)
    if as_json:
        print_json({"zones": len(result.zones), "format": fmt.value, "out": str(out), "notes": list(result.notes)})
        return
    printer = console()
    for note in result.notes:
        printer.print(f"note: {note}", style="yellow")
    printer.print(f"{len(result.zones)} zones read from {source} ({fmt.label}), written to {out}")


def zone_export(
    zone_file: Annotated[Path, typer.Argument(help="Zone GeoJSON (commonsky.zone/1).")],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="What to write: ed318, ed269 or kml.")],
    out: Annotated[Path, typer.Option(help="The file to write.")],
    as_json: JsonOpt = False,
) -> None:
    """Write commonsky zones as ED-318, ED-269 or KML (KML: as `commonsky map` draws zones, extruded to their
    ceiling when they start at the surface)."""
    from commonsky.airspace.formats.exchange import write_zones_as, zone_kml_features
    from commonsky.airspace.zone import read_zones

    zones = read_zones(zone_file)
    if fmt is ExportFormat.KML:
        from commonsky.render.kml import render_kml
        from commonsky.render.layers import Layer

        layers = [Layer(f["properties"]["name"], "zone", (f,)) for f in zone_kml_features(zones)]
        render_kml(layers, out, title=zone_file.stem, extrude_zones=True)
    else:
        text = write_zones_as(zones, fmt)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    if as_json:
        print_json({"zones": len(zones), "format": fmt.value, "out": str(out)})
        return
    console().print(f"{len(zones)} zones written to {out} ({fmt.value})")


def register(zone: typer.Typer) -> None:
    """Add the commands to the ``zone`` group (made by `commonsky.cli.geography`)."""
    zone.command("import")(zone_import)
    zone.command("export")(zone_export)
