"""Shared pieces of the DSS store: ids, request parsing, 4D candidate search, F3548 bodies, notifications.

Every function here runs inside a transaction the caller holds (`Database.write` or `Database.read`).
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any, TypeVar

from implicitdict import ImplicitDict
from sqlalchemy import CursorResult, Row, Table
from sqlalchemy.orm import Session

from commonsky.service.dss.errors import DssError, bad_request
from commonsky.service.dss.geometry import Extent, parse_volume, time_json
from commonsky.service.dss.tables import CELLS, SUBSCRIPTIONS

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


def _all(_row: Row[Any]) -> bool:
    return True


def extent_of(row: Row[Any]) -> Extent:
    return Extent.from_json(json.loads(row.volumes))


CELL_DEG = 0.05  # about 5.5 km: a 10,000 km² area covers some 330 cells
MAX_CELLS = 512
WIDE = -1


def cell_keys(box: tuple[float, float, float, float]) -> list[int]:
    """The grid keys of a lon/lat box, or ``[WIDE]`` when it covers more than `MAX_CELLS` cells."""
    min_lon, min_lat, max_lon, max_lat = box
    ix0, ix1 = math.floor(min_lon / CELL_DEG), math.floor(max_lon / CELL_DEG)
    iy0, iy1 = math.floor(min_lat / CELL_DEG), math.floor(max_lat / CELL_DEG)
    if (ix1 - ix0 + 1) * (iy1 - iy0 + 1) > MAX_CELLS:
        return [WIDE]
    return [(ix + 4_000) * 10_000 + (iy + 2_000) for ix in range(ix0, ix1 + 1) for iy in range(iy0, iy1 + 1)]


def driver(session: Session, sql: str, params: Any = None) -> CursorResult[Any]:
    """Run SQL written with ``%(name)s`` parameters straight on the driver (both backends' drivers take named
    parameters; SQLite spells them ``:name``). The hot statements go this way: SQLAlchemy's statement handling
    costs more than SQLite takes to run them."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        sql = _sqlite_spelling(sql)
    return connection.exec_driver_sql(sql, params)


@lru_cache(maxsize=1024)
def _sqlite_spelling(sql: str) -> str:
    return re.sub(r"%\((\w+)\)s", r":\1", sql)


def insert_row(session: Session, table: Table, values: Mapping[str, Any] | list[dict[str, Any]]) -> None:
    first = values[0] if isinstance(values, list) else values
    columns = list(first)
    names = ", ".join(columns)
    marks = ", ".join(f"%({c})s" for c in columns)
    driver(session, f"INSERT INTO {table.name} ({names}) VALUES ({marks})", values)


def index(session: Session, table: Table, entity_id: str, extent: Extent | None, *, new: bool = False) -> None:
    """List an entity under the cells of ``extent`` (None: remove it from the grid); ``new``: it was not listed."""
    if not new:
        where = {"kind": table.name, "id": entity_id}
        driver(session, "DELETE FROM dss_cells WHERE kind = %(kind)s AND id = %(id)s", where)
    if extent is not None:
        rows = [{"kind": table.name, "key": key, "id": entity_id} for key in cell_keys(extent.box)]
        insert_row(session, CELLS, rows)


_WINDOW = (
    "max_lat >= %(min_lat)s AND min_lat <= %(max_lat)s AND max_lon >= %(min_lon)s AND min_lon <= %(max_lon)s"
    " AND t1_us >= %(t0_us)s AND t0_us <= %(t1_us)s AND alt_hi_m >= %(alt_lo_m)s AND alt_lo_m <= %(alt_hi_m)s"
)


def overlapping(
    session: Session, table: Table, extents: Iterable[Extent], now_us: int, keep: Callable[[Row[Any]], bool] = _all
) -> list[Row[Any]]:
    """Rows of ``table`` not yet ended, kept by ``keep``, whose extent meets one of ``extents`` in 4D (grid and
    envelope prefilter in SQL, then `Extent.intersects`)."""
    found: dict[str, Row[Any]] = {}
    for extent in extents:
        min_lon, min_lat, max_lon, max_lat = extent.box
        window: dict[str, Any] = {"min_lon": min_lon, "min_lat": min_lat, "max_lon": max_lon, "max_lat": max_lat}
        window |= {"t0_us": max(extent.t0_us, now_us), "t1_us": extent.t1_us}
        window |= {"alt_lo_m": extent.alt_lo_m, "alt_hi_m": extent.alt_hi_m, "kind": table.name}
        keys = cell_keys(extent.box)
        sql = f"SELECT * FROM {table.name} WHERE {_WINDOW}"
        if keys != [WIDE]:
            listed = ", ".join(str(k) for k in [*keys, WIDE])  # integers made here: safe to inline
            sql += f" AND id IN (SELECT id FROM dss_cells WHERE kind = %(kind)s AND key IN ({listed}))"
        for row in driver(session, sql, window):
            if row.id not in found and keep(row) and extent_of(row).intersects(extent):
                found[row.id] = row
    return list(found.values())


def availability(session: Session, managers: Iterable[str]) -> dict[str, str]:
    names = sorted(set(managers))
    if not names:
        return {}
    params = {f"m{i}": name for i, name in enumerate(names)}
    listed = ", ".join(f"%({k})s" for k in params)
    rows = driver(session, f"SELECT uss, availability FROM dss_uss_availability WHERE uss IN ({listed})", params)
    return {row.uss: row.availability for row in rows}


def _entity_json(row: Any, viewer: str, availability_of: Mapping[str, str]) -> dict[str, Any]:
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


def intent_json(row: Any, viewer: str, availability_of: Mapping[str, str]) -> dict[str, Any]:
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


_BUMP = "UPDATE dss_subscriptions SET notification_index = notification_index + 1 WHERE id = %(subscription_id)s"


def notify(session: Session, extents: list[Extent], now_us: int, *, intents: bool) -> list[dict[str, Any]]:
    """Bump the notification index of every live subscription that asked to hear about this kind of entity in
    ``extents``; the F3548 ``subscribers`` list (one entry per USS base URL)."""
    flag = "notify_for_operational_intents" if intents else "notify_for_constraints"
    rows = overlapping(session, SUBSCRIPTIONS, extents, now_us, lambda row: bool(getattr(row, flag)))
    by_url: dict[str, list[dict[str, Any]]] = {}
    for row in sorted(rows, key=lambda r: r.id):
        driver(session, _BUMP, {"subscription_id": row.id})
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
