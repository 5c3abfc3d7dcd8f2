"""Shared pieces of the DSS store: ids, request parsing, 4D candidate search, F3548 bodies, notifications.

Every function here runs inside a transaction the caller holds (`Database.write` or `Database.read`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from implicitdict import ImplicitDict
from sqlalchemy import Row, Table, and_, select, update
from sqlalchemy.orm import Session

from commonsky.service.dss.errors import DssError, bad_request
from commonsky.service.dss.geometry import Extent, parse_volume, time_json
from commonsky.service.dss.tables import SUBSCRIPTIONS, USS_AVAILABILITY

NO_OVN = "Available from USS"  # what another USS sees in place of an OVN (InterUSS's phrase)
NULL_SUBSCRIPTION = "00000000-0000-4000-8000-000000000000"
FAR_FUTURE_US = 2**62
_Model = TypeVar("_Model", bound=ImplicitDict)


def entity_id(raw: str, what: str = "entity id") -> str:
    """A canonical UUID string; 400 otherwise."""
    try:
        parsed = uuid.UUID(raw)
    except ValueError:
        raise bad_request(f"{what} {raw[:40]!r} is not a UUID") from None
    if str(parsed) != raw.lower():
        raise bad_request(f"{what} {raw[:40]!r} is not in the 8-4-4-4-12 UUID form")
    return raw.lower()


def parse_body(body: Any, model: type[_Model]) -> _Model:
    """``body`` as an F3548 model (`uas_standards.astm.f3548.v21.api`); 400 naming the first problem."""
    if not isinstance(body, Mapping):
        raise bad_request(f"the body must be a JSON object ({model.__name__})")
    try:
        parsed: _Model = ImplicitDict.parse(body, model)
        return parsed
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        first = " ".join(str(error).split())[:200]
        raise bad_request(f"malformed {model.__name__}: {first}") from None


def https_url(url: str, what: str) -> str:
    if not url.startswith("https://"):
        raise bad_request(f"{what} must be an https:// URL")
    return url


def area_of_interest(body: Any) -> Extent:
    """The ``area_of_interest`` of a query body; open times are unbounded (what has ended is never found)."""
    if not isinstance(body, Mapping) or body.get("area_of_interest") is None:
        raise bad_request("area_of_interest is required")
    volume = parse_volume(
        body["area_of_interest"],
        "area_of_interest",
        need_times=False,
        default_t0_us=0,
        default_t1_us=FAR_FUTURE_US,
    )
    return Extent((volume,))


def envelope_values(extent: Extent) -> dict[str, Any]:
    min_lon, min_lat, max_lon, max_lat = extent.box
    return {
        "min_lon": min_lon,
        "min_lat": min_lat,
        "max_lon": max_lon,
        "max_lat": max_lat,
        "alt_lo_m": extent.alt_lo_m,
        "alt_hi_m": extent.alt_hi_m,
        "t0_us": extent.t0_us,
        "t1_us": extent.t1_us,
        "volumes": json.dumps(extent.to_json()),
    }


def extent_of(row: Row[Any]) -> Extent:
    return Extent.from_json(json.loads(row.volumes))


def overlapping(
    session: Session, table: Table, extents: Iterable[Extent], now_us: int, *conditions: Any
) -> list[Row[Any]]:
    """Rows of ``table`` not yet ended whose extent meets one of ``extents`` in 4D (SQL prefilter, exact test)."""
    found: dict[str, Row[Any]] = {}
    for extent in extents:
        min_lon, min_lat, max_lon, max_lat = extent.box
        c = table.c
        query = select(table).where(
            and_(
                c.max_lat >= min_lat,
                c.min_lat <= max_lat,
                c.max_lon >= min_lon,
                c.min_lon <= max_lon,
                c.t1_us >= max(extent.t0_us, now_us),
                c.t0_us <= extent.t1_us,
                c.alt_hi_m >= extent.alt_lo_m,
                c.alt_lo_m <= extent.alt_hi_m,
                *conditions,
            )
        )
        for row in session.execute(query):
            if row.id not in found and extent_of(row).intersects(extent):
                found[row.id] = row
    return list(found.values())


def availability(session: Session, managers: Iterable[str]) -> dict[str, str]:
    names = sorted(set(managers))
    if not names:
        return {}
    rows = session.execute(select(USS_AVAILABILITY).where(USS_AVAILABILITY.c.uss.in_(names)))
    return {row.uss: row.availability for row in rows}


def _entity_json(row: Row[Any], viewer: str, availability_of: Mapping[str, str]) -> dict[str, Any]:
    return {
        "id": row.id,
        "manager": row.manager,
        "uss_availability": availability_of.get(row.manager, "Unknown"),
        "version": row.version,
        "ovn": row.ovn if row.manager == viewer else NO_OVN,
        "time_start": time_json(row.t0_us),
        "time_end": time_json(row.t1_us),
        "uss_base_url": row.uss_base_url,
    }


def intent_json(row: Row[Any], viewer: str, availability_of: Mapping[str, str]) -> dict[str, Any]:
    """An F3548 ``OperationalIntentReference``; the OVN only for its manager."""
    body = _entity_json(row, viewer, availability_of)
    body["state"] = row.state
    body["subscription_id"] = row.subscription_id
    return body


def constraint_json(row: Row[Any], viewer: str, availability_of: Mapping[str, str]) -> dict[str, Any]:
    """An F3548 ``ConstraintReference``; the OVN only for its manager."""
    return _entity_json(row, viewer, availability_of)


def refs(session: Session, rows: list[Row[Any]], viewer: str, *, intents: bool) -> list[dict[str, Any]]:
    known = availability(session, (r.manager for r in rows))
    render = intent_json if intents else constraint_json
    return [render(r, viewer, known) for r in rows]


def notify(session: Session, extents: list[Extent], now_us: int, *, intents: bool) -> list[dict[str, Any]]:
    """Bump the notification index of every live subscription that asked to hear about this kind of entity in
    ``extents``; the F3548 ``subscribers`` list (one entry per USS base URL)."""
    flag = SUBSCRIPTIONS.c.notify_for_operational_intents if intents else SUBSCRIPTIONS.c.notify_for_constraints
    rows = overlapping(session, SUBSCRIPTIONS, extents, now_us, flag.is_(True))
    by_url: dict[str, list[dict[str, Any]]] = {}
    for row in sorted(rows, key=lambda r: r.id):
        session.execute(
            update(SUBSCRIPTIONS)
            .where(SUBSCRIPTIONS.c.id == row.id)
            .values(notification_index=SUBSCRIPTIONS.c.notification_index + 1)
        )
        by_url.setdefault(row.uss_base_url, []).append(
            {"subscription_id": row.id, "notification_index": row.notification_index + 1}
        )
    return [{"uss_base_url": url, "subscriptions": subs} for url, subs in by_url.items()]


def owned(row: Row[Any] | None, manager: str, what: str, ovn: str | None = None) -> Row[Any]:
    """The row, if it exists (404), is the caller's (403) and, when given, has this OVN or version (409)."""
    if row is None:
        raise DssError(404, f"{what} not found")
    if row.manager != manager:
        raise DssError(403, f"{what} is managed by another USS")
    current = row.ovn if hasattr(row, "ovn") else row.version
    if ovn is not None and str(current) != ovn:
        raise DssError(409, f"{what}: {ovn[:64]!r} is not its current version")
    return row
