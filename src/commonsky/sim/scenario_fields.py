"""Typed field readers for scenario files: each error names the file, the path inside it, the field and the line."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NoReturn

from shapely.geometry import Polygon

from commonsky.airspace.geojson import geometry_from_json
from commonsky.airspace.volume import (
    AltitudeBand,
    CircleShape,
    CorridorShape,
    DailyWindow,
    LatLon,
    PolygonShape,
    TimeWindow,
)
from commonsky.airspace.zone_volume import parse_daily
from commonsky.errors import InputError
from commonsky.sim.scenario_yaml import ScenarioError, child
from commonsky.units import Altitude, parse_altitude, parse_duration, parse_length, parse_speed

SHAPE_KEYS = ("circle", "polygon", "corridor", "racetrack", "geometry")
AnyShape = PolygonShape | CircleShape | CorridorShape


class Fields:
    """Reads values out of one parsed scenario file. ``lines`` maps value paths to line numbers."""

    def __init__(self, path: Path, lines: dict[str, int]) -> None:
        self.path = path
        self.lines = lines
        self._world: Any = None  # the bundled world, loaded on the first place name

    def place(self, name: str, where: str) -> LatLon:
        """(lat, lon) of a place of the bundled gazetteer (``Jalawla``, ``Baqubah``)."""
        from commonsky.errors import CommonskyError
        from commonsky.geo.world import load_world

        try:
            if self._world is None:
                self._world = load_world()
            found = self._world.place(name)
        except CommonskyError as error:
            self.fail(where, str(error))
        return float(found.lat_deg), float(found.lon_deg)

    def line_of(self, where: str) -> int | None:
        probe = where
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        return None

    def fail(self, where: str, message: str) -> NoReturn:
        line = self.line_of(where)
        suffix = f" (line {line})" if line is not None else ""
        raise ScenarioError(f"{self.path}: {where}: {message}{suffix}")

    # containers ----------------------------------------------------------------------------------------------
    def mapping(self, value: Any, where: str, allowed: Iterable[str], required: Iterable[str] = ()) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(where, f"expected a mapping, got {_kind(value)}")
        known = set(allowed)
        for key in value:
            if key not in known:
                self.fail(child(where, str(key)), f"unknown field {key!r} (expected one of {', '.join(sorted(known))})")
        for key in required:
            if key not in value:
                self.fail(child(where, key), "missing required field")
        return value

    def sequence(self, value: Any, where: str, *, allow_empty: bool = True) -> list[Any]:
        if not isinstance(value, list):
            self.fail(where, f"expected a list, got {_kind(value)}")
        if not value and not allow_empty:
            self.fail(where, "the list is empty")
        return value

    # scalars -------------------------------------------------------------------------------------------------
    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
            self.fail(where, f"expected a non-empty text, got {_kind(value)}")
        return str(value)

    def integer(self, value: Any, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(where, f"expected an integer, got {_kind(value)}")
        return value

    def boolean(self, value: Any, where: str) -> bool:
        if not isinstance(value, bool):
            self.fail(where, f"expected true or false, got {_kind(value)}")
        return value

    def choice(self, value: Any, where: str, options: Iterable[str], what: str) -> str:
        options = tuple(options)
        if value not in options:
            self.fail(where, f"unknown {what} {value!r} (use {', '.join(options)})")
        return str(value)

    def _unit(self, parse: Any, value: Any, where: str, **options: Any) -> float:
        try:
            return float(parse(value, **options))
        except InputError as error:
            self.fail(where, str(error))

    def length_m(self, value: Any, where: str, *, positive: bool = True) -> float:
        metres = self._unit(parse_length, value, where, what=where.rsplit(".", 1)[-1])
        if positive and not metres > 0:
            self.fail(where, f"must be positive, got {value!r}")
        return metres

    def speed_ms(self, value: Any, where: str) -> float:
        speed = self._unit(parse_speed, value, where, default_unit="kt", what="speed")
        if not speed > 0:
            self.fail(where, f"speed must be positive, got {value!r}")
        return speed

    def duration_s(self, value: Any, where: str) -> float:
        return self._unit(parse_duration, value, where, what="duration")

    def rate(self, value: Any, where: str) -> float:
        """A growth rate ``"1min/h"`` (seconds per hour of look-ahead) as seconds per second."""
        if not isinstance(value, str) or value.count("/") != 1:
            self.fail(where, f"expected a rate like 1min/h, got {value!r}")
        top, bottom = value.split("/")
        denominator = self.duration_s(f"1{bottom.strip()}", where)
        if denominator <= 0:
            self.fail(where, f"bad rate {value!r}")
        return self.duration_s(top.strip(), where) / denominator

    def altitude(self, value: Any, where: str) -> Altitude:
        try:
            return parse_altitude(value)
        except InputError as error:
            self.fail(where, str(error))

    def time_s(self, value: Any, where: str) -> float:
        """ISO 8601 UTC (YAML may already have made it a datetime) to Unix seconds."""
        if isinstance(value, datetime):
            stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
        elif isinstance(value, date):
            stamp = datetime(value.year, value.month, value.day, tzinfo=UTC)
        elif isinstance(value, str):
            try:
                stamp = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                self.fail(where, f"cannot read time {value!r} (use ISO 8601 UTC, e.g. 2014-12-02T06:00:00Z)")
            stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
        else:
            self.fail(where, f"expected an ISO 8601 time, got {_kind(value)}")
        return stamp.timestamp()

    def point(self, value: Any, where: str) -> LatLon:
        """``[lat, lon]``, ``{lat: .., lon: ..}`` (degrees; lat first, as spoken; GeoJSON is lon, lat) or a place
        name of the bundled gazetteer."""
        if isinstance(value, str):
            return self.place(value, where)
        if isinstance(value, dict):
            self.mapping(value, where, ("lat", "lon"), ("lat", "lon"))
            pair = [value["lat"], value["lon"]]
        elif isinstance(value, list) and len(value) == 2:
            pair = value
        else:
            self.fail(where, f"expected a position [lat, lon] or {{lat, lon}}, got {_kind(value)}")
        if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in pair):
            self.fail(where, f"position {pair!r} is not two numbers")
        lat, lon = float(pair[0]), float(pair[1])
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            self.fail(where, f"position lat {lat}, lon {lon} is outside lat [-90, 90], lon [-180, 180]")
        return lat, lon

    # composites ----------------------------------------------------------------------------------------------
    def band(self, spec: dict[str, Any], where: str) -> AltitudeBand:
        floor = self.altitude(spec.get("floor", "SFC"), child(where, "floor"))
        ceiling = self.altitude(spec.get("ceiling", "UNL"), child(where, "ceiling"))
        if not floor.value_m < ceiling.value_m:
            self.fail(child(where, "floor"), f"floor {floor.label()} is not below ceiling {ceiling.label()}")
        return AltitudeBand(floor, ceiling)

    def window(self, spec: dict[str, Any], where: str, start_key: str = "start", end_key: str = "end") -> TimeWindow:
        start = self.time_s(spec[start_key], child(where, start_key)) if spec.get(start_key) is not None else -math.inf
        end = self.time_s(spec[end_key], child(where, end_key)) if spec.get(end_key) is not None else math.inf
        if not end > start:
            self.fail(child(where, end_key), f"end {_iso(end)} is not after start {_iso(start)}")
        return TimeWindow(start, end)

    def daily(self, value: Any, where: str) -> tuple[DailyWindow, ...]:
        try:
            return parse_daily(value, where)
        except InputError as error:
            self.fail(where, str(error).removeprefix(f"{where}: "))

    def shape(self, spec: dict[str, Any], where: str) -> AnyShape:
        """Exactly one of: circle {centre, radius}, polygon [[lat, lon], ...], corridor {points, half_width},
        racetrack {from, to, width} (a two-point corridor, width across), geometry (GeoJSON, lon/lat)."""
        given = [k for k in SHAPE_KEYS if k in spec]
        if len(given) != 1:
            self.fail(where, f"give exactly one shape ({', '.join(SHAPE_KEYS)}); found {len(given)}")
        key = given[0]
        here = child(where, key)
        value = spec[key]
        try:
            if key == "circle":
                self.mapping(value, here, ("centre", "radius"), ("centre", "radius"))
                return CircleShape(
                    self.point(value["centre"], child(here, "centre")),
                    self.length_m(value["radius"], child(here, "radius")),
                )
            if key == "corridor":
                self.mapping(value, here, ("points", "half_width"), ("points", "half_width"))
                pts = self.sequence(value["points"], child(here, "points"))
                points = tuple(self.point(p, child(child(here, "points"), i)) for i, p in enumerate(pts))
                if len(points) < 2:
                    self.fail(child(here, "points"), "a corridor needs at least two points")
                return CorridorShape(points, self.length_m(value["half_width"], child(here, "half_width")))
            if key == "racetrack":
                self.mapping(value, here, ("from", "to", "width"), ("from", "to", "width"))
                ends = (self.point(value["from"], child(here, "from")), self.point(value["to"], child(here, "to")))
                return CorridorShape(ends, self.length_m(value["width"], child(here, "width")) / 2.0)
            if key == "polygon":
                ring = [self.point(p, child(here, i)) for i, p in enumerate(self.sequence(value, here))]
                if len(ring) < 3:
                    self.fail(here, f"a polygon needs at least 3 points, got {len(ring)}")
                return PolygonShape(Polygon([(lon, lat) for lat, lon in ring]))
            return PolygonShape(geometry_from_json(value, here))
        except ScenarioError:
            raise
        except InputError as error:
            self.fail(here, str(error).removeprefix(f"{here}: ").removeprefix("polygon: "))


def _iso(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "(open)"
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: f"text {value!r}", bool: f"{value}"}.get(
        type(value), f"{type(value).__name__} {value!r}"
    )
