"""Building a live run from a scenario: the one place that chooses the pipeline's components.

`live_parts` turns a `RunConfig` into the components a `LivePipeline` takes (tracker, correlation tolerance,
safety-net factory, health policy); `scenario_plan` is the plan the scenario files (intents, zones, identities);
`scenario_sources` flies the truth and builds the simulated sensors; `pipeline_from_scenario` puts them together.

>>> from commonsky.sim.scenario import load_scenario
>>> pipeline = pipeline_from_scenario(load_scenario("scenarios/diyala-2014.yaml"))  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from commonsky.geo.aerodromes import load_aerodromes
from commonsky.plans.intent import Intent
from commonsky.safety.alerts import cycles_in
from commonsky.safety.params import Protection, ProtectionPolicy
from commonsky.sim.overflights import overflight_flights, read_overflights
from commonsky.sim.pipeline import ConcernFactory, LiveParts, LivePipeline, LivePlan, SafetyNetFactory
from commonsky.sim.run_config import RunConfig
from commonsky.sim.scenario import Scenario
from commonsky.sim.sensors import default_specs, frame_for, live_sensors, network_slot
from commonsky.sim.sources import SimulatedSensor, WatchPolicy, simulated_sources
from commonsky.sim.truth import TruthFlight, TruthSet, circle_traffic, truth_from_intents
from commonsky.surveillance.correlation import IdentityRegistry, Tolerance
from commonsky.surveillance.sensor_config import load_sensor_specs
from commonsky.surveillance.tracking.tracker import Components


def live_parts(config: RunConfig) -> LiveParts:
    """The components of a run paced at ``config.tick_s``: the tracker's (`Components.default` with the config's
    process noise and coasting), the correlation tolerance, alert hysteresis in ticks and protected zone, the health
    policy, where unknown aircraft are alerted."""
    raise_cycles, end_cycles = (cycles_in(s, config.tick_s) for s in (config.alert_raise_s, config.alert_end_s))
    return LiveParts(
        tracker=Components.default(q_m2s3=config.tracker_q_m2s3, coast_s=config.tracker_coast_s),
        tolerance=Tolerance(lateral_m=config.lateral_tol_m, vertical_m=config.vertical_tol_m),
        safety=SafetyNetFactory(raise_cycles, end_cycles, protection_policy(config), load_aerodromes()),
        health=config.health,
        concern=ConcernFactory(config.unknown_near, config.responsibility),
    )


def protection_policy(config: RunConfig) -> ProtectionPolicy:
    """The conflict alert's protection: ``conflict_radius_m`` round each aircraft, ``conflict_half_height_m`` up
    and down, ``conflict_lookahead_s`` ahead, and replay's STCA filters (`commonsky.safety.stca`)."""
    return ProtectionPolicy(
        default=Protection(
            radius_m=config.conflict_radius_m,
            half_height_m=config.conflict_half_height_m,
            lookahead_s=config.conflict_lookahead_s,
        )
    )


def truth_registry(truth: TruthSet) -> IdentityRegistry:
    """The ADS-B addresses the truth's flights declare, with their party and intent."""
    _, party, intent, _, icao = truth.identity()
    declared = {str(a): (str(p), str(i)) for a, p, i in zip(icao, party, intent, strict=True) if a and p}
    return IdentityRegistry.build(icao24=declared)


def scenario_truth(scenario: Scenario, config: RunConfig = RunConfig()) -> TruthSet:
    """The scenario's intents flown as filed, the config's unknowns and synthetic circles (see `sim.truth`), and
    its civil overflights (`sim.overflights`)."""
    intents: tuple[Intent, ...] = scenario.filing_order()
    frame = frame_for(intents)
    civil = frozenset(p.name for p in scenario.parties if p.kind == "civil")
    circles = None
    if config.synthetic > 0:
        rng = np.random.default_rng(config.seed + 1)
        circles = circle_traffic(config.synthetic, scenario.start_s, scenario.end_s, rng, config.synthetic_radius_m)
    truth = truth_from_intents(intents, frame, civil, config.unknowns, config.seed, circles)
    specs = read_overflights(scenario.truth, [p.name for p in scenario.parties], str(scenario.path))
    if not specs:
        return truth
    rng = np.random.default_rng([config.seed, 7])
    extra: list[TruthFlight] = []
    for spec in specs:
        extra += overflight_flights(spec, frame, scenario.start_s, scenario.end_s, rng, len(extra))
    return TruthSet(frame, truth.flights + tuple(extra), circles)


def scenario_sources(
    scenario: Scenario, truth: TruthSet, config: RunConfig = RunConfig()
) -> tuple[SimulatedSensor, ...]:
    """The scenario's sensors (or `default_specs`) observing ``truth``, plus an ADS-B network for synthetic
    traffic."""
    intents = scenario.filing_order()
    specs = load_sensor_specs(scenario.path, scenario.intents) if scenario.sensors else ()
    slots = live_sensors(specs or default_specs(truth.frame, intents), truth.frame, truth, intents)
    if truth.circles is not None:
        slots += (network_slot(truth.frame, len(slots), config.synthetic_radius_m + 100_000.0),)
    policy = WatchPolicy(config.coverage_alt_m, config.coverage_res_m, config.health.silent_after_periods)
    return simulated_sources(slots, truth, config.seed, policy)


def scenario_plan(scenario: Scenario, truth: TruthSet) -> LivePlan:
    """The plan as the scenario files it: all its intents in filing order, its zones, the truth's identities."""
    return LivePlan(scenario.filing_order(), tuple(scenario.zones), truth_registry(truth))


def scenario_config(scenario: Scenario, config: RunConfig) -> RunConfig:
    """``config`` with the scenario's area of responsibility added to the run's."""
    if not scenario.responsibility:
        return config
    return replace(config, responsibility=config.responsibility + scenario.responsibility)


def pipeline_from_scenario(scenario: Scenario, config: RunConfig = RunConfig()) -> LivePipeline:
    """A pipeline for ``scenario``: truth from its intents, its sensors (or the defaults), its plan, its area of
    responsibility."""
    config = scenario_config(scenario, config)
    truth = scenario_truth(scenario, config)
    return LivePipeline(
        truth.frame,
        scenario_sources(scenario, truth, config),
        scenario_plan(scenario, truth),
        live_parts(config),
        scenario.start_s,
        scenario.end_s,
        config,
        truth=truth,
    )


__all__ = [
    "live_parts",
    "pipeline_from_scenario",
    "protection_policy",
    "scenario_config",
    "scenario_plan",
    "scenario_sources",
    "scenario_truth",
    "truth_registry",
]
