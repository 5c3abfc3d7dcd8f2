"""/zones: everyone reads; the authority creates, replaces (naming the version it saw) and deletes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel

from commonsky.service.auth import Party, Role
from commonsky.service.deps import PartyDep, ServicesDep, require
from commonsky.service.examples import ed318_collection
from commonsky.service.schemas import StaleOut, ZoneIn, ZoneOut, ZoneUpdate

router = APIRouter(tags=["zones"])
Authority = Annotated[Party, require(Role.AUTHORITY)]


@router.get("/zones", response_model=list[ZoneOut])
def list_zones(
    party: PartyDep,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[ZoneOut]:
    return [ZoneOut.model_validate(z) for z in services.zones.list(limit, offset)]


@router.get("/zones/{zone_id}", response_model=ZoneOut, responses={404: {"description": "no such zone"}})
def get_zone(zone_id: str, party: PartyDep, services: ServicesDep) -> ZoneOut:
    return ZoneOut.model_validate(services.zones.get(zone_id))


@router.post("/zones", response_model=ZoneOut, status_code=201)
def create_zone(body: ZoneIn, party: Authority, services: ServicesDep) -> ZoneOut:
    return ZoneOut.model_validate(services.zones.create(party, body.feature))


@router.put("/zones/{zone_id}", response_model=ZoneOut, responses={409: {"model": StaleOut}})
def replace_zone(zone_id: str, body: ZoneUpdate, party: Authority, services: ServicesDep) -> ZoneOut:
    return ZoneOut.model_validate(services.zones.update(party, zone_id, body.version, body.feature))


@router.delete("/zones/{zone_id}", status_code=204, responses={409: {"model": StaleOut}})
def delete_zone(
    zone_id: str, party: Authority, services: ServicesDep, version: Annotated[str, Query(min_length=1, max_length=64)]
) -> None:
    services.zones.delete(party, zone_id, version)


class Ed318ImportOut(BaseModel):
    zones: list[ZoneOut]
    notes: list[str]


@router.post("/zones/ed318", response_model=Ed318ImportOut, status_code=201)
def import_ed318(
    body: Annotated[
        dict[str, object],
        Body(title="Ed318Collection", description="an ED-318 FeatureCollection", examples=[ed318_collection()]),
    ],
    party: Authority,
    services: ServicesDep,
) -> Ed318ImportOut:
    """Create a zone per ED-318 volume (`commonsky zone import --format ed318`). The whole collection is read and
    checked first: a bad one is refused (4xx) before anything is stored."""
    from commonsky.airspace.formats.ed318 import read_ed318
    from commonsky.service.engine import zone_from_feature

    result = read_ed318(body, "ED-318 collection")
    features = [zone.to_feature() for zone in result.zones]
    for feature in features:
        zone_from_feature(feature)
    created = [ZoneOut.model_validate(services.zones.create(party, f)) for f in features]
    return Ed318ImportOut(zones=created, notes=list(result.notes))
