"""Plot sources: whatever delivers plots to the live tracker each tick. The simulated sensors are one kind.

`PlotSource` is the small protocol a `LivePipeline` steps: a radar simulated from the scenario's truth, a real
ADS-B receiver read over TCP (Beast, AVR, SBS) and an ADS-B network are all sources, fused by one tracker.

Per tick the pipeline calls ``poll(t_s)`` on every source. A source returns the batches of plots that became due
(simulated scans) or arrived (receiver reports) since its previous poll, oldest first, each one a `Plots` stamped
with a time in ``(previous poll, t_s]`` and carrying the source's ``sensor.sensor_id``:

- a batch with plots is a scan that saw aircraft;
- an EMPTY batch is a report that saw nothing (the link is up, the sky or the receiver is quiet);
- NO batch at all is silence.

Health follows from that alone: every batch is reported to the pipeline's `SensorHealthMonitor` under the
source's `watched` description (its report period and the area it covers), so a receiver whose link drops (no
batches for ``silent_after_periods`` periods) raises the same coverage-loss alert as a radar that stops scanning,
and one that keeps reporting empty batches while the picture expects plots in its area is called blind. A real
receiver should therefore emit one batch per period (e.g. every second), empty when it heard nothing.

Tracks name their sources: the tracker sets bit ``sensor_id`` (0..63) of a track's ``sensor_mask`` for every source
whose plots updated it, and the pipeline turns the mask into the sources' names (`LiveSnapshot.sources`). Source
ids must therefore be distinct and below 64.

``restart(t_s)`` drops whatever is due or buffered before ``t_s`` (a jump in time, or a pipeline too far behind
the clock); sources are stepped from the pipeline's thread only and need not be thread-safe.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from commonsky.geo.geodesy import LocalFrame
from commonsky.sim.sensors import SensorSlot
from commonsky.sim.truth import TruthSet
from commonsky.surveillance.health import WatchedSensor, covered_area
from commonsky.surveillance.sensor_config import SensorSpec
from commonsky.surveillance.sensors.types import Plots, Sensor
from commonsky.surveillance.tracking.tracks import MAX_SENSORS

MAX_SOURCES = MAX_SENSORS
"""Sources a pipeline can tell apart in a track's ``sensor_mask`` (one bit each)."""


class PlotSource(Protocol):
    """Delivers plots to the tracker each tick (see the module docstring for the contract)."""

    @property
    def spec(self) -> SensorSpec:
        """What the source is and where: name, kind (``radar``, ``adsb``, ``aew``), site, range (status, map)."""
        ...

    @property
    def sensor(self) -> Sensor:
        """The detection model: its ``sensor_id`` marks the plots and the tracks' masks; the tracker asks it which
        tracks a batch could have seen, the health monitor how many plots an empty batch should have held."""
        ...

    @property
    def watched(self) -> WatchedSensor:
        """How the health monitor watches it: name, report period (s), covered area, when it should work."""
        ...

    @property
    def lat(self) -> float:
        """Where to show it on the map, degrees (an airborne radar: mid-orbit); NaN when unknown."""
        ...

    @property
    def lon(self) -> float: ...

    def restart(self, t_s: float) -> None:
        """Forget anything due or buffered before ``t_s`` (Unix s); the next poll starts there."""
        ...

    def poll(self, t_s: float) -> Sequence[Plots]:
        """The batches due or arrived since the previous poll, oldest first, stamped in ``(previous, t_s]``."""
        ...


@runtime_checkable
class HearsSquawks(Protocol):
    """A source that also hears Mode A codes (a real receiver): the picture shows them beside the tracks."""

    def squawks(self, icao24: Sequence[str]) -> list[str]:
        """The latest code heard from each of ``icao24`` ("" when none)."""
        ...


@runtime_checkable
class HearsGround(Protocol):
    """A source that hears the air/ground flag (a real receiver): ground suppression of the conflict alert."""

    def grounded(self, icao24: Sequence[str]) -> list[bool]:
        """Whether each of ``icao24`` last reported on the ground (False when it never said)."""
        ...


class SimulatedSensor:
    """A scenario sensor observing the truth: its scans due since the previous poll, with noise from ``rng``.

    No batch while the sensor is off (an AEW radar outside its flight, `SensorSlot.active`) or inside one of its
    configured ``outages``: to the health monitor that is a sensor gone silent, as it would be for real."""

    def __init__(self, slot: SensorSlot, truth: TruthSet, rng: np.random.Generator, watched: WatchedSensor) -> None:
        self.slot = slot
        self.truth = truth
        self.watched = watched
        self._rng = rng
        self._next_s = -math.inf

    @property
    def spec(self) -> SensorSpec:
        return self.slot.spec

    @property
    def sensor(self) -> Sensor:
        return self.slot.sensor

    @property
    def lat(self) -> float:
        return self.slot.lat

    @property
    def lon(self) -> float:
        return self.slot.lon

    def restart(self, t_s: float) -> None:
        self._next_s = float(t_s)

    def poll(self, t_s: float) -> list[Plots]:
        times = self.slot.sensor.times_s(self._next_s, t_s + 1e-9)
        if not len(times):
            return []
        self._next_s = float(times[-1]) + self.watched.period_s
        due = (float(t) for t in times)
        return [
            self.slot.sensor.observe(self.truth.states_at(t), self._rng)
            for t in due
            if self.slot.active(t) and not self.slot.spec.silent_at(t)
        ]


def scan_period_s(sensor: Sensor) -> float:
    """Seconds between two scans of ``sensor`` (an hour if it scans once or never in an hour)."""
    grid = sensor.times_s(0.0, 3600.0)
    return float(grid[1] - grid[0]) if len(grid) > 1 else 3600.0


@dataclass(frozen=True)
class WatchPolicy:
    """How the covered area of a watched source is drawn for its coverage-loss alert: at ``alt_m``, on a
    ``res_m`` grid; a source that starts late is called silent only ``grace_periods`` scans after its start."""

    alt_m: float = 3_000.0
    res_m: float = 5_000.0
    grace_periods: float = 3.0


def watch_slot(slot: SensorSlot, frame: LocalFrame, policy: WatchPolicy) -> WatchedSensor:
    """``slot`` under the health monitor: its scan period, the area it covers (an AEW radar: from mid-flight),
    watched from ``grace_periods`` scans after its start so its first scans arrive before it is called silent."""
    period = scan_period_s(slot.sensor)
    mid_s = (slot.start_s + slot.end_s) / 2 if math.isfinite(slot.start_s + slot.end_s) else 0.0
    area = covered_area(slot.sensor, frame, policy.alt_m, slot.range_m, policy.res_m, mid_s)
    return WatchedSensor(slot.sensor, slot.name, period, area, slot.start_s + policy.grace_periods * period, slot.end_s)


def simulated_sources(
    slots: Sequence[SensorSlot], truth: TruthSet, seed: int, policy: WatchPolicy = WatchPolicy()
) -> tuple[SimulatedSensor, ...]:
    """One `SimulatedSensor` per slot, each with its own noise stream (seeded by ``seed`` and its sensor id, so a
    sensor's noise does not depend on which other sensors run)."""
    return tuple(
        SimulatedSensor(
            slot, truth, np.random.default_rng([seed, slot.sensor.sensor_id]), watch_slot(slot, truth.frame, policy)
        )
        for slot in slots
    )


__all__ = [
    "MAX_SOURCES",
    "HearsGround",
    "HearsSquawks",
    "PlotSource",
    "SimulatedSensor",
    "WatchPolicy",
    "scan_period_s",
    "simulated_sources",
    "watch_slot",
]
