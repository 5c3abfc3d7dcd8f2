"""A readable static map as PNG: matplotlib (Agg, no pyplot state, no network), local equirectangular frame.

The page: the map on the left (base countries and provinces, the layers, labelled places, lat/lon graticule,
scale bar in km and mi true at the centre latitude, north arrow), the legend on the right, a title on top and
the data attribution at the bottom.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from commonsky.render.layers import BBox, Layer, auto_bbox, basemap_layers, normalise_bbox, place_label
from commonsky.render.png_furniture import graticule, legend, linestyle, north_arrow, rgba, scale_bar
from commonsky.render.style import (
    ATTRIBUTION,
    COUNTRY_LABEL,
    HALO,
    LAND,
    PROVINCE_LABEL,
    SEA,
    TEXT,
    Style,
)
from commonsky.render.view import View, label_point

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure
    from matplotlib.transforms import Bbox

    from commonsky.render.basemap import WorldLike

AXES = (0.055, 0.075, 0.66, 0.83)  # left, bottom, width, height as fractions of the page
# Label offsets from a point, in points, with the text alignment that keeps the text clear of the marker.
_DIRECTIONS = ((1, 0.6), (1, -0.6), (-1, 0.6), (-1, -0.6), (1.3, 0), (-1.3, 0), (0, 1.3), (0, -1.3))


def _offset(dx: float, dy: float, reach: float) -> tuple[float, float, str, str]:
    """A label offset in points from its point, with the alignment that keeps the text clear of the marker."""
    ha = "left" if dx > 0 else "right" if dx < 0 else "center"
    va = "bottom" if dy > 0 else "top" if dy < 0 else "center"
    return dx * 6.0 * reach, dy * 6.0 * reach, ha, va


# Near positions first; farther rings (drawn with a leader line) only when every near one collides.
_OFFSETS = tuple(_offset(dx, dy, reach) for reach in (1.0, 2.2, 3.6, 5.5, 8.0) for dx, dy in _DIRECTIONS)


@dataclass(frozen=True)
class _Label:
    lon: float
    lat: float
    text: str
    forced: bool  # always drawn, even when every position collides
    kind: str  # "place", "country" or "province"


def render_png(
    layers: Sequence[Layer],
    out: Path | str,
    *,
    title: str,
    bbox: BBox | None = None,
    world: WorldLike | None = None,
    dpi: int = 150,
    size_in: tuple[float, float] = (12.0, 8.0),
) -> None:
    """Draw ``layers`` (over the base map of ``world``, if given) to the PNG file ``out``.

    ``bbox`` defaults to `auto_bbox` of the layers and is widened to the map's shape. The file is
    ``size_in`` x ``dpi`` pixels exactly (default 1800 x 1200).
    """
    page = compose_png(layers, title=title, bbox=bbox, world=world, dpi=dpi, size_in=size_in)
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    page.figure.savefig(str(target), dpi=dpi, format="png")


@dataclass(frozen=True)
class ComposedMap:
    """A drawn map page before it is written: the matplotlib figure, its frame, and where each label went
    (display pixels), for callers that add to the page or check it."""

    figure: Figure
    view: View
    labels: tuple[tuple[str, Bbox], ...]


def compose_png(
    layers: Sequence[Layer],
    *,
    title: str,
    bbox: BBox | None = None,
    world: WorldLike | None = None,
    dpi: int = 150,
    size_in: tuple[float, float] = (12.0, 8.0),
) -> ComposedMap:
    """Draw the page `render_png` writes (same arguments) and return it unwritten."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    user = list(layers)
    box = normalise_bbox(bbox) if bbox is not None else auto_bbox(user)
    fig = Figure(figsize=size_in, dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes(AXES)
    view = View.of(box).fitted((AXES[2] * size_in[0]) / (AXES[3] * size_in[1]))
    base = basemap_layers(view.bbox, world) if world is not None else []
    ax.set_facecolor(SEA if world is not None else "#fcfcfc")
    ax.set_xlim(view.bbox[0], view.bbox[2])
    ax.set_ylim(view.bbox[1], view.bbox[3])
    ax.set_aspect("auto")

    labels: list[_Label] = []
    for layer in [*base, *user]:
        for feature in layer.features:
            if feature.get("geometry") is None:
                continue
            props = feature.get("properties") or {}
            parts = view.place(shape(feature["geometry"]))
            style = layer.style_of(feature)
            _draw(ax, parts, style, fill_base=layer.base and layer.role == "country")
            labels.extend(_labels_of(layer, props, parts, view))
    graticule(ax, view)
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]  # (matplotlib leaves it unannotated)
    obstacles = [scale_bar(ax, view), north_arrow(ax, renderer), *_marker_boxes(ax, user, view, dpi)]
    placed = _place_labels(ax, renderer, labels, obstacles)
    legend(fig, AXES, [*user, *base])
    fig.text(AXES[0], 0.955, title, fontsize=15, fontweight="bold", color=TEXT, ha="left", va="bottom")
    centre = f"{abs(view.lat0):.2f}°{'N' if view.lat0 >= 0 else 'S'}"
    fig.text(
        0.99,
        0.012,
        f"Data: {ATTRIBUTION}.  Equirectangular, true scale at {centre}.  commonsky",
        fontsize=7,
        color="#6c757d",
        ha="right",
        va="bottom",
    )
    return ComposedMap(fig, view, tuple(placed))


def _draw(ax: Axes, parts: list[BaseGeometry], style: Style, *, fill_base: bool) -> None:
    from matplotlib.collections import LineCollection
    from matplotlib.patches import PathPatch

    polygons = [p for p in parts if p.geom_type == "Polygon"]
    lines = [p for p in parts if p.geom_type in ("LineString", "LinearRing")]
    points = [p for p in parts if p.geom_type == "Point"]
    if polygons:
        face = rgba(style.fill, style.fill_opacity) if style.fill else "none"
        if fill_base:
            face = rgba(LAND, 1.0)
        # add_artist, not add_patch: the limits are fixed already, and updating them per patch is slow
        ax.add_artist(
            PathPatch(
                _polygon_path(polygons),
                facecolor=face,
                edgecolor=rgba(style.colour, style.opacity),
                linewidth=style.width_pt,
                linestyle=linestyle(style),
                zorder=style.z,
                joinstyle="round",
                transform=ax.transData,
            )
        )
    if lines:
        ax.add_collection(
            LineCollection(
                [np.asarray(line.coords)[:, :2] for line in lines],
                colors=[rgba(style.colour, style.opacity)],
                linewidths=style.width_pt,
                linestyles=linestyle(style),
                zorder=style.z,
                capstyle="round",
            ),
            autolim=False,
        )
    if points:
        xy = np.array([(p.x, p.y) for p in points])
        ax.scatter(
            xy[:, 0],
            xy[:, 1],
            s=style.marker_pt**2,
            c=[rgba(style.fill or style.colour, 1.0)],
            edgecolors=[rgba(style.colour, 1.0)],
            linewidths=style.width_pt,
            zorder=style.z,
        )


def _polygon_path(polygons: list[BaseGeometry]) -> Any:
    """One compound path of polygons with holes (exteriors counter-clockwise, holes clockwise)."""
    from matplotlib.path import Path as MplPath

    vertices, codes = [], []
    for polygon in shapely.orient_polygons(np.array(polygons, dtype=object)):
        for ring in [polygon.exterior, *polygon.interiors]:
            xy = np.asarray(ring.coords)[:, :2]
            if len(xy) < 4:
                continue
            vertices.append(xy)
            ring_codes = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
            ring_codes[0], ring_codes[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            codes.append(ring_codes)
    return MplPath(np.concatenate(vertices), np.concatenate(codes))


def _labels_of(layer: Layer, props: dict[str, Any], parts: list[BaseGeometry], view: View) -> list[_Label]:
    name = props.get("name")
    if not isinstance(name, str) or not name or not parts:
        return []
    if layer.base and layer.role in ("country", "province"):
        spot = label_point(parts)
        view_area = (view.bbox[2] - view.bbox[0]) * (view.bbox[3] - view.bbox[1])
        share = 0.006 if layer.role == "country" else 0.012
        if spot is None or spot[2] < share * view_area or not _inside(view, spot[0], spot[1]):
            return []
        text = name.upper() if layer.role == "country" else name
        return [_Label(spot[0], spot[1], text, False, layer.role)]
    points = [p for p in parts if p.geom_type == "Point"]
    if not points or not _inside(view, points[0].x, points[0].y):
        return []
    forced = layer.role == "place" and isinstance(props.get("inside"), bool)
    return [_Label(points[0].x, points[0].y, place_label(props), forced, "place")]


def _inside(view: View, lon: float, lat: float) -> bool:
    return view.bbox[0] <= lon <= view.bbox[2] and view.bbox[1] <= lat <= view.bbox[3]


def _marker_boxes(ax: Axes, layers: list[Layer], view: View, dpi: int) -> list[Bbox]:
    """Display boxes of the point markers, so labels do not cover other places."""
    from matplotlib.transforms import Bbox

    boxes = []
    for layer in layers:
        for feature in layer.features:
            geom = feature.get("geometry") or {}
            if geom.get("type") != "Point":
                continue
            for part in view.place(shape(geom)):
                x, y = ax.transData.transform((part.x, part.y))
                style = layer.style_of(feature)
                r = style.marker_pt * dpi / 72.0 / 2.0 + 1.0
                boxes.append(Bbox([[x - r, y - r], [x + r, y + r]]))
    return boxes


def _place_labels(
    ax: Axes, renderer: RendererBase, labels: list[_Label], obstacles: list[Bbox]
) -> list[tuple[str, Bbox]]:
    """Write labels in priority order (forced places, other places, countries, provinces), each at the first
    offset that overlaps nothing already placed (far offsets get a leader line); unforced labels that fit
    nowhere are left out, forced ones go to the nearest offset."""
    frame = ax.get_window_extent(renderer)
    placed = list(obstacles)
    written: list[tuple[str, Bbox]] = []
    order = {"place": 0, "country": 1, "province": 2}
    for label in sorted(labels, key=lambda lab: (not lab.forced, order[lab.kind])):
        is_place = label.kind == "place"
        offsets = _OFFSETS if is_place else ((0.0, 0.0, "center", "center"), (0.0, 9.0, "center", "center"))
        font: dict[str, Any] = {
            "place": {"fontsize": 8.5, "color": TEXT},
            "country": {"fontsize": 10, "color": COUNTRY_LABEL, "fontweight": "bold"},
            "province": {"fontsize": 7.5, "color": PROVINCE_LABEL, "fontstyle": "italic"},
        }[label.kind]
        if label.forced and "outside" in label.text:
            font["color"] = "#495057"
        chosen = None
        for offset in offsets:
            text = _annotate(ax, label, offset, font)
            box = _text_box(text, renderer).expanded(1.04, 1.1)
            fits = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            if fits and not any(box.overlaps(other) for other in placed):
                chosen = box
                break
            text.remove()
        if chosen is None and label.forced:
            chosen = _text_box(_annotate(ax, label, offsets[0], font), renderer)
        if chosen is not None:
            placed.append(chosen)
            written.append((label.text, chosen))
    return written


def _text_box(text: Any, renderer: RendererBase) -> Bbox:
    """The display box of an annotation's text alone (its leader line may cross other things)."""
    from matplotlib.text import Text

    text.update_positions(renderer)  # an annotation computes its text position from the offset lazily
    return Text.get_window_extent(text, renderer)


def _annotate(ax: Axes, label: _Label, offset: tuple[float, float, str, str], font: dict[str, Any]) -> Any:
    from matplotlib.patheffects import withStroke

    dx, dy, ha, va = offset
    far = abs(dx) + abs(dy) > 14.0
    leader = {"arrowstyle": "-", "color": "#868e96", "linewidth": 0.6, "shrinkA": 1, "shrinkB": 4} if far else None
    return ax.annotate(
        label.text,
        (label.lon, label.lat),
        xytext=(dx, dy),
        textcoords="offset points",
        ha=ha,
        va=va,
        zorder=60,
        path_effects=[withStroke(linewidth=2.8, foreground=HALO)],
        arrowprops=leader,
        **font,
    )
