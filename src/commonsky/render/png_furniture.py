"""Map furniture of the PNG: graticule labels, scale bar, north arrow, legend (matplotlib, imported lazily)."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

from commonsky.render.layers import Layer, legend_entries
from commonsky.render.style import HALO, TEXT, Style
from commonsky.render.view import KM_PER_MI, View, nice_length

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure
    from matplotlib.transforms import Bbox


def rgba(colour: str, alpha: float) -> tuple[float, float, float, float]:
    """``#rrggbb`` and opacity as a matplotlib RGBA tuple."""
    from matplotlib.colors import to_rgba

    return to_rgba(colour, alpha)


def linestyle(style: Style) -> Any:
    """A style's dash pattern (in line widths) as a matplotlib linestyle."""
    return "solid" if style.dash is None else (0, style.dash)


def graticule(ax: Axes, view: View) -> None:
    """Round lat/lon ticks labelled 34°N, 45°E (longitudes past 180 read as west) and light grid lines."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    def fmt(hemispheres: str) -> FuncFormatter:
        def label(value: float, _pos: int | None) -> str:
            if hemispheres == "EW":
                value = (value + 180.0) % 360.0 - 180.0
            mark = hemispheres[0] if value >= 0 else hemispheres[1]
            number = f"{abs(value):.2f}".rstrip("0").rstrip(".")
            return f"{number}°{mark}" if value != 0 else "0°"

        return FuncFormatter(label)

    for axis, hemispheres in ((ax.xaxis, "EW"), (ax.yaxis, "NS")):
        axis.set_major_locator(MaxNLocator(nbins=7, steps=[1, 2, 2.5, 5, 10]))
        axis.set_major_formatter(fmt(hemispheres))
    ax.tick_params(labelsize=8, colors="#495057", length=3)
    ax.set_axisbelow("line")  # gridlines over the land fill, under every layer
    ax.grid(True, color="#8aa2b8", linewidth=0.4, alpha=0.6)
    for spine in ax.spines.values():
        spine.set_color("#495057")


def scale_bar(ax: Axes, view: View) -> Bbox:
    """Two bars, km over mi, in the lower left; lengths from the geodesic scale at the centre latitude."""
    from matplotlib.patches import FancyBboxPatch
    from matplotlib.patheffects import withStroke

    (x_lo, x_hi), (y_lo, y_hi) = ax.get_xlim(), ax.get_ylim()
    width, height = x_hi - x_lo, y_hi - y_lo
    km = nice_length(0.22 * view.width_km)
    mi = nice_length(0.22 * view.width_km / KM_PER_MI)
    x0 = x_lo + 0.035 * width
    rows = ((y_lo + 0.085 * height, km, "km", 1), (y_lo + 0.045 * height, mi * KM_PER_MI, "mi", -1))
    longest = max(view.scale_deg_lon(km), view.scale_deg_lon(mi * KM_PER_MI))
    halo = [withStroke(linewidth=2.5, foreground=HALO)]
    backdrop = FancyBboxPatch(
        (x0 - 0.012 * width, y_lo + 0.018 * height),
        longest + 0.075 * width,
        0.105 * height,
        boxstyle="round,pad=0,rounding_size=0.002",
        facecolor=rgba("#ffffff", 0.8),
        edgecolor="#adb5bd",
        linewidth=0.6,
        zorder=55,
    )
    ax.add_patch(backdrop)
    tick = 0.012 * height
    for y, length_km, unit, up in rows:
        dlon = view.scale_deg_lon(length_km)
        value = length_km if unit == "km" else length_km / KM_PER_MI
        ax.plot([x0, x0 + dlon], [y, y], color=TEXT, linewidth=2.2, solid_capstyle="butt", zorder=56)
        for frac in (0.0, 0.5, 1.0):
            ax.plot([x0 + frac * dlon] * 2, [y, y + up * tick], color=TEXT, linewidth=1.0, zorder=56)
        ax.text(
            x0 + dlon + 0.008 * width,
            y,
            f"{value:g} {unit}",
            fontsize=8,
            va="center",
            ha="left",
            color=TEXT,
            zorder=57,
            path_effects=halo,
        )
    return backdrop.get_window_extent()


def north_arrow(ax: Axes, renderer: RendererBase) -> Bbox:
    """An arrow and N in the top right (north is up everywhere in this projection); returns its display box."""
    from matplotlib.patheffects import withStroke

    arrow = ax.annotate(
        "",
        xy=(0.955, 0.95),
        xytext=(0.955, 0.86),
        xycoords="axes fraction",
        arrowprops={"arrowstyle": "-|>,head_width=0.35,head_length=0.7", "color": TEXT, "linewidth": 1.8},
        zorder=57,
    )
    letter = ax.text(
        0.955,
        0.845,
        "N",
        transform=ax.transAxes,
        ha="center",
        va="top",
        fontsize=11,
        fontweight="bold",
        color=TEXT,
        zorder=57,
        path_effects=[withStroke(linewidth=2.5, foreground=HALO)],
    )
    from matplotlib.transforms import Bbox

    return Bbox.union([arrow.get_window_extent(renderer), letter.get_window_extent(renderer)])


def legend(fig: Figure, axes_box: tuple[float, float, float, float], layers: list[Layer]) -> None:
    """The legend, right of the map whose page box is ``axes_box`` (left, bottom, width, height fractions)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = []
    for entry in legend_entries(layers):
        style = entry.style
        label = "\n".join(textwrap.wrap(entry.label, 34)) or " "
        if entry.shape == "fill":
            face = rgba(style.fill, style.fill_opacity) if style.fill else "none"
            handles.append(
                Patch(
                    facecolor=face,
                    edgecolor=rgba(style.colour, style.opacity),
                    linewidth=style.width_pt,
                    linestyle=linestyle(style),
                    label=label,
                )
            )
        elif entry.shape == "line":
            handles.append(
                Line2D([], [], color=style.colour, linewidth=style.width_pt, linestyle=linestyle(style), label=label)
            )
        else:
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    linestyle="none",
                    markersize=style.marker_pt,
                    markerfacecolor=style.fill or style.colour,
                    markeredgecolor=style.colour,
                    markeredgewidth=style.width_pt,
                    label=label,
                )
            )
    if handles:
        left = axes_box[0] + axes_box[2] + 0.015
        fig.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(left, axes_box[1] + axes_box[3]),
            frameon=False,
            fontsize=9,
            title="Legend",
            title_fontsize=10,
            alignment="left",
            handlelength=2.4,
            labelspacing=0.9,
        )
