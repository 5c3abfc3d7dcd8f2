"""A standalone FastAPI app serving one live run (what ``commonsky run`` serves, and what the tests start).

The runner starts with the app (lifespan) and stops with it. The broker service mounts the same routes with
`commonsky.web.api.mount_live` instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from commonsky.sim.runner import LiveRunner
from commonsky.web.api import mount_live


def create_live_app(runner: LiveRunner, name: str = "live", start: bool = True) -> FastAPI:
    """The app for ``runner`` (OpenAPI at /docs, the map at /). With ``start`` the runner's thread starts and
    stops with the app; without it the caller steps or starts the runner."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if start:
            runner.start()
        try:
            yield
        finally:
            if start:
                runner.stop()

    app = FastAPI(
        title="commonsky live picture",
        version="0.1.0",
        description="The operator's picture of a simulated scenario: tracks, alerts, layers and the clock.",
        lifespan=lifespan,
    )
    mount_live(app, runner, name)
    return app


__all__ = ["create_live_app"]
