"""What the engine answers: a verdict, the conflicts (where, when, which altitudes) and resolutions."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import shapely
from shapely.geometry.base import BaseGeometry

from commonsky.airspace.volume import Overlap, Volume
from commonsky.plans.intent import Intent


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Effect(StrEnum):
    """What a conflict does to the checked intent."""

    BLOCKS = "blocks"  # a binding zone, or an intent of equal or higher priority: the intent is rejected
    SUPERSEDES = "supersedes"  # a lower-priority accepted intent: it must be replanned (its owner is notified)
    ADVISORY = "advisory"  # an advisory zone: a warning only


class OtherKind(StrEnum):
    INTENT = "intent"
    ZONE = "zone"


@dataclass(frozen=True)
class ConflictPart:
    """One own volume against one volume of the other: the exact overlap.

    ``other_volume`` and ``other_clear_s`` (when the other's activity containing the overlap ends) feed the
    resolution search; `commonsky.strategic.privacy.redact` removes them for viewers who may not see them.
    """

    own_volume: int
    overlap: Overlap
    other_volume: Volume | None = None
    other_clear_s: float | None = None


@dataclass(frozen=True)
class Conflict:
    """The checked intent against one other intent or zone. ``other`` is an intent id or zone name, or an
    opaque reference (``other_party`` None) when the viewer may not know who it is."""

    kind: OtherKind
    other: str
    effect: Effect
    parts: tuple[ConflictPart, ...]
    other_party: str | None = None
    other_priority: int | None = None

    @property
    def geometry(self) -> BaseGeometry:
        """Where: the union of the exact lateral intersections (lon/lat)."""
        geoms = [p.overlap.geometry for p in self.parts]
        return geoms[0] if len(geoms) == 1 else shapely.union_all(geoms)

    @property
    def start_s(self) -> float:
        return min(p.overlap.intervals[0][0] for p in self.parts)

    @property
    def end_s(self) -> float:
        return max(p.overlap.intervals[-1][1] for p in self.parts)

    @property
    def alt_lo_m(self) -> float:
        return min(p.overlap.alt_lo_m for p in self.parts)

    @property
    def alt_hi_m(self) -> float:
        return max(p.overlap.alt_hi_m for p in self.parts)


@dataclass(frozen=True)
class Resolution:
    """A change that makes the intent acceptable, verified by re-running the check on ``intent``."""

    kind: str  # "time" or "altitude"
    dt_s: float
    dz_m: float
    intent: Intent
    summary: str


@dataclass(frozen=True)
class CheckResult:
    intent: Intent
    verdict: Verdict
    conflicts: tuple[Conflict, ...]
    resolutions: tuple[Resolution, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.verdict is Verdict.ACCEPTED

    @property
    def blocking(self) -> tuple[Conflict, ...]:
        return tuple(c for c in self.conflicts if c.effect is Effect.BLOCKS)

    @property
    def superseded(self) -> tuple[Conflict, ...]:
        """Lower-priority intents this one now conflicts with (to be notified and replanned)."""
        return tuple(c for c in self.conflicts if c.effect is Effect.SUPERSEDES)

    @property
    def warnings(self) -> tuple[Conflict, ...]:
        return tuple(c for c in self.conflicts if c.effect is Effect.ADVISORY)
