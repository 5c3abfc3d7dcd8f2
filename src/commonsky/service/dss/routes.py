"""The ``/dss/v1`` routes: thin shells that check the token's scope and call the store in a worker thread.

Scopes as F3548-21 and InterUSS's DSS give them: operational intents need strategic coordination (reads also
accept conformance monitoring); constraint writes need constraint management and reads management or processing;
subscriptions need strategic coordination or constraint processing; setting a USS's availability needs
availability arbitration.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from uas_standards.astm.f3548.v21.constants import Scope

from commonsky.service.db import Database
from commonsky.service.dss import availability, constraints, intents, references, subscriptions
from commonsky.service.dss.auth import AA, CM, CMSA, CP, SC, Caller, TokenVerifier, require_scope
from commonsky.service.dss.errors import bad_request
from commonsky.service.dss.references import CONSTRAINT, OPERATIONAL_INTENT
from commonsky.service.dss.world import World

router = APIRouter(prefix="/dss/v1", tags=["dss (ASTM F3548-21)"])
log = logging.getLogger("commonsky.service.dss")


@dataclass(frozen=True)
class DssServices:
    """What the DSS routes use; one per app, in ``app.state.dss``."""

    db: Database
    verifier: TokenVerifier
    world: World | None = None  # the broker's intents in the key check (`dss.world`)


def _services(request: Request) -> DssServices:
    services: DssServices = request.app.state.dss
    return services


def _caller(request: Request, *scopes: Scope) -> tuple[DssServices, Caller]:
    services = _services(request)
    caller = services.verifier.caller(request.headers.get("authorization"))
    require_scope(caller, *scopes)
    return services, caller


async def _body(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        raise bad_request("a JSON body is required")
    try:
        return json.loads(raw)
    except ValueError:
        raise bad_request("the body is not JSON") from None


async def _run(function: Callable[..., Any], *args: Any, status: int = 200) -> JSONResponse:
    result = await run_in_threadpool(function, *args)
    if isinstance(result, tuple):
        status, result = result
    return JSONResponse(result, status_code=status)


@router.get("/healthy")
async def healthy() -> dict[str, str]:
    return {"status": "ok"}


@router.post("/operational_intent_references/query")
async def query_intents(request: Request) -> JSONResponse:
    services, caller = _caller(request, SC, CMSA)
    return await _run(references.query, services.db, OPERATIONAL_INTENT, caller.manager, await _body(request))


@router.get("/operational_intent_references/{entityid}")
async def get_intent(request: Request, entityid: str) -> JSONResponse:
    services, caller = _caller(request, SC, CMSA)
    return await _run(references.get, services.db, OPERATIONAL_INTENT, caller.manager, entityid)


@router.put("/operational_intent_references/{entityid}")
async def create_intent(request: Request, entityid: str) -> JSONResponse:
    services, caller = _caller(request, SC)
    return await _run(intents.put, services.db, caller.manager, entityid, None, await _body(request), services.world)


@router.put("/operational_intent_references/{entityid}/{ovn}")
async def update_intent(request: Request, entityid: str, ovn: str) -> JSONResponse:
    services, caller = _caller(request, SC)
    return await _run(intents.put, services.db, caller.manager, entityid, ovn, await _body(request), services.world)


@router.delete("/operational_intent_references/{entityid}/{ovn}")
async def delete_intent(request: Request, entityid: str, ovn: str) -> JSONResponse:
    services, caller = _caller(request, SC)
    return await _run(references.remove, services.db, OPERATIONAL_INTENT, caller.manager, entityid, ovn)


@router.post("/constraint_references/query")
async def query_constraints(request: Request) -> JSONResponse:
    services, caller = _caller(request, CM, CP)
    return await _run(references.query, services.db, CONSTRAINT, caller.manager, await _body(request))


@router.get("/constraint_references/{entityid}")
async def get_constraint(request: Request, entityid: str) -> JSONResponse:
    services, caller = _caller(request, CM, CP)
    return await _run(references.get, services.db, CONSTRAINT, caller.manager, entityid)


@router.put("/constraint_references/{entityid}")
async def create_constraint(request: Request, entityid: str) -> JSONResponse:
    services, caller = _caller(request, CM)
    return await _run(constraints.put, services.db, caller.manager, entityid, None, await _body(request))


@router.put("/constraint_references/{entityid}/{ovn}")
async def update_constraint(request: Request, entityid: str, ovn: str) -> JSONResponse:
    services, caller = _caller(request, CM)
    return await _run(constraints.put, services.db, caller.manager, entityid, ovn, await _body(request))


@router.delete("/constraint_references/{entityid}/{ovn}")
async def delete_constraint(request: Request, entityid: str, ovn: str) -> JSONResponse:
    services, caller = _caller(request, CM)
    return await _run(references.remove, services.db, CONSTRAINT, caller.manager, entityid, ovn)


@router.post("/subscriptions/query")
async def query_subscriptions(request: Request) -> JSONResponse:
    services, caller = _caller(request, SC, CP)
    return await _run(subscriptions.query, services.db, caller.manager, await _body(request))


@router.get("/subscriptions/{subscriptionid}")
async def get_subscription(request: Request, subscriptionid: str) -> JSONResponse:
    services, caller = _caller(request, SC, CP)
    return await _run(subscriptions.get, services.db, caller.manager, subscriptionid)


@router.put("/subscriptions/{subscriptionid}")
async def create_subscription(request: Request, subscriptionid: str) -> JSONResponse:
    services, caller = _caller(request, SC, CP)
    return await _run(subscriptions.put, services.db, caller.manager, subscriptionid, None, await _body(request))


@router.put("/subscriptions/{subscriptionid}/{version}")
async def update_subscription(request: Request, subscriptionid: str, version: str) -> JSONResponse:
    services, caller = _caller(request, SC, CP)
    return await _run(subscriptions.put, services.db, caller.manager, subscriptionid, version, await _body(request))


@router.delete("/subscriptions/{subscriptionid}/{version}")
async def delete_subscription(request: Request, subscriptionid: str, version: str) -> JSONResponse:
    services, caller = _caller(request, SC, CP)
    return await _run(subscriptions.remove, services.db, caller.manager, subscriptionid, version)


@router.get("/uss_availability/{uss_id}")
async def get_availability(request: Request, uss_id: str) -> JSONResponse:
    services, _ = _caller(request, SC, AA)
    return await _run(availability.get, services.db, uss_id)


@router.put("/uss_availability/{uss_id}")
async def set_availability(request: Request, uss_id: str) -> JSONResponse:
    services, _ = _caller(request, AA)
    return await _run(availability.put, services.db, uss_id, await _body(request))


@router.post("/reports")
async def make_report(request: Request) -> JSONResponse:
    """F3548 ``makeDssReport``: acknowledged with an id (kept in the log, not stored)."""
    _caller(request, SC, CM, CP, CMSA, AA)
    body = await _body(request)
    if not isinstance(body, dict) or "exchange" not in body:
        raise bad_request("an ErrorReport needs an exchange")
    report_id = str(uuid.uuid4())
    log.warning("DSS report %s received", report_id)
    return JSONResponse({**body, "report_id": report_id}, status_code=201)
