"""/conflicts: the conflicts that concern the caller's own intents, as the disclosure policy lets it see them."""

from __future__ import annotations

from fastapi import APIRouter

from commonsky.service.deps import PartyDep, ServicesDep
from commonsky.service.schemas import ConflictOut

router = APIRouter(tags=["conflicts"])


@router.get("/conflicts", response_model=list[ConflictOut])
def own_conflicts(party: PartyDep, services: ServicesDep) -> list[ConflictOut]:
    return [ConflictOut.model_validate(v) for v in services.broker.conflicts_of(party)]
