"""`LivePipeline`: plot sources -> tracker -> identity -> picture -> safety nets -> one `LiveSnapshot` per tick.

The pipeline is stateful and NOT thread-safe: one thread steps it. Each `LivePipeline.step` moves the picture to
``t_s`` in named stages:

1. `fuse`: every source (`commonsky.sim.sources.PlotSource`: simulated sensors, real receivers) is polled, its
   batches are reported to the `SensorHealthMonitor` and fused by the tracker in time order;
2. `watch_health`: a source that fell silent raises a coverage-loss alert (one per source) until it reports again;
3. `identify`: the `Correlator` names each confirmed track's party and intent and raises "non-conforming" alerts,
   and "unknown" alerts where an unknown aircraft matters (`ConcernFactory`: near a filed intent or a binding
   zone, or in the run's area of responsibility; elsewhere it is only shown as unknown);
4. `draw`: the confirmed tracks become a `Picture`, and a trail point is kept every ``trail_step_s``;
5. `check`: the `SafetyNet` turns the picture into conflict and zone-incursion alerts;
6. the `LiveSnapshot` is assembled (immutable, safe to hand to any thread).

Every component is passed in (`LiveParts`): the tracker's components, the correlation tolerance and alert policy,
the safety-net factory and the health policy; `commonsky.sim.assembly` builds them for a scenario. The plan the
picture is checked against (intents, zones, known identities: a `LivePlan`) can be replaced between ticks
(`apply_plan`) without losing tracks or alerts: that is how the broker's live state reaches the picture.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from commonsky.airspace.zone import Zone
from commonsky.errors import InputError
from commonsky.events import EventKind
from commonsky.geo.aerodromes import Aerodromes
from commonsky.geo.geodesy import LocalFrame
from commonsky.picture.picture import Picture
from commonsky.plans.intent import Intent
from commonsky.safety.alerts import AlertEvent, AlertTracker
from commonsky.safety.params import ProtectionPolicy
from commonsky.safety.pipeline import SafetyNet
from commonsky.safety.qnh import QnhEstimate
from commonsky.safety.track_rates import TrackRateFilter
from commonsky.sim.clock import ClockState
from commonsky.sim.run_config import RunConfig
from commonsky.sim.snapshot import CoverageAlert, IdentityAlert, LiveSnapshot, TrailFrame
from commonsky.sim.sources import MAX_SOURCES, HearsGround, HearsSquawks, PlotSource
from commonsky.sim.truth import TruthSet
from commonsky.surveillance.concern import ConcernArea, NearPolicy
from commonsky.surveillance.correlation import AlertPolicy, Correlator, IdentityRegistry, IntentIndex, Tolerance
from commonsky.surveillance.health import CoverageLossEvent, HealthPolicy, SensorHealthMonitor
from commonsky.surveillance.sensors.types import Plots
from commonsky.surveillance.tracking.tracker import Components, Tracker
from commonsky.surveillance.tracking.tracks import LiveTracks


@dataclass(frozen=True)
class SafetyNetFactory:
    """Makes a fresh `SafetyNet` over some zones: an alert must be seen ``raise_cycles`` ticks in a row to be
    raised and be gone ``end_cycles`` ticks to end (see `AlertTracker`); pairs are protected by ``policy``, with
    the STCA filters of replay (`commonsky.safety.stca`: ground suppression, level-flight dead band on a filtered
    vertical rate, prediction from that rate; surface movements over ``aerodromes``, levels on the QNH grid the
    pictures show) and its turn prediction (`commonsky.safety.turns`). An alert ends
    at once with its aircraft's track (a deleted track's id never returns), never naming a track the picture no
    longer has."""

    raise_cycles: int = 1
    end_cycles: int = 3
    policy: ProtectionPolicy = field(default_factory=ProtectionPolicy)
    aerodromes: Aerodromes | None = None

    def __call__(self, zones: Sequence[Zone]) -> SafetyNet:
        tracker = AlertTracker(self.raise_cycles, self.end_cycles)
        return SafetyNet(
            policy=self.policy,
            zones=tuple(zones),
            tracker=tracker,
            rates=TrackRateFilter(),
            end_with_aircraft=True,
            aerodromes=self.aerodromes,
            qnh=QnhEstimate(),
        )


@dataclass(frozen=True)
class ConcernFactory:
    """Makes the `ConcernArea` of a plan: where an unknown aircraft raises an alert (near its intents or binding
    zones by ``near``, or inside one of the ``responsibility`` zones; see `commonsky.surveillance.concern`)."""

    near: NearPolicy = field(default_factory=NearPolicy)
    responsibility: tuple[Zone, ...] = ()

    def __call__(self, intents: Sequence[Intent], zones: Sequence[Zone], frame: LocalFrame) -> ConcernArea:
        return ConcernArea.build(intents, zones, frame, self.near, self.responsibility)


@dataclass(frozen=True)
class LiveParts:
    """The components a `LivePipeline` is built from (strategies; each reset builds new state from them)."""

    tracker: Components
    tolerance: Tolerance
    safety: Callable[[Sequence[Zone]], SafetyNet]
    health: HealthPolicy = field(default_factory=HealthPolicy)
    correlation: AlertPolicy = field(default_factory=AlertPolicy)
    concern: ConcernFactory = field(default_factory=ConcernFactory)


@dataclass(frozen=True, eq=False)
class LivePlan:
    """What the picture is checked against: the intents in effect (correlation), the zones (incursion) and the
    identities the authority knows (``registry``: ICAO address or callsign -> party, intent). ``version`` counts
    the plans a pipeline has applied (0: the one it was built with)."""

    intents: tuple[Intent, ...]
    zones: tuple[Zone, ...]
    registry: IdentityRegistry
    version: int = 0


@dataclass(frozen=True)
class _Columns:
    """Per confirmed track, what the snapshot shows beside the picture: correlation status, on the ground."""

    status: np.ndarray
    on_ground: np.ndarray


@dataclass(frozen=True)
class _Fused:
    """What `LivePipeline.fuse` did: how many plots it fused, and how many late batches it had to drop."""

    n_plots: int
    late: int


class LivePipeline:
    """Sources, tracker, identity, safety net and trails of one run (NOT thread-safe; see module docstring).

    ``frame``: the local frame of the tracker; ``truth``: the simulated aircraft, when any (counted in the
    snapshot, and `first_activity_s`); ``start_s``/``end_s``: the run's window (Unix s)."""

    def __init__(
        self,
        frame: LocalFrame,
        sources: Sequence[PlotSource],
        plan: LivePlan,
        parts: LiveParts,
        start_s: float,
        end_s: float,
        config: RunConfig = RunConfig(),
        truth: TruthSet | None = None,
    ) -> None:
        ids = [s.sensor.sensor_id for s in sources]
        if len(set(ids)) != len(ids) or any(not 0 <= i < MAX_SOURCES for i in ids):
            raise InputError(f"plot sources need distinct ids in 0..{MAX_SOURCES - 1}, got {ids}")
        self.frame = frame
        self.sources = tuple(sources)
        self.parts = parts
        self.truth = truth
        self.start_s = start_s
        self.end_s = end_s
        self.config = config
        self._names = {s.sensor.sensor_id: s.spec.name for s in self.sources}
        self._seq = 0
        self._events: deque[AlertEvent] = deque(maxlen=config.events_kept)
        self._plan = plan
        self._index = IntentIndex.build(plan.intents, frame, parts.tolerance)
        self._concern = parts.concern(plan.intents, plan.zones, frame)
        self.reset(start_s)

    # -- the plan (intents, zones, identities) ---------------------------------------------------------------
    @property
    def plan(self) -> LivePlan:
        return self._plan

    @property
    def intents(self) -> tuple[Intent, ...]:
        return self._plan.intents

    @property
    def zones(self) -> tuple[Zone, ...]:
        return self._plan.zones

    def apply_plan(self, plan: LivePlan) -> None:
        """Check the picture against ``plan`` from the next step on, keeping tracks and the alerts still true
        (an alert about a zone that was withdrawn ends by the usual hysteresis)."""
        if plan.intents != self._plan.intents:
            self._index = IntentIndex.build(plan.intents, self.frame, self.parts.tolerance)
        if plan.intents != self._plan.intents or plan.zones != self._plan.zones:
            self._concern = self.parts.concern(plan.intents, plan.zones, self.frame)
        self._correlator.replan(self._index, plan.registry, self._concern)
        if plan.zones != self._plan.zones:
            self._safety.set_zones(plan.zones)
        self._plan = plan

    # -- time ------------------------------------------------------------------------------------------------
    @property
    def time_s(self) -> float:
        return self._time_s

    def first_activity_s(self, lead_s: float = 0.0) -> float:
        """Where the run's flights begin: ``lead_s`` before the first truth flight starts, within the run's window
        (its start when something already flies then, or when nothing flies at all)."""
        flights = self.truth.flights if self.truth is not None else ()
        first = min((fl.start_s for fl in flights), default=self.start_s + lead_s)
        return min(max(self.start_s, first - lead_s), self.end_s)

    def skip_to(self, t_s: float) -> None:
        """Drop what the sources have due before ``t_s`` (the next `step` fuses only later batches)."""
        for source in self.sources:
            source.restart(t_s)

    def catch_up(self, t_s: float, clock: ClockState | None = None) -> LiveSnapshot:
        """Step straight to ``t_s`` when too far behind to step tick by tick: what the sources had due before their
        last scan (the longest scan period before ``t_s``) is dropped, and that last scan of every source is fused,
        so each track seen in it is updated and coasts only the gap before it (rather than the whole gap, which
        deletes tracks that were still seen)."""
        last_scan_s = max([s.spec.scan_s for s in self.sources if math.isfinite(s.spec.scan_s)], default=0.0)
        self.skip_to(max(self._time_s, t_s - max(self.config.tick_s, last_scan_s)))
        return self.step(t_s, clock)

    def reset(self, t_s: float) -> None:
        """Start afresh at ``t_s``: no tracks, no alerts, no trails (after a jump in time)."""
        t_s = float(t_s)
        self._time_s = t_s
        self._tracker = Tracker(self.parts.tracker, start_s=t_s)
        self._safety = self.parts.safety(self._plan.zones)
        self._correlator = Correlator(self._index, self._plan.registry, self.parts.correlation, self._concern)
        self._identity: dict[tuple[int, str], IdentityAlert] = {}  # the correlator's alerts up, in its order
        self.skip_to(t_s)
        self._trails: deque[TrailFrame] = deque(maxlen=self.config.trail_len)
        self._next_trail_s = t_s
        self._health = SensorHealthMonitor([s.watched for s in self.sources], t_s, self.parts.health)
        self._coverage_alerts: dict[int, CoverageAlert] = {}
        self._coverage_events: deque[CoverageLossEvent] = deque(maxlen=self.config.events_kept)
        self._late = 0

    # -- the stages --------------------------------------------------------------------------------------------
    def step(self, t_s: float, clock: ClockState | None = None) -> LiveSnapshot:
        """Advance to ``t_s`` (not before the current time) and return the new snapshot."""
        began = time.perf_counter()
        fused = self.fuse(t_s)
        self._time_s = float(t_s)
        self.watch_health(t_s)
        tracked = time.perf_counter()
        tracks = self._tracker.tracks.confirmed_only()
        party, intent, status, identity_alerts = self.identify()
        picture = self.draw(tracks, party, intent, t_s)
        pictured = time.perf_counter()
        on_ground = self.on_ground(tracks)
        self.check(picture, on_ground)
        checked = time.perf_counter()
        stage_ms = (
            ("sources+tracker", tracked - began),
            ("identity+picture", pictured - tracked),
            ("safety nets", checked - pictured),
        )
        columns = _Columns(status, on_ground)
        return self._snapshot(picture, tracks, identity_alerts, columns, fused, clock, began, stage_ms)

    def fuse(self, t_s: float) -> _Fused:
        """Poll every source up to ``t_s`` and fuse their batches in time order; a batch older than the tracks
        (a receiver running late) is reported to the health monitor but not fused."""
        batches: list[tuple[float, int, Plots]] = []
        for k, source in enumerate(self.sources):
            batches += [(plots.t_s, k, plots) for plots in source.poll(t_s)]
        batches.sort(key=lambda b: (b[0], b[1]))
        n_plots = late = 0
        for _, k, plots in batches:
            self._health.report(plots)
            if plots.t_s < self._tracker.tracks.t_s:
                late += 1
                continue
            n_plots += len(plots)
            self._tracker.step(plots, self.sources[k].sensor)
        self._late += late
        return _Fused(n_plots, late)

    def watch_health(self, t_s: float) -> None:
        """Step the health monitor at ``t_s`` and keep its coverage-loss alerts (one per silent source)."""
        for event in self._health.step(t_s, self._tracker.tracks):
            self._coverage_events.append(event)
            if event.action == EventKind.RAISED:
                source = next(s for s in self.sources if s.sensor.sensor_id == event.sensor_id)
                self._coverage_alerts[event.sensor_id] = CoverageAlert(event, source.lat, source.lon)
            else:
                self._coverage_alerts.pop(event.sensor_id, None)

    def identify(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[IdentityAlert, ...]]:
        """Party, intent and correlation status (`TrackStatus` values) of each confirmed track (in order), and the
        identity alerts up."""
        corr, events = self._correlator.step(self._tracker.tracks)
        # Kept up to date from the events (not rebuilt from every alert up each tick): the same alerts, in the
        # same order, as `Correlator.active`.
        for event in events:
            key = (event.track_id, event.kind)
            if event.action == EventKind.ENDED:
                self._identity.pop(key, None)
            else:
                held = self._identity.get(key)
                raised_s = event.t_s if event.action == EventKind.RAISED or held is None else held.raised_s
                self._identity[key] = IdentityAlert(event, raised_s)
        alerts = tuple(self._identity.values())
        return corr.party.astype(str), corr.intent.astype(str), corr.status.astype(str), alerts

    def draw(self, tracks: LiveTracks, party: np.ndarray, intent: np.ndarray, t_s: float) -> Picture:
        """The picture of the confirmed ``tracks`` (ids ``T<n>``), with a trail point when one is due."""
        lat, lon = tracks.geodetic(self.frame)
        vel = tracks.vel_ms
        picture = Picture.from_arrays(
            id=np.char.add("T", tracks.track_id.astype(str)),
            lat_deg=lat,
            lon_deg=lon,
            alt_m=tracks.pos_m[:, 2],
            gs_ms=np.hypot(vel[:, 0], vel[:, 1]),
            trk_deg=np.degrees(np.arctan2(vel[:, 0], vel[:, 1])),
            vs_ms=vel[:, 2],
            party=party,
            intent=intent,
            time_s=t_s,
        )
        if t_s >= self._next_trail_s:
            self._trails.append(TrailFrame(t_s, picture.id, picture.lat_deg, picture.lon_deg))
            self._next_trail_s = t_s + self.config.trail_step_s
        return picture

    def check(self, picture: Picture, on_ground: np.ndarray | None = None) -> None:
        """Run the safety nets on ``picture`` (``on_ground``: per track, reported on the ground); their events join
        the recent ones."""
        self._events.extend(self._safety.step(picture, on_ground).events)

    def source_names(self, tracks: LiveTracks) -> np.ndarray:
        """Per track, the names of the sources whose plots have updated it, joined by ``", "``."""
        masks, row = np.unique(tracks.sensor_mask, return_inverse=True)  # a few distinct masks, many tracks
        names = [", ".join(name for sid, name in self._names.items() if mask >> sid & 1) for mask in masks.tolist()]
        return np.array(names, dtype=str)[row.reshape(-1)]

    def squawks(self, tracks: LiveTracks) -> np.ndarray:
        """Per track, the Mode A code a source that hears codes (a real receiver) last heard from its address."""
        hearing = [s for s in self.sources if isinstance(s, HearsSquawks)]
        icao24 = np.asarray(tracks.icao24, dtype=str).tolist()
        codes = [""] * len(icao24)
        for source in hearing:  # the first source that heard a code wins
            codes = [c or (h if a else "") for c, a, h in zip(codes, icao24, source.squawks(icao24), strict=True)]
        return np.array(codes, dtype=str)

    def on_ground(self, tracks: LiveTracks) -> np.ndarray:
        """Per track, whether a source that hears the air/ground flag (a real receiver) last heard its address
        report on the ground (ground suppression of the conflict alert)."""
        hearing = [s for s in self.sources if isinstance(s, HearsGround)]
        if not hearing:
            return np.zeros(len(tracks), dtype=bool)
        icao24 = np.asarray(tracks.icao24, dtype=str).tolist()
        grounded = np.zeros(len(icao24), dtype=bool)
        has_address = np.array([bool(a) for a in icao24], dtype=bool)
        for source in hearing:  # one pass per source (few), one batch lookup each
            grounded |= has_address & np.array(source.grounded(icao24), dtype=bool)
        return grounded

    def _snapshot(
        self,
        picture: Picture,
        tracks: LiveTracks,
        identity_alerts: tuple[IdentityAlert, ...],
        columns: _Columns,
        fused: _Fused,
        clock: ClockState | None,
        began: float,
        stage_s: tuple[tuple[str, float], ...],
    ) -> LiveSnapshot:
        callsign = np.asarray(tracks.callsign, dtype=str)
        party = picture.party
        label = np.where(callsign != "", callsign, np.where(party != "", party, "UNKNOWN"))
        self._seq += 1
        n_truth = len(self.truth.states_at(picture.time_s)) if self.truth is not None else 0
        state = clock or ClockState(picture.time_s, 1.0, False, self.start_s, self.end_s)
        return LiveSnapshot(
            seq=self._seq,
            clock=state,
            picture=picture,
            callsign=callsign,
            label=label,
            alerts=tuple(self._safety.tracker.active),
            events=tuple(self._events),
            trails=tuple(self._trails),
            identity_alerts=identity_alerts,
            coverage_alerts=tuple(self._coverage_alerts.values()),
            coverage_events=tuple(self._coverage_events),
            n_truth=n_truth,
            n_plots=fused.n_plots,
            work_ms=(time.perf_counter() - began) * 1e3,
            stage_ms=tuple((k, v * 1e3) for k, v in stage_s),
            sources=self.source_names(tracks),
            icao24=np.asarray(tracks.icao24, dtype=str),
            plan_version=self._plan.version,
            late_batches=self._late,
            squawk=self.squawks(tracks),
            status=columns.status,
            on_ground=columns.on_ground,
        )

    def run_until(self, t_s: float, on_tick: Callable[[LiveSnapshot], None] | None = None) -> LiveSnapshot:
        """Step tick by tick from the current time to ``t_s`` as fast as possible; return the last snapshot."""
        snap = self.step(self._time_s)
        while self._time_s < t_s:
            snap = self.step(min(self._time_s + self.config.tick_s, t_s))
            if on_tick is not None:
                on_tick(snap)
        return snap


__all__ = ["ConcernFactory", "LiveParts", "LivePipeline", "LivePlan", "SafetyNetFactory"]
