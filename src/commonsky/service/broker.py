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

import math
import secrets
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from commonsky.airspace.volume import AltitudeModel, Volume
from commonsky.airspace.zone import Zone
from commonsky.errors import InputError, NotFoundError
from commonsky.plans.intent import Intent
from commonsky.service import audit, idempotency
from commonsky.service.area_key import check_key, key_of, ovn
from commonsky.service.auth import Party, Role
from commonsky.service.cache import VersionCache
from commonsky.service.db import Database
from commonsky.service.engine import (
    Bounds,
    bounds,
    build_engine,
    count_vertices,
    overlap_json,
    prefilter_margin_m,
    resolution_json,
    to_intent,
    volumes_from_json,
    zone_from_feature,
)
from commonsky.service.errors import ForbiddenError, RetryError, StaleVersionError, TooLargeError
from commonsky.service.grid import WIDE, grid_keys
from commonsky.service.models import AuditRow, IntentCellRow, IntentRow, PartyRow, ZoneRow
from commonsky.service.prejudge import Prejudged, basis
from commonsky.service.rows import (
    LIVE,
    audit_change,
    covers,
    intent_json,
    near_intents,
    near_zones,
    overlap_params,
    row_bounds,
    union,
)
from commonsky.service.settings import ServiceSettings
from commonsky.strategic.engine import StrategicEngine
from commonsky.strategic.policy import Policy
from commonsky.strategic.result import ConflictPart, Effect, OtherKind

ACTIVATED = 1_000_000  # the engine's priority for an activated intent: above every filed priority
Notify = Callable[[str, dict[str, Any]], None]
_TRANSITIONS = {
    ("rejected", "accepted"),
    ("accepted", "activated"),
    ("accepted", "ended"),
    ("activated", "ended"),
    ("rejected", "ended"),
}


@dataclass(frozen=True)
class Preview:
    """What a write would do now (`Broker.check`): the verdict, the conflicts (redacted, each with the other side's
    OVN), preemptions and resolutions. Nothing is stored or locked, so it may change before the write; the write's
    ``key`` (= ``self.key``, the conflicts' OVNs) makes the broker refuse it (409) if it has."""

    accepted: bool
    conflicts: list[dict[str, Any]]
    preempted: int = 0
    resolutions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> list[str]:
        return key_of(self.conflicts)


@dataclass(frozen=True)
class Decision(Preview):
    """What a write did, with the intent as its owner now sees it."""

    intent: dict[str, Any] = field(kw_only=True)


@dataclass
class _Verdict:
    candidate: Intent | None = None
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    blocking: bool = False
    preempt: dict[str, IntentRow] = field(default_factory=dict)


def new_version() -> str:
    return secrets.token_urlsafe(9)


class Broker:
    """Decides intents and zones against the database. ``notify(party_id, event)`` is called after commit."""

    def __init__(
        self,
        database: Database,
        settings: ServiceSettings,
        notify: Notify | None = None,
        model: AltitudeModel | None = None,
    ) -> None:
        self.db = database
        self.settings = settings
        self.model = model or AltitudeModel()
        self._notify = notify
        self._volumes: VersionCache[tuple[Volume, ...]] = VersionCache()
        self._zones: VersionCache[tuple[Zone, tuple[Volume, ...]]] = VersionCache(1_000)

    # public: intents ---------------------------------------------------------------------------------------
    def submit(
        self,
        party: Party,
        volumes_json: list[dict[str, Any]],
        priority: int,
        *,
        key: Sequence[str] | None = None,
        resolve: bool = False,
        judge_first: bool = False,
    ) -> Decision:
        """File a new intent; it is decided at once. ``resolve``: a rejection comes with verified resolutions.
        ``judge_first``: judge before taking the write lock, re-validated under it (`service.prejudge`; for heavy
        requests, so that they do not hold the lock while they judge).

        ``key``: the OVNs of what the filer saw in its way (`service.area_key`); `AreaChangedError` when something
        else is. The HTTP API always passes one (empty when the body has none); ``None`` skips the check, for
        in-process callers that decide without looking (tests of the no-double-acceptance invariant)."""
        self.require(party, Role.OPERATOR)
        volumes, box = self._prepare(volumes_json)
        intent_id = str(uuid.uuid4())
        pre = self._prejudge(party, intent_id, volumes, box, priority) if judge_first else None

        def run(session: Session) -> tuple[Decision, list[tuple[str, dict[str, Any]]]]:
            self.db.lock_region(session, box.box)
            verdict = self._judge_locked(session, pre, party, intent_id, volumes, box, priority)
            _check(verdict, key)
            state = "rejected" if verdict.blocking else "accepted"
            now = time.time()
            row = IntentRow(
                id=intent_id,
                party_id=party.id,
                priority=priority,
                state=state,
                version=new_version(),
                volumes=volumes_json,
                note=_note(verdict),
                created_s=now,
                updated_s=now,
                **box.columns(),
            )
            session.add(row)
            session.flush()
            self._list(session, intent_id, box, new=True)
            events = self._preempt(session, verdict, intent_id) if state == "accepted" else []
            self._audit(
                session,
                party.name,
                "submit",
                row,
                {"party": party.name, "priority": priority, "state": state, "note": row.note, "volumes": volumes_json},
            )
            return self._decision(row, party.name, verdict), events

        return self._resolved(self._run(run), party, intent_id, volumes, box, priority, resolve)

    def update(
        self,
        party: Party,
        intent_id: str,
        version: str,
        volumes_json: list[dict[str, Any]],
        priority: int,
        *,
        key: Sequence[str] | None = None,
        resolve: bool = False,
        judge_first: bool = False,
    ) -> Decision:
        """Replace an intent's volumes and priority. An accepted change keeps its state; a refused change of an
        accepted or activated intent leaves it as it was (``accepted`` false); a rejected intent is re-decided.
        ``key`` and ``judge_first`` as in `submit`, over the new volumes."""
        self.require(party, Role.OPERATOR)
        volumes, box = self._prepare(volumes_json)
        pre = self._prejudge(party, intent_id, volumes, box, priority) if judge_first else None

        def run(session: Session) -> tuple[Decision, list[tuple[str, dict[str, Any]]]]:
            row = self._own_row_locked(session, party, intent_id, version, extra_box=box)
            if row.state == "ended":
                raise InputError(f"intent {intent_id} has ended; file a new one")
            verdict = self._judge_locked(session, pre, party, intent_id, volumes, box, priority)
            _check(verdict, key)
            if verdict.blocking and row.state in LIVE:
                return self._decision(row, party.name, verdict, accepted=False), []
            state = "rejected" if verdict.blocking else (row.state if row.state in LIVE else "accepted")
            row.volumes, row.priority, row.state, row.note = volumes_json, priority, state, _note(verdict)
            for name, value in box.columns().items():
                setattr(row, name, value)
            self._bump(row)
            self._list(session, intent_id, box)
            events = self._preempt(session, verdict, intent_id) if not verdict.blocking else []
            self._audit(
                session,
                party.name,
                "update",
                row,
                {"priority": priority, "state": state, "note": row.note, "volumes": volumes_json},
            )
            return self._decision(row, party.name, verdict), events

        return self._resolved(self._run(run), party, intent_id, volumes, box, priority, resolve)

    def change_state(
        self,
        party: Party,
        intent_id: str,
        version: str,
        state: str,
        *,
        key: Sequence[str] | None = None,
        resolve: bool = False,
    ) -> Decision:
        """Move an intent along its lifecycle (see the module docstring); ``accepted`` re-checks a rejected one,
        with ``key`` as in `submit` (activating and ending need only the intent's own version)."""
        self.require(party, Role.OPERATOR)

        def run(session: Session) -> tuple[Decision, list[tuple[str, dict[str, Any]]]]:
            row = self._own_row_locked(session, party, intent_id, version)
            if (row.state, state) not in _TRANSITIONS:
                raise InputError(f"intent {intent_id} cannot go from {row.state} to {state}")
            verdict, events = _Verdict(), []
            if state == "accepted":
                volumes = self.intent_volumes(row)
                verdict = self._judge(session, party, intent_id, volumes, row_bounds(row), row.priority)
                _check(verdict, key)
                if verdict.blocking:
                    row.note = _note(verdict)
                    self._bump(row)
                    self._audit(session, party.name, "recheck", row, {"state": "rejected", "note": row.note})
                    return self._decision(row, party.name, verdict), []
                events = self._preempt(session, verdict, intent_id)
            row.state, row.note = state, ""
            self._bump(row)
            if state == "ended":
                session.execute(delete(IntentCellRow).where(IntentCellRow.intent_id == intent_id))
            self._audit(session, party.name, "state", row, {"state": state, "note": ""})
            return self._decision(row, party.name, verdict), events

        return self._recheck_resolved(self._run(run), party, state, resolve)

    def check(
        self,
        party: Party,
        volumes_json: list[dict[str, Any]],
        priority: int,
        *,
        intent_id: str | None = None,
        resolve: bool = False,
    ) -> Preview:
        """Dry run of `submit` (or, with ``intent_id``, of `update` of the caller's own intent): the verdict, the
        conflicts with their OVNs and the key to file with. Reads only; takes no lock."""
        self.require(party, Role.OPERATOR)
        volumes, box = self._prepare(volumes_json)
        with self.db.read() as session:
            if intent_id is not None:
                row = session.get(IntentRow, intent_id)
                if row is None or row.party_id != party.id:
                    raise NotFoundError(f"no intent {intent_id}")
            own_id = intent_id or str(uuid.uuid4())
            verdict = self._judge(session, party, own_id, volumes, box, priority)
            resolutions = self.resolutions(session, verdict, box) if resolve else []
        preempted = 0 if verdict.blocking else len(verdict.preempt)
        return Preview(not verdict.blocking, verdict.conflicts, preempted, resolutions)

    def get_intent(self, party: Party, intent_id: str) -> dict[str, Any]:
        with self.db.read() as session:
            found = session.execute(
                select(IntentRow, PartyRow.name)
                .join(PartyRow, PartyRow.id == IntentRow.party_id)
                .where(IntentRow.id == intent_id)
            ).first()
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
            rows = session.scalars(
                select(IntentRow)
                .where(IntentRow.party_id == party.id, IntentRow.state != "ended")
                .order_by(IntentRow.created_s)
            )
            for row in rows.all():
                verdict = self._judge(session, party, row.id, self.intent_volumes(row), row_bounds(row), row.priority)
                out.extend(verdict.conflicts)
        return out

    def _resolved(
        self,
        decision: Decision,
        party: Party,
        intent_id: str,
        volumes: Sequence[Volume],
        box: Bounds,
        priority: int,
        resolve: bool,
    ) -> Decision:
        """Add resolutions to a refusal, after commit (advice needs no lock: it is re-verified when filed)."""
        if decision.accepted or not resolve:
            return decision
        with self.db.read() as session:
            verdict = self._judge(session, party, intent_id, volumes, box, priority)
            return replace(decision, resolutions=self.resolutions(session, verdict, box))

    def _recheck_resolved(self, decision: Decision, party: Party, state: str, resolve: bool) -> Decision:
        if state != "accepted" or decision.accepted or not resolve:
            return decision
        intent = decision.intent
        volumes = volumes_from_json(intent["volumes"])
        box = bounds(volumes, self.model)
        return self._resolved(decision, party, intent["id"], volumes, box, intent["priority"], resolve)

    # decisions -------------------------------------------------------------------------------------------------
    def _prepare(self, volumes_json: list[dict[str, Any]]) -> tuple[tuple[Volume, ...], Bounds]:
        if len(volumes_json) > self.settings.max_volumes_per_intent:
            raise TooLargeError(
                f"{len(volumes_json)} volumes: at most {self.settings.max_volumes_per_intent} per intent"
            )
        vertices = count_vertices(volumes_json)
        if vertices > self.settings.max_vertices_per_intent:
            raise TooLargeError(f"{vertices} vertices: at most {self.settings.max_vertices_per_intent} per intent")
        volumes = volumes_from_json(volumes_json)
        for i, volume in enumerate(volumes):
            if volume.window.end_s - volume.window.start_s > 366 * 86_400.0:
                raise InputError(f"volumes[{i}]: an intent's time window is at most a year")
        return volumes, bounds(volumes, self.model)

    def _judge(
        self, session: Session, party: Party, own_id: str, volumes: Sequence[Volume], box: Bounds, priority: int
    ) -> _Verdict:
        """Run the strategic engine on the rows the SQL prefilter finds near ``box``."""
        margin = prefilter_margin_m(self.model)
        intents = self._near(session, own_id, box, margin)
        zones = session.scalars(near_zones(), overlap_params(box, margin)).all()
        candidate = to_intent(own_id, party.name, tuple(volumes), priority)
        engine = self._engine(intents, zones)
        by_id = {r.id: r for r in intents}
        zone_rows = {r.id: r for r in zones}
        verdict = _Verdict(candidate=candidate)
        for conflict in engine.check(candidate, resolve=False).conflicts:
            zone = zone_rows.get(conflict.other) if conflict.kind is OtherKind.ZONE else None
            blocks = conflict.effect is Effect.BLOCKS
            if zone is not None:
                reason = "binding zone" if blocks else "advisory zone"
            elif by_id[conflict.other].state == "activated":
                reason = "activated intent"
            elif blocks:
                reason = "intent of equal or higher priority"
            else:
                reason = "lower-priority intent (preempted if this one is accepted)"
                verdict.preempt[conflict.other] = by_id[conflict.other]
            verdict.blocking |= blocks
            seen = ovn(party.id, "zone", zone.id, zone.version) if zone else _intent_ovn(party, by_id[conflict.other])
            verdict.conflicts.extend(_conflict(own_id, part, blocks, reason, seen, zone) for part in conflict.parts)
        return verdict

    # judging outside the write lock (`service.prejudge`) ------------------------------------------------------
    def _prejudge(
        self, party: Party, own_id: str, volumes: Sequence[Volume], box: Bounds, priority: int
    ) -> Prejudged[_Verdict]:
        """Judge on one read snapshot, holding no lock, and keep what the verdict was judged against."""
        with self.db.snapshot() as session:
            seen = basis(session, own_id, box, prefilter_margin_m(self.model))
            return Prejudged(self._judge(session, party, own_id, volumes, box, priority), seen)

    def _judge_locked(
        self,
        session: Session,
        pre: Prejudged[_Verdict] | None,
        party: Party,
        own_id: str,
        volumes: Sequence[Volume],
        box: Bounds,
        priority: int,
    ) -> _Verdict:
        """Under the write lock: ``pre``'s verdict if nothing it was judged against has changed, else judge now.
        The rows to preempt are loaded into this session (the write refreshes and changes them)."""
        if pre is not None and basis(session, own_id, box, prefilter_margin_m(self.model)) == pre.basis:
            held = {other_id: session.get(IntentRow, other_id) for other_id in pre.verdict.preempt}
            if all(row is not None for row in held.values()):
                return replace(pre.verdict, preempt={k: v for k, v in held.items() if v is not None})
        return self._judge(session, party, own_id, volumes, box, priority)

    def _list(self, session: Session, intent_id: str, box: Bounds, *, new: bool = False) -> None:
        """(Re)list an intent in the prefilter grid (a ``new`` one has nothing listed yet)."""
        if not new:
            session.execute(delete(IntentCellRow).where(IntentCellRow.intent_id == intent_id))
        session.execute(insert(IntentCellRow), [{"key": key, "intent_id": intent_id} for key in grid_keys(box)])

    def _near(self, session: Session, own_id: str, box: Bounds, margin_m: float) -> Sequence[IntentRow]:
        """Live intents other than ``own_id`` whose envelope meets ``box``: through the grid, unless ``box`` is
        itself too wide for it (then a range scan)."""
        keys = grid_keys(box)
        params: dict[str, Any] = {"own": own_id, **overlap_params(box, margin_m)}
        if keys == [WIDE]:
            return session.scalars(near_intents(listed=False), params).all()
        return session.scalars(near_intents(listed=True), {**params, "keys": [*keys, WIDE]}).all()

    def _engine(self, intents: Sequence[IntentRow], zones: Sequence[ZoneRow]) -> StrategicEngine:
        """The engine over these rows; activated intents rank above every priority (they are never preempted)."""
        return build_engine(
            self.model,
            [(r.id, self.zone_of(r)[0]) for r in zones],
            [
                to_intent(r.id, r.party_id, self.intent_volumes(r), ACTIVATED if r.state == "activated" else r.priority)
                for r in intents
            ],
        )

    def resolutions(self, session: Session, verdict: _Verdict, box: Bounds) -> list[dict[str, Any]]:
        """Verified resolutions of a rejected intent (earliest free slot, nearest free block): the engine searches
        against every live intent and zone over the same lon/lat box, at any altitude, up to its time horizon."""
        if verdict.candidate is None or not verdict.blocking:
            return []
        horizon = Policy().max_time_shift_s
        wide = replace(box, alt_lo_m=-math.inf, alt_hi_m=math.inf, t1_s=box.t1_s + horizon)
        intents = self._near(session, verdict.candidate.id, wide, 0.0)
        zones = session.scalars(near_zones(), overlap_params(wide, 0.0)).all()
        result = self._engine(intents, zones).check(verdict.candidate, resolve=True)
        return [resolution_json(r) for r in result.resolutions]

    def _preempt(self, session: Session, verdict: _Verdict, by_id: str) -> list[tuple[str, dict[str, Any]]]:
        events = []
        for other in verdict.preempt.values():
            seen = other.version
            session.refresh(other, with_for_update=not self.db.is_sqlite)
            if other.version != seen or other.state != "accepted":
                raise RetryError(f"intent {other.id} changed while being preempted")
            other.state, other.note = "rejected", "preempted by a higher-priority intent"
            self._bump(other)
            self._audit(session, "broker", "preempt", other, {"state": "rejected", "note": other.note, "by": by_id})
            events.append(
                (other.party_id, {"type": "intent.preempted", "intent_id": other.id, "version": other.version})
            )
        return events

    def _own_row_locked(
        self, session: Session, party: Party, intent_id: str, version: str, extra_box: Bounds | None = None
    ) -> IntentRow:
        """The caller's intent, with its region (and ``extra_box``) locked and its version checked."""
        row = session.get(IntentRow, intent_id)
        if row is None or row.party_id != party.id:
            raise NotFoundError(f"no intent {intent_id}")
        box = union(row_bounds(row).box, extra_box.box if extra_box else None)
        self.db.lock_region(session, box)
        session.refresh(row, with_for_update=not self.db.is_sqlite)
        if row.version != version:
            raise StaleVersionError(
                f"intent {intent_id} changed since version {version}",
                row.version,
                self._changed_since(session, intent_id, version),
                intent_json(row, party.name),
            )
        if not covers(box, row_bounds(row).box):
            raise RetryError("intent moved while its region was being locked")
        return row

    def _changed_since(self, session: Session, entity_id: str, version: str) -> list[str]:
        changes = [
            audit_change(c)
            for c in session.scalars(
                select(AuditRow.change).where(AuditRow.entity_id == entity_id).order_by(AuditRow.seq)
            ).all()
        ]
        seen = [i for i, c in enumerate(changes) if c.get("version") == version]
        if not seen:
            return ["unknown version"]
        names = {name for c in changes[seen[-1] + 1 :] for name in c if name not in ("version", "by")}
        return sorted(names)

    # helpers ---------------------------------------------------------------------------------------------------
    def _run(self, run: Callable[[Session], tuple[Decision, list[tuple[str, dict[str, Any]]]]]) -> Decision:
        for attempt in range(8):
            try:
                with self.db.write() as session:
                    decision, events = run(session)
                    idempotency.draft(decision)  # the answer a keyed retry gets if this one is lost
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
        preempted = len(verdict.preempt) if ok else 0
        return Decision(ok, verdict.conflicts, preempted, intent=intent_json(row, party_name))


def _note(verdict: _Verdict) -> str:
    blocking = sum(c["blocking"] for c in verdict.conflicts)
    return f"{blocking} blocking conflict(s)" if blocking else ""


def _check(verdict: _Verdict, key: Sequence[str] | None) -> None:
    if key is not None:
        check_key(verdict.conflicts, key)


def _intent_ovn(viewer: Party, row: IntentRow) -> str:
    return ovn(viewer.id, "intent", row.id, row.version)


def _conflict(
    own_id: str, part: ConflictPart, blocking: bool, reason: str, other_ovn: str, zone: ZoneRow | None = None
) -> dict[str, Any]:
    return {
        "intent_id": own_id,
        "volume_index": part.own_volume,
        "with": "zone" if zone else "intent",
        "zone_id": zone.id if zone else None,
        "zone_name": zone.name if zone else None,
        "blocking": blocking,
        "reason": reason,
        "ovn": other_ovn,
        **overlap_json(part.overlap),
    }


def _transient(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return any(word in text for word in ("locked", "deadlock", "could not serialize", "busy"))
