"""An ASTM F3548-21 Discovery and Synchronization Service (DSS) on the broker: ``/dss/v1``.

Same app, same database and same region locks as the broker; its own tables (migration 0003). Bodies follow
`uas_standards.astm.f3548.v21` (models and limits). Off unless the settings name trusted token keys and audiences.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from commonsky.service.db import Database
from commonsky.service.dss.auth import TokenVerifier
from commonsky.service.dss.errors import DssError
from commonsky.service.dss.world import World
from commonsky.service.settings import ServiceSettings


def mount_dss(app: FastAPI, settings: ServiceSettings, database: Database, world: World | None = None) -> bool:
    """Add ``/dss/v1`` to ``app`` if ``settings`` trust at least one key; whether it did. ``world``: the broker's
    intents take part in the DSS key check (`dss.world`)."""
    if not settings.dss_public_keys:
        return False
    from commonsky.service.dss.routes import DssServices, router

    verifier = TokenVerifier.from_files(list(settings.dss_public_keys), list(settings.dss_audiences))
    app.state.dss = DssServices(database, verifier, world)
    app.include_router(router)

    @app.exception_handler(DssError)
    async def dss_error(_request: Request, error: DssError) -> JSONResponse:
        headers = {**error.headers, **({"WWW-Authenticate": "Bearer"} if error.status == 401 else {})}
        return JSONResponse(error.body or {"message": error.message}, status_code=error.status, headers=headers)

    return True
