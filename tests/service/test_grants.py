"""The authority's decisions (`service.grants`), on both backends: grants and the disclosure policy are stored,
audited and read back (by this instance at once, by another one within its cache time); an unknown party's grant
is refused and stores nothing; the priority classes and grant bounds."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from commonsky.errors import InputError, NotFoundError
from commonsky.service import audit, auth
from commonsky.service.db import Database
from commonsky.service.disclosure import DisclosurePolicy
from commonsky.service.errors import ForbiddenError
from commonsky.service.grants import (
    DEFAULT_MAX_PRIORITY,
    EMERGENCY_PRIORITY,
    Grant,
    Grants,
    PriorityClass,
    priority_class,
)
from commonsky.service.models import AuditRow, GrantRow


def _audited(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(AuditRow)) or 0)


def test_a_grant_is_stored_audited_and_read_by_every_instance(db: Database) -> None:
    party, _ = auth.create_party(db, "medevac", "operator")
    here, fresh, cached = Grants(db, 1_000.0), Grants(db, 1_000.0, ttl_s=0.0), Grants(db, 1_000.0, ttl_s=3_600.0)
    assert here.grant(party.id) == cached.grant(party.id) == Grant(DEFAULT_MAX_PRIORITY, 1_000.0)
    before = _audited(db)
    wanted = Grant(max_priority=EMERGENCY_PRIORITY, budget_units=50_000.0)
    assert here.set_grant("caa", "medevac", wanted) == wanted
    assert here.grant(party.id) == fresh.grant(party.id) == wanted
    assert cached.grant(party.id) == Grant(DEFAULT_MAX_PRIORITY, 1_000.0)  # until its cache time is up
    assert _audited(db) == before + 1
    assert audit.verify(db).ok


def test_a_grant_for_an_unknown_party_stores_nothing(db: Database) -> None:
    grants, before = Grants(db), _audited(db)
    with pytest.raises(NotFoundError, match="no party nobody"):
        grants.set_grant("caa", "nobody", Grant(max_priority=80))
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(GrantRow)) == 0
    assert _audited(db) == before


def test_the_disclosure_policy_is_stored_and_read_by_another_instance(db: Database) -> None:
    grants = Grants(db)
    assert grants.disclosure() == DisclosurePolicy()
    coarse = DisclosurePolicy(cell_deg=0.5, step_s=900.0, band_ft=2_000.0)
    grants.set_disclosure("caa", coarse)
    assert grants.disclosure() == Grants(db).disclosure() == coarse
    with db.read() as session:
        assert Grants(db).disclosure(session) == coarse


def test_priority_classes_and_grant_bounds() -> None:
    assert [priority_class(p) for p in (0, DEFAULT_MAX_PRIORITY, DEFAULT_MAX_PRIORITY + 1, 99, 100)] == [
        PriorityClass.ROUTINE,
        PriorityClass.ROUTINE,
        PriorityClass.PRIORITY,
        PriorityClass.PRIORITY,
        PriorityClass.EMERGENCY,
    ]
    Grant(max_priority=30).allow(30)
    with pytest.raises(ForbiddenError, match=r"^priority 31 is above this party's grant \(30\)$"):
        Grant(max_priority=30).allow(31)
    with pytest.raises(InputError, match="max_priority 101"):
        Grant(max_priority=EMERGENCY_PRIORITY + 1)
    with pytest.raises(InputError, match="budget_units -1"):
        Grant(budget_units=-1.0)
