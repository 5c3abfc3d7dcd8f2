"""`LiveSnapshot`: what one tick of a live run publishes (immutable, safe to hand to any thread)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from commonsky._typing import FloatArray
from commonsky.picture.picture import Picture
from commonsky.safety.alerts import Alert, AlertEvent
from commonsky.sim.clock import ClockState, iso_utc
from commonsky.surveillance.correlation import CorrelationEvent, CorrelationKind
from commonsky.surveillance.health import CoverageLossEvent, HealthAlertKind


@dataclass(frozen=True, eq=False)
class TrailFrame:
    """Track positions at one earlier tick: ``track`` ids (str, as in the picture), ``lat_deg``/``lon_deg``."""

    time_s: float
    track: np.ndarray
    lat_deg: FloatArray
    lon_deg: FloatArray


@dataclass(frozen=True)
class IdentityAlert:
    """An "unknown" or "non-conforming" alert of the correlation (its latest event) and when it was raised."""

    event: CorrelationEvent
    raised_s: float

    @property
    def key(self) -> int:
        """Stable id: one per track and kind (never equal to a safety-net alert id, which counts from 1)."""
        return -(self.event.track_id * 2 + (self.event.kind != CorrelationKind.UNKNOWN) + 1)


COVERAGE_KEY_BASE = -1_000_000_000
"""Coverage-loss alert ids are ``COVERAGE_KEY_BASE - sensor_id``: below every identity alert id (those are
``-(2 * track_id + 1)`` or ``-(2 * track_id + 2)``) as long as track ids stay under 5e8."""


@dataclass(frozen=True)
class CoverageAlert:
    """A coverage-loss alert of the sensor health monitor (the event that raised it): sensor ``event.name`` has
    fallen silent. ``lat``/``lon`` (degrees) place it on the map: the sensor's site (an AEW radar: mid-orbit)."""

    event: CoverageLossEvent
    lat: float
    lon: float

    @property
    def key(self) -> int:
        """Stable id: one per sensor (see `COVERAGE_KEY_BASE`)."""
        return COVERAGE_KEY_BASE - self.event.sensor_id

    @property
    def raised_s(self) -> float:
        return self.event.t_s


@dataclass(frozen=True, eq=False)
class LiveSnapshot:
    """One published tick.

    ``picture`` holds the confirmed tracks (ids ``T<n>``, SI units, party "" when unknown); ``callsign`` and
    ``label`` are parallel to it (label: callsign, else the party, else ``UNKNOWN``). ``alerts`` are the safety
    nets' alerts up after this tick (``identity_alerts``: the correlation's unknown / non-conforming ones;
    ``coverage_alerts``: the sensors found silent by the health monitor), ``events`` the most recent safety alert
    events and ``coverage_events`` the most recent coverage-loss events, raised and ended (newest last).
    ``trails`` are earlier positions, oldest first. ``work_ms`` is the wall time this tick took; ``n_truth`` the
    aircraft really flying and ``n_plots`` the detections fused during the tick; ``stage_ms`` splits ``work_ms`` by
    stage.
    ``squawk`` (parallel to the picture) is the Mode A code real receivers heard from the track's address ("" if
    none). ``status`` (parallel to the picture) is each track's correlation status (`TrackStatus` values: an aircraft
    nobody claims is ``unknown`` wherever it flies, though it raises an alert only where it matters, see
    `commonsky.surveillance.concern`); ``on_ground`` (parallel) whether a real receiver last heard it report on the
    ground (such an aircraft takes no part in the conflict alert). ``sources`` (parallel to the picture) names the
    sources whose plots have updated each track (``", "`` between names) and ``icao24`` its ADS-B address ("" if
    none); ``plan_version`` is the version of the plan
    (intents, zones) the picture was checked against; ``late_batches`` counts the batches that arrived too late to
    be fused since the last restart.
    ``seq`` increases by one per publication (a tick, or a change of the clock while the picture stands still).
    """

    seq: int
    clock: ClockState
    picture: Picture
    callsign: np.ndarray
    label: np.ndarray
    alerts: tuple[Alert, ...]
    events: tuple[AlertEvent, ...]
    trails: tuple[TrailFrame, ...]
    n_truth: int
    n_plots: int
    work_ms: float
    stage_ms: tuple[tuple[str, float], ...] = ()
    identity_alerts: tuple[IdentityAlert, ...] = ()
    coverage_alerts: tuple[CoverageAlert, ...] = ()
    coverage_events: tuple[CoverageLossEvent, ...] = ()
    sources: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=str))
    icao24: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=str))
    plan_version: int = 0
    late_batches: int = 0
    squawk: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=str))
    status: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=str))
    on_ground: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def __post_init__(self) -> None:
        for column in (self.callsign, self.label, self.sources, self.icao24, self.squawk, self.status, self.on_ground):
            column.setflags(write=False)

    @property
    def time_s(self) -> float:
        return self.picture.time_s

    def summary(self) -> str:
        """One status line, e.g. ``2014-12-02T06:41:10Z x10  tracks 5 (truth 6, unknown 2)  alerts 2 (conflict 1,
        incursion 1)  tick 3.1 ms``."""
        state = "paused" if self.clock.paused else ("end" if self.clock.finished else f"x{self.clock.speed:g}")
        unknown = int((self.picture.party == "").sum())
        kinds = [a.kind.value for a in self.alerts] + [a.event.kind for a in self.identity_alerts]
        kinds += [HealthAlertKind.COVERAGE_LOSS] * len(self.coverage_alerts)
        split = ", ".join(f"{k} {kinds.count(k)}" for k in sorted(set(kinds)))
        return (
            f"{iso_utc(self.time_s)} {state}  tracks {len(self.picture)} (truth {self.n_truth}, unknown {unknown})  "
            f"alerts {len(kinds)}{f' ({split})' if split else ''}  tick {self.work_ms:.1f} ms"
        )


__all__ = ["COVERAGE_KEY_BASE", "CoverageAlert", "IdentityAlert", "LiveSnapshot", "TrailFrame"]
