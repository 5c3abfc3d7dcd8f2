"""A heat map PNG: counts of events per grid cell over the bundled base map (the page of `compose_png`).

Each named set of points (lon/lat degrees) is binned on a grid of about ``cells`` cells across the view and drawn
as translucent squares in its own colour ramp, darker for more events; empty cells are not drawn.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from commonsky.render.layers import BBox
from commonsky.render.png import AXES, compose_png

if TYPE_CHECKING:
    from commonsky.render.basemap import WorldLike

RAMPS = ("Reds", "Purples", "Blues", "Greens")


def render_heatmap(
    points: Mapping[str, tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]],
    out: Path | str,
    *,
    title: str,
    bbox: BBox,
    world: WorldLike | None,
    cells: int = 120,
    dpi: int = 150,
) -> None:
    """Write the heat map of ``points`` (name -> (lon, lat) arrays) over ``bbox`` to the PNG ``out``."""
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap, LogNorm

    page = compose_png([], title=title, bbox=bbox, world=world, dpi=dpi)
    ax = page.figure.axes[0]
    w, s, e, n = page.view.bbox
    size = max(e - w, n - s) / cells
    xedges = np.arange(w, e + size, size)
    yedges = np.arange(s, n + size, size)
    y_text = 0.30
    for (name, (lon, lat)), ramp in zip(points.items(), RAMPS, strict=False):
        lon = np.where(lon < w, lon + 360.0, lon)  # views across the antimeridian run past 180
        counts, _, _ = np.histogram2d(lon, lat, bins=(xedges, yedges))
        total = int(counts.sum())
        if total:
            grid = np.ma.masked_less(counts.T, 1.0)
            ax.pcolormesh(
                xedges,
                yedges,
                grid,
                cmap=ListedColormap(colormaps[ramp](np.linspace(0.45, 1.0, 64))),
                norm=LogNorm(1.0, max(2.0, float(counts.max()))),
                alpha=0.85,
                shading="flat",
                zorder=20,
            )
        colour = colormaps[ramp](0.8)
        page.figure.text(AXES[0] + AXES[2] + 0.02, y_text, f"■ {name}: {total}", color=colour, fontsize=10)
        y_text -= 0.03
    page.figure.text(
        AXES[0] + AXES[2] + 0.02,
        y_text,
        f"cells {size:.2f}° square, darker = more (log)",
        fontsize=8,
        color="#6c757d",
    )
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    page.figure.savefig(str(target), dpi=dpi, format="png")
