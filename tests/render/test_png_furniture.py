"""Map furniture of the PNG (`render.png_furniture`), read off a composed page: scale bars whose drawn length is
the length they state (geodesic distance measured here with pyproj at the view's centre latitude) and a round
value within a quarter of the view, graticule labels in degrees and hemispheres (longitudes past 180 read as west),
a north arrow at the top right, and one legend entry per entry of the layers."""

from __future__ import annotations

import math
import re
import textwrap

import pytest
from pyproj import Geod

from commonsky.render.layers import Layer, legend_entries
from commonsky.render.png import compose_png
from commonsky.render.png_furniture import linestyle, rgba
from commonsky.render.style import role_style
from commonsky.render.view import KM_PER_MI

GEOD = Geod(ellps="WGS84")


@pytest.mark.parametrize("bbox", [(44.0, 33.0, 46.0, 35.0), (-10.0, 50.0, 2.0, 59.0), (170.0, -45.0, 190.0, -35.0)])
def test_scale_bars_are_as_long_as_they_say(map_layers: list[Layer], bbox: tuple[float, ...]) -> None:
    page = compose_png(map_layers, title="t", bbox=bbox, dpi=50)
    ax = page.figure.axes[0]
    bars = [line for line in ax.lines if line.get_linewidth() == pytest.approx(2.2)]
    labels = [t.get_text() for t in ax.texts if re.fullmatch(r"[\d.e+]+ (km|mi)", t.get_text())]
    assert len(bars) == 2 and sorted(label.split()[1] for label in labels) == ["km", "mi"]
    for bar in bars:
        x0, x1 = bar.get_xdata()
        _, _, drawn_m = GEOD.inv(x0, page.view.lat0, x1, page.view.lat0)
        stated = {label: float(label.split()[0]) * (1.0 if label.endswith("km") else KM_PER_MI) for label in labels}
        label = next(t for t, km in stated.items() if abs(km * 1e3 - drawn_m) < 0.005 * drawn_m)
        value = float(label.split()[0])
        assert value / 10 ** math.floor(math.log10(value)) in {1.0, 2.0, 5.0}
        assert drawn_m <= 0.22 * page.view.width_km * 1e3 * 1.0001
        labels.remove(label)


def test_graticule_labels_read_degrees_and_hemispheres(map_layers: list[Layer]) -> None:
    ax = compose_png(map_layers, title="t", bbox=(170.0, -45.0, 190.0, -35.0), dpi=50).figure.axes[0]
    lon, lat = ax.xaxis.get_major_formatter(), ax.yaxis.get_major_formatter()
    assert [lon(v, None) for v in (45.0, 0.0, -12.5, 190.0, 180.0)] == ["45°E", "0°", "12.5°W", "170°W", "180°W"]
    assert [lat(v, None) for v in (34.25, -33.5, 0.0)] == ["34.25°N", "33.5°S", "0°"]


def test_north_arrow_and_legend(map_layers: list[Layer]) -> None:
    page = compose_png(map_layers, title="t", bbox=(44.0, 33.0, 46.0, 35.0), dpi=50)
    ax = page.figure.axes[0]
    [north] = [t for t in ax.texts if t.get_text() == "N"]
    assert north.get_position()[0] > 0.9 and north.get_position()[1] > 0.8 and north.get_transform() == ax.transAxes
    [legend] = page.figure.legends
    expected = ["\n".join(textwrap.wrap(e.label, 34)) or " " for e in legend_entries(map_layers)]
    assert [t.get_text() for t in legend.get_texts()] == expected


def test_styles_become_matplotlib_values() -> None:
    assert rgba("#ff8000", 0.5) == pytest.approx((1.0, 128 / 255, 0.0, 0.5))
    solid = role_style("zone", "buffer")
    assert linestyle(solid) == ("solid" if solid.dash is None else (0, solid.dash))
    dashed = next(s for s in (role_style("border"), role_style("zone", "advisory")) if s.dash is not None)
    assert linestyle(dashed) == (0, dashed.dash)
