"""/audit: the hash-chained log of every change, for the authority only (it names everyone)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select

from commonsky.service import audit as chain
from commonsky.service.auth import Party, Role
from commonsky.service.deps import ServicesDep, require
from commonsky.service.engine import iso
from commonsky.service.models import AuditRow
from commonsky.service.rows import audit_change
from commonsky.service.schemas import AuditOut

router = APIRouter(tags=["audit"])
Authority = Annotated[Party, require(Role.AUTHORITY)]


@router.get("/audit", response_model=list[AuditOut])
def entries(
    party: Authority,
    services: ServicesDep,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    with services.db.read() as session:
        rows = session.scalars(select(AuditRow).where(AuditRow.seq > after).order_by(AuditRow.seq).limit(limit))
        return [
            {
                "seq": r.seq,
                "at": iso(r.at_s) or "",
                "actor": r.actor,
                "action": r.action,
                "entity": r.entity,
                "entity_id": r.entity_id,
                "change": audit_change(r.change),
                "prev_hash": r.prev_hash,
                "hash": r.hash,
            }
            for r in rows.all()
        ]


@router.get("/audit/verify")
def verify(party: Authority, services: ServicesDep) -> dict[str, Any]:
    return chain.verify(services.db).to_json()
