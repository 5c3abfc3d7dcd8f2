"""The live apps (`web.app`): what `commonsky run` serves, ONE app, the broker service with the live picture mounted
and the scenario seeded; and the picture alone, whose runner runs exactly while the app does (or never, when the
caller steps it)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from commonsky.errors import InputError
from commonsky.service.seed import Seeded
from commonsky.service.settings import ServiceSettings
from commonsky.sim.runner import LiveRunner
from commonsky.sim.scenario import Scenario
from commonsky.strategic.batch import check_in_order
from commonsky.web.app import create_live_app, create_run_app

T0633 = 1_417_501_980.0


def _settings(path: Path) -> ServiceSettings:
    return ServiceSettings(database_url=f"sqlite:///{path}")


def test_one_app_serves_picture_and_broker(runner: LiveRunner, diyala: Scenario, tmp_path: Path) -> None:
    seeded: list[Seeded] = []
    app = create_run_app(runner, diyala, _settings(tmp_path / "run.db"), on_seeded=seeded.append)
    assert not runner.running
    with TestClient(app) as client:
        assert len(seeded) == 1 and runner.running
        # the live picture, open without a key (the authority's picture on loopback), and the runner is going
        status = client.get("/api/status").json()
        assert status["scenario"] == diyala.name
        deadline = time.monotonic() + 20.0
        while client.get("/api/status").json()["seq"] <= status["seq"] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert client.get("/api/status").json()["seq"] > status["seq"], "the runner did not start with the app"
        assert client.get("/").status_code == 200 and "html" in client.get("/").headers["content-type"]
        # the broker, with its own auth, holding the scenario
        assert client.get("/intents").status_code == 401
        key = {"Authorization": f"Bearer {seeded[0].key_of('coalition')}"}
        mine = client.get("/intents", headers=key).json()
        assert {i["id"] for i in mine} == {i.broker_id for i in seeded[0].intents if i.party == "coalition"}
        assert client.get("/health").json() == {"status": "ok"}
        # one OpenAPI for both
        paths = set(client.get("/openapi.json").json()["paths"])
        assert {"/api/status", "/api/picture/tracks", "/api/clock/jump", "/intents", "/zones", "/parties"} <= paths
        assert client.get("/docs").status_code == 200
    assert not runner.running  # stopped with the app
    expected = check_in_order(diyala.filing_order(), diyala.zones, diyala.policy, resolve=False)
    assert [i.accepted for i in seeded[0].intents] == [r.accepted for r in expected]


def test_reusing_a_seeded_database_fails_at_startup(runner: LiveRunner, diyala: Scenario, tmp_path: Path) -> None:
    settings = _settings(tmp_path / "run.db")
    with TestClient(create_run_app(runner, diyala, settings, start=False)):
        pass
    with (
        pytest.raises(InputError, match="already exists"),
        TestClient(create_run_app(runner, diyala, settings, start=False)),
    ):
        pass


def test_clock_controls_work_on_the_run_app(runner: LiveRunner, diyala: Scenario, tmp_path: Path) -> None:
    with TestClient(create_run_app(runner, diyala, _settings(tmp_path / "run.db"))) as client:
        paused = client.post("/api/clock/pause").json()
        assert paused["paused"] is True
        jumped = client.post("/api/clock/jump", json={"time": "2014-12-02T06:40:00Z"}).json()
        assert jumped["time_s"] == pytest.approx(T0633 + 420.0, abs=1.0)


@pytest.mark.parametrize("start", [True, False])
def test_the_picture_alone_runs_its_runner_while_the_app_runs(runner: LiveRunner, start: bool) -> None:
    app = create_live_app(runner, "alone", start=start)
    assert not runner.running
    with TestClient(app) as client:
        assert runner.running is start
        assert client.get("/api/status").status_code == 200
    assert not runner.running
