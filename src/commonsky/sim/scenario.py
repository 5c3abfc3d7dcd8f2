"""Scenario files: parties, zones, intents (and, for later stages, sensors and truth flights) in one YAML file.

The schema is documented in docs/scenario-format.md. `load_scenario` validates everything it reads and raises
`ScenarioError` with one line naming the file, the path inside it, the field and the line number, e.g.::

    scenarios/x.yaml: intents[3].orbit.floor: floor FL300 is not below ceiling FL200 (line 41)

``responsibility`` (optional) lists the authority's area of responsibility in the form of ``zones`` entries: an
unknown aircraft inside it raises an alert in `commonsky run` (`commonsky.surveillance.concern`).
``sensors`` and ``truth`` are only checked to be lists of mappings here; their own readers give them meaning
(`commonsky.surveillance.sensor_config` for sensors, `commonsky.sim.truth` for truth flights).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from commonsky.airspace.zone import Zone, ZoneKind, read_zones
from commonsky.errors import CommonskyError, InputError
from commonsky.plans.intent import Intent
from commonsky.plans.route import RouteBuffers
from commonsky.sim.scenario_fields import SHAPE_KEYS, Fields
from commonsky.sim.scenario_intents import read_intent, route_buffers
from commonsky.sim.scenario_receivers import read_receivers
from commonsky.sim.scenario_yaml import ScenarioError, child, load_yaml
from commonsky.sim.scenario_zones import zone_geometry, zone_overrides
from commonsky.strategic.policy import Policy
from commonsky.surveillance.feeds.url import FeedUrl

PARTY_KINDS = ("military", "state", "civil")
PARTY_ROLES = ("operator", "authority", "observer")
_TOP = (
    "scenario",
    "policy",
    "defaults",
    "parties",
    "zones",
    "intents",
    "sensors",
    "truth",
    "receivers",
    "responsibility",
)
_ZONE_COMMON = (
    "name",
    "kind",
    "floor",
    "ceiling",
    "valid_from",
    "valid_to",
    "daily",
    "binding",
    "applies_to",
    "provenance",
    "description",
)


@dataclass(frozen=True)
class Party:
    """Someone who files intents (or runs the authority): name, kind, role, default priority, and the highest
    priority the authority grants it (``max_priority``; None: the broker's default grant)."""

    name: str
    kind: str
    role: str = "operator"
    priority: int = 0
    description: str = ""
    max_priority: int | None = None


@dataclass(frozen=True)
class Expectation:
    """What the scenario's author expects the check to say about one intent (``expect:`` in the file)."""

    verdict: str
    conflicts: frozenset[str]  # "zone:NAME" and "intent:ID"


@dataclass(frozen=True)
class Scenario:
    path: Path
    name: str
    description: str
    start_s: float
    end_s: float
    policy: Policy
    parties: tuple[Party, ...]
    zones: tuple[Zone, ...]
    intents: tuple[Intent, ...]
    expectations: dict[str, Expectation] = field(default_factory=dict)
    sensors: tuple[dict[str, Any], ...] = ()
    truth: tuple[dict[str, Any], ...] = ()
    receivers: tuple[FeedUrl, ...] = ()
    responsibility: tuple[Zone, ...] = ()

    def party(self, name: str) -> Party:
        for party in self.parties:
            if party.name == name:
                return party
        raise InputError(f"unknown party {name!r} (scenario has {', '.join(p.name for p in self.parties)})")

    def filing_order(self) -> tuple[Intent, ...]:
        """Intents as a broker receives them: by filing time, then higher priority first, then file order."""
        order = sorted(
            range(len(self.intents)),
            key=lambda i: (
                self.intents[i].filed_s if self.intents[i].filed_s is not None else -math.inf,
                -self.intents[i].priority,
                i,
            ),
        )
        return tuple(self.intents[i] for i in order)


def load_scenario(path: Path | str) -> Scenario:
    """Read and validate a scenario file (see the module docstring and docs/scenario-format.md)."""
    path = Path(path)
    data, lines = load_yaml(path)
    f = Fields(path, lines)
    top = f.mapping(data, "", _TOP, ("parties",))
    meta = f.mapping(top.get("scenario") or {}, "scenario", ("name", "description", "start", "end"))
    window = f.window(meta, "scenario")
    policy = _policy(f, top.get("policy") or {})
    buffers = route_buffers(
        f, (f.mapping(top.get("defaults") or {}, "defaults", ("route",))).get("route"), "defaults.route", RouteBuffers()
    )
    parties = _parties(f, top["parties"])
    zones = _zones(f, top.get("zones") or [], {p.name for p in parties})
    party_map = {p.name: p for p in parties}
    intents: list[Intent] = []
    expectations: dict[str, tuple[str, frozenset[str]]] = {}
    expect_where: dict[str, str] = {}
    seen: dict[str, str] = {}
    for i, spec in enumerate(f.sequence(top.get("intents") or [], "intents")):
        where = child("intents", i)
        intent, expect = read_intent(f, spec, where, party_map, buffers, window.start_s, {z.name for z in zones})
        if intent.id in seen:
            f.fail(child(where, "id"), f"duplicate intent id {intent.id!r} (first at {seen[intent.id]})")
        seen[intent.id] = where
        intents.append(intent)
        if expect is not None:
            expectations[intent.id] = expect
            expect_where[intent.id] = child(where, "expect")
    for intent_id, (_, refs) in expectations.items():
        for ref in sorted(refs):
            kind, _, name = ref.partition(":")
            if kind == "intent" and name not in seen:
                f.fail(child(expect_where[intent_id], "conflicts"), f"unknown intent {name!r}")
    return Scenario(
        path=path,
        name=str(meta.get("name", path.stem)),
        description=str(meta.get("description", "")),
        start_s=window.start_s,
        end_s=window.end_s,
        policy=policy,
        parties=parties,
        zones=zones,
        intents=tuple(intents),
        expectations={k: Expectation(v[0], v[1]) for k, v in expectations.items()},
        sensors=_reserved(f, top.get("sensors"), "sensors"),
        truth=_reserved(f, top.get("truth"), "truth"),
        receivers=read_receivers(f, top.get("receivers")),
        responsibility=_zones(f, top.get("responsibility") or [], {p.name for p in parties}, "responsibility"),
    )


def _reserved(f: Fields, value: Any, where: str) -> tuple[dict[str, Any], ...]:
    if value is None:
        return ()
    items = f.sequence(value, where)
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            f.fail(child(where, i), "expected a mapping")
    return tuple(items)


def _policy(f: Fields, spec: Any) -> Policy:
    spec = f.mapping(spec, "policy", ("ground_min", "ground_max", "mixed_ref_margin", "reveal_others"))
    model = Policy().altitude
    changes = {
        attr: f.length_m(spec[key], child("policy", key), positive=False)
        for key, attr in (
            ("ground_min", "ground_min_m"),
            ("ground_max", "ground_max_m"),
            ("mixed_ref_margin", "mixed_ref_margin_m"),
        )
        if key in spec
    }
    reveal = f.boolean(spec["reveal_others"], "policy.reveal_others") if "reveal_others" in spec else False
    return Policy(altitude=replace(model, **changes), reveal_others=reveal)


def _parties(f: Fields, value: Any) -> tuple[Party, ...]:
    out: list[Party] = []
    for i, spec in enumerate(f.sequence(value, "parties", allow_empty=False)):
        where = child("parties", i)
        spec = f.mapping(
            spec, where, ("name", "kind", "role", "priority", "max_priority", "description"), ("name", "kind")
        )
        name = f.text(spec["name"], child(where, "name"))
        if any(p.name == name for p in out):
            f.fail(child(where, "name"), f"duplicate party {name!r}")
        out.append(
            Party(
                name=name,
                kind=f.choice(spec["kind"], child(where, "kind"), PARTY_KINDS, "party kind"),
                role=f.choice(spec.get("role", "operator"), child(where, "role"), PARTY_ROLES, "party role"),
                priority=f.integer(spec.get("priority", 0), child(where, "priority")),
                description=str(spec.get("description", "")),
                max_priority=f.integer(spec["max_priority"], child(where, "max_priority"))
                if "max_priority" in spec
                else None,
            )
        )
    return tuple(out)


def _zones(f: Fields, value: Any, parties: set[str], section: str = "zones") -> tuple[Zone, ...]:
    out: list[Zone] = []
    for i, spec in enumerate(f.sequence(value, section)):
        where = child(section, i)
        sources = ("file", "buffer", "country", *SHAPE_KEYS)
        spec = f.mapping(spec, where, (*_ZONE_COMMON, *sources))
        given = [k for k in sources if k in spec]
        if len(given) != 1:
            f.fail(where, f"give exactly one of {', '.join(sources)}; found {len(given) or 'none'}")
        for zone in _zone_entries(f, spec, where, given[0]):
            if any(z.name == zone.name for z in out):
                f.fail(child(where, "name"), f"duplicate zone name {zone.name!r}")
            for j, party in enumerate(zone.applies_to):
                if party not in parties:
                    f.fail(f"{where}.applies_to[{j}]", f"unknown party {party!r} (known: {', '.join(sorted(parties))})")
            out.append(zone)
    return tuple(out)


def _zone_entries(f: Fields, spec: dict[str, Any], where: str, source: str) -> list[Zone]:
    if source == "file":
        target = f.path.parent / f.text(spec["file"], child(where, "file"))
        try:
            zones = read_zones(target)
        except CommonskyError as error:
            f.fail(child(where, "file"), str(error))
        if "name" in spec and len(zones) != 1:
            f.fail(child(where, "name"), f"cannot rename: {target.name} holds {len(zones)} zones")
        return [zone_overrides(f, zone, spec, where) for zone in zones]
    if "name" not in spec:
        f.fail(child(where, "name"), "missing required field")
    kind = f.choice(spec.get("kind", "restricted"), child(where, "kind"), [k.value for k in ZoneKind], "zone kind")
    geometry, provenance = zone_geometry(f, spec, where, source)
    base = Zone(
        name=f.text(spec["name"], child(where, "name")), kind=ZoneKind(kind), geometry=geometry, provenance=provenance
    )
    return [zone_overrides(f, base, spec, where)]


__all__ = ["Expectation", "Party", "Scenario", "ScenarioError", "load_scenario"]
