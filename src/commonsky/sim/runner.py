"""Live runs: a `LivePipeline` stepped in a background thread at the pace of a `SimClock`.

`LiveRunner`'s public methods are thread-safe: the clock controls go through the clock's lock, `LiveRunner.snapshot`
returns the latest published snapshot (immutable) by reference, and `LiveRunner.offer_plan` hands the pipeline a new
plan (intents, zones) that it applies before its next tick. A jump in time restarts the tracker and the alerts at
the new time.

>>> from commonsky.sim.scenario import load_scenario
>>> runner = make_runner(load_scenario("scenarios/diyala-2014.yaml"), speed=10.0)  # doctest: +SKIP
>>> runner.start(); runner.snapshot.summary()                                        # doctest: +SKIP
"""

from __future__ import annotations

import gc
import math
import threading
from dataclasses import replace

from commonsky.sim.assembly import pipeline_from_scenario
from commonsky.sim.clock import ClockState, SimClock
from commonsky.sim.pipeline import LivePipeline, LivePlan
from commonsky.sim.run_config import RunConfig
from commonsky.sim.scenario import Scenario
from commonsky.sim.snapshot import LiveSnapshot


def settle_heap() -> None:
    """Leave what a long-lived process built before its live loop (modules, scenario, broker, web app) out of the
    cyclic garbage collector's full passes: collect once, then freeze the survivors (`gc.freeze`). The loop
    allocates reports, alerts and snapshots every tick; without this every full pass walks the whole heap again,
    a pause of the picture's thread that grows with the heap (the worst ticks at thousands of tracks). Called
    once, by a process about to run a loop (``commonsky run``), not by a library."""
    gc.collect()
    gc.freeze()


class LiveRunner:
    """A `LivePipeline` stepped in a background thread at the pace of a `SimClock` (thread-safe controls)."""

    def __init__(self, pipeline: LivePipeline, clock: SimClock) -> None:
        self.pipeline = pipeline
        self.clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._plan_lock = threading.Lock()
        self._offered: LivePlan | None = None
        self._epoch = clock.epoch
        pipeline.reset(clock.now_s())
        self._seq = 0
        self._snapshot = replace(pipeline.step(pipeline.time_s, clock.state()), seq=0)

    @property
    def snapshot(self) -> LiveSnapshot:
        """The latest published snapshot (immutable)."""
        return self._snapshot

    @property
    def error(self) -> BaseException | None:
        """The exception that stopped the background thread, if any."""
        return self._error

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the background thread (idempotent)."""
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="commonsky-live", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
        self._thread = None

    def _loop(self) -> None:
        try:
            while not self._stop.is_set():
                self._tick_once()
        except BaseException as error:  # surfaced through `error`; the thread must not die silently
            self._error = error
            raise

    def offer_plan(self, plan: LivePlan) -> None:
        """Have the pipeline check its picture against ``plan`` from its next tick on (thread-safe; a later offer
        replaces one not yet applied)."""
        with self._plan_lock:
            self._offered = plan

    def _take_plan(self) -> None:
        with self._plan_lock:
            plan, self._offered = self._offered, None
        if plan is not None:
            self.pipeline.apply_plan(plan)

    def _tick_once(self) -> None:
        """Do the ticks that are due now, publishing each; sleep when ahead of the clock."""
        tick = self.pipeline.config.tick_s
        self._take_plan()
        epoch = self.clock.epoch
        if epoch != self._epoch:
            self._epoch = epoch
            self.pipeline.reset(self.clock.now_s())
            self._publish(self.pipeline.step(self.pipeline.time_s, self.clock.state()))
        now = self.clock.now_s()
        if now - self.pipeline.time_s > self.pipeline.config.max_lag_s:
            # Too far behind to catch up: skip the stale scans and step straight to now (tracks coast the gap).
            self._publish(self.pipeline.catch_up(now, self.clock.state()))
            return
        target = self.pipeline.time_s + tick
        if target > now:
            state = self.clock.state()
            last = self._snapshot.clock
            if (state.paused, state.speed, state.finished) != (last.paused, last.speed, last.finished):
                self._publish(replace(self._snapshot, clock=state))  # the clock changed, the picture did not
            if state.paused or state.finished:
                self._stop.wait(0.05)
            else:
                self._stop.wait(min(0.05, max(0.001, (target - now) / state.speed)))
            return
        self._publish(self.pipeline.step(target, self.clock.state()))

    def _publish(self, snap: LiveSnapshot) -> None:
        self._seq += 1
        # One reference assignment: readers see the old or the new snapshot, never a mix.
        self._snapshot = replace(snap, seq=self._seq)

    # -- controls (thread-safe) -------------------------------------------------------------------------------
    def pause(self) -> ClockState:
        return self.clock.pause()

    def resume(self) -> ClockState:
        return self.clock.resume()

    def set_speed(self, speed: float) -> ClockState:
        return self.clock.set_speed(speed)

    def jump(self, t_s: float) -> ClockState:
        return self.clock.jump(t_s)


def make_runner(
    scenario: Scenario,
    config: RunConfig = RunConfig(),
    speed: float = 1.0,
    start_s: float | None = None,
    until_s: float | None = None,
    paused: bool = False,
) -> LiveRunner:
    """A runner for ``scenario`` at ``speed`` x real time, from ``start_s`` (default: where its flights begin,
    `LivePipeline.first_activity_s`) until ``until_s`` (default: its end). Not started: call `LiveRunner.start`.
    With ``paused`` its clock stands until resumed (a server resumes it once it serves, so the time it took to
    start is not lost from the scenario)."""
    pipeline = pipeline_from_scenario(scenario, config)
    if start_s is None:
        start_s = pipeline.first_activity_s()
    end = scenario.end_s if until_s is None else min(until_s, scenario.end_s)
    clock = SimClock(scenario.start_s, end, speed=speed, paused=paused)
    if start_s is not None and not math.isclose(start_s, scenario.start_s):
        clock.jump(start_s)
    return LiveRunner(pipeline, clock)


__all__ = ["LiveRunner", "make_runner"]
