"""Intents: a party's request for airspace, as an immutable value with 4D volumes.

An intent in commonsky is what ASTM F3548 calls an operational intent: an id, the party that filed it, a priority
(an integer; higher wins), a state and the volumes it needs. ``version`` is the optimistic-concurrency counter the
broker bumps on each change. ``filed_s`` (Unix seconds) is when it was filed: the order in which a broker processes
intents, and the start of the look-ahead that widens a route's time buffers. ``route`` keeps the filed 4D
centreline of a route intent (empty for orbits and explicit volumes): the volumes are what is checked, the route is
what the aircraft intends to fly (truth flights, conformance monitoring). It is private to the owner like the rest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import StrEnum

from commonsky.airspace.volume import Volume
from commonsky.errors import InputError
from commonsky.plans.route import Waypoint


class IntentState(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"  # refused or preempted: holds no airspace
    ACTIVATED = "activated"
    ENDED = "ended"


@dataclass(frozen=True)
class Intent:
    """One party's 4D intent. Values are immutable: `shifted`, `with_state` return new intents."""

    id: str
    party: str
    volumes: tuple[Volume, ...]
    priority: int = 0
    state: IntentState = IntentState.PROPOSED
    version: int = 0
    filed_s: float | None = None
    label: str = ""
    route: tuple[Waypoint, ...] = ()

    def __post_init__(self) -> None:
        if not self.id.strip():
            raise InputError("intent id is empty")
        if not self.party.strip():
            raise InputError(f"intent {self.id!r}: party is empty")
        if not self.volumes:
            raise InputError(f"intent {self.id!r}: has no volumes")

    @property
    def start_s(self) -> float:
        return min(v.window.start_s for v in self.volumes)

    @property
    def end_s(self) -> float:
        return max(v.window.end_s for v in self.volumes)

    @property
    def is_bounded(self) -> bool:
        return math.isfinite(self.start_s) and math.isfinite(self.end_s)

    def shifted(self, dt_s: float = 0.0, dz_m: float = 0.0) -> Intent:
        """The whole intent moved ``dt_s`` seconds later and ``dz_m`` metres higher (negative: earlier, lower)."""
        route = tuple(
            replace(w, time_s=w.time_s + dt_s, alt=replace(w.alt, value_m=w.alt.value_m + dz_m)) for w in self.route
        )
        return replace(self, volumes=tuple(v.shifted(dt_s, dz_m) for v in self.volumes), route=route)

    def with_state(self, state: IntentState) -> Intent:
        return replace(self, state=state)
