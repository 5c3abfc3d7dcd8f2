"""Row helpers shared by the broker and the zone keeper: SQL prefilter terms, envelopes, the owner's intent view."""

from __future__ import annotations

import json
from typing import Any

from commonsky.service.engine import Bounds, iso
from commonsky.service.models import IntentRow, ZoneRow


def overlaps(table: type[IntentRow] | type[ZoneRow], box: Bounds, margin_m: float) -> list[Any]:
    """SQL prefilter: boxes, altitude bands (widened by ``margin_m``) and time envelopes overlap."""
    return [
        table.min_lon <= box.max_lon,
        table.max_lon >= box.min_lon,
        table.min_lat <= box.max_lat,
        table.max_lat >= box.min_lat,
        table.alt_lo_m < box.alt_hi_m + margin_m,
        table.alt_hi_m > box.alt_lo_m - margin_m,
        table.t0_s < box.t1_s,
        table.t1_s > box.t0_s,
    ]


def row_bounds(row: IntentRow | ZoneRow) -> Bounds:
    return Bounds(row.min_lon, row.min_lat, row.max_lon, row.max_lat, row.alt_lo_m, row.alt_hi_m, row.t0_s, row.t1_s)


def covers(outer: tuple[float, float, float, float], inner: tuple[float, float, float, float]) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and outer[2] >= inner[2] and outer[3] >= inner[3]


def union(
    a: tuple[float, float, float, float], b: tuple[float, float, float, float] | None
) -> tuple[float, float, float, float]:
    if b is None:
        return a
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def audit_change(text: str) -> dict[str, Any]:
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


def intent_json(row: IntentRow, party_name: str) -> dict[str, Any]:
    """An intent in full: only for its owner, the authority and observers."""
    return {
        "id": row.id,
        "party": party_name,
        "priority": row.priority,
        "state": row.state,
        "version": row.version,
        "note": row.note,
        "volumes": row.volumes,
        "created": iso(row.created_s) or "",
        "updated": iso(row.updated_s) or "",
    }
