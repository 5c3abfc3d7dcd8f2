"""Row helpers shared by the broker and the zone keeper: SQL prefilter terms, envelopes, the owner's intent view."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select

from commonsky.plans.intent import IntentState
from commonsky.service.engine import Bounds, iso
from commonsky.service.grid import WIDE, grid_keys
from commonsky.service.models import IntentCellRow, IntentRow, ZoneRow
from commonsky.service.views import LIVE, IntentView


def overlaps(table: type[IntentRow] | type[ZoneRow]) -> list[Any]:
    """SQL prefilter terms, bound by `overlap_params`: boxes, altitude bands and time envelopes overlap.

    Statements are built once with bind parameters (`near_intents`, `near_zones`): building and cache-keying a new
    statement per decision cost more than running it (measured: 0.75 -> 0.28 ms on SQLite, 1.7 -> 0.7 ms on
    PostgreSQL for the intent prefilter at 100,000 stored intents)."""
    return [
        table.min_lon <= bindparam("max_lon"),
        table.max_lon >= bindparam("min_lon"),
        table.min_lat <= bindparam("max_lat"),
        table.max_lat >= bindparam("min_lat"),
        table.alt_lo_m < bindparam("alt_hi"),
        table.alt_hi_m > bindparam("alt_lo"),
        table.t0_s < bindparam("t1"),
        table.t1_s > bindparam("t0"),
    ]


def overlap_params(box: Bounds, margin_m: float) -> dict[str, float]:
    """The values of `overlaps`' parameters for ``box``, altitude band widened by ``margin_m``."""
    return {
        "min_lon": box.min_lon,
        "min_lat": box.min_lat,
        "max_lon": box.max_lon,
        "max_lat": box.max_lat,
        "alt_lo": box.alt_lo_m - margin_m,
        "alt_hi": box.alt_hi_m + margin_m,
        "t0": box.t0_s,
        "t1": box.t1_s,
    }


@cache
def near_intents(listed: bool) -> Select[IntentRow]:
    """Live intents other than ``:own`` meeting the box; with ``listed``, only those listed in the prefilter grid
    under one of ``:keys`` (a list)."""
    query = select(IntentRow).where(IntentRow.state.in_(LIVE), IntentRow.id != bindparam("own"), *overlaps(IntentRow))
    if listed:
        cells = select(IntentCellRow.intent_id).where(IntentCellRow.key.in_(bindparam("keys", expanding=True)))
        query = query.where(IntentRow.id.in_(cells))
    return query


@cache
def near_intent_params(own_id: str, box: Bounds, margin_m: float) -> tuple[bool, dict[str, Any]]:
    """How to run `near_intents` for ``box`` (altitude band widened by ``margin_m``): whether through the grid
    (``listed``; not when ``box`` is too wide for it) and its parameters."""
    keys = grid_keys(box)
    params: dict[str, Any] = {"own": own_id, **overlap_params(box, margin_m)}
    if keys == [WIDE]:
        return False, params
    return True, {**params, "keys": [*keys, WIDE]}


def near_zones() -> Select[ZoneRow]:
    """Zones meeting the box."""
    return select(ZoneRow).where(*overlaps(ZoneRow))


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


def intent_view(row: IntentRow, party_name: str) -> IntentView:
    """An intent in full: only for its owner, the authority and observers."""
    return IntentView(
        id=row.id,
        party=party_name,
        priority=row.priority,
        state=IntentState(row.state),
        version=row.version,
        note=row.note,
        volumes=row.volumes,
        created=iso(row.created_s) or "",
        updated=iso(row.updated_s) or "",
    )
