"""FastAPI dependencies: the app's services, the authenticated (rate-limited, admitted) party, role checks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from commonsky.service.auth import AuthCache, Party, Role
from commonsky.service.broker import Broker
from commonsky.service.db import Database
from commonsky.service.limits import Admission, RateLimiter, Refusal, retry_after
from commonsky.service.notify import Hub
from commonsky.service.settings import ServiceSettings
from commonsky.service.zoning import ZoneKeeper


@dataclass(frozen=True)
class Services:
    """Everything a request may use; one per app, kept in ``app.state.services``."""

    settings: ServiceSettings
    db: Database
    broker: Broker
    zones: ZoneKeeper
    limiter: RateLimiter
    admission: Admission
    heavy: Admission
    hub: Hub
    keys: AuthCache


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]
_bearer = HTTPBearer(auto_error=False, description="API key issued by the authority: `Authorization: Bearer csk_...`")


async def current_party(
    services: ServicesDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> AsyncIterator[Party]:
    """The caller, from its API key; 401 without a valid key, 429 over its rate or with too many requests of its
    own in progress, 503 when the whole service is (`limits.Admission`); it counts as in progress until answered.

    Async on purpose, like every dependency here: a sync dependency costs a hop through the request thread pool,
    whose threads the endpoints hold while they wait on database locks. Only a cache miss reads the database, in a
    worker thread.
    """
    party = None
    if credentials is not None:
        party = services.keys.cached(credentials.credentials)
        if party is None:
            party = await run_in_threadpool(services.keys.authenticate, credentials.credentials)
    if party is None:
        raise HTTPException(401, "missing or invalid API key", headers={"WWW-Authenticate": "Bearer"})
    wait_s = services.limiter.take(party.id)
    if wait_s > 0:
        raise HTTPException(429, f"rate limit: retry in {wait_s:.2f} s", headers={"Retry-After": retry_after(wait_s)})
    _admit(services.admission, party.id, "requests")
    try:
        yield party
    finally:
        services.admission.leave(party.id)


def _admit(admission: Admission, party_id: str, what: str) -> None:
    refusal = admission.enter(party_id)
    if refusal is Refusal.PARTY_BUSY:
        limit = admission.per_party
        raise HTTPException(429, f"{limit} {what} of this party already in progress", headers={"Retry-After": "1"})
    if refusal is Refusal.SATURATED:
        raise HTTPException(503, f"the service is saturated with {what}; retry shortly", headers={"Retry-After": "1"})


@asynccontextmanager
async def heavy_slot(services: Services, party: Party, cost: float) -> AsyncIterator[None]:
    """Hold one of the few slots for heavy requests (estimated cost over ``heavy_request_cost``) while judging:
    heavy work of one party runs one at a time, of everyone about one per core; beyond, 429 or 503 at once."""
    if cost <= services.settings.heavy_request_cost:
        yield
        return
    _admit(services.heavy, party.id, "heavy requests")
    try:
        yield
    finally:
        services.heavy.leave(party.id)


PartyDep = Annotated[Party, Depends(current_party)]


def require(*roles: Role) -> object:
    """A dependency refusing (403) callers whose role is not in ``roles``."""

    async def check(party: PartyDep) -> Party:
        if party.role not in roles:
            raise HTTPException(403, f"role {party.role.value} may not do this")
        return party

    return Depends(check)
