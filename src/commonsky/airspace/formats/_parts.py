"""Volumes of one ED zone (ED-269 ``geometry[]``, ED-318 geometry members) into commonsky zones (`zones_of`), and
the zones gathered back into ED zones for export (`gathered`).

One commonsky zone has one altitude band, so an ED zone whose volumes have different limits becomes several
zones. Volumes with the same limits are kept together as one (Multi)Polygon zone; a circle always stays a zone of
its own (so that it can be written back as a circle). Zones of one ED zone are named ``NAME (k/n)``; on export
the zones that share an ED zone's identifier are gathered into it again, in their order.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from commonsky.airspace.formats._common import (
    COMMONSKY_KEY,
    DAILY_KEY,
    Period,
    carry_in,
    checked,
    circle_extra,
    provenance,
    summarise,
)
from commonsky.airspace.zone import Zone, ZoneKind
from commonsky.errors import CommonskyError, InputError
from commonsky.units import Altitude


@dataclass(frozen=True)
class Part:
    """One ED volume read: geometry, limits (and a key of how they were written), the circle it was drawn from (if
    any) and the volume's own fields that have no place in a zone."""

    geometry: BaseGeometry
    floor: Altitude
    ceiling: Altitude
    limits_key: Hashable
    circle: dict[str, Any] | None
    volume: dict[str, Any]


def grouped(parts: Sequence[Part]) -> list[list[Part]]:
    """Parts gathered into zones: same limits and not circles, in order of first appearance."""
    groups: list[list[Part]] = []
    open_groups: dict[Hashable, list[Part]] = {}
    for part in parts:
        if part.circle is not None:
            groups.append([part])
            continue
        group = open_groups.get(part.limits_key)
        if group is None:
            group = open_groups[part.limits_key] = []
            groups.append(group)
        group.append(part)
    out: list[list[Part]] = []
    for group in groups:  # a union that would not be a valid MultiPolygon (touching parts) stays apart
        if len(group) > 1 and not merged(group).is_valid:
            out.extend([p] for p in group)
        else:
            out.append(group)
    return out


def merged(group: Sequence[Part]) -> BaseGeometry:
    polygons: list[Polygon] = [p for part in group for p in shapely.get_parts(part.geometry)]
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


def part_name(base: str, index: int, count: int) -> str:
    return base if count == 1 else f"{base} ({index + 1}/{count})"


@dataclass(frozen=True)
class EdZone:
    """What an ED zone (ED-269 zone version, ED-318 feature) says, read: the parts of `zones_of`'s result."""

    key: str  # the format's key in ``extra`` ("ed269", "ed318")
    label: str  # "ED-269", "ED-318"
    base_name: str
    kind: ZoneKind
    binding: bool
    periods: Sequence[Period]
    parts: Sequence[Part]
    block: dict[str, Any]  # the fields kept for every zone of it (each zone adds its own volumes)
    extended: dict[str, Any]  # its extendedProperties (where a commonsky block may be)


def zones_of(ed: EdZone, where: str, source: str) -> list[Zone]:
    """The commonsky zones of one ED zone: one per group of parts (`grouped`), with the kept fields and the
    commonsky block (if any) put back."""
    if not ed.parts:
        raise InputError(f"{where}: no volume")
    valid_from, valid_to, daily = summarise(ed.periods)
    groups = grouped(ed.parts)
    zones = []
    for k, group in enumerate(groups):
        extra: dict[str, Any] = {ed.key: {**ed.block, "volumes": [p.volume for p in group]}}
        if group[0].circle is not None:
            extra.update(circle_extra(**group[0].circle))
        if daily:
            extra[DAILY_KEY] = daily
        try:
            zone = Zone(
                name=part_name(ed.base_name, k, len(groups)),
                kind=ed.kind,
                geometry=checked(merged(group), f"{where}.geometry"),
                floor=group[0].floor,
                ceiling=group[0].ceiling,
                valid_from=valid_from,
                valid_to=valid_to,
                binding=ed.binding,
                provenance=provenance(source.rsplit("/", 1)[-1], ed.label),
                extra=extra,
            )
        except CommonskyError as error:
            raise InputError(f"{where}: {error}") from error
        zones.append(carry_in(zone, ed.extended.get(COMMONSKY_KEY), where))
    return zones


def gathered(zones: Iterable[Zone], key: str) -> list[list[Zone]]:
    """Zones gathered back into ED zones by the identifier kept in ``extra[key]["zone"]``, in first-seen order."""
    groups: list[list[Zone]] = []
    by_id: dict[tuple[str, str], list[Zone]] = {}
    for zone in zones:
        block = zone.extra.get(key)
        source = block.get("zone") if isinstance(block, dict) else None
        ident = source.get("identifier") if isinstance(source, dict) else None
        if not isinstance(ident, str) or not isinstance(source, dict):
            groups.append([zone])
            continue
        group_key = (ident, str(source.get("country")))
        if group_key not in by_id:
            by_id[group_key] = []
            groups.append(by_id[group_key])
        by_id[group_key].append(zone)
    return groups


def new_identifier(number: int) -> str:
    """An identifier for a zone that never had one: ``CS`` and five digits (ED-269 allows 7 characters)."""
    return f"CS{number:05d}"


def export_groups(
    zones: Iterable[Zone], key: str
) -> tuple[list[tuple[int, list[Zone], dict[str, Any]]], dict[str, Any]]:
    """The ED zones to write (`gathered`): each numbered from 1 with its zones and their kept ``extra[key]`` block,
    and the collection fields kept with the first zone that has any."""
    out: list[tuple[int, list[Zone], dict[str, Any]]] = []
    collection: dict[str, Any] = {}
    for number, group in enumerate(gathered(zones, key), start=1):
        block = group[0].extra.get(key)
        block = block if isinstance(block, dict) else {}
        collection = collection or dict(block.get("collection") or {})
        out.append((number, group, block))
    return out, collection


def zone_defaults(fields: dict[str, Any], number: int, variant_key: str) -> None:
    """The required ED zone fields a zone that never had them gets (identifier, country, variant, authority)."""
    fields.setdefault("identifier", new_identifier(number))
    fields.setdefault("country", "XXX")
    fields.setdefault(variant_key, "COMMON")
    fields.setdefault("zoneAuthority", [])
