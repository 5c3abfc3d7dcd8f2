"""Alert lifecycle: raised, updated, ended, with hysteresis, from per-cycle detections.

Pure detections (`Conflicts`, `Incursions`) come in once per cycle; `AlertTracker` turns them into events.
An UPDATED event is emitted when the loss is first seen or the predicted time moves by ``update_tolerance_s``
or more (the alert itself is refreshed every cycle). Hysteresis: an alert is raised once its condition holds in
``raise_cycles`` consecutive cycles (1 = at once), and ended only after the condition has been absent for
``end_cycles`` consecutive cycles, so a pair that drops in and out of the detection boundary does not flicker.
Each alert carries its warning time: the time from its raise to the loss of separation (or zone entry) actually
seen, or, while none has been seen, predicted.

The live run and replay end an alert after `ALERT_END_S` without its condition (`cycles_in` turns it into their
cycles): one encounter is one alert, not an alert per dip of its prediction below the threshold.

`AlertTracker` holds state across cycles and is NOT thread-safe: one tracker per picture stream, called from
one thread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np

from commonsky.errors import InputError
from commonsky.events import EventKind
from commonsky.safety.conflicts import Conflicts
from commonsky.safety.incursion import Incursions

ALERT_END_S = 45.0
"""An alert ends after its condition has been absent this long (the live run's `RunConfig.alert_end_s` and
replay's default). Shorter, a pair whose predicted miss hovers about the threshold, or an aircraft whose climb
rate wavers below an occupied level, re-raises the alert of the same encounter every few cycles: a controller sees
flicker, and each re-raise counts as one more alert."""


def cycles_in(duration_s: float, cycle_s: float) -> int:
    """Whole cycles of ``cycle_s`` covering ``duration_s``, at least one."""
    return max(1, math.ceil(duration_s / cycle_s))


class AlertKind(StrEnum):
    CONFLICT = "conflict"
    INCURSION = "incursion"


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert. ``subjects``: (ownship, intruder) ids for a conflict, (aircraft id, zone name) for an incursion.

    Times are seconds on the picture clock. ``predicted_s``: predicted time of loss / entry at the last update;
    ``actual_s``: first time the loss of separation (or being inside the zone) was seen while the alert was up,
    or None. ``warning_time_s`` = (actual or predicted) - raised. ``tcpa_s``/``dcpa_m`` only for conflicts.
    """

    alert_id: int
    kind: AlertKind
    subjects: tuple[str, str]
    raised_s: float
    updated_s: float
    predicted_s: float
    actual_s: float | None = None
    ended_s: float | None = None
    tcpa_s: float = float("nan")
    dcpa_m: float = float("nan")
    lat: float = float("nan")
    lon: float = float("nan")

    @property
    def warning_time_s(self) -> float:
        return (self.actual_s if self.actual_s is not None else self.predicted_s) - self.raised_s


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """A change of an alert: the alert as it is after the change."""

    kind: EventKind
    time_s: float
    alert: Alert


@dataclass(frozen=True, slots=True)
class Observation:
    """What one cycle says about one alert key.

    ``hold``: the condition holds only within the hold margin (see `SafetyNet`): it keeps an alert up but never
    raises one and causes no event.
    """

    predicted_s: float
    in_violation: bool
    tcpa_s: float = float("nan")
    dcpa_m: float = float("nan")
    lat: float = float("nan")
    lon: float = float("nan")
    hold: bool = False


Key = tuple[AlertKind, str, str]


def observations(
    time_s: float, conflicts: Conflicts, incursions: Incursions, lat: np.ndarray, lon: np.ndarray
) -> dict[Key, Observation]:
    """This cycle's observations keyed by (kind, subject, subject). ``lat``/``lon``: the picture's positions."""
    out: dict[Key, Observation] = {}
    # Columns as Python lists once (not a NumPy scalar per field per pair): the loop is over thousands of pairs.
    rows = zip(
        conflicts.ownship_id.astype(str).tolist(),
        conflicts.intruder_id.astype(str).tolist(),
        (time_s + conflicts.tin_s).tolist(),
        conflicts.los.tolist(),
        conflicts.tcpa_s.tolist(),
        conflicts.dcpa_m.tolist(),
        np.asarray(lat)[conflicts.i].tolist(),
        np.asarray(lon)[conflicts.i].tolist(),
        strict=True,
    )
    for own, intruder, predicted_s, los, tcpa_s, dcpa_m, lat_i, lon_i in rows:
        out[(AlertKind.CONFLICT, own, intruder)] = Observation(
            predicted_s, bool(los), tcpa_s=tcpa_s, dcpa_m=dcpa_m, lat=lat_i, lon=lon_i
        )
    for k in range(len(incursions)):
        out[(AlertKind.INCURSION, str(incursions.aircraft_id[k]), str(incursions.zone_name[k]))] = Observation(
            predicted_s=time_s + float(incursions.time_to_entry_s[k]),
            in_violation=bool(incursions.inside[k]),
            lat=float(incursions.entry_lat[k]),
            lon=float(incursions.entry_lon[k]),
        )
    return out


@dataclass
class AlertTracker:
    """Stateful alert lifecycle with hysteresis (NOT thread-safe; see module docstring)."""

    raise_cycles: int = 1
    end_cycles: int = 3
    update_tolerance_s: float = 5.0
    _active: dict[Key, Alert] = field(default_factory=dict, init=False, repr=False)
    _pending: dict[Key, int] = field(default_factory=dict, init=False, repr=False)
    _missing: dict[Key, int] = field(default_factory=dict, init=False, repr=False)
    _next_id: int = field(default=1, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.raise_cycles < 1 or self.end_cycles < 1:
            raise InputError(f"raise_cycles and end_cycles must be >= 1, got {self.raise_cycles} and {self.end_cycles}")

    @property
    def active(self) -> list[Alert]:
        """Alerts currently up, oldest first: the order they were raised in (an alert enters ``_active`` when raised,
        with the next id, and keeps its place when updated), so no sort of thousands of alerts per call."""
        return list(self._active.values())

    @property
    def busy(self) -> bool:
        """Whether a cycle with nothing seen would still change something (alerts up or waiting to be raised)."""
        return bool(self._active or self._pending)

    def update(self, time_s: float, seen: dict[Key, Observation]) -> list[AlertEvent]:
        """Feed one cycle's observations; return the events it causes (raised, updated, ended)."""
        events: list[AlertEvent] = []
        for key, obs in seen.items():
            alert = self._active.get(key)
            if obs.hold:
                self._missing.pop(key, None)
                continue
            if alert is None:
                count = self._pending.get(key, 0) + 1
                if count < self.raise_cycles:
                    self._pending[key] = count
                    continue
                self._pending.pop(key, None)
                alert = Alert(
                    alert_id=self._next_id,
                    kind=key[0],
                    subjects=(key[1], key[2]),
                    raised_s=time_s,
                    updated_s=time_s,
                    predicted_s=obs.predicted_s,
                    actual_s=time_s if obs.in_violation else None,
                    tcpa_s=obs.tcpa_s,
                    dcpa_m=obs.dcpa_m,
                    lat=obs.lat,
                    lon=obs.lon,
                )
                self._next_id += 1
                self._active[key] = alert
                events.append(AlertEvent(EventKind.RAISED, time_s, alert))
                continue
            self._missing.pop(key, None)
            previous = alert
            # Built directly, not by `dataclasses.replace` (several times slower, and this runs per alert per cycle).
            alert = Alert(
                previous.alert_id,
                previous.kind,
                previous.subjects,
                previous.raised_s,
                time_s,
                obs.predicted_s if previous.actual_s is None else previous.predicted_s,
                previous.actual_s if previous.actual_s is not None or not obs.in_violation else time_s,
                previous.ended_s,
                obs.tcpa_s,
                obs.dcpa_m,
                obs.lat,
                obs.lon,
            )
            notable = (alert.actual_s is not None and previous.actual_s is None) or abs(
                alert.predicted_s - previous.predicted_s
            ) >= self.update_tolerance_s
            self._active[key] = alert
            if notable:
                events.append(AlertEvent(EventKind.UPDATED, time_s, alert))
        for key in [k for k in self._pending if k not in seen]:
            del self._pending[key]
        for key in [k for k in self._active if k not in seen]:
            misses = self._missing.get(key, 0) + 1
            if misses < self.end_cycles:
                self._missing[key] = misses
                continue
            self._missing.pop(key, None)
            ended = replace(self._active.pop(key), ended_s=time_s)
            events.append(AlertEvent(EventKind.ENDED, time_s, ended))
        return events

    def end_now(self, time_s: float, keys: list[Key]) -> list[AlertEvent]:
        """End the alerts of ``keys`` that are up at once, without hysteresis (their subject is gone for good)."""
        events = []
        for key in keys:
            self._missing.pop(key, None)
            self._pending.pop(key, None)
            alert = self._active.pop(key, None)
            if alert is not None:
                events.append(AlertEvent(EventKind.ENDED, time_s, replace(alert, ended_s=time_s)))
        return events

    def close(self, time_s: float) -> list[AlertEvent]:
        """End every alert still up (end of a replay)."""
        events = [AlertEvent(EventKind.ENDED, time_s, replace(a, ended_s=time_s)) for a in self.active]
        self._active.clear()
        self._pending.clear()
        self._missing.clear()
        return events
