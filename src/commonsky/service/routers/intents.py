"""/intents: operators file and manage their own; authority and observers read the whole picture."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from commonsky.service.auth import Party, Role
from commonsky.service.broker import Decision
from commonsky.service.deps import PartyDep, ServicesDep, require
from commonsky.service.schemas import IntentIn, IntentOut, IntentUpdate, StaleOut, StateChange, SubmissionOut

router = APIRouter(tags=["intents"])
Operator = Annotated[Party, require(Role.OPERATOR)]
Resolve = Annotated[bool, Query(description="suggest verified resolutions when refused")]


def _out(decision: Decision) -> dict[str, Any]:
    return {
        "accepted": decision.accepted,
        "intent": decision.intent,
        "conflicts": decision.conflicts,
        "preempted": decision.preempted,
        "resolutions": decision.resolutions,
    }


def _volumes(body: IntentIn) -> list[dict[str, Any]]:
    return [v.model_dump(mode="json", exclude_defaults=False) for v in body.volumes]


@router.post(
    "/intents",
    response_model=SubmissionOut,
    status_code=201,
    responses={413: {"description": "too many vertices or volumes"}},
)
def submit(body: IntentIn, party: Operator, services: ServicesDep, resolve: Resolve = True) -> dict[str, Any]:
    """File an intent. It is decided at once: ``accepted`` true, or false with every blocking conflict
    (and, with ``resolve``, the earliest free time slot and the nearest free altitude block)."""
    return _out(services.broker.submit(party, _volumes(body), body.priority, resolve=resolve))


@router.get("/intents", response_model=list[IntentOut])
def list_intents(
    party: PartyDep,
    services: ServicesDep,
    state: Literal["accepted", "rejected", "activated", "ended"] | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[dict[str, Any]]:
    return services.broker.list_intents(party, state, limit, offset)


@router.get("/intents/{intent_id}", response_model=IntentOut, responses={404: {"description": "no such intent"}})
def get_intent(intent_id: str, party: PartyDep, services: ServicesDep) -> dict[str, Any]:
    return services.broker.get_intent(party, intent_id)


@router.put(
    "/intents/{intent_id}",
    response_model=SubmissionOut,
    responses={409: {"model": StaleOut}, 404: {"description": "no such intent"}},
)
def replace_intent(
    intent_id: str, body: IntentUpdate, party: Operator, services: ServicesDep, resolve: Resolve = True
) -> dict[str, Any]:
    """Replace volumes and priority, naming the version seen. A refused change leaves a live intent as it was."""
    return _out(services.broker.update(party, intent_id, body.version, _volumes(body), body.priority, resolve=resolve))


@router.put(
    "/intents/{intent_id}/state",
    response_model=SubmissionOut,
    responses={409: {"model": StaleOut}, 404: {"description": "no such intent"}},
)
def change_state(
    intent_id: str, body: StateChange, party: Operator, services: ServicesDep, resolve: Resolve = True
) -> dict[str, Any]:
    return _out(services.broker.change_state(party, intent_id, body.version, body.state, resolve=resolve))
