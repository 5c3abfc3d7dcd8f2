"""`LiveBridge` between a real broker (SQLite, migrated by the service's own startup) and a running `LiveRunner`:
the broker's intents reach the picture under the scenario's ids and labels, a zone the authority creates and then
deletes reaches and leaves it, each change a new plan version; `stop` ends its thread. The other direction (party
alerts told through the notifier) runs end to end in tests/web/test_live_broker.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from commonsky.service.app import create_app
from commonsky.service.auth import Role
from commonsky.service.deps import Services
from commonsky.service.examples import zone_feature
from commonsky.service.seed import Seeded, seed_scenario
from commonsky.service.settings import ServiceSettings
from commonsky.sim.run_config import RunConfig
from commonsky.sim.runner import LiveRunner, make_runner
from commonsky.sim.scenario import Scenario
from commonsky.web.bridge import LiveBridge

from .conftest import wait_until

T0633 = 1_417_501_980.0
WAIT_S = 20.0  # a functional limit on waiting for the runner's next tick, not a measured latency


def _until(what: str, probe: Callable[[], Any]) -> Any:
    return wait_until(what, probe, WAIT_S)


@pytest.fixture
def live(diyala: Scenario, tmp_path: Path) -> Iterator[tuple[Services, Seeded, LiveRunner, LiveBridge]]:
    app = create_app(ServiceSettings(database_url=f"sqlite:///{tmp_path / 'bridge.db'}"), diyala.policy.altitude)
    with TestClient(app):  # the service's startup: migrated database, notifier bound
        services: Services = app.state.services
        seeded = seed_scenario(services, diyala)
        runner = make_runner(diyala, RunConfig(), speed=1.0, start_s=T0633)
        filed = {i.id: i for i in diyala.filing_order()}
        bridge = LiveBridge(services, runner, {s.broker_id: filed[s.scenario_id] for s in seeded.intents}, 0.05)
        bridge.start()
        runner.start()
        try:
            yield services, seeded, runner, bridge
        finally:
            runner.stop()
            bridge.stop()


def test_the_brokers_intents_reach_the_picture_under_the_scenarios_names(
    diyala: Scenario, live: tuple[Services, Seeded, LiveRunner, LiveBridge]
) -> None:
    _, seeded, runner, _ = live
    _until("the broker's plan", lambda: runner.snapshot.plan_version >= 1)
    plan = runner.pipeline.plan
    by_id = {i.id: i for i in diyala.intents}
    broker_ids = {s.broker_id for s in seeded.intents}
    in_effect = {s.scenario_id for s in seeded.intents if s.state != "rejected"}
    assert plan.intents and {i.id for i in plan.intents} <= in_effect
    assert not {i.id for i in plan.intents} & broker_ids
    for intent in plan.intents:
        origin = by_id[intent.id]
        assert intent.label == origin.label
        assert intent.route == (origin.route if intent.volumes == origin.volumes else ())
    assert any(i.route for i in plan.intents)  # the filed routes kept, so the truth flies them
    assert plan.zones and {z.name for z in plan.zones} == {z.name for z in diyala.zones}


def test_a_zone_created_then_deleted_reaches_and_leaves_the_picture(
    live: tuple[Services, Seeded, LiveRunner, LiveBridge],
) -> None:
    services, seeded, runner, _ = live
    _until("the broker's plan", lambda: runner.snapshot.plan_version >= 1)
    first = runner.pipeline.plan.version
    authority = next(p.party for p in seeded.parties if p.party.role is Role.AUTHORITY)
    view = services.zones.create(authority, zone_feature("Closed for the test", 44.0, 33.0, 44.5, 33.5))
    _until("the new zone", lambda: "Closed for the test" in {z.name for z in runner.pipeline.zones})
    assert runner.pipeline.plan.version > first
    created = runner.pipeline.plan.version
    services.zones.delete(authority, view.id, view.version)
    _until("the zone withdrawn", lambda: "Closed for the test" not in {z.name for z in runner.pipeline.zones})
    assert runner.pipeline.plan.version > created


def test_stop_ends_the_alerts_thread(live: tuple[Services, Seeded, LiveRunner, LiveBridge]) -> None:
    _, _, _, bridge = live
    thread = bridge._thread  # the test looks at the thread `start` made
    assert thread is not None and thread.is_alive()
    bridge.stop()
    assert not thread.is_alive()
