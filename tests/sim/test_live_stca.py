"""The live loop's conflict alert is replay's STCA on tracked aircraft: two aircraft on one circle in opposite
directions, seen by the scenario's radars and an ADS-B network and fused by the tracker, pass each other every
~7 minutes. At adjacent levels (1,000 ft apart) no alert is raised; 500 ft apart, every pass is one."""

from __future__ import annotations

import numpy as np
import pytest

from commonsky.safety.alerts import AlertKind, EventKind
from commonsky.sim.assembly import live_parts, scenario_sources, scenario_truth
from commonsky.sim.pipeline import LivePipeline, LivePlan
from commonsky.sim.run_config import RunConfig
from commonsky.sim.scenario import load_scenario
from commonsky.sim.snapshot import LiveSnapshot
from commonsky.sim.truth import CircleTraffic, TruthSet
from commonsky.surveillance.correlation import IdentityRegistry
from commonsky.surveillance.sensor_config import load_sensor_specs
from commonsky.units import FT_M

T0 = 1_417_501_800.0  # 2014-12-02T06:30:00Z
RADIUS_M = 30_000.0
SPEED_MS = 230.0


def _conflicts_raised(alt_a_ft: float, alt_b_ft: float, seconds: float) -> int:
    diyala = load_scenario("scenarios/diyala-2014.yaml")
    config = RunConfig(unknowns=0)
    flown = scenario_truth(diyala, config)
    carriers = {spec.intent for spec in load_sensor_specs(diyala.path, diyala.intents) if spec.kind == "aew"}
    omega = SPEED_MS / RADIUS_M
    circles = CircleTraffic(
        T0,
        T0 + seconds,
        np.zeros((2, 2)),
        np.full(2, RADIUS_M),
        np.array([omega, -omega]),
        np.array([0.0, 0.5]),
        np.array([alt_a_ft, alt_b_ft]) * FT_M,
    )
    frame = flown.frame
    truth = TruthSet(frame, tuple(fl for fl in flown.flights if fl.intent_id in carriers), circles)  # + the AEW
    plan = LivePlan((), (), IdentityRegistry.build())
    pipeline = LivePipeline(
        frame, scenario_sources(diyala, truth, config), plan, live_parts(config), T0, T0 + seconds, config, truth
    )
    snaps: list[LiveSnapshot] = []
    pipeline.run_until(T0 + seconds, snaps.append)
    raised = {e.alert.alert_id for s in snaps for e in s.events if e.kind is EventKind.RAISED}
    kinds = {a.alert_id: a.kind for s in snaps for a in s.alerts}
    return sum(kinds.get(k) is AlertKind.CONFLICT for k in raised)


@pytest.mark.slow
def test_adjacent_levels_never_alert_and_500_ft_always_does() -> None:
    # Passes at 33 s, then every pi * R / v = 410 s: two in 480 s.
    assert _conflicts_raised(35000.0, 36000.0, 480.0) == 0
    assert _conflicts_raised(35000.0, 35500.0, 480.0) == 2
