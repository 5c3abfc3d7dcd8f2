"""`create_app(settings)`: the FastAPI application of the broker. No module-level state: every app is separate.

Status codes: 401 bad API key, 403 wrong role, 404 unknown (or another party's) intent, 409 stale version or area
key, 413 too large or too costly to judge, 422 invalid input (one-line ``detail``), 429 over the party's rate,
concurrency or probe budget, 503 saturated or a decision raced too often. Every 429 and 503 carries a true
``Retry-After`` (>= 1 s).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import TimeoutError as PoolTimeout

from commonsky.airspace.volume import AltitudeModel
from commonsky.errors import CommonskyError, InputError, NotFoundError
from commonsky.service.auth import AuthCache
from commonsky.service.broker import Broker
from commonsky.service.budget import OverBudgetError
from commonsky.service.db import Database
from commonsky.service.deps import Services
from commonsky.service.dss import mount_dss
from commonsky.service.dss.world import World
from commonsky.service.engine import prefilter_margin_m
from commonsky.service.errors import AreaChangedError, ForbiddenError, RetryError, StaleVersionError, TooLargeError
from commonsky.service.idempotency import DuplicateRequestError, Idempotency
from commonsky.service.limits import Admission, BodyLimit, RateLimiter
from commonsky.service.notify import Hub, PgRelay
from commonsky.service.settings import ServiceSettings
from commonsky.service.zoning import ZoneKeeper

log = logging.getLogger("commonsky.service")
_SOON = {"Retry-After": "1"}


def create_app(settings: ServiceSettings, altitude_model: AltitudeModel | None = None) -> FastAPI:
    """Build the app. The database is opened now (lazily connected) and migrated at startup.

    ``altitude_model`` says how the broker compares altitude references (default: `AltitudeModel()`, flat
    ground); `commonsky run` passes its scenario's, so the broker decides as ``commonsky check`` does.
    """
    from commonsky.service.routers import audit, conflicts, grants, intents, notifications, parties, zones

    database = Database(settings)
    hub = Hub(settings.notify_queue)
    relay = None if database.is_sqlite else PgRelay(settings.database_url, database.engine, hub)
    broker = Broker(database, settings, notify=hub.publish if relay is None else relay.publish, model=altitude_model)
    services = Services(
        settings,
        database,
        broker,
        ZoneKeeper(broker),
        RateLimiter(settings.rate_per_s, settings.rate_burst),
        Admission(settings.max_in_flight_per_party, settings.max_in_flight),
        Admission(settings.max_heavy_per_party, settings.max_heavy),
        hub,
        AuthCache(database),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.migrate_on_start:
            from commonsky.service.migrate import upgrade

            await asyncio.to_thread(upgrade, database)
        hub.bind(asyncio.get_running_loop())
        if relay is not None:
            await asyncio.to_thread(relay.start)
        log.info("commonsky service ready on %s", settings.safe_database_url())
        yield
        if relay is not None:
            await asyncio.to_thread(relay.stop)
        database.dispose()

    app = FastAPI(
        title="commonsky broker",
        version="0.1.0",
        description="Neutral coordination of 4D flight intents between parties that do not talk to each other.",
        lifespan=lifespan,
        responses={401: {"model": _error_model()}, 422: {"model": _error_model()}, 429: {"model": _error_model()}},
    )
    app.state.services = services
    app.add_middleware(Idempotency, database=database, keys=services.keys)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)  # outermost: sizes first
    for module in (parties, zones, intents, conflicts, audit, notifications, grants):
        app.include_router(module.router)
    _handlers(app)
    world = World(
        broker.model,
        broker.grants.disclosure,
        broker.intent_volumes,
        prefilter_margin_m(broker.model),
        settings.dss_neutral_url,
        broker.budgets,
        settings.probe_budget_units,
    )
    mount_dss(app, settings, database, world)

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _error_model() -> Any:
    from commonsky.service.schemas import ErrorOut

    return ErrorOut


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": one_line(error.errors())}, status_code=422)

    @app.exception_handler(StaleVersionError)
    async def stale(_request: Request, error: StaleVersionError) -> JSONResponse:
        return JSONResponse(
            {
                "detail": error.message,
                "current_version": error.current_version,
                "changed": error.changed,
                "current": error.current,
            },
            status_code=409,
        )

    @app.exception_handler(AreaChangedError)
    async def area_changed(_request: Request, error: AreaChangedError) -> JSONResponse:
        return JSONResponse(
            {
                "detail": error.message,
                "current_version": None,
                "changed": ["area"],
                "current": None,
                "missing": error.missing,
                "stale": error.stale,
                "key": error.key,
            },
            status_code=409,
        )

    @app.exception_handler(OverBudgetError)
    async def over_budget(_request: Request, error: OverBudgetError) -> JSONResponse:
        return JSONResponse(
            {"detail": error.message}, status_code=429, headers={"Retry-After": str(error.retry_after_s)}
        )

    @app.exception_handler(PoolTimeout)
    async def no_connection(_request: Request, _error: PoolTimeout) -> JSONResponse:
        return JSONResponse({"detail": "no database connection free; retry shortly"}, status_code=503, headers=_SOON)

    @app.exception_handler(RetryError)
    async def busy(_request: Request, error: RetryError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=503, headers=_SOON)

    @app.exception_handler(CommonskyError)
    async def user_error(_request: Request, error: CommonskyError) -> JSONResponse:
        status = 422
        if isinstance(error, TooLargeError):
            status = 413
        elif isinstance(error, NotFoundError):
            return JSONResponse({"detail": clip(error.message)}, status_code=404)
        elif isinstance(error, ForbiddenError):
            status = 403
        elif isinstance(error, DuplicateRequestError):
            status = 409
        elif not isinstance(error, InputError):
            status = 400
        return JSONResponse({"detail": clip(error.message, 300)}, status_code=status)


_BRANCHES = ("text", "object", "point", "pair")
NOT_FOUND_ECHO = 100  # at most this many characters of an unknown id are echoed


def clip(message: str, limit: int = NOT_FOUND_ECHO + 10) -> str:
    """``message`` cut to ``limit`` characters (with "..."): an id a caller sent is not echoed at any length."""
    return message if len(message) <= limit else message[: limit - 3] + "..."


def one_line(errors: Any) -> str:
    """The first validation error as ``body.volumes[0].floor: Field required`` (+ how many more)."""
    errors = list(errors)
    if not errors:
        return "invalid request"
    first = errors[0]
    where = ""
    for part in first.get("loc", ()):
        if isinstance(part, str) and ("[" in part or part in _BRANCHES):
            continue  # a union branch's internal name says nothing to the caller
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    message = " ".join(str(first.get("msg", "invalid")).split())
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {message}{more}"[:500]
