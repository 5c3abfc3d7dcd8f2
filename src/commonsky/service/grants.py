"""What the authority decides for everyone: the disclosure policy and, per party, its grant.

A grant is the highest priority a party may file at and its daily probe budget (`service.budget`). A party without
a stored grant has the defaults: priority up to `DEFAULT_MAX_PRIORITY` (routine) and the service's
``probe_budget_units`` (`DEFAULT_BUDGET_UNITS`). The
emergency priority (`EMERGENCY_PRIORITY`) is only ever reached through a grant. Priorities are self-declared no
more: a filing or a dry run above the caller's grant is refused (403) before anything is judged.

Both are stored (``disclosure_policy``, ``party_grants``), written by the authority only, audited, and read through a
cache of ``ttl_s`` seconds: a change made through this process applies at once, one made through another instance
within ``ttl_s``. Thread-safe.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonsky.errors import InputError, NotFoundError
from commonsky.service import audit
from commonsky.service.db import Database
from commonsky.service.disclosure import DisclosurePolicy
from commonsky.service.errors import ForbiddenError
from commonsky.service.models import DisclosurePolicyRow, GrantRow, PartyRow

EMERGENCY_PRIORITY = 100
DEFAULT_MAX_PRIORITY = 50
DEFAULT_BUDGET_UNITS = 15_000.0  # one unit: one disclosure cell x one time step x one altitude band
_POLICY_ID = 1


class PriorityClass(StrEnum):
    """What a preempted party is told of the intent that took its place (never whose it is)."""

    ROUTINE = "routine"  # 0 to DEFAULT_MAX_PRIORITY: any operator
    PRIORITY = "priority"  # above it: by grant
    EMERGENCY = "emergency"  # EMERGENCY_PRIORITY: by grant only


def priority_class(priority: int) -> PriorityClass:
    if priority >= EMERGENCY_PRIORITY:
        return PriorityClass.EMERGENCY
    return PriorityClass.PRIORITY if priority > DEFAULT_MAX_PRIORITY else PriorityClass.ROUTINE


@dataclass(frozen=True)
class Grant:
    """One party's grant: ``max_priority`` (0-100) and ``budget_units`` per day."""

    max_priority: int = DEFAULT_MAX_PRIORITY
    budget_units: float = DEFAULT_BUDGET_UNITS

    def __post_init__(self) -> None:
        if not 0 <= self.max_priority <= EMERGENCY_PRIORITY:
            raise InputError(f"max_priority {self.max_priority}: use 0 to {EMERGENCY_PRIORITY}")
        if not 0.0 <= self.budget_units <= 1e12:
            raise InputError(f"budget_units {self.budget_units}: use 0 to 1e12")

    def allow(self, priority: int) -> None:
        """Raise `ForbiddenError` (403, one line) when ``priority`` is above this grant."""
        if priority > self.max_priority:
            raise ForbiddenError(f"priority {priority} is above this party's grant ({self.max_priority})")


class Grants:
    """The stored disclosure policy and grants, cached for ``ttl_s`` seconds."""

    def __init__(
        self, database: Database, default_budget_units: float = DEFAULT_BUDGET_UNITS, ttl_s: float = 5.0
    ) -> None:
        self.db = database
        self.default = Grant(budget_units=default_budget_units)
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._policy: tuple[DisclosurePolicy, float] | None = None
        self._grants: dict[str, tuple[Grant, float]] = {}

    def disclosure(self, session: Session | None = None) -> DisclosurePolicy:
        """The policy in force (cached). A caller that holds a ``session`` passes it: it is read with that
        connection then, never with a second one (writers holding one each must not wait for the pool)."""
        now = time.monotonic()
        with self._lock:
            if self._policy is not None and self._policy[1] > now:
                return self._policy[0]
        if session is not None:
            row = session.get(DisclosurePolicyRow, _POLICY_ID)
        else:
            with self.db.read() as own:
                row = own.get(DisclosurePolicyRow, _POLICY_ID)
        policy = DisclosurePolicy() if row is None else DisclosurePolicy(row.cell_deg, row.step_s, row.band_ft)
        with self._lock:
            self._policy = (policy, now + self.ttl_s)
        return policy

    def set_disclosure(self, actor: str, policy: DisclosurePolicy) -> DisclosurePolicy:
        """Store ``policy`` (the authority's call: the router checks the role). Every area key changes with it."""
        with self.db.write() as session:
            row = session.get(DisclosurePolicyRow, _POLICY_ID)
            if row is None:
                row = DisclosurePolicyRow(id=_POLICY_ID)
                session.add(row)
            row.cell_deg, row.step_s, row.band_ft, row.updated_s = (
                policy.cell_deg,
                policy.step_s,
                policy.band_ft,
                time.time(),
            )
            session.flush()
            change = {"cell_deg": policy.cell_deg, "step_s": policy.step_s, "band_ft": policy.band_ft}
            audit.append(self.db, session, actor, "set-policy", "policy", "disclosure", change)
        with self._lock:
            self._policy = (policy, time.monotonic() + self.ttl_s)
        return policy

    def grant(self, party_id: str) -> Grant:
        now = time.monotonic()
        with self._lock:
            hit = self._grants.get(party_id)
        if hit is not None and hit[1] > now:
            return hit[0]
        with self.db.read() as session:
            row = session.get(GrantRow, party_id)
        grant = self.default if row is None else Grant(row.max_priority, row.budget_units)
        with self._lock:
            if len(self._grants) > 100_000:
                self._grants.clear()
            self._grants[party_id] = (grant, now + self.ttl_s)
        return grant

    def set_grant(self, actor: str, party_name: str, grant: Grant) -> Grant:
        """Store ``grant`` for the party named ``party_name`` (`NotFoundError` if there is none)."""
        with self.db.write() as session:
            party_id = session.scalar(select(PartyRow.id).where(PartyRow.name == party_name))
            if party_id is None:
                raise NotFoundError(f"no party {party_name}")
            row = session.get(GrantRow, party_id)
            if row is None:
                row = GrantRow(party_id=party_id)
                session.add(row)
            row.max_priority, row.budget_units, row.updated_s = grant.max_priority, grant.budget_units, time.time()
            session.flush()
            change = {"max_priority": grant.max_priority, "budget_units": grant.budget_units}
            audit.append(self.db, session, actor, "grant", "party", party_id, change)
        with self._lock:
            self._grants[party_id] = (grant, time.monotonic() + self.ttl_s)
        return grant
