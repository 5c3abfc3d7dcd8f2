"""/conflicts: the conflicts that concern the caller's own intents: where, when, which altitudes; never whose."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from commonsky.service.deps import PartyDep, ServicesDep
from commonsky.service.schemas import ConflictOut

router = APIRouter(tags=["conflicts"])


@router.get("/conflicts", response_model=list[ConflictOut])
def own_conflicts(party: PartyDep, services: ServicesDep) -> list[dict[str, Any]]:
    return services.broker.conflicts_of(party)
