"""/policy/disclosure and grants: the authority sets the disclosure grid and each party's grant; parties read them.

The grid is public (every party must know how coarse what it is shown will be); a party reads its own grant and
the budget it has left; only the authority reads or writes another party's grant.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from commonsky.service.auth import Party, Role
from commonsky.service.deps import PartyDep, ServicesDep, require
from commonsky.service.disclosure import DisclosurePolicy
from commonsky.service.grants import Grant
from commonsky.service.schemas import DisclosureOut, GrantIn, GrantOut

router = APIRouter(tags=["policy"])
Authority = Annotated[Party, require(Role.AUTHORITY)]


@router.get("/policy/disclosure", response_model=DisclosureOut)
def disclosure(party: PartyDep, services: ServicesDep) -> DisclosureOut:
    return DisclosureOut.model_validate(services.broker.grants.disclosure())


@router.put("/policy/disclosure", response_model=DisclosureOut)
def set_disclosure(body: DisclosureOut, party: Authority, services: ServicesDep) -> DisclosureOut:
    """Set the disclosure grid (every area key changes with it)."""
    policy = DisclosurePolicy(body.cell_deg, body.step_s, body.band_ft)
    return DisclosureOut.model_validate(services.broker.grants.set_disclosure(party.name, policy))


@router.get("/grants/me", response_model=GrantOut)
def my_grant(party: PartyDep, services: ServicesDep) -> GrantOut:
    grant = services.broker.grants.grant(party.id)
    left = services.broker.budgets.left(party.id, grant.budget_units)
    return GrantOut(max_priority=grant.max_priority, budget_units=grant.budget_units, budget_left=left)


@router.put("/parties/{name}/grant", response_model=GrantOut, responses={404: {"description": "no such party"}})
def set_grant(name: str, body: GrantIn, party: Authority, services: ServicesDep) -> GrantOut:
    """Grant party ``name`` a highest priority (above 50 only by grant; 100, emergency, likewise) and a daily
    probe budget (units: disclosure cell x time step x altitude band)."""
    grant = services.broker.grants.set_grant(party.name, name, Grant(body.max_priority, body.budget_units))
    return GrantOut(max_priority=grant.max_priority, budget_units=grant.budget_units, budget_left=None)
