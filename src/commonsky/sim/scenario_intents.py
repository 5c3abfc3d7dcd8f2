"""Intents inside scenario files: a 4D route, an orbit, or explicit volumes, plus the author's expectation."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from commonsky.airspace.volume import Volume
from commonsky.errors import InputError
from commonsky.plans.intent import Intent, IntentState
from commonsky.plans.route import RouteBuffers, Waypoint, route_volumes, times_from_speed
from commonsky.sim.scenario_fields import SHAPE_KEYS, Fields
from commonsky.sim.scenario_yaml import ScenarioError, child

if TYPE_CHECKING:
    from commonsky.sim.scenario import Party

_INTENT_KEYS = ("id", "party", "priority", "state", "filed", "label", "version", "route", "orbit", "volumes", "expect")
_VOLUME_KEYS = (*SHAPE_KEYS, "floor", "ceiling", "start", "end", "daily")
_WAYPOINT_KEYS = ("lat", "lon", "at", "alt", "time", "speed", "hold", "name")


def read_intent(
    f: Fields,
    spec: Any,
    where: str,
    parties: dict[str, Party],
    buffers: RouteBuffers,
    default_filed_s: float,
    zone_names: set[str],
) -> tuple[Intent, tuple[str, frozenset[str]] | None]:
    spec = f.mapping(spec, where, _INTENT_KEYS, ("id", "party"))
    intent_id = f.text(spec["id"], child(where, "id"))
    party_name = f.text(spec["party"], child(where, "party"))
    if party_name not in parties:
        f.fail(child(where, "party"), f"unknown party {party_name!r} (known: {', '.join(sorted(parties))})")
    given = [k for k in ("route", "orbit", "volumes") if k in spec]
    if len(given) != 1:
        f.fail(where, f"give exactly one of route, orbit, volumes; found {len(given) or 'none'}")
    filed = f.time_s(spec["filed"], child(where, "filed")) if "filed" in spec else default_filed_s
    route: tuple[Waypoint, ...] = ()
    if given[0] == "route":
        volumes, route = _route(f, spec["route"], child(where, "route"), buffers, filed)
    elif given[0] == "orbit":
        volumes = (_volume(f, spec["orbit"], child(where, "orbit")),)
    else:
        items = f.sequence(spec["volumes"], child(where, "volumes"), allow_empty=False)
        volumes = tuple(_volume(f, v, child(child(where, "volumes"), i)) for i, v in enumerate(items))
    states = [s.value for s in IntentState]
    intent = Intent(
        id=intent_id,
        party=party_name,
        volumes=volumes,
        priority=f.integer(spec.get("priority", parties[party_name].priority), child(where, "priority")),
        state=IntentState(f.choice(spec.get("state", "proposed"), child(where, "state"), states, "intent state")),
        version=f.integer(spec.get("version", 0), child(where, "version")),
        filed_s=filed if math.isfinite(filed) else None,
        label=str(spec.get("label", "")),
        route=route,
    )
    expect = _expect(f, spec["expect"], child(where, "expect"), zone_names) if "expect" in spec else None
    return intent, expect


def _volume(f: Fields, spec: Any, where: str) -> Volume:
    spec = f.mapping(spec, where, _VOLUME_KEYS, ("start", "end"))
    shape = f.shape(spec, where)
    band = f.band(spec, where)
    window = f.window(spec, where)
    daily = f.daily(spec["daily"], child(where, "daily")) if "daily" in spec else ()
    return Volume(shape, band, window, daily)


def _route(
    f: Fields, spec: Any, where: str, base: RouteBuffers, filed_s: float
) -> tuple[tuple[Volume, ...], tuple[Waypoint, ...]]:
    spec = f.mapping(spec, where, ("waypoints", "speed", "start", "buffers"), ("waypoints",))
    buffers = route_buffers(f, spec.get("buffers"), child(where, "buffers"), base)
    here = child(where, "waypoints")
    raw = f.sequence(spec["waypoints"], here)
    if len(raw) < 2:
        f.fail(here, f"a route needs at least two waypoints, got {len(raw)}")
    default_speed = f.speed_ms(spec["speed"], child(where, "speed")) if "speed" in spec else None
    points, alts, times, speeds, holds = [], [], [], [], []
    for i, item in enumerate(raw):
        wp_where = child(here, i)
        wp = f.mapping(item, wp_where, _WAYPOINT_KEYS, ("alt",))
        if "at" in wp:
            points.append(f.point(wp["at"], child(wp_where, "at")))
        else:
            points.append(f.point({k: wp.get(k) for k in ("lat", "lon")}, wp_where))
        alts.append(f.altitude(wp["alt"], child(wp_where, "alt")))
        times.append(f.time_s(wp["time"], child(wp_where, "time")) if "time" in wp else None)
        speeds.append(f.speed_ms(wp["speed"], child(wp_where, "speed")) if "speed" in wp else default_speed)
        holds.append(f.duration_s(wp["hold"], child(wp_where, "hold")) if "hold" in wp else 0.0)
    first = times[0]
    if first is None:
        if "start" not in spec:
            f.fail(child(here, 0), "the first waypoint needs a time (or give route.start)")
        first = f.time_s(spec["start"], child(where, "start"))
    # fill missing times from leg speeds, honouring holds: arrive, hold, then leave
    waypoints: list[Waypoint] = []
    clock: float = first
    for i, (point, alt) in enumerate(zip(points, alts, strict=True)):
        if i > 0:
            given = times[i]
            if given is not None:
                clock = given
            else:
                speed = speeds[i - 1]
                if speed is None:
                    f.fail(child(child(here, i), "time"), "no time and no speed for the leg to this waypoint")
                clock = times_from_speed([points[i - 1], point], clock, [speed])[-1]
            if waypoints and not clock > waypoints[-1].time_s:
                f.fail(child(child(here, i), "time"), "is not after the previous waypoint")
        waypoints.append(Waypoint(point[0], point[1], alt, clock))
        if holds[i] > 0:
            clock += holds[i]
            waypoints.append(Waypoint(point[0], point[1], alt, clock))
    try:
        return route_volumes(waypoints, buffers, filed_s if math.isfinite(filed_s) else None), tuple(waypoints)
    except ScenarioError:
        raise
    except InputError as error:
        f.fail(where, str(error))


def _expect(f: Fields, spec: Any, where: str, zone_names: set[str]) -> tuple[str, frozenset[str]]:
    spec = f.mapping(spec, where, ("verdict", "conflicts"), ("verdict",))
    verdict = f.choice(spec["verdict"], child(where, "verdict"), ("accepted", "rejected"), "verdict")
    refs = []
    for i, ref in enumerate(f.sequence(spec.get("conflicts", []), child(where, "conflicts"))):
        text = f.text(ref, child(child(where, "conflicts"), i))
        kind, _, name = text.partition(":")
        if kind not in ("zone", "intent") or not name:
            f.fail(child(child(where, "conflicts"), i), f"expected zone:NAME or intent:ID, got {text!r}")
        if kind == "zone" and name not in zone_names:
            f.fail(child(child(where, "conflicts"), i), f"unknown zone {name!r}")
        refs.append(text)
    return verdict, frozenset(refs)


def route_buffers(f: Fields, spec: Any, where: str, base: RouteBuffers) -> RouteBuffers:
    """Route buffers from ``{lateral, vertical, time, time_growth}``, each defaulting to ``base``."""
    if spec is None:
        return base
    spec = f.mapping(spec, where, ("lateral", "vertical", "time", "time_growth"))
    try:
        return RouteBuffers(
            lateral_m=f.length_m(spec["lateral"], child(where, "lateral")) if "lateral" in spec else base.lateral_m,
            vertical_m=(
                f.length_m(spec["vertical"], child(where, "vertical"), positive=False)
                if "vertical" in spec
                else base.vertical_m
            ),
            time_base_s=f.duration_s(spec["time"], child(where, "time")) if "time" in spec else base.time_base_s,
            time_growth=f.rate(spec["time_growth"], child(where, "time_growth"))
            if "time_growth" in spec
            else base.time_growth,
        )
    except ScenarioError:
        raise
    except InputError as error:
        f.fail(where, str(error))
