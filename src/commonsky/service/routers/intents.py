"""/intents: operators file and manage their own; authority and observers read the whole picture.

The write endpoints are async and run the broker in the thread pool themselves: a sync endpoint with a
``response_model`` costs FastAPI a second hop through the pool to validate the answer (the writes are the hot path).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from commonsky.plans.intent import IntentState
from commonsky.service import idempotency
from commonsky.service.auth import Party, Role
from commonsky.service.broker import Decision, Preview
from commonsky.service.cost import refuse_costly
from commonsky.service.deps import PartyDep, Services, ServicesDep, heavy_slot, require
from commonsky.service.schemas import (
    CheckOut,
    IntentBody,
    IntentCheck,
    IntentIn,
    IntentOut,
    IntentUpdate,
    StaleOut,
    StateChange,
    SubmissionOut,
)

router = APIRouter(tags=["intents"])
Operator = Annotated[Party, require(Role.OPERATOR)]
Resolve = Annotated[bool, Query(description="suggest verified resolutions when refused")]


Stale: dict[int | str, dict[str, Any]] = {
    409: {"model": StaleOut, "description": "stale version, or the area key misses something in the way"}
}


def _checked(preview: Preview) -> CheckOut:
    return CheckOut.model_validate(preview)


def _done(decision: Decision) -> SubmissionOut:
    return SubmissionOut.model_validate(decision)


def _wire(decision: Decision) -> str:
    """The answer to a write as sent: what a keyed retry gets if this one's answer is lost (`idempotency`)."""
    return _done(decision).model_dump_json(by_alias=True)


def _volumes(body: IntentBody, services: Services) -> tuple[list[dict[str, Any]], float]:
    """The body's volumes in stored form and their estimated judging cost, once it is within bounds (else 413)."""
    cost = refuse_costly(body.volumes, services.settings.max_request_cost)
    return [v.model_dump(mode="json", exclude_defaults=False) for v in body.volumes], cost


@router.post(
    "/intents",
    response_model=SubmissionOut,
    status_code=201,
    responses={413: {"description": "too many vertices or volumes, or too costly to judge"}, **Stale},
)
async def submit(body: IntentIn, party: Operator, services: ServicesDep, resolve: Resolve = True) -> SubmissionOut:
    """File an intent. It is decided at once: ``accepted`` true, or false with every blocking conflict
    (and, with ``resolve``, the earliest free time slot and the nearest free altitude block). ``key`` names the
    OVNs of what the caller saw in its way (409 with ``missing`` if that is not all)."""
    submit = services.broker.submit
    volumes, cost = _volumes(body, services)
    idempotency.answer_as(_wire)
    async with heavy_slot(services, party, cost):
        heavy = cost > services.settings.heavy_request_cost  # judged before the write lock is taken
        decision = await run_in_threadpool(
            submit, party, volumes, body.priority, key=body.key, resolve=resolve, judge_first=heavy
        )
    return _done(decision)


@router.post(
    "/intents/check",
    response_model=CheckOut,
    responses={
        413: {"description": "too many vertices or volumes, or too costly to judge"},
        404: {"description": "no such intent"},
    },
)
async def check(body: IntentCheck, party: Operator, services: ServicesDep, resolve: Resolve = True) -> CheckOut:
    """What filing (or, with ``intent_id``, changing that intent) would do now, and the ``key`` to do it with.
    Stores nothing; the conflicts are shown as on a write (where, when, altitudes, OVN; never whose)."""
    check = services.broker.check
    volumes, cost = _volumes(body, services)
    async with heavy_slot(services, party, cost):
        preview = await run_in_threadpool(
            check, party, volumes, body.priority, intent_id=body.intent_id, resolve=resolve
        )
    return _checked(preview)


@router.get("/intents", response_model=list[IntentOut])
def list_intents(
    party: PartyDep,
    services: ServicesDep,
    state: IntentState | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[IntentOut]:
    return [IntentOut.model_validate(v) for v in services.broker.list_intents(party, state, limit, offset)]


@router.get("/intents/{intent_id}", response_model=IntentOut, responses={404: {"description": "no such intent"}})
def get_intent(intent_id: str, party: PartyDep, services: ServicesDep) -> IntentOut:
    return IntentOut.model_validate(services.broker.get_intent(party, intent_id))


@router.put(
    "/intents/{intent_id}",
    response_model=SubmissionOut,
    responses={**Stale, 404: {"description": "no such intent"}},
)
async def replace_intent(
    intent_id: str, body: IntentUpdate, party: Operator, services: ServicesDep, resolve: Resolve = True
) -> SubmissionOut:
    """Replace volumes and priority, naming the version seen and the area key of the new volumes. A refused change
    leaves a live intent as it was."""
    volumes, cost = _volumes(body, services)
    update = services.broker.update
    idempotency.answer_as(_wire)
    async with heavy_slot(services, party, cost):
        heavy = cost > services.settings.heavy_request_cost
        decision = await run_in_threadpool(
            update,
            party,
            intent_id,
            body.version,
            volumes,
            body.priority,
            key=body.key,
            resolve=resolve,
            judge_first=heavy,
        )
    return _done(decision)


@router.put(
    "/intents/{intent_id}/state",
    response_model=SubmissionOut,
    responses={**Stale, 404: {"description": "no such intent"}},
)
async def change_state(
    intent_id: str, body: StateChange, party: Operator, services: ServicesDep, resolve: Resolve = True
) -> SubmissionOut:
    """Activate, end, or (``accepted``) re-check a rejected intent, naming its version; a re-check also names the
    area key."""
    change = services.broker.change_state
    idempotency.answer_as(_wire)
    decision = await run_in_threadpool(
        change, party, intent_id, body.version, body.state, key=body.key, resolve=resolve
    )
    return _done(decision)
