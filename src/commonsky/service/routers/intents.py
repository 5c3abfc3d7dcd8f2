"""/intents: operators file and manage their own; authority and observers read the whole picture.

The write endpoints are async and run the broker in the thread pool themselves: a sync endpoint with a
``response_model`` costs FastAPI a second hop through the pool to validate the answer (the writes are the hot path).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

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
async def submit(body: IntentIn, party: Operator, services: ServicesDep, resolve: Resolve = True) -> dict[str, Any]:
    """File an intent. It is decided at once: ``accepted`` true, or false with every blocking conflict
    (and, with ``resolve``, the earliest free time slot and the nearest free altitude block)."""
    decision = await run_in_threadpool(services.broker.submit, party, _volumes(body), body.priority, resolve=resolve)
    return _out(decision)


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
async def replace_intent(
    intent_id: str, body: IntentUpdate, party: Operator, services: ServicesDep, resolve: Resolve = True
) -> dict[str, Any]:
    """Replace volumes and priority, naming the version seen. A refused change leaves a live intent as it was."""
    volumes = _volumes(body)
    decision = await run_in_threadpool(
        services.broker.update, party, intent_id, body.version, volumes, body.priority, resolve=resolve
    )
    return _out(decision)


@router.put(
    "/intents/{intent_id}/state",
    response_model=SubmissionOut,
    responses={409: {"model": StaleOut}, 404: {"description": "no such intent"}},
)
async def change_state(
    intent_id: str, body: StateChange, party: Operator, services: ServicesDep, resolve: Resolve = True
) -> dict[str, Any]:
    change = services.broker.change_state
    return _out(await run_in_threadpool(change, party, intent_id, body.version, body.state, resolve=resolve))
