"""Building a live run from a scenario: hysteresis in ticks (a ceiling computed here by hand), the protection,
the identities the truth declares (collected here by a plain loop), the truth, the sensors and the plan as the
scenario files them."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from commonsky.geo.aerodromes import load_aerodromes
from commonsky.sim.assembly import (
    live_parts,
    pipeline_from_scenario,
    protection_policy,
    scenario_config,
    scenario_plan,
    scenario_sources,
    scenario_truth,
    truth_registry,
)
from commonsky.sim.pipeline import SafetyNetFactory
from commonsky.sim.run_config import RunConfig
from commonsky.sim.scenario import Scenario
from commonsky.sim.truth import TruthSet
from commonsky.surveillance.sensor_config import load_sensor_specs


@pytest.mark.parametrize(
    ("tick_s", "raise_s", "end_s", "cycles"),
    [(1.0, 10.0, 20.0, (10, 20)), (3.0, 10.0, 20.0, (4, 7)), (5.0, 0.0, 0.5, (1, 1)), (0.25, 1.0, 1.1, (4, 5))],
)
def test_alert_hysteresis_is_counted_in_ticks(
    tick_s: float, raise_s: float, end_s: float, cycles: tuple[int, int]
) -> None:
    config = replace(RunConfig(), tick_s=tick_s, alert_raise_s=raise_s, alert_end_s=end_s)
    parts = live_parts(config)
    assert isinstance(parts.safety, SafetyNetFactory)
    assert (parts.safety.raise_cycles, parts.safety.end_cycles) == cycles
    assert parts.safety.aerodromes is load_aerodromes()  # surface movements only on aerodromes, as replay
    assert cycles == (max(1, math.ceil(raise_s / tick_s)), max(1, math.ceil(end_s / tick_s)))  # the hand count
    assert (parts.tolerance.lateral_m, parts.tolerance.vertical_m) == (config.lateral_tol_m, config.vertical_tol_m)
    assert parts.health == config.health
    assert (parts.concern.near, parts.concern.responsibility) == (config.unknown_near, config.responsibility)


def test_the_protection_is_the_configs() -> None:
    config = replace(RunConfig(), conflict_radius_m=5_556.0, conflict_half_height_m=300.0, conflict_lookahead_s=90.0)
    default = protection_policy(config).default
    assert (default.radius_m, default.half_height_m, default.lookahead_s) == (5_556.0, 300.0, 90.0)
    assert live_parts(config).safety.policy == protection_policy(config)  # type: ignore[attr-defined]


def test_the_registry_holds_the_addresses_the_truths_flights_declare(truth: TruthSet) -> None:
    declared: dict[str, tuple[str, str]] = {}
    for flight in truth.flights:
        if flight.icao24 and flight.party:
            declared[flight.icao24.lower()] = (flight.party, flight.intent_id)
    assert declared  # the scenario's aircraft broadcast
    registry = truth_registry(truth)
    got = dict(
        zip(
            registry.icao24.tolist(),
            zip(registry.icao_party.tolist(), registry.icao_intent.tolist(), strict=True),
            strict=True,
        )
    )
    assert got == declared
    assert registry.callsign.size == 0


def test_the_truth_flies_the_intents_the_unknowns_and_the_circles(diyala: Scenario) -> None:
    config = replace(RunConfig(), unknowns=4, synthetic=6, seed=3)
    truth = scenario_truth(diyala, config)
    unknown = [f for f in truth.flights if not f.party]
    assert len(unknown) >= 4
    flown = {f.intent_id for f in truth.flights if f.intent_id}
    assert flown <= {i.id for i in diyala.intents} and len(flown) >= len(diyala.intents) - 1
    assert truth.circles is not None
    assert scenario_truth(diyala, replace(config, synthetic=0)).circles is None
    again = scenario_truth(diyala, config)  # the seed makes it reproducible
    assert [f.flight_id for f in again.flights] == [f.flight_id for f in truth.flights]


def test_the_sources_are_the_scenarios_sensors_plus_a_network_for_circles(diyala: Scenario, truth: TruthSet) -> None:
    specs = load_sensor_specs(diyala.path, diyala.intents)
    sources = scenario_sources(diyala, truth)
    assert [s.spec.name for s in sources] == [s.name for s in specs]
    config = replace(RunConfig(), synthetic=3)
    with_circles = scenario_sources(diyala, scenario_truth(diyala, config), config)
    assert len(with_circles) == len(specs) + 1
    network = with_circles[-1]
    assert network.spec.name == "ADS-B network" and network.spec.range_m == config.synthetic_radius_m + 100_000.0
    assert network.sensor.sensor_id == len(specs)


def test_the_plan_and_the_area_of_responsibility(diyala: Scenario, truth: TruthSet) -> None:
    plan = scenario_plan(diyala, truth)
    assert plan.intents == diyala.filing_order() and plan.zones == tuple(diyala.zones) and plan.version == 0
    assert scenario_config(replace(diyala, responsibility=()), RunConfig()) == RunConfig()
    zones = diyala.zones[:2]
    base = replace(RunConfig(), responsibility=zones[:1])
    assert scenario_config(replace(diyala, responsibility=zones[1:2]), base).responsibility == zones[:2]


def test_the_pipeline_spans_the_scenario(diyala: Scenario) -> None:
    pipeline = pipeline_from_scenario(diyala)
    assert (pipeline.start_s, pipeline.end_s) == (diyala.start_s, diyala.end_s)
    assert pipeline.intents == diyala.filing_order()
    assert pipeline.truth is not None and len(pipeline.sources) == len(load_sensor_specs(diyala.path, diyala.intents))
