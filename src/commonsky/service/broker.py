"""The broker: every decision about intents, under the locks of `service.db`. Routers only translate HTTP.

Lifecycle: a filed intent is decided at once (proposed -> accepted | rejected, in one transaction); then
accepted -> activated -> ended, or back to a re-check (rejected -> accepted). Priorities as ASTM F3548: an intent
may not conflict with an accepted or activated intent of equal or higher priority, nor with a binding zone that
applies to its party; a higher-priority intent that is accepted *preempts* the lower-priority accepted intents it
conflicts with (they become rejected, their parties are told), so two accepted intents never conflict. Activated
(airborne) intents are never preempted.

Thread-safe: one `Broker` serves every request thread; each call opens its own transaction.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from commonsky.airspace.volume import AltitudeModel, Volume
from commonsky.airspace.zone import Zone
from commonsky.errors import InputError, NotFoundError
from commonsky.service import audit
from commonsky.service.auth import Party, Role
from commonsky.service.cache import VersionCache
from commonsky.service.db import Database
from commonsky.service.engine import (
    Bounds,
    Found,
    bounds,
    count_vertices,
    find_conflicts,
    iso,
    overlap_json,
    prefilter_margin_m,
    volumes_from_json,
    zone_from_feature,
)
from commonsky.service.errors import ForbiddenError, RetryError, StaleVersionError, TooLargeError
from commonsky.service.models import AuditRow, IntentRow, PartyRow, ZoneRow
from commonsky.service.settings import ServiceSettings

LIVE = ("accepted", "activated")
Notify = Callable[[str, dict[str, Any]], None]
_TRANSITIONS = {
    ("rejected", "accepted"), ("accepted", "activated"),
    ("accepted", "ended"), ("activated", "ended"), ("rejected", "ended"),
}


@dataclass(frozen=True)
class Decision:
    """What a write did: the intent as its owner sees it, its conflicts (redacted), and preemptions."""

    accepted: bool
    intent: dict[str, Any]
    conflicts: list[dict[str, Any]]
    preempted: int = 0


@dataclass
class _Verdict:
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    blocking: bool = False
    preempt: dict[str, IntentRow] = field(default_factory=dict)


def new_version() -> str:
    return secrets.token_urlsafe(9)


class Broker:
    """Decides intents and zones against the database. ``notify(party_id, event)`` is called after commit."""

    def __init__(self, database: Database, settings: ServiceSettings, notify: Notify | None = None,
                 model: AltitudeModel | None = None) -> None:
        self.db = database
        self.settings = settings
        self.model = model or AltitudeModel()
        self._notify = notify
        self._volumes: VersionCache[tuple[Volume, ...]] = VersionCache()
        self._zones: VersionCache[tuple[Zone, tuple[Volume, ...]]] = VersionCache(1_000)

    # public: intents ---------------------------------------------------------------------------------------
    def submit(self, party: Party, volumes_json: list[dict[str, Any]], priority: int) -> Decision:
        """File a new intent; it is decided at once."""
        self.require(party, Role.OPERATOR)
        volumes, box = self._prepare(volumes_json)
        intent_id = str(uuid.uuid4())

        def run(session: Session) -> tuple[Decision, list[tuple[str, dict[str, Any]]]]:
            self.db.lock_region(session, box.box)
            verdict = self._judge(session, party, intent_id, volumes, box, priority)
            state = "rejected" if verdict.blocking else "accepted"
            now = time.time()
            row = IntentRow(id=intent_id, party_id=party.id, priority=priority, state=state, version=new_version(),
                            volumes=volumes_json, note=_note(verdict), created_s=now, updated_s=now, **box.columns())
            session.add(row)
            events = self._preempt(session, verdict, intent_id) if state == "accepted" else []
            self._audit(session, party.name, "submit", row, {"party": party.name, "priority": priority,
                                                             "state": state, "note": row.note, "volumes": volumes_json})
            return self._decision(row, party.name, verdict), events

        return self._run(run)

    def update(self, party: Party, intent_id: str, version: str, volumes_json: list[dict[str, Any]],
               priority: int) -> Decision:
        """Replace an intent's volumes and priority. An accepted change keeps its state; a refused change of an
        accepted or activated intent leaves it as it was (``accepted`` false); a rejected intent is re-decided."""
        self.require(party, Role.OPERATOR)
        volumes, box = self._prepare(volumes_json)

        def run(session: Session) -> tuple[Decision, list[tuple[str, dict[str, Any]]]]:
            row = self._own_row_locked(session, party, intent_id, version, extra_box=box)
            if row.state == "ended":
                raise InputError(f"intent {intent_id} has ended; file a new one")
            verdict = self._judge(session, party, intent_id, volumes, box, priority)
            if verdict.blocking and row.state in LIVE:
                return self._decision(row, party.name, verdict, accepted=False), []
            state = "rejected" if verdict.blocking else (row.state if row.state in LIVE else "accepted")
            row.volumes, row.priority, row.state, row.note = volumes_json, priority, state, _note(verdict)
            for name, value in box.columns().items():
                setattr(row, name, value)
            self._bump(row)
            events = self._preempt(session, verdict, intent_id) if not verdict.blocking else []
            self._audit(session, party.name, "update", row, {"priority": priority, "state": state, "note": row.note,
                                                             "volumes": volumes_json})
            return self._decision(row, party.name, verdict), events

        return self._run(run)

    def change_state(self, party: Party, intent_id: str, version: str, state: str) -> Decision:
        """Move an intent along its lifecycle (see the module docstring); ``accepted`` re-checks a rejected one."""
        self.require(party, Role.OPERATOR)

        def run(session: Session) -> tuple[Decision, list[tuple[str, dict[str, Any]]]]:
            row = self._own_row_locked(session, party, intent_id, version)
            if (row.state, state) not in _TRANSITIONS:
                raise InputError(f"intent {intent_id} cannot go from {row.state} to {state}")
            verdict, events = _Verdict(), []
            if state == "accepted":
                volumes = self.intent_volumes(row)
                verdict = self._judge(session, party, intent_id, volumes, _row_bounds(row), row.priority)
                if verdict.blocking:
                    row.note = _note(verdict)
                    self._bump(row)
                    self._audit(session, party.name, "recheck", row, {"state": "rejected", "note": row.note})
                    return self._decision(row, party.name, verdict), []
                events = self._preempt(session, verdict, intent_id)
            row.state, row.note = state, ""
            self._bump(row)
            self._audit(session, party.name, "state", row, {"state": state, "note": ""})
            return self._decision(row, party.name, verdict), events

        return self._run(run)

    def get_intent(self, party: Party, intent_id: str) -> dict[str, Any]:
        with self.db.read() as session:
            found = session.execute(select(IntentRow, PartyRow.name).join(PartyRow, PartyRow.id == IntentRow.party_id)
                                    .where(IntentRow.id == intent_id)).first()
        if found is None or (party.role is Role.OPERATOR and found[0].party_id != party.id):
            raise NotFoundError(f"no intent {intent_id}")
        return intent_json(found[0], found[1])

    def list_intents(self, party: Party, state: str | None, limit: int, offset: int) -> list[dict[str, Any]]:
        """Operators see their own intents; authority and observers see the whole picture."""
        query = select(IntentRow, PartyRow.name).join(PartyRow, PartyRow.id == IntentRow.party_id)
        if party.role is Role.OPERATOR:
            query = query.where(IntentRow.party_id == party.id)
        if state is not None:
            query = query.where(IntentRow.state == state)
        query = query.order_by(IntentRow.created_s, IntentRow.id).limit(limit).offset(offset)
        with self.db.read() as session:
            return [intent_json(row, name) for row, name in session.execute(query).all()]

    def conflicts_of(self, party: Party) -> list[dict[str, Any]]:
        """The conflicts that concern the caller's own intents that are not ended, as it may see them."""
        out: list[dict[str, Any]] = []
        with self.db.read() as session:
            rows = session.scalars(select(IntentRow).where(IntentRow.party_id == party.id,
                                                           IntentRow.state != "ended").order_by(IntentRow.created_s))
            for row in rows.all():
                verdict = self._judge(session, party, row.id, self.intent_volumes(row), _row_bounds(row),
                                      row.priority)
                out.extend(verdict.conflicts)
        return out

    # decisions -------------------------------------------------------------------------------------------------
    def _prepare(self, volumes_json: list[dict[str, Any]]) -> tuple[tuple[Volume, ...], Bounds]:
        if len(volumes_json) > self.settings.max_volumes_per_intent:
            raise TooLargeError(f"{len(volumes_json)} volumes: at most {self.settings.max_volumes_per_intent} "
                                "per intent")
        vertices = count_vertices(volumes_json)
        if vertices > self.settings.max_vertices_per_intent:
            raise TooLargeError(f"{vertices} vertices: at most {self.settings.max_vertices_per_intent} per intent")
        volumes = volumes_from_json(volumes_json)
        for i, volume in enumerate(volumes):
            if volume.window.end_s - volume.window.start_s > 366 * 86_400.0:
                raise InputError(f"volumes[{i}]: an intent's time window is at most a year")
        return volumes, bounds(volumes, self.model)

    def _judge(self, session: Session, party: Party, own_id: str, volumes: Sequence[Volume], box: Bounds,
               priority: int) -> _Verdict:
        margin = prefilter_margin_m(self.model)
        intents = session.scalars(select(IntentRow).where(
            IntentRow.state.in_(LIVE), IntentRow.id != own_id, *_overlaps(IntentRow, box, margin))).all()
        zones = session.scalars(select(ZoneRow).where(*_overlaps(ZoneRow, box, margin))).all()
        others: dict[Hashable, Sequence[Volume]] = {("i", r.id): self.intent_volumes(r) for r in intents}
        zone_of = {r.id: self.zone_of(r) for r in zones}
        others.update({("z", zid): vols for zid, (_, vols) in zone_of.items()})
        by_id = {r.id: r for r in intents}
        zone_rows = {r.id: r for r in zones}
        verdict = _Verdict()
        for found in find_conflicts(volumes, others, self.model):
            kind, other_id = found.owner  # type: ignore[misc]
            if kind == "z":
                zone, _ = zone_of[other_id]
                binds = zone.binding and (not zone.applies_to or party.name in zone.applies_to)
                reason = "binding zone" if binds else ("advisory zone" if not zone.binding
                                                       else "zone that does not bind this party")
                verdict.conflicts.append(_conflict(own_id, found, binds, reason, zone_rows[other_id]))
                verdict.blocking |= binds
                continue
            other = by_id[other_id]
            if other.state == "activated" or other.priority >= priority:
                reason = "activated intent" if other.state == "activated" else "intent of equal or higher priority"
                verdict.conflicts.append(_conflict(own_id, found, True, reason))
                verdict.blocking = True
            else:
                verdict.conflicts.append(_conflict(own_id, found, False, "lower-priority intent (preempted if "
                                                   "this one is accepted)"))
                verdict.preempt[other.id] = other
        return verdict

    def _preempt(self, session: Session, verdict: _Verdict, by_id: str) -> list[tuple[str, dict[str, Any]]]:
        events = []
        for other in verdict.preempt.values():
            seen = other.version
            session.refresh(other, with_for_update=not self.db.is_sqlite)
            if other.version != seen or other.state != "accepted":
                raise RetryError(f"intent {other.id} changed while being preempted")
            other.state, other.note = "rejected", "preempted by a higher-priority intent"
            self._bump(other)
            self._audit(session, "broker", "preempt", other, {"state": "rejected", "note": other.note,
                                                              "by": by_id})
            events.append((other.party_id, {"type": "intent.preempted", "intent_id": other.id,
                                            "version": other.version}))
        return events

    def _own_row_locked(self, session: Session, party: Party, intent_id: str, version: str,
                        extra_box: Bounds | None = None) -> IntentRow:
        """The caller's intent, with its region (and ``extra_box``) locked and its version checked."""
        row = session.get(IntentRow, intent_id)
        if row is None or row.party_id != party.id:
            raise NotFoundError(f"no intent {intent_id}")
        box = _union(_row_bounds(row).box, extra_box.box if extra_box else None)
        self.db.lock_region(session, box)
        session.refresh(row, with_for_update=not self.db.is_sqlite)
        if row.version != version:
            raise StaleVersionError(f"intent {intent_id} changed since version {version}", row.version,
                                    self._changed_since(session, intent_id, version), intent_json(row, party.name))
        if not _covers(box, _row_bounds(row).box):
            raise RetryError("intent moved while its region was being locked")
        return row

    def _changed_since(self, session: Session, entity_id: str, version: str) -> list[str]:
        changes = [audit_change(c) for c in session.scalars(
            select(AuditRow.change).where(AuditRow.entity_id == entity_id).order_by(AuditRow.seq)).all()]
        seen = [i for i, c in enumerate(changes) if c.get("version") == version]
        if not seen:
            return ["unknown version"]
        names = {name for c in changes[seen[-1] + 1:] for name in c if name not in ("version", "by")}
        return sorted(names)

    # helpers ---------------------------------------------------------------------------------------------------
    def _run(self, run: Callable[[Session], tuple[Decision, list[tuple[str, dict[str, Any]]]]]) -> Decision:
        for attempt in range(8):
            try:
                with self.db.write() as session:
                    decision, events = run(session)
                break
            except RetryError:
                continue
            except OperationalError as error:
                if attempt == 7 or not _transient(error):
                    raise
                time.sleep(0.01 * (attempt + 1))
        else:
            raise RetryError("decision kept racing; try again")
        for party_id, event in events:
            self.tell(party_id, event)
        return decision

    def tell(self, party_id: str, event: dict[str, Any]) -> None:
        """Send ``event`` to one party's subscribers (no-op without a notifier)."""
        if self._notify is not None:
            self._notify(party_id, event)

    def require(self, party: Party, *roles: Role) -> None:
        if party.role not in roles:
            raise ForbiddenError(f"role {party.role.value} may not do this")

    def intent_volumes(self, row: IntentRow) -> tuple[Volume, ...]:
        return self._volumes.get(("i", row.id, row.version), lambda: volumes_from_json(row.volumes))

    def zone_of(self, row: ZoneRow) -> tuple[Zone, tuple[Volume, ...]]:
        return self._zones.get((row.id, row.version), lambda: zone_from_feature(row.feature))

    def _bump(self, row: IntentRow) -> None:
        row.version, row.updated_s = new_version(), time.time()

    def _audit(self, session: Session, actor: str, action: str, row: IntentRow, fields: dict[str, Any]) -> None:
        session.flush()
        audit.append(self.db, session, actor, action, "intent", row.id, {"version": row.version, **fields})

    def _decision(self, row: IntentRow, party_name: str, verdict: _Verdict, accepted: bool | None = None) -> Decision:
        ok = (not verdict.blocking) if accepted is None else accepted
        return Decision(ok, intent_json(row, party_name), verdict.conflicts, len(verdict.preempt) if ok else 0)


def _overlaps(table: type[IntentRow] | type[ZoneRow], box: Bounds, margin_m: float) -> list[Any]:
    """SQL prefilter: boxes, altitude bands (widened by ``margin_m``) and time envelopes overlap."""
    return [
        table.min_lon <= box.max_lon, table.max_lon >= box.min_lon,
        table.min_lat <= box.max_lat, table.max_lat >= box.min_lat,
        table.alt_lo_m < box.alt_hi_m + margin_m, table.alt_hi_m > box.alt_lo_m - margin_m,
        table.t0_s < box.t1_s, table.t1_s > box.t0_s,
    ]


def _row_bounds(row: IntentRow | ZoneRow) -> Bounds:
    return Bounds(row.min_lon, row.min_lat, row.max_lon, row.max_lat, row.alt_lo_m, row.alt_hi_m, row.t0_s, row.t1_s)


def _covers(outer: tuple[float, float, float, float], inner: tuple[float, float, float, float]) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and outer[2] >= inner[2] and outer[3] >= inner[3]


def _union(a: tuple[float, float, float, float], b: tuple[float, float, float, float] | None
           ) -> tuple[float, float, float, float]:
    if b is None:
        return a
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _note(verdict: _Verdict) -> str:
    blocking = sum(c["blocking"] for c in verdict.conflicts)
    return f"{blocking} blocking conflict(s)" if blocking else ""


def _conflict(own_id: str, found: Found, blocking: bool, reason: str, zone: ZoneRow | None = None) -> dict[str, Any]:
    return {"intent_id": own_id, "volume_index": found.own_index, "with": "zone" if zone else "intent",
            "zone_id": zone.id if zone else None, "zone_name": zone.name if zone else None,
            "blocking": blocking, "reason": reason, **overlap_json(found.overlap)}


def _transient(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return any(word in text for word in ("locked", "deadlock", "could not serialize", "busy"))


def audit_change(text: str) -> dict[str, Any]:
    import json

    value = json.loads(text)
    return value if isinstance(value, dict) else {}


def intent_json(row: IntentRow, party_name: str) -> dict[str, Any]:
    """An intent in full: only for its owner, the authority and observers."""
    return {"id": row.id, "party": party_name, "priority": row.priority, "state": row.state, "version": row.version,
            "note": row.note, "volumes": row.volumes, "created": iso(row.created_s) or "",
            "updated": iso(row.updated_s) or ""}
