"""The broker: every decision about intents, under the locks of `service.db`. Routers only translate HTTP.

Lifecycle: a filed intent is decided at once (proposed -> accepted | rejected, in one transaction); then
accepted -> activated -> ended, or back to a re-check (rejected -> accepted). Priorities as ASTM F3548: an intent
may not conflict with an accepted or activated intent of equal or higher priority, nor with a binding zone that
applies to its party; a higher-priority intent that is accepted *preempts* the lower-priority accepted intents it
conflicts with (they become rejected, their parties are told), so two accepted intents never conflict. Activated
(airborne) intents are never preempted.

Before anything is judged a request is admitted (`Broker._admit`): its priority within the caller's grant
(`service.grants`, 403), its volumes within the size limits and paid from the caller's probe budget
(`service.budget`, 413/429). Every conflict a party is shown, and every preemption notice, is built by the
disclosure policy (`service.disclosure`, `service.judge`): never sharper than the authority's grid.

The broker writes and decides; what is near a proposal is found by `service.surroundings`, judged and disclosed by
`service.judge`, and a refused one's resolutions searched by `service.resolution`.

Thread-safe: one `Broker` serves every request thread; each call opens its own transaction.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from commonsky.airspace.volume import AltitudeModel, Volume
from commonsky.airspace.zone import Zone
from commonsky.errors import InputError, NotFoundError
from commonsky.plans.intent import IntentState
from commonsky.service import audit, idempotency
from commonsky.service.area_key import check_key, key_of
from commonsky.service.auth import Party, Role
from commonsky.service.budget import Budgets, SizeLimits, check_size, cost_units
from commonsky.service.db import Database
from commonsky.service.engine import (
    Bounds,
    bounds,
    count_vertices,
    iso,
    volumes_from_json,
)
from commonsky.service.errors import ForbiddenError, RetryError, StaleVersionError, TooLargeError
from commonsky.service.grants import Grants, priority_class
from commonsky.service.grid import grid_keys
from commonsky.service.judge import Judge, Verdict
from commonsky.service.models import AuditRow, IntentCellRow, IntentRow, PartyRow, ZoneRow
from commonsky.service.prejudge import Prejudged
from commonsky.service.resolution import resolutions
from commonsky.service.rows import (
    audit_change,
    covers,
    intent_view,
    row_bounds,
    union,
)
from commonsky.service.settings import ServiceSettings
from commonsky.service.surroundings import Surroundings
from commonsky.service.transient import transient
from commonsky.service.views import LIVE, ConflictView, IntentView, ResolutionView, view_json

Notify = Callable[[str, dict[str, Any]], None]
_S = IntentState
_TRANSITIONS = {
    (_S.REJECTED, _S.ACCEPTED),
    (_S.ACCEPTED, _S.ACTIVATED),
    (_S.ACCEPTED, _S.ENDED),
    (_S.ACTIVATED, _S.ENDED),
    (_S.REJECTED, _S.ENDED),
}


@dataclass(frozen=True)
class Preview:
    """What a write would do now (`Broker.check`): the verdict, the conflicts as the disclosure policy lets the
    caller see them (each with its OVN), whether it would preempt anything, and resolutions. Nothing is stored or
    locked, so it may change before the write; the write's ``key`` (= ``self.key``, the conflicts' OVNs) makes the
    broker refuse it (409) if it has."""

    accepted: bool
    conflicts: tuple[ConflictView, ...]
    preempts: bool = False
    resolutions: tuple[ResolutionView, ...] = ()

    @property
    def key(self) -> list[str]:
        return key_of(self.conflicts)


@dataclass(frozen=True)
class Decision(Preview):
    """What a write did, with the intent as its owner now sees it."""

    intent: IntentView = field(kw_only=True)


def new_version() -> str:
    return secrets.token_urlsafe(9)


class Broker:
    """Decides intents and zones against the database. ``notify(party_id, event)`` is called after commit.

    ``grants`` (the authority's disclosure policy and grants), ``budgets`` (the probe budgets) and ``limits`` (size
    limits) default to fresh ones over ``database``."""

    def __init__(
        self,
        database: Database,
        settings: ServiceSettings,
        notify: Notify | None = None,
        model: AltitudeModel | None = None,
        grants: Grants | None = None,
        budgets: Budgets | None = None,
        limits: SizeLimits | None = None,
    ) -> None:
        self.db = database
        self.settings = settings
        self.grants = grants or Grants(database, settings.probe_budget_units)
        self.budgets = budgets or Budgets()
        self.limits = limits or SizeLimits()
        self._notify = notify
        self.surroundings = Surroundings(model or AltitudeModel())
        self.judge = Judge(database, self.surroundings, self.grants)

    @property
    def model(self) -> AltitudeModel:
        """The altitude model every verdict uses (settable: a seeded scenario brings its own)."""
        return self.surroundings.model

    @model.setter
    def model(self, model: AltitudeModel) -> None:
        self.surroundings.model = model

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
        intent_id = str(uuid.uuid4())
        volumes, box, pre = self._intake(party, intent_id, volumes_json, priority, judge_first)

        def run(session: Session) -> tuple[Decision, list[tuple[str, dict[str, Any]]]]:
            self.db.lock_region(session, box.box)
            verdict = self.judge.judge_locked(session, pre, party, intent_id, volumes, box, priority)
            _check(verdict, key)
            state = IntentState.REJECTED if verdict.blocking else IntentState.ACCEPTED
            now = time.time()
            row = IntentRow(
                id=intent_id,
                party_id=party.id,
                priority=priority,
                state=state.value,
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
            events = self._preempt(session, verdict, intent_id, priority) if state is IntentState.ACCEPTED else []
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
        volumes, box, pre = self._intake(party, intent_id, volumes_json, priority, judge_first)

        def run(session: Session) -> tuple[Decision, list[tuple[str, dict[str, Any]]]]:
            row = self._own_row_locked(session, party, intent_id, version, extra_box=box)
            if row.state == IntentState.ENDED:
                raise InputError(f"intent {intent_id} has ended; file a new one")
            verdict = self.judge.judge_locked(session, pre, party, intent_id, volumes, box, priority)
            _check(verdict, key)
            if verdict.blocking and row.state in LIVE:
                return self._decision(row, party.name, verdict, accepted=False), []
            state = IntentState.REJECTED if verdict.blocking else IntentState(row.state)
            if state not in LIVE and not verdict.blocking:
                state = IntentState.ACCEPTED
            row.volumes, row.priority, row.state, row.note = volumes_json, priority, state.value, _note(verdict)
            for name, value in box.columns().items():
                setattr(row, name, value)
            self._bump(row)
            self._list(session, intent_id, box)
            events = self._preempt(session, verdict, intent_id, priority) if not verdict.blocking else []
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
        state: IntentState | str,
        *,
        key: Sequence[str] | None = None,
        resolve: bool = False,
    ) -> Decision:
        """Move an intent along its lifecycle (see the module docstring); ``accepted`` re-checks a rejected one,
        with ``key`` as in `submit` (activating and ending need only the intent's own version). A re-check is
        charged to the probe budget like a filing."""
        self.require(party, Role.OPERATOR)
        target = IntentState(state)
        if target is IntentState.ACCEPTED:
            with self.db.read() as session:
                found = session.get(IntentRow, intent_id)
            if found is None or found.party_id != party.id:
                raise NotFoundError(f"no intent {intent_id}")
            self._admit(party, self.intent_volumes(found), found.priority)

        def run(session: Session) -> tuple[Decision, list[tuple[str, dict[str, Any]]]]:
            row = self._own_row_locked(session, party, intent_id, version)
            if (IntentState(row.state), target) not in _TRANSITIONS:
                raise InputError(f"intent {intent_id} cannot go from {row.state} to {target.value}")
            verdict, events = Verdict(), []
            if target is IntentState.ACCEPTED:
                volumes = self.intent_volumes(row)
                verdict = self.judge.judge(session, party, intent_id, volumes, row_bounds(row), row.priority)
                _check(verdict, key)
                if verdict.blocking:
                    row.note = _note(verdict)
                    self._bump(row)
                    self._audit(session, party.name, "recheck", row, {"state": IntentState.REJECTED, "note": row.note})
                    return self._decision(row, party.name, verdict), []
                events = self._preempt(session, verdict, intent_id, row.priority)
            row.state, row.note = target.value, ""
            self._bump(row)
            if target is IntentState.ENDED:
                session.execute(delete(IntentCellRow).where(IntentCellRow.intent_id == intent_id))
            self._audit(session, party.name, "state", row, {"state": target, "note": ""})
            return self._decision(row, party.name, verdict), events

        return self._recheck_resolved(self._run(run), party, target, resolve)

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
        conflicts with their OVNs and the key to file with. Reads only; takes no lock; charged to the budget."""
        self.require(party, Role.OPERATOR)
        volumes, box = self._prepare(volumes_json)
        self._admit(party, volumes, priority)
        with self.db.read() as session:
            if intent_id is not None:
                row = session.get(IntentRow, intent_id)
                if row is None or row.party_id != party.id:
                    raise NotFoundError(f"no intent {intent_id}")
            own_id = intent_id or str(uuid.uuid4())
            verdict = self.judge.judge(session, party, own_id, volumes, box, priority)
            resolutions = self.resolutions(session, verdict, box) if resolve else ()
        preempts = not verdict.blocking and bool(verdict.preempt)
        return Preview(not verdict.blocking, tuple(verdict.conflicts), preempts, resolutions)

    def get_intent(self, party: Party, intent_id: str) -> IntentView:
        with self.db.read() as session:
            found = session.execute(
                select(IntentRow, PartyRow.name)
                .join(PartyRow, PartyRow.id == IntentRow.party_id)
                .where(IntentRow.id == intent_id)
            ).first()
        if found is None or (party.role is Role.OPERATOR and found[0].party_id != party.id):
            raise NotFoundError(f"no intent {intent_id}")
        return intent_view(found[0], found[1])

    def list_intents(self, party: Party, state: IntentState | None, limit: int, offset: int) -> list[IntentView]:
        """Operators see their own intents; authority and observers see the whole picture."""
        query = select(IntentRow, PartyRow.name).join(PartyRow, PartyRow.id == IntentRow.party_id)
        if party.role is Role.OPERATOR:
            query = query.where(IntentRow.party_id == party.id)
        if state is not None:
            query = query.where(IntentRow.state == state.value)
        query = query.order_by(IntentRow.created_s, IntentRow.id).limit(limit).offset(offset)
        with self.db.read() as session:
            return [intent_view(row, name) for row, name in session.execute(query).all()]

    def conflicts_of(self, party: Party) -> list[ConflictView]:
        """The conflicts that concern the caller's own intents that are not ended, as it may see them."""
        out: list[ConflictView] = []
        with self.db.read() as session:
            rows = session.scalars(
                select(IntentRow)
                .where(IntentRow.party_id == party.id, IntentRow.state != IntentState.ENDED.value)
                .order_by(IntentRow.created_s)
            )
            for row in rows.all():
                verdict = self.judge.judge(
                    session, party, row.id, self.intent_volumes(row), row_bounds(row), row.priority
                )
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
            verdict = self.judge.judge(session, party, intent_id, volumes, box, priority)
            return replace(decision, resolutions=self.resolutions(session, verdict, box))

    def _recheck_resolved(self, decision: Decision, party: Party, state: IntentState, resolve: bool) -> Decision:
        if state is not IntentState.ACCEPTED or decision.accepted or not resolve:
            return decision
        intent = decision.intent
        volumes = volumes_from_json(intent.volumes)
        box = bounds(volumes, self.model)
        return self._resolved(decision, party, intent.id, volumes, box, intent.priority, resolve)

    # admission: grants, size limits, probe budget -----------------------------------------------------------
    def _intake(
        self, party: Party, intent_id: str, volumes_json: list[dict[str, Any]], priority: int, judge_first: bool
    ) -> tuple[tuple[Volume, ...], Bounds, Prejudged[Verdict] | None]:
        """What a filing does before its write: the caller's role checked, the volumes parsed and bounded, the
        request admitted (`_admit`) and, with ``judge_first``, judged outside the lock (`Judge.prejudge`)."""
        self.require(party, Role.OPERATOR)
        volumes, box = self._prepare(volumes_json)
        self._admit(party, volumes, priority)
        pre = self.judge.prejudge(party, intent_id, volumes, box, priority) if judge_first else None
        return volumes, box, pre

    def _admit(self, party: Party, volumes: Sequence[Volume], priority: int) -> None:
        """Before anything is judged: the priority within the caller's grant (403), the volumes within the size
        limits (413), and the request paid from the caller's probe budget (429 with Retry-After)."""
        grant = self.grants.grant(party.id)
        grant.allow(priority)
        check_size(volumes, self.limits, time.time())
        cost = cost_units(volumes, self.grants.disclosure(), self.model)
        self.budgets.charge(party.id, grant.budget_units, cost)

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

    def _list(self, session: Session, intent_id: str, box: Bounds, *, new: bool = False) -> None:
        """(Re)list an intent in the prefilter grid (a ``new`` one has nothing listed yet)."""
        if not new:
            session.execute(delete(IntentCellRow).where(IntentCellRow.intent_id == intent_id))
        session.execute(insert(IntentCellRow), [{"key": key, "intent_id": intent_id} for key in grid_keys(box)])

    def resolutions(self, session: Session, verdict: Verdict, box: Bounds) -> tuple[ResolutionView, ...]:
        """Verified resolutions of a rejected intent (earliest free slot, nearest free level), as the disclosure
        grid lets them be said (`service.resolution`); empty for a verdict that does not block."""
        if verdict.candidate is None or not verdict.blocking:
            return ()
        return resolutions(session, self.surroundings, verdict.candidate, box, self.grants.disclosure(session))

    def _preempt(
        self, session: Session, verdict: Verdict, by_id: str, priority: int
    ) -> list[tuple[str, dict[str, Any]]]:
        """Reject the lower-priority intents ``verdict`` preempts; each owner is told which intent, when, the class
        of what took its place (never whose), and the part of its own intent in the way, as the grid shows it."""
        events = []
        at = iso(time.time())
        for other in verdict.preempt.values():
            seen = other.version
            session.refresh(other, with_for_update=not self.db.is_sqlite)
            if other.version != seen or other.state != IntentState.ACCEPTED:
                raise RetryError(f"intent {other.id} changed while being preempted")
            other.state, other.note = IntentState.REJECTED.value, "preempted by a higher-priority intent"
            self._bump(other)
            change = {
                "state": IntentState.REJECTED,
                "note": other.note,
                "by": by_id,
            }  # the log names it: authority only
            self._audit(session, "broker", "preempt", other, change)
            views = self.judge.victim_views(session, other, verdict.preempt_parts.get(other.id, []))
            event = {
                "type": "intent.preempted",
                "intent_id": other.id,
                "version": other.version,
                "at": at,
                "by": priority_class(priority).value,
                "conflicts": [view_json(v) for v in views],
            }
            events.append((other.party_id, event))
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
                asdict(intent_view(row, party.name)),
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
                if attempt == 7 or not transient(error):
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
        return self.surroundings.intent_volumes(row)

    def zone_of(self, row: ZoneRow) -> tuple[Zone, tuple[Volume, ...]]:
        return self.surroundings.zone_of(row)

    def _bump(self, row: IntentRow) -> None:
        row.version, row.updated_s = new_version(), time.time()

    def _audit(self, session: Session, actor: str, action: str, row: IntentRow, fields: dict[str, Any]) -> None:
        session.flush()
        audit.append(self.db, session, actor, action, "intent", row.id, {"version": row.version, **fields})

    def _decision(self, row: IntentRow, party_name: str, verdict: Verdict, accepted: bool | None = None) -> Decision:
        ok = (not verdict.blocking) if accepted is None else accepted
        preempts = ok and bool(verdict.preempt)
        return Decision(ok, tuple(verdict.conflicts), preempts, intent=intent_view(row, party_name))


def _note(verdict: Verdict) -> str:
    blocking = sum(c.blocking for c in verdict.conflicts)
    return f"{blocking} blocking conflict(s)" if blocking else ""


def _check(verdict: Verdict, key: Sequence[str] | None) -> None:
    if key is not None:
        check_key(verdict.conflicts, key)
