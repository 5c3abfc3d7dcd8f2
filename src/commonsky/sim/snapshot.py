"""`LiveSnapshot`: what one tick of a live run publishes (immutable, safe to hand to any thread)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from commonsky.picture.picture import Picture
from commonsky.safety.alerts import Alert, AlertEvent
from commonsky.sim.clock import ClockState, iso_utc
from commonsky.surveillance.sensors.types import F64


@dataclass(frozen=True, eq=False)
class TrailFrame:
    """Track positions at one earlier tick: ``track`` ids (str, as in the picture), ``lat``/``lon`` degrees."""

    time_s: float
    track: np.ndarray
    lat: F64
    lon: F64


@dataclass(frozen=True, eq=False)
class LiveSnapshot:
    """One published tick.

    ``picture`` holds the confirmed tracks (ids ``T<n>``, SI units, party "" when unknown); ``callsign`` and
    ``label`` are parallel to it (label: callsign, else the party, else ``UNKNOWN``). ``alerts`` are the alerts
    up after this tick, ``events`` the most recent alert events (newest last). ``trails`` are earlier positions,
    oldest first. ``work_ms`` is the wall time this tick took; ``n_truth`` the aircraft really flying and
    ``n_plots`` the detections fused during the tick; ``stage_ms`` splits ``work_ms`` by stage.
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

    @property
    def time_s(self) -> float:
        return self.picture.time_s

    def summary(self) -> str:
        """One status line: ``2014-12-02T06:41:10Z x10  tracks 14 (truth 16)  alerts 2  tick 3.1 ms``."""
        state = "paused" if self.clock.paused else f"x{self.clock.speed:g}"
        return (
            f"{iso_utc(self.time_s)} {state}  tracks {len(self.picture)} (truth {self.n_truth})  "
            f"alerts {len(self.alerts)}  tick {self.work_ms:.1f} ms"
        )


__all__ = ["LiveSnapshot", "TrailFrame"]
