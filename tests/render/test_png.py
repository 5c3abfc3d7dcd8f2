"""The static PNG map: a real file of the promised size, with the zone, places and base map actually drawn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from commonsky.render.layers import Layer
from commonsky.render.png import render_png
from commonsky.render.style import LAND, SEA, role_style

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


def _share_near(pixels: np.ndarray, colour: np.ndarray, tol: float = 6.0) -> float:
    """Fraction of pixels within ``tol`` (per channel) of ``colour``."""
    return float(np.mean(np.all(np.abs(pixels - colour) <= tol, axis=-1)))


def _read(path: Path) -> np.ndarray:
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=float)


def test_png_without_base_map(tmp_path: Path, map_layers: list[Layer]) -> None:
    out = tmp_path / "sub" / "zone.png"
    render_png(map_layers, out, title="Iraq within 20 mi of Iran", dpi=100, size_in=(10.0, 7.0))
    pixels = _read(out)
    assert pixels.shape == (700, 1000, 3)
    assert pixels.std() > 20.0  # not blank
    zone = role_style("zone", "buffer")
    # The zone's outline colour is drawn, and its translucent fill over the plain background covers a real area.
    assert _share_near(pixels, _rgb(zone.colour), tol=10.0) > 0.001
    assert zone.fill is not None
    background = _rgb("#fcfcfc")
    blended = zone.fill_opacity * _rgb(zone.fill) + (1 - zone.fill_opacity) * background
    assert _share_near(pixels, blended) > 0.01


def test_png_with_base_map_draws_land_sea_and_zone(tmp_path: Path, map_layers: list[Layer], world: Any) -> None:
    out = tmp_path / "zone.png"
    render_png(map_layers, out, title="Iraq within 20 mi of Iran", world=world)
    pixels = _read(out)
    assert pixels.shape == (1200, 1800, 3)  # 12 x 8 in at 150 dpi
    assert _share_near(pixels, _rgb(LAND)) > 0.15  # Iraq, Iran and neighbours
    assert _share_near(pixels, _rgb(SEA)) > 0.003  # the Gulf and the Caspian
    zone = role_style("zone", "buffer")
    assert zone.fill is not None
    on_land = zone.fill_opacity * _rgb(zone.fill) + (1 - zone.fill_opacity) * _rgb(LAND)
    assert _share_near(pixels, on_land) > 0.005


def test_png_of_a_small_view_across_the_antimeridian(tmp_path: Path, world: Any) -> None:
    """Fiji's islands straddle 180°: both halves must show, joined, in one map centred on the antimeridian."""
    out = tmp_path / "fiji.png"
    layers = [Layer("Fiji", "place", ({"type": "Feature", "properties": {"name": "Suva"},
                                       "geometry": {"type": "Point", "coordinates": [178.44, -18.14]}},))]
    render_png(layers, out, title="Fiji", bbox=(177.0, -19.5, -177.0, -15.5), world=world, dpi=80)
    pixels = _read(out)
    land = np.all(np.abs(pixels - _rgb(LAND)) <= 6, axis=-1)
    columns = np.flatnonzero(land.any(axis=0))
    width = pixels.shape[1]
    # the map is centred on 180°: land west of it (Viti Levu) and east of it (Taveuni, the Lau islands)
    assert columns.min() < width * 0.45 and columns.max() > width * 0.55


@pytest.mark.parametrize("bad", [(10.0, 5.0, 11.0, 4.0)])
def test_png_rejects_a_bad_bbox(tmp_path: Path, map_layers: list[Layer], bad: tuple[float, ...]) -> None:
    from commonsky.errors import InputError

    with pytest.raises(InputError, match="bbox"):
        render_png(map_layers, tmp_path / "x.png", title="x", bbox=bad)  # type: ignore[arg-type]
