"""Live runs: a clock drives truth -> sensors -> tracker -> picture -> safety nets -> alerts, tick by tick.

`LivePipeline` is the stateful pipeline (NOT thread-safe: one thread steps it). Each `LivePipeline.step` moves
simulated time to ``t_s``: every sensor scan due in between is observed from the truth and fused by the tracker
in time order; the confirmed tracks become a `Picture` (party and intent from the surveillance stage's
`Correlator`, which also raises "unknown" and "non-conforming" alerts), the
`SafetyNet` turns it into alerts, and a `LiveSnapshot` is returned. A `SensorHealthMonitor` watches every
sensor: each scan is reported to it, and a sensor that falls silent (its ``outages:`` in the scenario, or no plots
where the picture expects some) raises a coverage-loss alert, published with the others, until it reports again.

`LiveRunner` runs a pipeline in a background thread, paced by a `SimClock`. Its public methods are thread-safe:
the clock controls go through the clock's lock, and `LiveRunner.snapshot` returns the latest published
snapshot (immutable) by reference. A jump in time restarts the tracker and the alerts at the new time.

>>> from commonsky.sim.scenario import load_scenario
>>> pipeline = LivePipeline.from_scenario(load_scenario("scenarios/diyala-2014.yaml"))  # doctest: +SKIP
>>> pipeline.reset(pipeline.start_s); snap = pipeline.step(pipeline.start_s + 1.0)      # doctest: +SKIP
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from commonsky.airspace.zone import Zone
from commonsky.picture.picture import Picture
from commonsky.plans.intent import Intent
from commonsky.safety.alerts import AlertEvent, AlertTracker
from commonsky.safety.pipeline import SafetyNet
from commonsky.sim.clock import ClockState, SimClock
from commonsky.sim.scenario import Scenario
from commonsky.sim.sensors import SensorSlot, default_specs, frame_for, live_sensors, network_slot
from commonsky.sim.snapshot import CoverageAlert, IdentityAlert, LiveSnapshot, TrailFrame
from commonsky.sim.truth import TruthSet, circle_traffic, truth_from_intents
from commonsky.surveillance.correlation import Correlator, IdentityRegistry, IntentIndex, Tolerance
from commonsky.surveillance.health import (
    CoverageLossEvent,
    HealthPolicy,
    SensorHealthMonitor,
    WatchedSensor,
    covered_area,
)
from commonsky.surveillance.sensor_config import load_sensor_specs
from commonsky.surveillance.tracking.tracker import Components, Tracker


@dataclass(frozen=True)
class RunConfig:
    """How a live run is built and paced.

    ``tick_s``: simulated seconds per tick (the picture rate is 1 / tick_s in simulated time);
    ``unknowns``: unknown aircraft added to the truth; ``synthetic``: extra aircraft on circles (load tests),
    within ``synthetic_radius_m`` of the frame centre, heard by an ADS-B network (`network_slot`);
    ``trail_step_s``/``trail_len``: a trail point every so many simulated seconds, this many kept;
    ``max_lag_s``: when the pipeline falls further behind the clock than this, it skips ahead (tracks coast);
    ``events_kept``: how many recent alert events a snapshot carries; ``seed``: noise and unknowns;
    ``alert_raise_s``/``alert_end_s``: alert hysteresis in simulated seconds (a condition must hold this long to
    raise an alert, and be gone this long to end it): radar tracks update every 10 s and their velocities
    jitter, so a pair near the edge of the protected zone would otherwise flicker;
    ``tracker_q_m2s3``: the tracker's process noise: orbits turn at 2-3 m/s², and with the tracker's default
    (1 m²/s³) turning aircraft spawn duplicate tracks that then "conflict" with themselves (69 nuisance alerts an
    hour on the Diyala orbits at 1, 16 alerts at 10, all real). ``tracker_coast_s``: how long a confirmed track
    coasts without a plot before it is deleted: longer than the health monitor takes to call a 10 s radar silent
    (3 scans), so the coverage-loss alert can name the tracks the silent sensor alone was feeding before they
    drop (the tracker's own default, 12 s, also drops a radar-only track on a single missed detection).
    ``health``: when the sensor health monitor calls a sensor silent; ``coverage_alt_m``/``coverage_res_m``: the
    altitude and grid of the area a coverage-loss alert says the silent sensor covered (computed once per run).
    """

    tick_s: float = 1.0
    unknowns: int = 3
    synthetic: int = 0
    synthetic_radius_m: float = 700_000.0
    trail_step_s: float = 10.0
    trail_len: int = 30
    max_lag_s: float = 30.0
    events_kept: int = 50
    tracker_q_m2s3: float = 10.0
    tracker_coast_s: float = 40.0
    alert_raise_s: float = 3.0
    alert_end_s: float = 45.0
    seed: int = 1
    health: HealthPolicy = field(default_factory=HealthPolicy)
    coverage_alt_m: float = 3_000.0
    coverage_res_m: float = 5_000.0


class LivePipeline:
    """Truth, sensors, tracker, identity, safety net and trails of one run (NOT thread-safe)."""

    def __init__(
        self,
        truth: TruthSet,
        sensors: tuple[SensorSlot, ...],
        registry: IdentityRegistry,
        intents: tuple[Intent, ...],
        zones: tuple[Zone, ...],
        start_s: float,
        end_s: float,
        config: RunConfig = RunConfig(),
    ) -> None:
        self.truth = truth
        self.sensors = sensors
        self.registry = registry
        self.intents = intents
        # Radar heights (from elevation) are coarse: a km off at long range, so the vertical tolerance is wide.
        self.index = IntentIndex.build(intents, truth.frame, Tolerance(lateral_m=2_000.0, vertical_m=1_500.0))
        self.zones = zones
        self.start_s = start_s
        self.end_s = end_s
        self.config = config
        self._rng = np.random.default_rng(config.seed)
        self._seq = 0
        self._events: deque[AlertEvent] = deque(maxlen=config.events_kept)
        grids = [slot.sensor.times_s(0.0, 3600.0) for slot in sensors]
        self._periods = [float(g[1] - g[0]) if len(g) > 1 else 3600.0 for g in grids]
        self._next_scan: list[float] = []
        self._watched = tuple(self._watch(k) for k in range(len(sensors)))
        self.reset(start_s)

    def _watch(self, k: int) -> WatchedSensor:
        """Sensor ``k`` under the health monitor. A sensor that starts late (an AEW radar) is watched from
        ``silent_after_periods`` scans after its start, so its first scans can arrive before it is called silent."""
        slot, period = self.sensors[k], self._periods[k]
        mid_s = (slot.start_s + slot.end_s) / 2 if math.isfinite(slot.start_s + slot.end_s) else 0.0
        area = covered_area(
            slot.sensor, self.truth.frame, self.config.coverage_alt_m, slot.range_m, self.config.coverage_res_m, mid_s
        )
        grace_s = self.config.health.silent_after_periods * period
        return WatchedSensor(slot.sensor, slot.name, period, area, slot.start_s + grace_s, slot.end_s)

    @classmethod
    def from_scenario(cls, scenario: Scenario, config: RunConfig = RunConfig()) -> LivePipeline:
        """Truth from the scenario's intents (see `commonsky.sim.truth`), its sensors (or the defaults), its zones."""
        intents: tuple[Intent, ...] = scenario.filing_order()
        frame = frame_for(intents)
        civil = frozenset(p.name for p in scenario.parties if p.kind == "civil")
        circles = None
        if config.synthetic > 0:
            rng = np.random.default_rng(config.seed + 1)
            circles = circle_traffic(config.synthetic, scenario.start_s, scenario.end_s, rng, config.synthetic_radius_m)
        truth = truth_from_intents(intents, frame, civil, config.unknowns, config.seed, circles)
        specs = load_sensor_specs(scenario.path, scenario.intents) if scenario.sensors else ()
        sensors = live_sensors(specs or default_specs(frame, intents), frame, truth, intents)
        if circles is not None:
            sensors += (network_slot(frame, len(sensors), config.synthetic_radius_m + 100_000.0),)
        _, party, intent, _, icao = truth.identity()
        declared = {str(a): (str(p), str(i)) for a, p, i in zip(icao, party, intent, strict=True) if a and p}
        registry = IdentityRegistry.build(icao24=declared)
        return cls(truth, sensors, registry, intents, scenario.zones, scenario.start_s, scenario.end_s, config)

    @property
    def time_s(self) -> float:
        return self._time_s

    def first_activity_s(self, lead_s: float = 300.0) -> float:
        """``lead_s`` before the first truth flight starts, within the run's window (its start if none flies)."""
        first = min((fl.start_s for fl in self.truth.flights), default=self.start_s + lead_s)
        return min(max(self.start_s, first - lead_s), self.end_s)

    def skip_scans(self, t_s: float) -> None:
        """Drop the sensor scans due before ``t_s`` (the next `step` fuses only later ones)."""
        self._next_scan = [max(due, t_s) for due in self._next_scan]

    def reset(self, t_s: float) -> None:
        """Start afresh at ``t_s``: no tracks, no alerts, no trails (after a jump in time)."""
        self._time_s = float(t_s)
        self._tracker = Tracker(
            Components.default(q_m2s3=self.config.tracker_q_m2s3, coast_s=self.config.tracker_coast_s),
            start_s=float(t_s),
        )
        cycles = (
            max(1, math.ceil(s / self.config.tick_s)) for s in (self.config.alert_raise_s, self.config.alert_end_s)
        )
        self._safety = SafetyNet(zones=self.zones, tracker=AlertTracker(*cycles))
        self._correlator = Correlator(self.index, self.registry)
        self._identity_raised: dict[tuple[int, str], float] = {}
        self._next_scan = [float(t_s)] * len(self.sensors)
        self._trails: deque[TrailFrame] = deque(maxlen=self.config.trail_len)
        self._next_trail_s = float(t_s)
        self._health = SensorHealthMonitor(self._watched, float(t_s), self.config.health)
        self._coverage_alerts: dict[int, CoverageAlert] = {}
        self._coverage_events: deque[CoverageLossEvent] = deque(maxlen=self.config.events_kept)

    def _scans(self, t_s: float) -> list[tuple[float, int]]:
        """(time, sensor index) of every scan due in ``(previous tick, t_s]``, in time order; none while the
        sensor is off (`SensorSlot.active`) or silent (its spec's ``outages``)."""
        due: list[tuple[float, int]] = []
        for k, slot in enumerate(self.sensors):
            times = slot.sensor.times_s(self._next_scan[k], t_s + 1e-9)
            if len(times):
                self._next_scan[k] = float(times[-1]) + self._periods[k]
                due += [(float(t), k) for t in times if slot.active(float(t)) and not slot.spec.silent_at(float(t))]
        return sorted(due)

    def step(self, t_s: float, clock: ClockState | None = None) -> LiveSnapshot:
        """Advance to ``t_s`` (not before the current time) and return the new snapshot."""
        began = time.perf_counter()
        n_plots = 0
        for scan_s, k in self._scans(t_s):
            slot = self.sensors[k]
            plots = slot.sensor.observe(self.truth.states_at(scan_s), self._rng)
            n_plots += len(plots)
            self._health.report(plots)
            self._tracker.step(plots, slot.sensor)
        tracked = time.perf_counter()
        self._time_s = float(t_s)
        self._watch_health(t_s)
        tracks = self._tracker.tracks.confirmed_only()
        lat, lon = tracks.geodetic(self.truth.frame)
        vel = tracks.vel_ms
        corr, corr_events = self._correlator.step(self._tracker.tracks)  # rows: the confirmed tracks, in order
        party, intent = corr.party.astype(str), corr.intent.astype(str)
        for event in corr_events:
            key = (event.track_id, event.kind)
            if event.action == "raised":
                self._identity_raised[key] = event.t_s
            elif event.action == "ended":
                self._identity_raised.pop(key, None)
        identity_alerts = tuple(
            IdentityAlert(e, self._identity_raised.get((e.track_id, e.kind), e.t_s)) for e in self._correlator.active
        )
        ids = np.char.add("T", tracks.track_id.astype(str))
        picture = Picture.from_arrays(
            id=ids, lat=lat, lon=lon, alt_m=tracks.pos_m[:, 2], gs_ms=np.hypot(vel[:, 0], vel[:, 1]),
            trk_deg=np.degrees(np.arctan2(vel[:, 0], vel[:, 1])), vs_ms=vel[:, 2], party=party, intent=intent,
            time_s=t_s,
        )  # fmt: skip
        pictured = time.perf_counter()
        result = self._safety.step(picture)
        checked = time.perf_counter()
        self._events.extend(result.events)
        if t_s >= self._next_trail_s:
            self._trails.append(TrailFrame(t_s, picture.id, picture.lat, picture.lon))
            self._next_trail_s = t_s + self.config.trail_step_s
        callsign = np.asarray(tracks.callsign, dtype=str)
        label = np.where(callsign != "", callsign, np.where(party != "", party, "UNKNOWN"))
        self._seq += 1
        n_truth = len(self.truth.states_at(t_s))
        state = clock or ClockState(t_s, 1.0, False, self.start_s, self.end_s)
        return LiveSnapshot(
            seq=self._seq, clock=state, picture=picture, callsign=callsign, label=label,
            alerts=tuple(self._safety.tracker.active), events=tuple(self._events), trails=tuple(self._trails),
            identity_alerts=identity_alerts, coverage_alerts=tuple(self._coverage_alerts.values()),
            coverage_events=tuple(self._coverage_events),
            n_truth=n_truth, n_plots=n_plots, work_ms=(time.perf_counter() - began) * 1e3,
            stage_ms=(("sensors+tracker", (tracked - began) * 1e3), ("identity+picture", (pictured - tracked) * 1e3),
                      ("safety nets", (checked - pictured) * 1e3)),
        )  # fmt: skip

    def _watch_health(self, t_s: float) -> None:
        """Step the health monitor at ``t_s`` and keep its coverage-loss alerts (one per silent sensor)."""
        for event in self._health.step(t_s, self._tracker.tracks):
            self._coverage_events.append(event)
            if event.action == "raised":
                slot = next(s for s in self.sensors if s.sensor.sensor_id == event.sensor_id)
                self._coverage_alerts[event.sensor_id] = CoverageAlert(event, slot.lat, slot.lon)
            else:
                self._coverage_alerts.pop(event.sensor_id, None)

    def run_until(self, t_s: float, on_tick: Callable[[LiveSnapshot], None] | None = None) -> LiveSnapshot:
        """Step tick by tick from the current time to ``t_s`` as fast as possible; return the last snapshot."""
        snap = self.step(self._time_s)
        while self._time_s < t_s:
            snap = self.step(min(self._time_s + self.config.tick_s, t_s))
            if on_tick is not None:
                on_tick(snap)
        return snap


class LiveRunner:
    """A `LivePipeline` stepped in a background thread at the pace of a `SimClock` (thread-safe controls)."""

    def __init__(self, pipeline: LivePipeline, clock: SimClock) -> None:
        self.pipeline = pipeline
        self.clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
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

    def _tick_once(self) -> None:
        """Do the ticks that are due now, publishing each; sleep when ahead of the clock."""
        tick = self.pipeline.config.tick_s
        epoch = self.clock.epoch
        if epoch != self._epoch:
            self._epoch = epoch
            self.pipeline.reset(self.clock.now_s())
            self._publish(self.pipeline.step(self.pipeline.time_s, self.clock.state()))
        now = self.clock.now_s()
        if now - self.pipeline.time_s > self.pipeline.config.max_lag_s:
            # Too far behind to catch up: skip the stale scans and step straight to now (tracks coast the gap).
            self.pipeline.skip_scans(now - tick)
            self._publish(self.pipeline.step(now, self.clock.state()))
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
    scenario: Scenario, config: RunConfig = RunConfig(), speed: float = 1.0, start_s: float | None = None,
    until_s: float | None = None,
) -> LiveRunner:  # fmt: skip
    """A runner for ``scenario`` at ``speed`` x real time, from ``start_s`` (default: 5 minutes before the first
    aircraft flies, or the scenario start if later) until ``until_s`` (default: its end). Not started: call
    `LiveRunner.start`."""
    pipeline = LivePipeline.from_scenario(scenario, config)
    if start_s is None:
        start_s = pipeline.first_activity_s()
    end = scenario.end_s if until_s is None else min(until_s, scenario.end_s)
    clock = SimClock(scenario.start_s, end, speed=speed, paused=False)
    if start_s is not None and not math.isclose(start_s, scenario.start_s):
        clock.jump(start_s)
    return LiveRunner(pipeline, clock)


__all__ = ["LivePipeline", "LiveRunner", "RunConfig", "make_runner"]
