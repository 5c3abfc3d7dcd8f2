"""A live run of the Diyala scenario for the web tests (06:33Z, when an unknown crosses a helicopter's route)."""

from __future__ import annotations

import pytest

from commonsky.sim.run_config import RunConfig
from commonsky.sim.runner import LiveRunner, make_runner
from commonsky.sim.scenario import Scenario

T0633 = 1_417_501_980.0  # 2014-12-02T06:33:00Z


@pytest.fixture()
def runner(diyala: Scenario) -> LiveRunner:
    """Not started: the app's lifespan starts and stops it."""
    return make_runner(diyala, RunConfig(), speed=20.0, start_s=T0633)
