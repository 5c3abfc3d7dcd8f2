"""`LivePipeline` on the Diyala scenario: ticks, sequence numbers and trail points counted by hand; confirmed
tracks where the truth's aircraft are (truth positions projected back by pyproj, distances by haversine); the truth
counted by a plain loop; labels by their rule; a new plan applied from the next tick; the run's first activity; the
safety net a factory makes."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from pyproj import Transformer

from commonsky.errors import InputError
from commonsky.safety.params import ProtectionPolicy
from commonsky.sim.assembly import live_parts, pipeline_from_scenario
from commonsky.sim.pipeline import LivePipeline, LivePlan, SafetyNetFactory
from commonsky.sim.run_config import RunConfig
from commonsky.sim.scenario import Scenario
from commonsky.sim.snapshot import LiveSnapshot
from commonsky.surveillance.correlation import IdentityRegistry

T0630 = 1_417_501_800.0  # 2014-12-02T06:30:00Z
SECONDS = 120


@pytest.fixture(scope="module")
def run(diyala: Scenario) -> tuple[LivePipeline, LiveSnapshot, list[LiveSnapshot]]:
    pipeline = pipeline_from_scenario(diyala)
    pipeline.reset(T0630)
    ticks: list[LiveSnapshot] = []
    last = pipeline.run_until(T0630 + SECONDS, ticks.append)
    return pipeline, last, ticks


def _haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000.0 * math.asin(math.sqrt(h))


def test_one_snapshot_per_tick_numbered_with_a_trail_point_every_ten_seconds(
    run: tuple[LivePipeline, LiveSnapshot, list[LiveSnapshot]],
) -> None:
    pipeline, last, ticks = run
    assert len(ticks) == SECONDS  # tick_s 1: the step at the start, then one per second, each handed on
    assert [s.time_s for s in ticks] == [T0630 + k for k in range(1, SECONDS + 1)]
    assert [s.seq for s in ticks] == list(range(ticks[0].seq, ticks[0].seq + SECONDS)) and last is ticks[-1]
    assert pipeline.time_s == T0630 + SECONDS
    assert [f.time_s for f in last.trails] == [T0630 + 10.0 * k for k in range(SECONDS // 10 + 1)]


def test_the_confirmed_tracks_are_where_the_truths_aircraft_are(
    run: tuple[LivePipeline, LiveSnapshot, list[LiveSnapshot]],
) -> None:
    pipeline, last, _ = run
    truth = pipeline.truth
    assert truth is not None
    airborne = [f for f in truth.flights if f.start_s <= last.time_s <= f.end_s]
    assert last.n_truth == len(airborne)  # a plain count of the flights up at that time
    frame = truth.frame
    back = Transformer.from_crs(f"+proj=aeqd +lat_0={frame.lat0} +lon_0={frame.lon0} +ellps=WGS84", "EPSG:4326")
    where = [back.transform(*f.position_m(last.time_s)[:2]) for f in airborne]
    assert len(last.picture) >= 4
    nearest = [
        min(_haversine_m(lat, lon, t_lat, t_lon) for t_lat, t_lon in where)
        for lat, lon in zip(last.picture.lat_deg.tolist(), last.picture.lon_deg.tolist(), strict=True)
    ]
    assert float(np.median(nearest)) < 1_000.0 and max(nearest) < 5_000.0


def test_labels_sources_and_columns_follow_their_rules(
    run: tuple[LivePipeline, LiveSnapshot, list[LiveSnapshot]],
) -> None:
    pipeline, last, _ = run
    names = {s.spec.name for s in pipeline.sources}
    for k in range(len(last.picture)):
        call, party = str(last.callsign[k]), str(last.picture.party[k])
        assert last.label[k] == (call or party or "UNKNOWN")
        assert set(str(last.sources[k]).split(", ")) <= names and last.sources[k]
    n = len(last.picture)
    assert len(last.status) == len(last.on_ground) == len(last.squawk) == len(last.icao24) == n
    assert not last.on_ground.any() and set(last.squawk.tolist()) == {""}  # simulated sensors hear neither
    assert last.plan_version == 0 and last.late_batches == 0


def test_a_new_plan_is_checked_from_the_next_tick(diyala: Scenario) -> None:
    pipeline = pipeline_from_scenario(diyala)
    pipeline.reset(T0630)
    before = pipeline.run_until(T0630 + 60)
    assert "matched" in set(before.status.tolist())
    empty = LivePlan((), pipeline.zones, IdentityRegistry.build(), version=1)
    pipeline.apply_plan(empty)
    assert pipeline.plan is empty and pipeline.intents == ()
    after = pipeline.step(T0630 + 61)
    assert after.plan_version == 1 and len(after.picture) > 0
    assert "matched" not in set(after.status.tolist())  # no intent, no known identity: nothing can match


def test_the_first_activity_is_the_first_flight_within_the_window(diyala: Scenario) -> None:
    pipeline = pipeline_from_scenario(diyala)
    assert pipeline.truth is not None
    first = math.inf
    for flight in pipeline.truth.flights:
        first = min(first, flight.start_s)
    assert first < pipeline.start_s  # something already flies at the scenario's start
    assert pipeline.first_activity_s(60.0) == pipeline.start_s
    early = LivePipeline(
        pipeline.frame,
        pipeline.sources,
        pipeline.plan,
        pipeline.parts,
        first - 3_600.0,
        pipeline.end_s,
        truth=pipeline.truth,
    )
    assert early.first_activity_s(60.0) == first - 60.0 and early.first_activity_s() == first
    short = LivePipeline(
        pipeline.frame,
        pipeline.sources,
        pipeline.plan,
        pipeline.parts,
        first - 3_600.0,
        first - 1_800.0,
        truth=pipeline.truth,
    )
    assert short.first_activity_s() == first - 1_800.0
    none = LivePipeline(pipeline.frame, pipeline.sources, pipeline.plan, pipeline.parts, 100.0, 200.0)
    assert none.first_activity_s(30.0) == 100.0  # no flight at all: the window's start


def test_sources_need_distinct_ids(diyala: Scenario) -> None:
    pipeline = pipeline_from_scenario(diyala)
    with pytest.raises(InputError, match="plot sources need distinct ids"):
        LivePipeline(pipeline.frame, (*pipeline.sources, pipeline.sources[0]), pipeline.plan, pipeline.parts, 0.0, 1.0)


def test_the_factory_makes_a_fresh_net_with_its_hysteresis() -> None:
    policy = ProtectionPolicy()
    factory = SafetyNetFactory(raise_cycles=4, end_cycles=6, policy=policy)
    one, two = factory(()), factory(())
    assert one is not two and one.tracker is not two.tracker
    assert (one.tracker.raise_cycles, one.tracker.end_cycles) == (4, 6)
    assert one.policy is policy and one.zones == ()
    # replay's STCA: rates, turns, the QNH grid, each net its own (stateful, one per picture stream)
    assert one.rates is not None and one.rates is not two.rates and one.turn.enabled
    assert one.qnh is not None and one.qnh is not two.qnh
    assert live_parts(replace(RunConfig(), alert_raise_s=3.0)).safety(()).tracker.raise_cycles == 3
