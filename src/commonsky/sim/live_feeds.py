"""Real receivers in a live run: their feeds become plot sources beside (or instead of) the simulated sensors.

`feeds_pipeline` builds the `LivePipeline` of ``commonsky run [SCENARIO] --feed URL ...``:

- with a scenario that files intents, the feeds join its simulated sensors in its local frame, and real and
  simulated aircraft are fused by one tracker (each track names the sources that fed it);
- without one (`feeds_scenario`: no parties, intents or zones), the picture holds what the feeds see, in a local
  frame centred on the receivers, and the clock is wall time (`feeds_runner` runs it at x1 from now).

The feed readers (`LiveFeed`, `ProcessFeed`) are made, started and stopped by the caller (the CLI): this module
only wires them in.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from pathlib import Path

from commonsky.errors import InputError
from commonsky.geo.geodesy import LocalFrame
from commonsky.sim.assembly import live_parts, scenario_config, scenario_plan, scenario_sources, scenario_truth
from commonsky.sim.clock import SimClock
from commonsky.sim.pipeline import LivePipeline, LivePlan
from commonsky.sim.run_config import RunConfig
from commonsky.sim.runner import LiveRunner
from commonsky.sim.scenario import Scenario
from commonsky.sim.sources import MAX_SOURCES, PlotSource
from commonsky.strategic.policy import Policy
from commonsky.surveillance.correlation import IdentityRegistry
from commonsky.surveillance.feeds.process import FeedReader
from commonsky.surveillance.feeds.receiver import ReceiverSettings, ReceiverSource

FEEDS_WINDOW_S = 366 * 86_400.0
"""How long a run without a scenario may last (its clock must end somewhere)."""


def feeds_scenario(now_s: float) -> Scenario:
    """The empty scenario of a run fed only by receivers: from ``now_s`` for `FEEDS_WINDOW_S`."""
    return Scenario(
        path=Path("live-feeds"),
        name="live feeds",
        description="real receivers only",
        start_s=now_s,
        end_s=now_s + FEEDS_WINDOW_S,
        policy=Policy(),
        parties=(),
        zones=(),
        intents=(),
    )


def receivers_frame(feeds: Sequence[FeedReader]) -> LocalFrame:
    """A local frame centred on the receivers whose position is known; `InputError` when none is."""
    placed = [f.url.position for f in feeds if f.url.position is not None]
    if not placed:
        raise InputError(
            "without a scenario, give the position of at least one receiver (e.g. beast://HOST:30005?lat=51.5&lon=-0.1)"
            ": the picture's local frame is centred there"
        )
    lat = sum(p.lat_deg for p in placed) / len(placed)
    # Mean of unit vectors: receivers on both sides of the antimeridian average correctly.
    east = sum(math.sin(math.radians(p.lon_deg)) for p in placed)
    north = sum(math.cos(math.radians(p.lon_deg)) for p in placed)
    return LocalFrame(lat, math.degrees(math.atan2(east, north)))


def receiver_sources(
    feeds: Sequence[FeedReader], frame: LocalFrame, first_id: int, settings: ReceiverSettings = ReceiverSettings()
) -> tuple[ReceiverSource, ...]:
    """One `ReceiverSource` per feed, with sensor ids from ``first_id`` on."""
    if first_id + len(feeds) > MAX_SOURCES:
        raise InputError(f"{first_id + len(feeds)} sensors and receivers: a run tells at most {MAX_SOURCES} apart")
    return tuple(ReceiverSource(feed, first_id + k, frame, settings) for k, feed in enumerate(feeds))


def feeds_pipeline(
    scenario: Scenario,
    feeds: Sequence[FeedReader],
    config: RunConfig = RunConfig(),
    settings: ReceiverSettings = ReceiverSettings(),
) -> LivePipeline:
    """The pipeline of ``scenario`` (possibly `feeds_scenario`) with ``feeds`` as extra sources (module docstring)."""
    config = scenario_config(scenario, config)
    if scenario.intents:
        truth = scenario_truth(scenario, config)
        simulated: tuple[PlotSource, ...] = scenario_sources(scenario, truth, config)
        frame, plan = truth.frame, scenario_plan(scenario, truth)
    else:
        truth, simulated = None, ()
        frame, plan = receivers_frame(feeds), LivePlan((), tuple(scenario.zones), IdentityRegistry.build())
    sources = simulated + receiver_sources(feeds, frame, len(simulated), settings)
    return LivePipeline(frame, sources, plan, live_parts(config), scenario.start_s, scenario.end_s, config, truth=truth)


def feeds_runner(
    scenario: Scenario,
    pipeline: LivePipeline,
    speed: float = 1.0,
    start_s: float | None = None,
    until_s: float | None = None,
    paused: bool = False,
) -> LiveRunner:
    """A runner for ``pipeline``: a scenario's clock (as `make_runner`, ``paused`` until resumed), or wall time at
    x1 without intents (never paused: the receivers do not wait)."""
    if not scenario.intents:
        clock = SimClock(scenario.start_s, scenario.end_s, speed=1.0, paused=False)
        now = time.time()
        if now > scenario.start_s:
            clock.jump(min(now, scenario.end_s))
        return LiveRunner(pipeline, clock)
    start = pipeline.first_activity_s() if start_s is None else start_s
    end = scenario.end_s if until_s is None else min(until_s, scenario.end_s)
    clock = SimClock(scenario.start_s, end, speed=speed, paused=paused)
    if not math.isclose(start, scenario.start_s):
        clock.jump(start)
    return LiveRunner(pipeline, clock)
