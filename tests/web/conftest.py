"""A live run of the Diyala scenario for the web tests (06:33Z, when an unknown crosses a helicopter's route), and
`wait_until`, the bounded wait of the tests that watch a live run."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from commonsky.sim.run_config import RunConfig
from commonsky.sim.runner import LiveRunner, make_runner
from commonsky.sim.scenario import Scenario

T0633 = 1_417_501_980.0  # 2014-12-02T06:33:00Z


@pytest.fixture()
def runner(diyala: Scenario) -> LiveRunner:
    """Not started: the app's lifespan starts and stops it."""
    return make_runner(diyala, RunConfig(), speed=20.0, start_s=T0633)


def wait_until(what: str, probe: Callable[[], Any], timeout_s: float, every_s: float = 0.05) -> Any:
    """``probe()``'s first truthy answer, asked every ``every_s`` for at most ``timeout_s`` (a functional limit, not
    a measured latency); the test fails naming ``what`` when none comes."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(every_s)
    pytest.fail(f"timed out waiting for {what}")
