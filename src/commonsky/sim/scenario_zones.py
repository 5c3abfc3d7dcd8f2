"""Zones inside scenario files: geometry from inline shapes, a border buffer or a country, and field overrides."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from shapely.geometry.base import BaseGeometry

from commonsky.airspace.zone import Zone, ZoneKind
from commonsky.errors import CommonskyError, InputError
from commonsky.sim.scenario_fields import Fields
from commonsky.sim.scenario_yaml import ScenarioError, child


def zone_geometry(f: Fields, spec: dict[str, Any], where: str, source: str) -> tuple[BaseGeometry, dict[str, Any]]:
    """The lon/lat geometry of an inline zone and its provenance."""
    here = child(where, source)
    if source == "buffer":
        return _border_buffer(f, spec[source], here)
    if source == "country":
        code = f.text(spec[source], here)
        try:
            from commonsky.geo.world import load_world

            country = load_world().country(code)
        except CommonskyError as error:
            f.fail(here, str(error))
        return country.geometry, {"source": "Natural Earth (bundled)", "method": f"country {country.iso3}"}
    shape = f.shape(spec, where)
    return shape.footprint(), {"source": str(f.path.name), "method": f"inline {source}"}


def _border_buffer(f: Fields, value: Any, where: str) -> tuple[BaseGeometry, dict[str, Any]]:
    spec = f.mapping(value, where, ("border", "distance", "side", "clip"), ("border", "distance"))
    border = f.text(spec["border"], child(where, "border"))
    if border.count(":") != 1:
        f.fail(child(where, "border"), f"expected two country codes like IRN:IRQ, got {border!r}")
    a, b = (s.strip() for s in border.split(":"))
    distance_m = f.length_m(spec["distance"], child(where, "distance"))
    try:
        from commonsky.geo.border_zone import BorderBuffer, build_border_zone
        from commonsky.geo.world import load_world

        zone = build_border_zone(load_world(), BorderBuffer(a, b, distance_m, spec.get("side"), spec.get("clip")))
    except CommonskyError as error:
        f.fail(where, str(error))
    return zone.geometry, dict(zone.provenance)


def zone_overrides(f: Fields, zone: Zone, spec: dict[str, Any], where: str) -> Zone:
    """Apply the scenario's fields (name, kind, altitudes, validity, daily, binding, applies_to) to ``zone``."""
    changes: dict[str, Any] = {}
    if "name" in spec:
        changes["name"] = f.text(spec["name"], child(where, "name"))
    if "kind" in spec:
        kinds = [k.value for k in ZoneKind]
        changes["kind"] = ZoneKind(f.choice(spec["kind"], child(where, "kind"), kinds, "zone kind"))
    if "floor" in spec or "ceiling" in spec:
        band = f.band(
            {"floor": spec.get("floor", zone.floor.to_json()), "ceiling": spec.get("ceiling", zone.ceiling.to_json())},
            where,
        )
        changes["floor"], changes["ceiling"] = band.floor, band.ceiling
    if "valid_from" in spec or "valid_to" in spec:
        window = f.window(spec, where, "valid_from", "valid_to")
        changes["valid_from"] = _stamp(window.start_s)
        changes["valid_to"] = _stamp(window.end_s)
    if "binding" in spec:
        changes["binding"] = f.boolean(spec["binding"], child(where, "binding"))
    if "applies_to" in spec:
        applies = f.sequence(spec["applies_to"], child(where, "applies_to"))
        changes["applies_to"] = tuple(f.text(p, child(child(where, "applies_to"), i)) for i, p in enumerate(applies))
    extra = dict(zone.extra)
    if "daily" in spec:
        f.daily(spec["daily"], child(where, "daily"))
        extra["daily"] = spec["daily"]
    if "description" in spec:
        extra["description"] = str(spec["description"])
    if "provenance" in spec:
        changes["provenance"] = {**zone.provenance, "note": str(spec["provenance"])}
    changes["extra"] = extra
    try:
        return replace(zone, **changes)
    except ScenarioError:
        raise
    except InputError as error:
        f.fail(where, str(error))


def _stamp(seconds: float) -> datetime | None:
    return datetime.fromtimestamp(seconds, UTC) if abs(seconds) != float("inf") else None
