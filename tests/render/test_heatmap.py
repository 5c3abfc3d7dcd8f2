"""The heat map PNG (`render.heatmap`): against the same page drawn with no events, the only pixels of the map
that change are in the grid cells that hold events (each cell's place worked out here from the view and the page
layout), every such cell changes, and each set is drawn in its own colour ramp."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from commonsky.render.heatmap import render_heatmap
from commonsky.render.png import AXES, compose_png

BBOX = (44.0, 33.0, 46.0, 35.0)
CELLS, DPI, SIZE_IN = 40, 60, (12.0, 8.0)  # compose_png's page size


def _read(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=int)


def _pixel_box(view_bbox: tuple[float, float, float, float], lon0: float, lat0: float, size: float) -> tuple[int, ...]:
    """Rows and columns (inclusive) of the cell [lon0, lon0 + size] x [lat0, lat0 + size] on the page."""
    w, s, e, n = view_bbox
    width, height = SIZE_IN[0] * DPI, SIZE_IN[1] * DPI

    def x(lon: float) -> float:
        return (AXES[0] + (lon - w) / (e - w) * AXES[2]) * width

    def y(lat: float) -> float:
        return height - (AXES[1] + (lat - s) / (n - s) * AXES[3]) * height

    return (int(y(lat0 + size)), int(np.ceil(y(lat0))), int(x(lon0)), int(np.ceil(x(lon0 + size))))


def test_only_cells_with_events_are_drawn_each_in_its_ramp(tmp_path: Path) -> None:
    rng = np.random.default_rng(8)
    many = (rng.uniform(44.80, 44.81, 50), rng.uniform(34.20, 34.21, 50))
    few = (np.array([45.5, 45.52]), np.array([33.6, 33.62]))
    render_heatmap(
        {"alerts": many, "losses": few}, tmp_path / "heat.png", title="t", bbox=BBOX, world=None, cells=CELLS, dpi=DPI
    )
    render_heatmap({}, tmp_path / "empty.png", title="t", bbox=BBOX, world=None, cells=CELLS, dpi=DPI)
    heat, empty = _read(tmp_path / "heat.png"), _read(tmp_path / "empty.png")
    view = compose_png([], title="t", bbox=BBOX, world=None, dpi=DPI).view.bbox
    w, s, e, n = view
    size = max(e - w, n - s) / CELLS
    expected = np.zeros(heat.shape[:2], dtype=bool)
    cells = set()
    for lon, lat in zip(np.concatenate([many[0], few[0]]), np.concatenate([many[1], few[1]]), strict=True):
        cells.add((w + np.floor((lon - w) / size) * size, s + np.floor((lat - s) / size) * size))
    boxes = {cell: _pixel_box(view, *cell, size) for cell in cells}
    for top, bottom, left, right in boxes.values():
        expected[top - 1 : bottom + 2, left - 1 : right + 2] = True
    changed = np.any(heat != empty, axis=-1)
    width, height = SIZE_IN[0] * DPI, SIZE_IN[1] * DPI
    inner = np.zeros_like(changed)  # the map's frame, inside its border lines
    inner[
        int(height * (1 - AXES[1] - AXES[3])) + 3 : int(height * (1 - AXES[1])) - 3,
        int(width * AXES[0]) + 3 : int(width * (AXES[0] + AXES[2])) - 3,
    ] = True
    assert not np.any(changed & inner & ~expected)
    mid = {cell: ((b[0] + b[1]) // 2, (b[2] + b[3]) // 2) for cell, b in boxes.items()}
    assert all(np.any(heat[m] != empty[m]) for m in mid.values())  # every cell with events is drawn
    red = [heat[m] for cell, m in mid.items() if cell[0] < 45.0]
    purple = [heat[m] for cell, m in mid.items() if cell[0] > 45.0]
    assert len(red) == 1 and len(purple) == 2
    assert all(c[0] > c[1] + 60 and c[0] > c[2] + 60 for c in red)  # Reds
    assert all(c[2] > c[1] + 20 and c[0] > c[1] for c in purple)  # Purples: blue and red over green
