"""What the broker answers, as frozen values (routers turn them into the API's pydantic models)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from commonsky.plans.intent import IntentState
from commonsky.strategic.result import OtherKind

LIVE = (IntentState.ACCEPTED, IntentState.ACTIVATED)


class ObstacleKind(StrEnum):
    """What is in the way, as far as a party may know: never whose, nor its priority or state."""

    INTENT = "another party's intent"
    BINDING_ZONE = "binding zone"
    ADVISORY_ZONE = "advisory zone"


@dataclass(frozen=True)
class ConflictView:
    """One conflict of the caller's own volume ``volume_index``, coarsened by the disclosure policy
    (`service.disclosure`): ``where`` is part of the caller's own volume, ``intervals`` whole steps, altitudes
    (m) whole bands."""

    intent_id: str
    volume_index: int
    with_: OtherKind
    zone_id: str | None
    zone_name: str | None
    blocking: bool
    reason: ObstacleKind
    ovn: str
    where: dict[str, Any]
    start: str | None
    end: str | None
    intervals: tuple[tuple[str | None, str | None], ...]
    alt_lo_m: float | None
    alt_hi_m: float | None


@dataclass(frozen=True)
class IntentView:
    """An intent in full: only for its owner, the authority and observers."""

    id: str
    party: str
    priority: int
    state: IntentState
    version: str
    note: str
    volumes: list[dict[str, Any]] = field(hash=False)
    created: str
    updated: str


@dataclass(frozen=True)
class ZoneView:
    """A zone as everyone may read it; ``affected``: live intents a write of it now conflicts with."""

    id: str
    version: str
    feature: dict[str, Any] = field(hash=False)
    affected: int = 0


@dataclass(frozen=True)
class ResolutionView:
    """A verified change that would make the intent acceptable: ``dt_s`` later and/or ``dz_m`` higher."""

    kind: str  # "time" or "altitude"
    dt_s: float
    dz_m: float
    summary: str


def view_json(view: ConflictView) -> dict[str, Any]:
    """A conflict view as JSON (notifications, 409 bodies): as `schemas.ConflictOut` writes it."""
    out = asdict(view)
    out["with"] = out.pop("with_").value
    out["reason"] = view.reason.value
    out["intervals"] = [list(i) for i in view.intervals]
    return out
