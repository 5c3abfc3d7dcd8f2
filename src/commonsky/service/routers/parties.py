"""/parties: the authority creates parties and keys; every party can read itself."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from commonsky.service import auth
from commonsky.service.auth import Party, Role
from commonsky.service.deps import PartyDep, ServicesDep, require
from commonsky.service.engine import iso
from commonsky.service.models import PartyRow
from commonsky.service.schemas import KeyOut, PartyCreated, PartyIn, PartyOut

router = APIRouter(tags=["parties"])
Authority = Annotated[Party, require(Role.AUTHORITY)]


def _out(row: PartyRow) -> PartyOut:
    return PartyOut(id=row.id, name=row.name, role=row.role, created=iso(row.created_s) or "")


@router.get("/parties/me", response_model=PartyOut)
def me(party: PartyDep, services: ServicesDep) -> PartyOut:
    with services.db.read() as session:
        row = session.get(PartyRow, party.id)
        assert row is not None
        return _out(row)


@router.get("/parties", response_model=list[PartyOut])
def list_parties(
    party: Authority,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[PartyOut]:
    with services.db.read() as session:
        rows = session.scalars(select(PartyRow).order_by(PartyRow.name).limit(limit).offset(offset)).all()
        return [_out(r) for r in rows]


@router.post("/parties", response_model=PartyCreated, status_code=201)
def create_party(body: PartyIn, party: Authority, services: ServicesDep) -> PartyCreated:
    created, issued = auth.create_party(services.db, body.name, body.role, actor=party.name)
    with services.db.read() as session:
        row = session.get(PartyRow, created.id)
        assert row is not None
        return PartyCreated(party=_out(row), key=KeyOut(party=created.name, key_id=issued.key_id, key=issued.key))


@router.post("/parties/{name}/keys", response_model=KeyOut, status_code=201)
def new_key(name: str, party: Authority, services: ServicesDep) -> KeyOut:
    issued = auth.issue_key(services.db, name, actor=party.name)
    return KeyOut(party=name, key_id=issued.key_id, key=issued.key)


@router.delete("/keys/{key_id}", status_code=204)
def revoke_key(key_id: str, party: Authority, services: ServicesDep) -> None:
    auth.revoke_key(services.db, key_id, actor=party.name)
    services.keys.clear()
