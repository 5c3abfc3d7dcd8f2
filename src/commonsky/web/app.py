"""FastAPI apps serving one live run.

- `create_run_app`: what ``commonsky run`` serves. ONE app: the broker service (`commonsky.service.app.create_app`,
  its routes keeping their own API-key auth) with the live picture and map mounted on it (`mount_live`, open on
  loopback as the authority's picture), the scenario seeded into the broker's database at startup
  (`commonsky.service.seed`), the runner started and stopped with the app, and the `LiveBridge` between them:
  the broker's intents and zones reach the picture as they change, and the picture's alerts reach the parties.
- `create_live_app`: the live picture alone, without a broker (benchmarks and tests of the picture).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

from commonsky.sim.runner import LiveRunner
from commonsky.sim.scenario import Scenario
from commonsky.web.api import mount_live

if TYPE_CHECKING:
    from commonsky.service.seed import Seeded
    from commonsky.service.settings import ServiceSettings


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


def create_run_app(
    runner: LiveRunner,
    scenario: Scenario,
    settings: ServiceSettings,
    *,
    start: bool = True,
    on_seeded: Callable[[Seeded], None] | None = None,
    resume: bool = False,
) -> FastAPI:
    """The broker service for ``settings`` serving ``runner``'s live picture (map at /, OpenAPI at /docs).

    At startup, after the service's own startup (database migration), ``scenario`` is seeded into the database
    (`commonsky.service.seed.seed_scenario`; the broker compares altitudes with the scenario's policy, as
    ``commonsky check`` does) and ``on_seeded`` gets the result, API keys included: the only place they appear.
    With ``start`` the runner's thread then starts, and it stops before the service shuts down; with ``resume``
    its clock (built paused) then runs, so the scenario starts when the map can open, not before the seeding. Seeding a
    database that already holds one of the scenario's parties fails the startup (`InputError`).
    """
    from commonsky.service.app import create_app
    from commonsky.service.seed import seed_scenario
    from commonsky.web.bridge import LiveBridge

    app = create_app(settings, altitude_model=scenario.policy.altitude)
    services = app.state.services
    mount_live(app, runner, scenario.name)
    service_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with service_lifespan(app):
            seeded = await asyncio.to_thread(seed_scenario, services, scenario)
            if on_seeded is not None:
                on_seeded(seeded)
            filed = {i.id: i for i in scenario.filing_order()}
            bridge = LiveBridge(services, runner, {s.broker_id: filed[s.scenario_id] for s in seeded.intents})
            app.state.bridge = bridge
            await asyncio.to_thread(bridge.start)
            if start:
                runner.start()
            if resume:
                runner.resume()
            try:
                yield
            finally:
                if start:
                    runner.stop()
                await asyncio.to_thread(bridge.stop)

    app.router.lifespan_context = lifespan
    return app


__all__ = ["create_live_app", "create_run_app"]
