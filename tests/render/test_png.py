"""The static PNG map: a real file of the promised size, with the zone, places and base map actually drawn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from commonsky.render.layers import Layer
from commonsky.render.png import AXES, render_png
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
    """Fiji straddles 180°: in a map centred there, the islands east of it (Lau group, Taveuni's east) must show."""
    out = tmp_path / "fiji.png"
    suva = {
        "type": "Feature",
        "properties": {"name": "Suva"},
        "geometry": {"type": "Point", "coordinates": [178.44, -18.14]},
    }
    render_png(
        [Layer("Fiji", "place", (suva,))], out, title="Fiji", bbox=(177.0, -19.5, -177.0, -15.5), world=world, dpi=100
    )
    pixels = _read(out)
    height, width = pixels.shape[:2]
    left, bottom, w, h = AXES
    x_mid, x_end = int((left + w / 2) * width), int((left + w) * width)
    y_top, y_end = int((1 - bottom - h) * height), int((1 - bottom) * height)
    land = np.all(np.abs(pixels - _rgb(LAND)) <= 3, axis=-1)[y_top:y_end]
    west, east = int(land[:, :x_mid].sum()), int(land[:, x_mid + 4 : x_end - 60].sum())
    assert west > 5000  # Viti Levu and Vanua Levu
    assert east > 300  # about 0.8 km per pixel: the eastern islands' few hundred km²


@pytest.mark.parametrize("bad", [(10.0, 5.0, 11.0, 4.0)])
def test_png_rejects_a_bad_bbox(tmp_path: Path, map_layers: list[Layer], bad: tuple[float, ...]) -> None:
    from commonsky.errors import InputError

    with pytest.raises(InputError, match="bbox"):
        render_png(map_layers, tmp_path / "x.png", title="x", bbox=bad)  # type: ignore[arg-type]


def test_labels_of_a_crowded_cluster_do_not_overlap(map_layers: list[Layer]) -> None:
    """Eight towns within 30 km (the Basra–Abadan cluster): every one is labelled, and no two labels overlap."""
    from commonsky.render.layers import place_feature
    from commonsky.render.png import compose_png

    towns = [
        ("Basrah", 47.78, 30.51),
        ("Al Başrah al Qadīmah", 47.82, 30.50),
        ("Abū al-Khaşīb", 47.97, 30.45),
        ("Khorramshahr", 48.18, 30.44),
        ("Abadan", 48.30, 30.34),
        ("Az Zubayr", 47.70, 30.39),
        ("Al Hārithah", 47.74, 30.58),
        ("Shatt al-Arab", 47.93, 30.55),
    ]
    places = Layer(
        "Towns", "place", tuple(place_feature(n, lon, lat, inside=i % 2 == 0) for i, (n, lon, lat) in enumerate(towns))
    )
    page = compose_png([places], title="Cluster", bbox=(46.0, 29.0, 50.0, 32.0), dpi=100)
    texts = [text for text, _ in page.labels]
    assert sorted(texts) == sorted(name for name, _, _ in towns)
    boxes = [box for _, box in page.labels]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), (texts[boxes.index(a)], texts[boxes.index(b)])
