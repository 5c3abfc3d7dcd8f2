"""A self-contained HTML map: inline SVG in the local equirectangular frame, with a few lines of inline JS.

No network at view time: no CDN, no tiles, no fonts. The SVG is drawn here in integer units of a power of ten of
km east/south of the view centre (true scale at the centre latitude), with relative path moves; the script pans
(drag) and zooms (wheel, +/- keys, 0 resets), keeps markers, labels and line widths at screen size, shows a
feature's properties on hover (click pins them), and keeps a km and mi scale bar right. The base map is clipped
to twice the view and simplified, and province outlines are merged into one path, so the file stays small.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from commonsky.render.describe import feature_rows, feature_title
from commonsky.render.html_assets import css, script
from commonsky.render.layers import BBox, Layer, auto_bbox, basemap_layers, legend_entries, normalise_bbox, place_label
from commonsky.render.style import ATTRIBUTION, LAND, SEA, Style, feature_style
from commonsky.render.view import View, label_point

if TYPE_CHECKING:
    from commonsky.render.basemap import WorldLike

_ASPECT = 1.6  # width / height of the initial view


def render_html(
    layers: Sequence[Layer],
    out: Path | str,
    *,
    title: str,
    bbox: BBox | None = None,
    world: WorldLike | None = None,
) -> None:
    """Write ``layers`` (over the base map of ``world``, if given) as one HTML file that needs no internet."""
    user = list(layers)
    box = normalise_bbox(bbox) if bbox is not None else auto_bbox(user)
    view = View.of(box).fitted(_ASPECT)
    canvas = _Canvas(view, _unit_km(view.width_km))
    base: list[Layer] = []
    wide_view = view
    if world is not None:
        lo, la, hi, ha = view.bbox
        dx, dy = (hi - lo) / 2.0, (ha - la) / 2.0
        wide = normalise_bbox((lo - dx, max(la - dy, -89.9), hi + dx, min(ha + dy, 89.9)))
        base = basemap_layers(wide, world, tolerance_deg=(hi - lo) / 1200.0)
        wide_view = View(wide, view.km_per_deg_lon, view.km_per_deg_lat)
    props: list[dict[str, Any]] = []
    groups: list[tuple[int, int, str]] = []
    labels: list[tuple[int, str]] = []
    for index, layer in enumerate([*base, *user]):
        frame = wide_view if layer.base else view
        elements = []
        if layer.base and layer.role == "province":
            elements.append(_province_lines(layer, frame, canvas))
        for feature in layer.features:
            if feature.get("geometry") is None:
                continue
            fprops = feature.get("properties") or {}
            parts = frame.place(shape(feature["geometry"]), margin_frac=0.0 if layer.base else 1.0)
            if not parts:
                continue
            labels.extend(_svg_labels(layer, fprops, parts, canvas))
            if layer.base and layer.role == "province":
                continue
            style = layer.style_of(feature)
            props.append({"t": feature_title(fprops, layer.name), "l": layer.name, "r": feature_rows(fprops)})
            elements.append(_svg_feature(parts, style, len(props) - 1, canvas, fill_land=layer.role == "country"))
        z = min((layer.style_of(f).z for f in layer.features), default=0)
        groups.append((z, index, f'<g class="layer" data-layer="{_esc(layer.name)}">{"".join(elements)}</g>'))
    body = "".join(g for _, _, g in sorted(groups))
    (x0, y0), (x1, y1) = canvas.ints(np.array([[view.bbox[0], view.bbox[3]], [view.bbox[2], view.bbox[1]]]))
    centre = f"{abs(view.lat0):.2f}°{'N' if view.lat0 >= 0 else 'S'}"
    data = json.dumps({"props": props, "unit_km": canvas.unit_km}, ensure_ascii=False, separators=(",", ":"))
    page = _PAGE.format(
        title=_esc(title),
        css=css(SEA if world is not None else "#fcfcfc"),
        view_box=f"{x0} {y0} {x1 - x0} {y1 - y0}",
        body=body,
        labels="".join(text for _, text in sorted(labels, key=lambda pair: pair[0])),
        legend=_legend(user + base),
        attribution=_esc(f"Data: {ATTRIBUTION}. Equirectangular, scale true at {centre}. commonsky"),
        data=data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"),  # inert in <script>
        script=script(),
    )
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")


def _unit_km(width_km: float) -> float:
    """The SVG user unit: a power of ten of km, about 1/20000 of the view width (below a pixel at 10x zoom)."""
    return float(10.0 ** math.floor(math.log10(max(width_km, 1e-3) / 20000.0)))


@dataclass(frozen=True)
class _Canvas:
    """SVG coordinates: integers in units of ``unit_km`` east and south of the view centre."""

    view: View
    unit_km: float

    def ints(self, lonlat: np.ndarray) -> np.ndarray:
        km = self.view.project(np.asarray(lonlat, dtype=float)[:, :2])
        out = np.rint(km / self.unit_km).astype(np.int64)
        out[:, 1] = -out[:, 1]
        return out

    def path(self, parts: list[BaseGeometry]) -> str:
        """Path data with relative moves (short integers); rings closed, repeated points dropped."""
        pieces: list[str] = []
        for part in parts:
            if part.geom_type == "Polygon":
                rings = [np.asarray(r.coords) for r in [part.exterior, *part.interiors]]
                pieces.extend(self._run(ring[:-1], closed=True) for ring in rings if len(ring) >= 4)
            elif part.geom_type in ("LineString", "LinearRing"):
                coords = np.asarray(part.coords)
                if len(coords) >= 2:
                    pieces.append(self._run(coords, closed=False))
        return "".join(pieces)

    def _run(self, coords: np.ndarray, *, closed: bool) -> str:
        xy = self.ints(coords)
        steps = np.diff(xy, axis=0)
        steps = steps[np.any(steps != 0, axis=1)]
        moves = " ".join(f"{dx} {dy}" for dx, dy in steps)
        return f"M{xy[0, 0]} {xy[0, 1]}" + (f"l{moves}" if moves else "") + ("z" if closed else "")


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _stroke(style: Style, scaled: bool = False) -> str:
    """Stroke attributes in screen px; ``scaled`` adds the data the script uses to keep them so when zooming."""
    dash_px = ",".join(f"{d * style.width_pt:g}" for d in style.dash) if style.dash else ""
    dash = f' stroke-dasharray="{dash_px}"' if dash_px else ""
    extra = f' data-w="{style.width_pt:g}"' + (f' data-dash="{dash_px}"' if dash_px else "") if scaled else ""
    return f'stroke="{style.colour}" stroke-opacity="{style.opacity:g}" stroke-width="{style.width_pt:g}"{dash}{extra}'


def _svg_feature(parts: list[BaseGeometry], style: Style, index: int, canvas: _Canvas, *, fill_land: bool) -> str:
    out = []
    d = canvas.path(parts)
    if d:
        has_area = any(p.geom_type == "Polygon" for p in parts)
        fill = LAND if fill_land else style.fill
        fill_attr = (
            f'fill="{fill}" fill-opacity="{1.0 if fill_land else style.fill_opacity:g}" fill-rule="evenodd"'
            if has_area and fill
            else 'fill="none"'
        )
        out.append(f'<path data-i="{index}" d="{d}" {fill_attr} {_stroke(style, scaled=True)}/>')
    points = [p for p in parts if p.geom_type == "Point"]
    if points:
        xy = canvas.ints(np.array([(p.x, p.y) for p in points]))
        fill = style.fill or style.colour
        out.extend(
            f'<circle class="pt" data-i="{index}" cx="{x}" cy="{y}" r="1" data-r="{style.marker_pt / 2:g}"'
            f' fill="{fill}" stroke="{style.colour}" stroke-width="1" data-w="{style.width_pt:g}"/>'
            for x, y in xy
        )
    return "".join(out)


def _province_lines(layer: Layer, frame: View, canvas: _Canvas) -> str:
    """All province outlines as one path, each shared edge once (provinces are context, not tooltips)."""
    outlines = [
        shapely.boundary(part)
        for f in layer.features
        if f.get("geometry") is not None
        for part in frame.place(shape(f["geometry"]), margin_frac=0.0)
        if part.geom_type == "Polygon"
    ]
    if not outlines:
        return ""
    merged = shapely.line_merge(shapely.union_all(outlines))
    d = canvas.path(list(shapely.get_parts(merged)))
    style = feature_style("province", {}, base=True)
    return f'<path d="{d}" fill="none" {_stroke(style, scaled=True)}/>' if d else ""


def _svg_labels(
    layer: Layer, props: dict[str, Any], parts: list[BaseGeometry], canvas: _Canvas
) -> list[tuple[int, str]]:
    """Label elements with their priority (0 first): places, then countries, then provinces."""
    name = props.get("name")
    if not isinstance(name, str) or not name:
        return []
    if layer.base and layer.role in ("country", "province"):
        # label the piece inside the initial view (not the wider base map), and say how big it is (unit²), so the
        # script shows the name only when the area is large enough on screen
        spot = label_point(canvas.view.place(shapely.union_all(parts), margin_frac=0.0))
        if spot is None:
            return []
        ((x, y),) = canvas.ints(np.array([[spot[0], spot[1]]]))
        area = spot[2] * canvas.view.km_per_deg_lon * canvas.view.km_per_deg_lat / canvas.unit_km**2
        cls, text = ("lc", name.upper()) if layer.role == "country" else ("lp", name)
        rank = 1 if layer.role == "country" else 2
        return [(rank, f'<text class="{cls}" data-x="{x}" data-y="{y}" data-a="{area:.4g}">{_esc(text)}</text>')]
    points = [p for p in parts if p.geom_type == "Point"]
    if not points or layer.base:
        return []
    ((x, y),) = canvas.ints(np.array([[points[0].x, points[0].y]]))
    cls = "lo" if props.get("inside") is False else "ln"
    return [
        (
            0,
            f'<line class="hide"/><text class="{cls}" data-x="{x}" data-y="{y}">{_esc(place_label(props))}</text>',
        )
    ]


def _legend(layers: list[Layer]) -> str:
    rows = []
    for entry in legend_entries(layers):
        s = entry.style
        if entry.shape == "fill":
            swatch = (
                f'<rect x="2" y="3" width="24" height="12" fill="{s.fill or "none"}" fill-opacity="{s.fill_opacity:g}"'
                f" {_stroke(s)}/>"
            )
        elif entry.shape == "line":
            swatch = f'<line x1="1" y1="9" x2="27" y2="9" {_stroke(s)}/>'
        else:
            swatch = (
                f'<circle cx="14" cy="9" r="{s.marker_pt / 2:g}" fill="{s.fill or s.colour}" stroke="{s.colour}"'
                f' stroke-width="{s.width_pt:g}"/>'
            )
        label = _esc(entry.label)
        rows.append(f'<div class="row"><svg width="28" height="18">{swatch}</svg><span>{label}</span></div>')
    return "".join(rows)


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{css}</style></head>
<body><header><h1>{title}</h1>
<span class="hint">drag to pan, wheel or +/- to zoom, hover or click a feature</span></header>
<main id="wrap"><svg id="map" viewBox="{view_box}" preserveAspectRatio="none" role="img" aria-label="{title}">
<g id="layers">{body}</g><g id="labels">{labels}</g></svg>
<aside id="legend"><h2>Legend</h2>{legend}</aside>
<div id="scale"><div><i id="bkm"></i><b id="tkm"></b></div><div><i id="bmi"></i><b id="tmi"></b></div></div>
<div id="north">&#x25B2;<br>N</div><div id="tip" hidden></div>
<footer>{attribution}</footer></main>
<script id="data" type="application/json">{data}</script>
<script>{script}</script></body></html>
"""
