"""Feature properties as readable rows, for HTML tooltips and KML descriptions (one wording for both)."""

from __future__ import annotations

import json
import math
from typing import Any

from commonsky.errors import UnitError
from commonsky.units import parse_altitude

MI_M = 1609.344
_HIDDEN = {"format", "role"}


def feature_title(props: dict[str, Any], fallback: str) -> str:
    """The feature's name, or ``fallback`` (the layer's name)."""
    name = props.get("name")
    return name if isinstance(name, str) and name.strip() else fallback


def feature_rows(props: dict[str, Any]) -> list[tuple[str, str]]:
    """``(label, text)`` rows for every property worth showing, in the properties' order.

    Altitudes read as aviation text (``SFC``, ``FL320``), open validity as ``open``, provenance flattened, distances
    in km also given in mi, and ``edge_km`` as "inside by" / "outside by".
    """
    rows: list[tuple[str, str]] = []
    for key, value in props.items():
        if key in _HIDDEN or key.startswith("_") or key == "name":
            continue
        if key.endswith("_mi") and _is_number(props.get(f"{key[:-3]}_km")):
            continue  # shown with its km twin
        if key in ("floor", "ceiling"):
            rows.append((key, _altitude(value)))
        elif key in ("valid_from", "valid_to"):
            rows.append((key.replace("_", " "), "open" if value is None else str(value)))
        elif key == "applies_to" and isinstance(value, list):
            rows.append(("applies to", ", ".join(map(str, value)) or "everyone"))
        elif key == "edge_km" and _is_number(value):
            side = "inside by" if value >= 0 else "outside by"
            rows.append((side, f"{abs(value):.1f} km / {abs(value) * 1000 / MI_M:.1f} mi"))
        elif key.endswith("_km") and _is_number(value):
            rows.append((key[:-3].replace("_", " "), f"{value:.1f} km / {value * 1000 / MI_M:.1f} mi"))
        elif value is not None:
            rows.append((key.replace("_", " "), _text(value)))
    return rows


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _altitude(value: Any) -> str:
    try:
        return parse_altitude(value).label()
    except (UnitError, TypeError, ValueError):
        return _text(value)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return f"{value:,.1f}" if abs(value) >= 1 else f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items() if v not in (None, "", [], {}))
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value) or "none"
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str)
