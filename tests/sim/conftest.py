"""The Diyala scenario's truth flights, shared by the sim tests that check sensors and assembly against them."""

from __future__ import annotations

import pytest

from commonsky.sim.assembly import scenario_truth
from commonsky.sim.scenario import Scenario
from commonsky.sim.truth import TruthSet


@pytest.fixture(scope="module")
def truth(diyala: Scenario) -> TruthSet:
    return scenario_truth(diyala)
