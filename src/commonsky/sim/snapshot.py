"""`LiveSnapshot`: what one tick of a live run publishes (immutable, safe to hand to any thread)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from commonsky.picture.picture import Picture
from commonsky.safety.alerts import Alert, AlertEvent
from commonsky.sim.clock import ClockState, iso_utc
from commonsky.surveillance.correlation import CorrelationEvent
from commonsky.surveillance.sensors.types import F64


@dataclass(frozen=True, eq=False)
class TrailFrame:
    """Track positions at one earlier tick: ``track`` ids (str, as in the picture), ``lat``/``lon`` degrees."""

    time_s: float
    track: np.ndarray
    lat: F64
    lon: F64


@dataclass(frozen=True)
class IdentityAlert:
    """An "unknown" or "non-conforming" alert of the correlation (its latest event) and when it was raised."""

    event: CorrelationEvent
    raised_s: float

    @property
    def key(self) -> int:
        """Stable id: one per track and kind (never equal to a safety-net alert id, which counts from 1)."""
        return -(self.event.track_id * 2 + (self.event.kind != "unknown") + 1)


@dataclass(frozen=True, eq=False)
class LiveSnapshot:
    """One published tick.

    ``picture`` holds the confirmed tracks (ids ``T<n>``, SI units, party "" when unknown); ``callsign`` and
    ``label`` are parallel to it (label: callsign, else the party, else ``UNKNOWN``). ``alerts`` are the safety
    nets' alerts up after this tick (``identity_alerts``: the correlation's unknown / non-conforming ones),
    ``events`` the most recent safety alert events (newest last). ``trails`` are earlier positions, oldest
    first. ``work_ms`` is the wall time this tick took; ``n_truth`` the aircraft really flying and ``n_plots``
    the detections fused during the tick; ``stage_ms`` splits ``work_ms`` by stage.
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

    def __post_init__(self) -> None:
        for column in (self.callsign, self.label):
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
        split = ", ".join(f"{k} {kinds.count(k)}" for k in sorted(set(kinds)))
        return (
            f"{iso_utc(self.time_s)} {state}  tracks {len(self.picture)} (truth {self.n_truth}, unknown {unknown})  "
            f"alerts {len(kinds)}{f' ({split})' if split else ''}  tick {self.work_ms:.1f} ms"
        )


__all__ = ["LiveSnapshot", "TrailFrame"]
