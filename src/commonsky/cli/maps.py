"""`commonsky map`: draw GeoJSON layers (zones, places, intents, conflicts) as PNG, self-contained HTML or KML."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from commonsky.errors import InputError

FORMATS = (".png", ".html", ".kml")


def draw_map(
    layers: Annotated[list[Path], typer.Argument(help="GeoJSON files: zones first, then more layers.")],
    out: Annotated[Path, typer.Option(help="map.png, map.html or map.kml (the suffix picks the format).")],
    title: Annotated[str | None, typer.Option(help="Map title (default: the first layer's name).")] = None,
    bbox: Annotated[str | None, typer.Option(help="min_lon,min_lat,max_lon,max_lat (default: fit the layers).")] = None,
) -> None:
    """Draw a readable map: borders, provinces, zones, places, scale bar and legend."""
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"--out {out}: unknown map format {suffix or '(none)'!r} (use .png, .html or .kml)")
    box = _bbox(bbox) if bbox else None
    from commonsky.geo.world import load_world
    from commonsky.render.layers import layers_from_file

    loaded = [layer for path in layers for layer in layers_from_file(path)]
    if not loaded:
        raise InputError("no features to draw in the given files")
    name = title or loaded[0].name
    if suffix == ".kml":
        from commonsky.render.kml import render_kml

        render_kml(loaded, out, title=name)
    elif suffix == ".png":
        from commonsky.render.png import render_png

        render_png(loaded, out, title=name, bbox=box, world=load_world())
    else:
        from commonsky.render.html import render_html

        render_html(loaded, out, title=name, bbox=box, world=load_world())
    typer.echo(f"wrote {out}")


def _bbox(text: str) -> tuple[float, float, float, float]:
    try:
        min_lon, min_lat, max_lon, max_lat = (float(v) for v in text.split(","))
    except ValueError:
        raise InputError(f"--bbox {text!r}: expected four numbers min_lon,min_lat,max_lon,max_lat") from None
    # min_lon > max_lon is a box across the antimeridian (e.g. 170,-20,-170,-10 around Fiji)
    if not (
        -180 <= min_lon <= 180 and -180 <= max_lon <= 180 and min_lon != max_lon and -90 <= min_lat < max_lat <= 90
    ):
        raise InputError(f"--bbox {text!r}: not a lon/lat box (lon in [-180, 180], min_lat < max_lat)")
    return min_lon, min_lat, max_lon, max_lat


def register(app: typer.Typer) -> None:
    app.command("map")(draw_map)
