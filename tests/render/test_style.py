"""The palette: colour conversions against matplotlib's parser (independent), every role and kind styled with a
fallback for unknown labels, and the drawing order the outputs rely on."""

from __future__ import annotations

import pytest
from matplotlib.colors import to_rgba

from commonsky.render.style import (
    BASE_BORDER,
    PLACE_INSIDE,
    PLACE_OUTSIDE,
    PLACE_PLAIN,
    ROLES,
    ZONE_KINDS,
    css_rgba,
    feature_style,
    kml_colour,
    muted_style,
    role_style,
)


@pytest.mark.parametrize(
    ("colour", "opacity"), [("#d9480f", 0.28), ("#000000", 0.0), ("#ffffff", 1.0), ("#0b7285", 0.5)]
)
def test_colour_conversions_agree_with_matplotlib(colour: str, opacity: float) -> None:
    r, g, b, _ = (round(c * 255) for c in to_rgba(colour))
    assert css_rgba(colour, opacity) == f"rgba({r},{g},{b},{opacity:.2f})"
    kml = kml_colour(colour, opacity)
    assert (int(kml[0:2], 16), int(kml[2:4], 16), int(kml[4:6], 16), int(kml[6:8], 16)) == (
        round(opacity * 255),
        b,
        g,
        r,
    )
    with pytest.raises(ValueError, match="#rrggbb"):
        css_rgba("#abc", 1.0)


def test_every_role_and_zone_kind_has_its_own_style_and_unknowns_fall_back() -> None:
    zones = {kind: role_style("zone", kind) for kind in ZONE_KINDS}
    assert len({s.colour for s in zones.values()}) == len(ZONE_KINDS)
    assert role_style("zone", "nonsense") == role_style("zone", None) == zones["restricted"]
    assert role_style("nonsense") == role_style("other")
    assert len({role_style(r) for r in ROLES if r not in ("zone", "place")}) == len(ROLES) - 2
    assert feature_style("place", {"inside": True}) == PLACE_INSIDE
    assert feature_style("place", {"inside": False}) == PLACE_OUTSIDE
    assert feature_style("place", {"inside": "yes"}) == PLACE_PLAIN
    assert feature_style("zone", {"kind": "corridor"}) == zones["corridor"]
    assert feature_style("border", {}, base=True) == BASE_BORDER != feature_style("border", {})


def test_drawing_order_and_muting() -> None:
    z = {
        role: role_style(role).z for role in ("country", "province", "coverage", "zone", "intent", "track", "conflict")
    }
    assert list(z) == sorted(z, key=z.__getitem__)  # land under zones under intents under tracks under conflicts
    style = role_style("zone", "advisory")
    muted = muted_style(style)
    assert muted.colour == style.colour and muted.z < style.z
    assert muted.fill_opacity < style.fill_opacity and muted.width_pt < style.width_pt
    assert muted_style(role_style("border")).dash is not None  # a solid line becomes dashed
    assert feature_style("zone", {"kind": "advisory"}, muted=True) == muted
