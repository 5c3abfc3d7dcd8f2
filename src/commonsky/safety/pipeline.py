"""`SafetyNet`: the per-cycle pipeline picture -> conflicts + zone incursions -> alert events.

Detection is pure (`detect_conflicts`, `detect_incursions`); the pipeline only adds the alert lifecycle. It is
NOT thread-safe (it owns an `AlertTracker`): run one per picture stream, from one thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from commonsky.airspace.zone import Zone
from commonsky.picture.picture import Picture
from commonsky.safety.alerts import AlertEvent, AlertTracker, observations
from commonsky.safety.conflicts import Conflicts, detect_conflicts
from commonsky.safety.incursion import Incursions, ZoneIndex, detect_incursions
from commonsky.safety.params import ProtectionPolicy


@dataclass(frozen=True, eq=False)
class CycleResult:
    """Everything one cycle produced."""

    time_s: float
    conflicts: Conflicts
    incursions: Incursions
    events: list[AlertEvent]


@dataclass
class SafetyNet:
    """Conflict alert and zone incursion warning over successive pictures."""

    policy: ProtectionPolicy = field(default_factory=ProtectionPolicy)
    zones: Sequence[Zone] = ()
    tracker: AlertTracker = field(default_factory=AlertTracker)
    zone_lookahead_s: float = 300.0

    def __post_init__(self) -> None:
        self._index = ZoneIndex.build(self.zones)

    def step(self, picture: Picture) -> CycleResult:
        """Detect on ``picture`` and advance the alert lifecycle to ``picture.time_s``."""
        conflicts = detect_conflicts(picture, self.policy)
        incursions = detect_incursions(picture, self._index, self.zone_lookahead_s)
        seen = observations(picture.time_s, conflicts, incursions, picture.lat, picture.lon)
        events = self.tracker.update(picture.time_s, seen)
        return CycleResult(picture.time_s, conflicts, incursions, events)

    def finish(self, time_s: float) -> list[AlertEvent]:
        """End the alerts still up."""
        return self.tracker.close(time_s)
