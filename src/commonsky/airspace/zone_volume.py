"""Zones as 4D volumes, and whom they bind.

A zone (the product-wide GeoJSON format in `commonsky.airspace.zone`) becomes one `Volume` per polygon part:

- Polygon / MultiPolygon geometry: the polygon as it is;
- LineString geometry (a corridor centre): needs the extra property ``half_width`` (e.g. ``"5NM"``) or
  ``half_width_m`` (metres);
- Point geometry: needs the extra property ``radius`` (e.g. ``"10NM"``) or ``radius_m``;
- ``valid_from``/``valid_to`` give the window (open ends allowed);
- the optional extra property ``daily`` restricts activity to repeating UTC windows:
  ``"daily": [{"start": "18:00", "end": "06:00"}]`` (an end before the start runs past midnight).
"""

from __future__ import annotations

import math
from typing import Any

import shapely
from shapely.geometry import LineString, Point

from commonsky.airspace.volume import (
    AltitudeBand,
    CircleShape,
    CorridorShape,
    DailyWindow,
    PolygonShape,
    TimeWindow,
    Volume,
)
from commonsky.airspace.zone import Zone
from commonsky.errors import InputError, UnitError
from commonsky.units import parse_length


def zone_applies(zone: Zone, party: str) -> bool:
    """True when ``zone`` binds (or, if advisory, concerns) ``party``: an empty ``applies_to`` means everyone."""
    return not zone.applies_to or party in zone.applies_to


def parse_clock(text: Any, where: str) -> float:
    """``"HH:MM"`` or ``"HH:MM:SS"`` (``"24:00"`` allowed) to seconds after midnight."""
    parts = str(text).split(":") if isinstance(text, str) else []
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) not in (2, 3) or not (0 <= numbers[0] <= 24 and all(0 <= n < 60 for n in numbers[1:])):
        raise InputError(f"{where}: cannot read time of day {text!r} (use HH:MM, UTC)")
    seconds = numbers[0] * 3600 + numbers[1] * 60 + (numbers[2] if len(numbers) == 3 else 0)
    if seconds > 86_400:
        raise InputError(f"{where}: time of day {text!r} is after 24:00")
    return float(seconds)


def parse_daily(value: Any, where: str) -> tuple[DailyWindow, ...]:
    """A list of ``{"start": "HH:MM", "end": "HH:MM"}`` (or ``["HH:MM", "HH:MM"]``) to daily windows."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InputError(f"{where}: expected a list of daily windows")
    out = []
    for i, item in enumerate(value):
        here = f"{where}[{i}]"
        if isinstance(item, dict):
            start, end = item.get("start"), item.get("end")
        elif isinstance(item, list | tuple) and len(item) == 2:
            start, end = item
        else:
            raise InputError(f"{here}: expected {{start: HH:MM, end: HH:MM}}")
        start_s, end_s = parse_clock(start, f"{here}.start"), parse_clock(end, f"{here}.end")
        try:
            out.append(DailyWindow(start_s, end_s))
        except InputError as error:
            raise InputError(f"{here}: {error}") from error
    return tuple(out)


def _length(zone: Zone, key: str) -> float:
    value = zone.extra.get(key, zone.extra.get(f"{key}_m"))
    if value is None:
        raise InputError(f"zone {zone.name!r}: a {zone.geometry.geom_type} zone needs the property {key!r}")
    try:
        return parse_length(value, default_unit="m", what=f"zone {zone.name!r} {key}")
    except UnitError as error:
        raise InputError(str(error)) from error


def zone_volumes(zone: Zone) -> tuple[Volume, ...]:
    """The volumes of a zone (see the module docstring)."""
    band = AltitudeBand(zone.floor, zone.ceiling)
    start = zone.valid_from.timestamp() if zone.valid_from else -math.inf
    end = zone.valid_to.timestamp() if zone.valid_to else math.inf
    window = TimeWindow(start, end)
    daily = parse_daily(zone.extra.get("daily"), f"zone {zone.name!r} daily")
    shapes: list[PolygonShape | CircleShape | CorridorShape] = []
    for part in shapely.get_parts(zone.geometry):
        if isinstance(part, Point):
            shapes.append(CircleShape((part.y, part.x), _length(zone, "radius")))
        elif isinstance(part, LineString):
            points = tuple((y, x) for x, y in part.coords)
            shapes.append(CorridorShape(points, _length(zone, "half_width")))
        elif part.geom_type == "Polygon":
            shapes.append(PolygonShape(part))
        else:
            raise InputError(f"zone {zone.name!r}: unsupported geometry part {part.geom_type}")
    return tuple(Volume(shape, band, window, daily) for shape in shapes)
