"""Sensor health: a sensor that falls silent raises a coverage-loss alert naming it and the area it covered.

A sensor is *silent* at time ``t`` while it should be working (inside its ``[start_s, end_s]``) and either

- **no reports**: none of its scans (not even empty ones) has arrived for ``silent_after_periods`` scan periods --
  a dead link or a dead sensor, whatever the traffic; or
- **no plots**: its scans arrive but have held no plot for ``silent_after_periods`` periods although the picture
  expected at least ``min_expected_plots`` of them (the sum of its detection probability over the confirmed tracks
  in its coverage at each empty scan) -- a failed transmitter or receiver. A quiet sky is not an outage.

The alert ends when the sensor delivers plots again (or, for "no reports", reports again and is not blind). The
tracks fed only by the silent sensor are named in the alert: the tracker coasts them (prediction without update)
and deletes them by its own rule, so the alert is the operator's explanation for tracks that fade.

`SensorHealthMonitor` is stateful and not thread-safe: one per picture loop. Call `report` with every scan that
arrives and `step` once per picture update.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import numpy as np
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from commonsky.errors import InputError
from commonsky.events import EventKind
from commonsky.geo.geodesy import LocalFrame, geodesic_area_m2
from commonsky.surveillance.sensors.types import Plots, Sensor
from commonsky.surveillance.tracking.tracks import LiveTracks, sensor_bit


class HealthAlertKind(StrEnum):
    """The alert the sensor health monitor raises (its kind on the live map)."""

    COVERAGE_LOSS = "coverage-loss"


@dataclass(frozen=True)
class WatchedSensor:
    """A sensor under watch: its model, name, scan (report) period in seconds, the lon/lat area it covers (for the
    alert; see `covered_area`), and when it should be working (Unix s)."""

    sensor: Sensor
    name: str
    period_s: float
    area_lonlat: BaseGeometry
    start_s: float = -math.inf
    end_s: float = math.inf

    def __post_init__(self) -> None:
        if not self.period_s > 0:
            raise InputError(f"sensor {self.name!r}: scan period must be positive, got {self.period_s} s")


@dataclass(frozen=True)
class HealthPolicy:
    silent_after_periods: float = 3.0
    min_expected_plots: float = 2.0


@dataclass(frozen=True)
class CoverageLossEvent:
    """``action`` raised or ended (`EventKind`). ``orphan_track_ids``: live tracks only this sensor ever updated
    (coasting)."""

    t_s: float
    action: EventKind
    sensor_id: int
    name: str
    reason: str
    silent_since_s: float
    area_lonlat: BaseGeometry
    orphan_track_ids: tuple[int, ...] = ()

    @property
    def area_km2(self) -> float:
        return geodesic_area_m2(self.area_lonlat) / 1e6 if not self.area_lonlat.is_empty else 0.0

    @property
    def message(self) -> str:
        since = datetime.fromtimestamp(self.silent_since_s, UTC).strftime("%H:%M:%SZ")
        if self.action is EventKind.ENDED:
            return f"coverage restored: {self.name} reports again"
        tracks = f"; {len(self.orphan_track_ids)} track(s) fed only by it are coasting" if self.orphan_track_ids else ""
        return (
            f"coverage loss: {self.name} silent since {since} ({self.reason}); "
            f"it covered {self.area_km2:,.0f} km²{tracks}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "t_s": self.t_s,
            "action": self.action,
            "sensor_id": self.sensor_id,
            "name": self.name,
            "reason": self.reason,
            "silent_since_s": self.silent_since_s,
            "area_km2": round(self.area_km2, 1),
            "area": mapping(self.area_lonlat) if not self.area_lonlat.is_empty else None,
            "orphan_track_ids": list(self.orphan_track_ids),
            "message": self.message,
        }


@dataclass
class _Watch:
    last_report_s: float
    last_plot_s: float
    expected: float = 0.0
    pending_empty: list[float] = field(default_factory=list)
    silent: bool = False
    silent_since_s: float = math.nan


class SensorHealthMonitor:
    """Watches sensors for silence (see the module docstring). Not thread-safe."""

    def __init__(self, sensors: Sequence[WatchedSensor], start_s: float, policy: HealthPolicy = HealthPolicy()) -> None:
        ids = [w.sensor.sensor_id for w in sensors]
        if len(set(ids)) != len(ids):
            raise InputError("watched sensors must have distinct sensor ids")
        self.sensors = {w.sensor.sensor_id: w for w in sensors}
        self.policy = policy
        self._state = {i: _Watch(start_s, start_s) for i in ids}

    def report(self, plots: Plots) -> None:
        """A scan (or report batch) of a watched sensor arrived; unknown sensor ids are ignored."""
        state = self._state.get(plots.sensor_id)
        if state is None:
            return
        state.last_report_s = max(state.last_report_s, plots.t_s)
        if len(plots):
            state.last_plot_s = max(state.last_plot_s, plots.t_s)
            state.expected = 0.0
            state.pending_empty.clear()
        else:
            state.pending_empty.append(plots.t_s)

    def silent(self) -> tuple[str, ...]:
        """Names of the sensors currently silent."""
        return tuple(self.sensors[i].name for i, s in self._state.items() if s.silent)

    def step(self, t_s: float, tracks: LiveTracks) -> tuple[CoverageLossEvent, ...]:
        """Update every sensor at ``t_s`` against the picture ``tracks``; return raised and ended alerts."""
        live = tracks.confirmed_only()
        events: list[CoverageLossEvent] = []
        k = self.policy.silent_after_periods
        for sid, state in self._state.items():
            watch = self.sensors[sid]
            if state.pending_empty and len(live):
                seen = live.icao24 != "" if watch.sensor.cooperative else np.ones(len(live), dtype=bool)
                for ts in state.pending_empty:
                    state.expected += float(watch.sensor.detection_probability(live.pos_m[seen], ts).sum())
            state.pending_empty.clear()
            working = watch.start_s <= t_s <= watch.end_s
            no_reports = t_s - state.last_report_s >= k * watch.period_s
            blind = t_s - state.last_plot_s >= k * watch.period_s and state.expected >= self.policy.min_expected_plots
            now = working and (no_reports or blind)
            if now and not state.silent:
                since = state.last_report_s if no_reports else state.last_plot_s
                reason = (
                    f"no reports for {t_s - since:.0f} s"
                    if no_reports
                    else f"no plots for {t_s - since:.0f} s while {state.expected:.0f} were expected"
                )
                state.silent, state.silent_since_s = True, since
                events.append(
                    CoverageLossEvent(
                        t_s, EventKind.RAISED, sid, watch.name, reason, since, watch.area_lonlat, orphans(live, sid)
                    )
                )
            elif state.silent and not now:
                state.silent = False
                events.append(
                    CoverageLossEvent(
                        t_s, EventKind.ENDED, sid, watch.name, "reports again", state.silent_since_s, watch.area_lonlat
                    )
                )
        return tuple(events)


def orphans(tracks: LiveTracks, sensor_id: int) -> tuple[int, ...]:
    """Ids of the tracks that only ``sensor_id`` ever updated."""
    only = tracks.sensor_mask == sensor_bit(sensor_id)
    return tuple(int(i) for i in tracks.track_id[only])


def covered_area(
    sensor: Sensor, frame: LocalFrame, alt_m: float, reach_m: float, resolution_m: float = 2_000.0, t_s: float = 0.0
) -> BaseGeometry:
    """The lon/lat area where ``sensor`` sees an aircraft at ``alt_m`` at ``t_s`` (grid of ``resolution_m`` within
    ``reach_m`` of the frame position of its platform; ``reach_m`` is usually its maximum range)."""
    from commonsky.surveillance.coverage import Grid
    from commonsky.surveillance.coverage_map import mask_polygons

    site = sensor.platform.position_m(t_s) if hasattr(sensor, "platform") else np.zeros(3)
    axis = np.arange(-reach_m + resolution_m / 2, reach_m, resolution_m)
    east, north = np.meshgrid(site[0] + axis, site[1] + axis)
    pts = np.stack([east, north, np.full(east.shape, float(alt_m))], axis=-1).reshape(-1, 3)
    seen = (sensor.detection_probability(pts, t_s) > 0).reshape(east.shape)
    grid = Grid(frame, east, north, resolution_m, np.ones(east.shape, dtype=bool))
    return mask_polygons(grid, seen, resolution_m / 4)


__all__ = [
    "CoverageLossEvent",
    "HealthPolicy",
    "SensorHealthMonitor",
    "WatchedSensor",
    "covered_area",
    "orphans",
]
