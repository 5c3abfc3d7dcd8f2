"""Seed a broker's database with a scenario: its parties (with keys), its zones, and its intents in filing order.

This is how ``commonsky run`` turns a simulated scenario into the broker's state: every write goes through the
same `create_party`, `ZoneKeeper.create` and `Broker.submit` as the HTTP API, so the broker decides each intent
exactly as it would for a client (and as ``commonsky check`` does: same zones, same filing order, same altitude
model). The keys exist only in the returned value: the caller shows them once and never logs them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from commonsky.airspace.volume import Volume
from commonsky.errors import InputError
from commonsky.service.auth import Party, Role, create_party
from commonsky.service.deps import Services
from commonsky.service.engine import iso
from commonsky.service.grants import DEFAULT_MAX_PRIORITY, Grant
from commonsky.service.models import PartyRow
from commonsky.service.settings import ServiceSettings
from commonsky.sim.scenario import Scenario
from commonsky.strategic.result import OtherKind

AUTHORITY = "authority"  # the name of the seeded authority when the scenario has none
SEEDED_BUDGET_UNITS = 1e9  # the scenario's parties are the authority's own simulation: their budget does not bind


@dataclass(frozen=True)
class SeededParty:
    """One party created in the broker, with its only copy of its API key (``key``, hidden from repr)."""

    party: Party
    key: str = field(repr=False)


@dataclass(frozen=True)
class SeededIntent:
    """One scenario intent as the broker decided it when filed: its broker id, verdict and state after seeding
    (a later, higher-priority intent may have preempted it: then ``state`` is rejected although it was accepted)."""

    scenario_id: str
    broker_id: str
    party: str
    accepted: bool
    state: str
    zones_hit: frozenset[str] = frozenset()  # names of the zones it conflicts with (binding or advisory)


@dataclass(frozen=True)
class Seeded:
    """What `seed_scenario` wrote: parties (with keys), zone row ids -> zone names, intents in filing order."""

    parties: tuple[SeededParty, ...]
    zones: dict[str, str]
    intents: tuple[SeededIntent, ...]

    def key_of(self, name: str) -> str:
        """The API key of party ``name``; `InputError` for an unknown party."""
        for seeded in self.parties:
            if seeded.party.name == name:
                return seeded.key
        raise InputError(f"no seeded party named {name!r}")


def volume_json(volume: Volume, where: str = "volume") -> dict[str, Any]:
    """The API form of one engine volume (see `commonsky.service.engine`); open time limits are refused."""
    start, end = iso(volume.window.start_s), iso(volume.window.end_s)
    if start is None or end is None or not math.isfinite(volume.window.end_s - volume.window.start_s):
        raise InputError(f"{where}: the broker needs a finite time window (start and end)")
    shape = volume.shape.to_json()
    if shape.get("type") == "circle":  # the API's circle centre is a GeoJSON Point, [lon, lat]
        lat, lon = shape["centre"]
        shape = {**shape, "centre": {"type": "Point", "coordinates": [lon, lat]}}
    return {
        "shape": shape,
        "floor": volume.band.floor.to_json(),
        "ceiling": volume.band.ceiling.to_json(),
        "start": start,
        "end": end,
        "daily": [[d.start_s, d.end_s] for d in volume.daily],
    }


def taken_names(settings: ServiceSettings, scenario: Scenario) -> list[str]:
    """The scenario's party names that the database of ``settings`` already holds (none for a new database):
    seeding it would fail. Migrates the database, as the service does at startup."""
    from commonsky.service.db import Database
    from commonsky.service.migrate import upgrade

    database = Database(settings)
    try:
        upgrade(database)
        names = [p.name for p in scenario.parties] + [AUTHORITY]
        with database.read() as session:
            return sorted(session.scalars(select(PartyRow.name).where(PartyRow.name.in_(names))).all())
    finally:
        database.dispose()


def seed_scenario(services: Services, scenario: Scenario) -> Seeded:
    """Write ``scenario`` into the (migrated, empty of these parties) database behind ``services``.

    Parties: the scenario's authority as role authority, every other party as operator (a scenario without an
    authority gets one named ``authority``), granted its ``max_priority`` (or the default) and
    `SEEDED_BUDGET_UNITS`. Zones: created by the authority. Intents: submitted by their party in
    the scenario's filing order with their priority. Raises `InputError` when a party already exists, when the
    authority files an intent, or when the broker compares altitudes differently from the scenario's policy
    (set ``services.broker.model = scenario.policy.altitude`` first: the verdicts would differ from
    ``commonsky check``'s otherwise).
    """
    broker = services.broker
    if broker.model != scenario.policy.altitude:
        raise InputError(
            f"{scenario.name}: the broker's altitude model differs from the scenario's policy; verdicts would differ"
        )
    roles = {p.name: (Role.AUTHORITY if p.role == "authority" else Role.OPERATOR) for p in scenario.parties}
    if Role.AUTHORITY not in roles.values():
        if AUTHORITY in roles:
            raise InputError(f"{scenario.name}: party {AUTHORITY!r} is not the authority, and there is none")
        roles = {AUTHORITY: Role.AUTHORITY, **roles}
    parties: dict[str, SeededParty] = {}
    for name, role in roles.items():
        party, issued = create_party(services.db, name, role, actor="commonsky run")
        parties[name] = SeededParty(party, issued.key)
    authority = next(s.party for s in parties.values() if s.party.role is Role.AUTHORITY)
    for spec in scenario.parties:
        if spec.role != "authority":
            granted = DEFAULT_MAX_PRIORITY if spec.max_priority is None else spec.max_priority
            broker.grants.set_grant(authority.name, spec.name, Grant(granted, SEEDED_BUDGET_UNITS))
    zones: dict[str, str] = {}
    for zone in scenario.zones:
        written = services.zones.create(authority, zone.to_feature())
        zones[written.id] = zone.name
    decided: list[tuple[str, str, str, bool, frozenset[str]]] = []
    for intent in scenario.filing_order():
        owner = parties.get(intent.party)
        if owner is None:
            raise InputError(f"intent {intent.id!r}: unknown party {intent.party!r}")
        if owner.party.role is not Role.OPERATOR:
            raise InputError(f"intent {intent.id!r}: party {intent.party!r} is the authority, which files no intents")
        volumes = [volume_json(v, f"intent {intent.id!r} volume {i}") for i, v in enumerate(intent.volumes)]
        seen = broker.check(owner.party, volumes, intent.priority)  # as a client does: look, then file with the key
        decision = broker.submit(owner.party, volumes, intent.priority, key=seen.key)
        hit = frozenset(str(c.zone_name) for c in decision.conflicts if c.with_ is OtherKind.ZONE)
        decided.append((intent.id, decision.intent.id, intent.party, decision.accepted, hit))
    intents = tuple(
        SeededIntent(sid, bid, name, accepted, broker.get_intent(parties[name].party, bid).state.value, hit)
        for sid, bid, name, accepted, hit in decided
    )
    return Seeded(tuple(parties.values()), zones, intents)


__all__ = ["AUTHORITY", "Seeded", "SeededIntent", "SeededParty", "seed_scenario", "taken_names", "volume_json"]
