"""The API's request and response bodies. Requests forbid unknown fields; numbers are strict (``true`` is not 1),
finite and within range; names are at most 200 characters of printable text (no control or bidirectional-override
characters, which would make one party's text reorder what another reads).

Geometry inside a volume is checked by the engine adapter (`service.engine`), which answers 422 with one line.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictFloat,
    StrictInt,
    Tag,
    field_validator,
    model_validator,
)

from commonsky.errors import UnitError
from commonsky.plans.intent import IntentState
from commonsky.service.views import ObstacleKind
from commonsky.strategic.result import OtherKind
from commonsky.units import parse_altitude

Lat = Annotated[StrictFloat, Field(ge=-90.0, le=90.0)]
Lon = Annotated[StrictFloat, Field(ge=-180.0, le=180.0)]
NAME_MAX = 200
ALT_MAX_M = 100_000.0  # +-100 km: far beyond any airspace, far below where floats lose metres
# Control characters and the bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def plain_text(value: str) -> str:
    """``value`` if it holds no control or bidirectional-override character, else `ValueError` naming the first."""
    found = _UNSAFE.search(value)
    if found is not None:
        raise ValueError(f"character U+{ord(found.group()):04X} at position {found.start()} is not allowed")
    return value


Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX), AfterValidator(plain_text)]
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


def _example(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """Put the model's request example (`service.examples.requests`) into its OpenAPI schema."""
    from commonsky.service.examples import requests

    example = requests().get(model.__name__)
    if example is not None:
        schema["examples"] = [example]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True, json_schema_extra=_example)


class AltitudeJson(Strict):
    """Zone-format altitude object: ``{"value": 320, "unit": "FL", "ref": "STD"}``."""

    value: StrictFloat | None = Field(None, ge=-2_000, le=1_000_000)
    unit: Literal["ft", "m", "FL", "UNL"] = "ft"
    ref: Literal["AMSL", "AGL", "STD"] = "AMSL"


def _altitude_text(value: str) -> str:
    """A readable altitude within +-100 km (or UNL): a 400-digit number is refused here, not read as +inf."""
    try:
        altitude = parse_altitude(value)
    except UnitError as error:
        raise ValueError(str(error)) from None
    if not altitude.is_unlimited and not (math.isfinite(altitude.value_m) and abs(altitude.value_m) <= ALT_MAX_M):
        raise ValueError(f"altitude {value[:40]!r} is out of range (at most {ALT_MAX_M:.0f} m either way)")
    return value


AltitudeIn = Annotated[
    Annotated[Annotated[str, Field(max_length=40), AfterValidator(_altitude_text)], Tag("text")]
    | Annotated[AltitudeJson, Tag("object")],
    Discriminator(lambda value: "text" if isinstance(value, str) else "object"),
    Field(description='"FL320", "5000ft AMSL", "500 m AGL", "SFC", "UNL", or the zone-format object'),
]


class PolygonGeometry(Strict):
    type: Literal["Polygon", "MultiPolygon"]
    coordinates: list[Any] = Field(description="GeoJSON coordinates (lon, lat)")


class PolygonIn(Strict):
    type: Literal["polygon"]
    geometry: PolygonGeometry


class PointIn(Strict):
    """A GeoJSON Point: ``{"type": "Point", "coordinates": [lon, lat]}`` (degrees)."""

    type: Literal["Point"]
    coordinates: tuple[Lon, Lat]


class CircleIn(Strict):
    """A circle. ``centre`` is a GeoJSON Point, ``[lon, lat]`` as in polygons. The bare pair ``[lat, lon]`` of
    earlier versions is still read (a pair and a Point object cannot be mistaken for each other), but deprecated:
    it is stored, and shown back, as the Point."""

    type: Literal["circle"]
    centre: Annotated[
        Annotated[PointIn, Tag("point")] | Annotated[tuple[Lat, Lon], Tag("pair")],
        Discriminator(lambda value: "point" if isinstance(value, dict | PointIn) else "pair"),
    ] = Field(
        description='GeoJSON Point {"type": "Point", "coordinates": [lon, lat]}; deprecated: a bare [lat, lon] pair'
    )
    radius_m: StrictFloat = Field(gt=0, le=1_000_000)

    @field_validator("centre", mode="after")
    @classmethod
    def _as_point(cls, value: PointIn | tuple[float, float]) -> PointIn:
        if isinstance(value, tuple):
            lat, lon = value
            return PointIn(type="Point", coordinates=(lon, lat))
        return value


class CorridorIn(Strict):
    type: Literal["corridor"]
    points: list[tuple[Lat, Lon]] = Field(min_length=2, max_length=100_000, description="[[lat, lon], ...] degrees")
    half_width_m: StrictFloat = Field(gt=0, le=500_000)


ShapeIn = Annotated[PolygonIn | CircleIn | CorridorIn, Field(discriminator="type")]


class VolumeIn(Strict):
    """One 4D volume: shape x altitude band x [start, end) (+ optional daily windows, s after 00:00 UTC)."""

    shape: ShapeIn
    floor: AltitudeIn
    ceiling: AltitudeIn
    start: UtcTime
    end: UtcTime
    daily: list[
        tuple[Annotated[StrictFloat, Field(ge=0, le=86_400)], Annotated[StrictFloat, Field(ge=0, le=86_400)]]
    ] = Field(default_factory=list, max_length=24)


class IntentBody(Strict):
    volumes: list[VolumeIn] = Field(min_length=1, max_length=10_000)
    priority: StrictInt = Field(
        0, ge=0, le=100, description="higher wins (F3548): it may preempt lower accepted intents"
    )


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


class Out(BaseModel):
    """An answer, built from the broker's frozen views (`service.views`)."""

    model_config = ConfigDict(from_attributes=True)


class IntentOut(Out):
    id: str
    party: str
    priority: int
    state: IntentState
    version: str
    note: str
    volumes: list[dict[str, Any]]
    created: str
    updated: str


class ConflictOut(Out):
    """A conflict as the disclosure policy lets the party concerned see it (docs/broker.md): the part of its own
    volume that conflicts, coarsened to the grid (cells, whole time steps, whole altitude bands), and the kind of
    obstacle; never whose, which route, its priority, its state or how many intents."""

    intent_id: str = Field(description="the caller's own intent")
    volume_index: int = Field(description="the caller's own volume")
    with_: OtherKind = Field(alias="with")
    zone_id: str | None = None
    zone_name: str | None = None
    blocking: bool = Field(description="it refuses this proposal (false: it would be preempted, or only advises)")
    reason: ObstacleKind
    ovn: str = Field(description="this conflict view's OVN as this caller sees it: name it in `key`")
    where: dict[str, Any] = Field(description="GeoJSON (lon/lat): the caller's own volume within the grid cells")
    start: str | None
    end: str | None
    intervals: list[tuple[str | None, str | None]]
    alt_lo_m: float | None
    alt_hi_m: float | None

    model_config = ConfigDict(populate_by_name=True, from_attributes=True)


class ResolutionOut(Out):
    """A verified change that would make the intent acceptable: move it ``dt_s`` later and/or ``dz_m`` higher."""

    kind: Literal["time", "altitude"]
    dt_s: float
    dz_m: float
    summary: str


class CheckOut(Out):
    """What filing would do now. Nothing is held: file with ``key`` and the broker refuses (409) if it changed."""

    accepted: bool = Field(description="would be accepted now")
    conflicts: list[ConflictOut]
    preempts: bool = Field(description="filing would preempt lower-priority accepted intents now")
    resolutions: list[ResolutionOut] = Field(default_factory=list)
    key: list[str] = Field(description="the OVNs of these conflicts: the key of a next write over them")


class SubmissionOut(CheckOut):
    """What a write did, with the intent as its owner now sees it."""

    accepted: bool
    preempts: bool = Field(description="this acceptance preempted lower-priority accepted intents")
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

    @model_validator(mode="after")
    def _plain_properties(self) -> ZoneIn:
        """Every text a zone shows to every party is bounded plain text (the rest is the zone format's own check)."""
        properties = self.feature.get("properties")
        if isinstance(properties, dict):
            for field, value in properties.items():
                texts = value if isinstance(value, list) else [value]
                for text in texts:
                    if isinstance(text, str):
                        where = f"feature.properties.{field[:40]!r}"
                        if len(text) > NAME_MAX:
                            raise ValueError(f"{where}: longer than {NAME_MAX} characters")
                        try:
                            plain_text(text)
                        except ValueError as error:
                            raise ValueError(f"{where}: {error}") from None
        return self


class ZoneUpdate(ZoneIn):
    version: Version


class ZoneDelete(Strict):
    version: Version


class ZoneOut(Out):
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


class DisclosureOut(Strict):
    """The disclosure grid (docs/broker.md): lon/lat cells, time steps, altitude bands."""

    model_config = ConfigDict(
        extra="forbid", allow_inf_nan=False, frozen=True, from_attributes=True, json_schema_extra=_example
    )

    cell_deg: StrictFloat = Field(0.1, ge=0.01, le=10.0, description="cell side, degrees of lon and lat")
    step_s: StrictFloat = Field(300.0, ge=60.0, le=86_400.0, description="time step, seconds")
    band_ft: StrictFloat = Field(1_000.0, ge=100.0, le=10_000.0, description="altitude band, feet")


class GrantIn(Strict):
    """What the authority grants one party (docs/broker.md: granted priorities, probe budget)."""

    max_priority: StrictInt = Field(ge=0, le=100, description="highest priority the party may file at")
    budget_units: StrictFloat = Field(ge=0, le=1e12, description="daily probe budget (units: docs/broker.md)")


class GrantOut(BaseModel):
    max_priority: int
    budget_units: float
    budget_left: float | None = Field(description="units left now (only to the party itself)")
