"""The API's request and response bodies. Requests forbid unknown fields; floats must be finite.

Geometry inside a volume is checked by the engine adapter (`service.engine`), which answers 422 with one line.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

Lat = Annotated[float, Field(ge=-90.0, le=90.0)]
Lon = Annotated[float, Field(ge=-180.0, le=180.0)]
Version = Annotated[str, Field(min_length=1, max_length=64, description="opaque version token (as F3548's OVN)")]
Ovn = Annotated[str, Field(min_length=1, max_length=64, description="another intent's or a zone's OVN, as shown")]
AreaKey = Annotated[
    list[Ovn],
    Field(
        default_factory=list,
        max_length=10_000,
        description="F3548's key: the OVNs of every intent and zone this write was shown in its way (conflicts of "
        "`POST /intents/check`, of an earlier answer or of `GET /conflicts`); 409 with `missing` if one is not "
        "named. Empty (the default) is right where nothing is in the way.",
    ),
]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcTime = Annotated[datetime, AfterValidator(_utc)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class AltitudeJson(Strict):
    """Zone-format altitude object: ``{"value": 320, "unit": "FL", "ref": "STD"}``."""

    value: float | None = Field(None, ge=-2_000, le=1_000_000)
    unit: Literal["ft", "m", "FL", "UNL"] = "ft"
    ref: Literal["AMSL", "AGL", "STD"] = "AMSL"


AltitudeIn = Annotated[
    str | AltitudeJson,
    Field(description='"FL320", "5000ft AMSL", "500 m AGL", "SFC", "UNL", or the zone-format object'),
]


class PolygonGeometry(Strict):
    type: Literal["Polygon", "MultiPolygon"]
    coordinates: list[Any] = Field(description="GeoJSON coordinates (lon, lat)")


class PolygonIn(Strict):
    type: Literal["polygon"]
    geometry: PolygonGeometry


class CircleIn(Strict):
    type: Literal["circle"]
    centre: tuple[Lat, Lon] = Field(description="[lat, lon] degrees")
    radius_m: float = Field(gt=0, le=1_000_000)


class CorridorIn(Strict):
    type: Literal["corridor"]
    points: list[tuple[Lat, Lon]] = Field(min_length=2, description="[[lat, lon], ...] degrees")
    half_width_m: float = Field(gt=0, le=500_000)


ShapeIn = Annotated[PolygonIn | CircleIn | CorridorIn, Field(discriminator="type")]


class VolumeIn(Strict):
    """One 4D volume: shape x altitude band x [start, end) (+ optional daily windows, s after 00:00 UTC)."""

    shape: ShapeIn
    floor: AltitudeIn
    ceiling: AltitudeIn
    start: UtcTime
    end: UtcTime
    daily: list[tuple[Annotated[float, Field(ge=0, le=86_400)], Annotated[float, Field(ge=0, le=86_400)]]] = Field(
        default_factory=list, max_length=24
    )


class IntentBody(Strict):
    volumes: list[VolumeIn] = Field(min_length=1, max_length=10_000)
    priority: int = Field(0, ge=0, le=100, description="higher wins (F3548): it may preempt lower accepted intents")


class IntentIn(IntentBody):
    """A new intent: it is checked at once and comes back accepted or rejected."""

    key: AreaKey


class IntentCheck(IntentBody):
    """A dry run of filing (or, with ``intent_id``, of changing one's own intent): nothing is stored."""

    intent_id: str | None = Field(None, max_length=36, description="the caller's intent that would be replaced")


class IntentUpdate(IntentIn):
    version: Version


class StateChange(Strict):
    version: Version
    key: AreaKey
    state: Literal["accepted", "activated", "ended"] = Field(
        description="accepted: re-check a rejected intent; activated: airborne; ended: done or withdrawn"
    )


class IntentOut(BaseModel):
    id: str
    party: str
    priority: int
    state: Literal["accepted", "rejected", "activated", "ended"]
    version: str
    note: str
    volumes: list[dict[str, Any]]
    created: str
    updated: str


class ConflictOut(BaseModel):
    """A conflict as the party concerned may see it: where, when, which altitudes; never whose or which route."""

    intent_id: str = Field(description="the caller's own intent")
    volume_index: int
    with_: Literal["intent", "zone"] = Field(alias="with")
    zone_id: str | None = None
    zone_name: str | None = None
    blocking: bool
    reason: str
    ovn: str = Field(description="the other intent's or the zone's OVN as this caller sees it: name it in `key`")
    where: dict[str, Any]
    start: str | None
    end: str | None
    intervals: list[list[str | None]]
    alt_lo_m: float | None
    alt_hi_m: float | None

    model_config = ConfigDict(populate_by_name=True)


class ResolutionOut(BaseModel):
    """A verified change that would make the intent acceptable: move it ``dt_s`` later and/or ``dz_m`` higher."""

    kind: Literal["time", "altitude"]
    dt_s: float
    dz_m: float
    summary: str


class CheckOut(BaseModel):
    """What filing would do now. Nothing is held: file with ``key`` and the broker refuses (409) if it changed."""

    accepted: bool = Field(description="would be accepted now")
    conflicts: list[ConflictOut]
    preempted: int = Field(description="lower-priority accepted intents filing would preempt now")
    resolutions: list[ResolutionOut] = Field(default_factory=list)
    key: list[str] = Field(description="the OVNs of these conflicts: the key of a next write over them")


class SubmissionOut(CheckOut):
    """What a write did, with the intent as its owner now sees it."""

    accepted: bool
    preempted: int = Field(description="lower-priority accepted intents this acceptance rejected")
    intent: IntentOut


class PartyIn(Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    role: Literal["authority", "operator", "observer"]


class PartyOut(BaseModel):
    id: str
    name: str
    role: str
    created: str


class KeyOut(BaseModel):
    party: str
    key_id: str
    key: str = Field(description="shown once; only its hash is stored")


class PartyCreated(BaseModel):
    party: PartyOut
    key: KeyOut


class ZoneIn(Strict):
    feature: dict[str, Any] = Field(description="a Feature in the commonsky.zone/1 format")


class ZoneUpdate(ZoneIn):
    version: Version


class ZoneDelete(Strict):
    version: Version


class ZoneOut(BaseModel):
    id: str
    version: str
    feature: dict[str, Any]
    affected: int = Field(0, description="live intents this change now conflicts with (their parties are told)")


class AuditOut(BaseModel):
    seq: int
    at: str
    actor: str
    action: str
    entity: str
    entity_id: str
    change: dict[str, Any]
    prev_hash: str
    hash: str


class ErrorOut(BaseModel):
    detail: str


class StaleOut(BaseModel):
    """409: the write named what is no longer current. Either its own version (``current_version``, ``changed``
    fields, ``current``: what the caller may see now) or the area key (``changed`` = ["area"]: ``missing``, the
    conflicts it did not name; ``stale``, the OVNs it named that match nothing in its way now; ``key``, the full
    key to name after review)."""

    detail: str
    current_version: str | None
    changed: list[str]
    current: dict[str, Any] | None
    missing: list[ConflictOut] = Field(default_factory=list)
    stale: list[str] = Field(default_factory=list)
    key: list[str] | None = None
