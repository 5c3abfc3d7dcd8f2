"""The one palette of commonsky maps, shared by the PNG, HTML and KML outputs.

A `Style` is resolved from a layer's role and, for zones, the zone kind (``properties.kind``); for places,
from ``properties.inside`` (inside the zone, or near it outside). Colours are ``#rrggbb``; opacities 0..1;
widths in typographic points (1/72 in), which the HTML output reads as CSS pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

ROLES = ("country", "province", "border", "zone", "place", "intent", "conflict", "track", "coverage", "other")
ZONE_KINDS = ("buffer", "restricted", "prohibited", "corridor", "advisory")

SEA = "#dce9f3"
LAND = "#f6f3ec"
TEXT = "#212529"
HALO = "#ffffff"
COUNTRY_LABEL = "#6b6358"
PROVINCE_LABEL = "#8d8579"
ATTRIBUTION = "Natural Earth (public domain); GeoNames (CC-BY 4.0)"


@dataclass(frozen=True)
class Style:
    """How one feature is drawn.

    ``fill`` None means no fill (lines, hollow markers); ``dash`` is an on/off pattern in line widths or None
    for solid; ``marker_pt`` is the diameter of a point marker; ``z`` orders drawing (higher on top).
    """

    colour: str
    width_pt: float = 1.0
    fill: str | None = None
    fill_opacity: float = 0.0
    opacity: float = 1.0
    dash: tuple[float, ...] | None = None
    marker_pt: float = 6.0
    z: int = 5


_ZONE = {
    "buffer": Style(colour="#d9480f", width_pt=1.6, fill="#fd7e14", fill_opacity=0.28, z=20),
    "restricted": Style(colour="#c92a2a", width_pt=1.6, fill="#fa5252", fill_opacity=0.25, z=21),
    "prohibited": Style(colour="#862e9c", width_pt=2.0, fill="#be4bdb", fill_opacity=0.30, z=22),
    "corridor": Style(colour="#1864ab", width_pt=1.6, fill="#339af0", fill_opacity=0.22, dash=(4.0, 2.0), z=19),
    "advisory": Style(colour="#e67700", width_pt=1.2, fill="#fcc419", fill_opacity=0.20, dash=(2.0, 2.0), z=18),
}

_ROLE = {
    "country": Style(colour="#9c958a", width_pt=0.5, fill=LAND, fill_opacity=1.0, z=1),
    "province": Style(colour="#bfb6a8", width_pt=0.6, dash=(4.0, 2.5), z=2),
    "border": Style(colour="#343a40", width_pt=2.2, z=30),
    "zone": _ZONE["restricted"],
    "intent": Style(colour="#0b7285", width_pt=1.8, fill="#3bc9db", fill_opacity=0.18, z=25),
    "conflict": Style(colour="#e03131", width_pt=2.4, fill="#ff8787", fill_opacity=0.35, marker_pt=9.0, z=35),
    "track": Style(colour="#2b8a3e", width_pt=1.4, marker_pt=5.0, z=32),
    "coverage": Style(colour="#5c940d", width_pt=1.0, fill="#94d82d", fill_opacity=0.18, z=10),
    "other": Style(colour="#364fc7", width_pt=1.4, fill="#748ffc", fill_opacity=0.15, z=15),
}

# Base-map land borders are the role "border" of the base map but drawn less heavily than a user's border.
BASE_BORDER = Style(colour="#5f584e", width_pt=1.4, dash=(5.0, 1.5, 1.0, 1.5), z=8)
PLACE_INSIDE = Style(colour="#212529", width_pt=0.8, fill="#212529", fill_opacity=1.0, marker_pt=6.5, z=40)
PLACE_OUTSIDE = Style(colour="#495057", width_pt=1.3, fill="#ffffff", fill_opacity=1.0, marker_pt=6.5, z=39)
PLACE_PLAIN = Style(colour="#495057", width_pt=0.8, fill="#868e96", fill_opacity=1.0, marker_pt=5.0, z=38)


def role_style(role: str, kind: str | None = None) -> Style:
    """The style of a role; zones (and intents with a zone kind) take their kind's colours.

    Unknown roles and kinds fall back to the role "other" and the kind "restricted": drawing never fails
    on an unexpected label.
    """
    if role == "zone":
        return _ZONE.get(kind or "", _ZONE["restricted"])
    if role == "place":
        return {"inside": PLACE_INSIDE, "outside": PLACE_OUTSIDE}.get(kind or "", PLACE_PLAIN)
    return _ROLE.get(role, _ROLE["other"])


def feature_kind(role: str, properties: dict[str, Any]) -> str | None:
    """The sub-style key of one feature: the zone kind, or ``inside``/``outside`` for places that say so."""
    if role == "zone":
        kind = properties.get("kind")
        return kind if isinstance(kind, str) else None
    if role == "place":
        inside = properties.get("inside")
        if isinstance(inside, bool):
            return "inside" if inside else "outside"
    return None


def feature_style(role: str, properties: dict[str, Any], *, base: bool = False, muted: bool = False) -> Style:
    """The style of one feature of a layer with ``role``; ``base`` marks the base map's own borders, ``muted`` a
    context layer (see `muted_style`)."""
    if base and role == "border":
        return BASE_BORDER
    style = role_style(role, feature_kind(role, properties))
    return muted_style(style) if muted else style


def muted_style(style: Style) -> Style:
    """The context version of a style: same colours, lighter fill, thinner dashed outline, drawn underneath.

    For a layer that frames another of the same kind (the national zone around a province's part of it)."""
    return replace(
        style,
        fill_opacity=style.fill_opacity * 0.45,
        width_pt=style.width_pt * 0.75,
        dash=style.dash or (5.0, 2.5),
        z=style.z - 5,
    )


def css_rgba(colour: str, opacity: float) -> str:
    """``#rrggbb`` and opacity to CSS ``rgba(r,g,b,a)``."""
    r, g, b = _rgb(colour)
    return f"rgba({r},{g},{b},{opacity:.2f})"


def kml_colour(colour: str, opacity: float) -> str:
    """``#rrggbb`` and opacity to KML's ``aabbggrr`` hex."""
    r, g, b = _rgb(colour)
    alpha = max(0, min(255, round(opacity * 255)))
    return f"{alpha:02x}{b:02x}{g:02x}{r:02x}"


def _rgb(colour: str) -> tuple[int, int, int]:
    text = colour.lstrip("#")
    if len(text) != 6:
        raise ValueError(f"colour {colour!r} is not #rrggbb")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
