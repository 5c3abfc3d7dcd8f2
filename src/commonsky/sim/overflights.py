"""Civil overflights: background traffic crossing the scenario's airspace on its main flows, in the truth.

A scenario's ``truth:`` list may hold an ``overflights`` entry (docs/scenario-format.md)::

    truth:
      - overflights: civil airliners crossing the Baghdad FIR above FL320
        party: overflights            # a scenario party: their identities are known (flight plans with ATC)
        per_day: 300                  # mean flights a day, entering at random (Poisson) times
        levels: [FL330, FL390]        # RVSM levels: eastbound odd, westbound even thousands of feet
        speed: [440kt, 490kt]
        flows:                        # each flown both ways; shares are normalised
          - {name: Gulf - Turkey, share: 0.5, path: [[29.9, 47.9], [33.3, 44.4], [37.1, 42.5]]}

Each flight flies its flow's path (straight legs in the run's frame) at one level and speed, with ADS-B on, a
callsign of a carrier that flew the region and an ICAO address in that carrier's national block, so the picture
knows it (its party, no intent) without a filed intent. Flights are drawn for the scenario's window and for the
longest crossing before it, so the sky is already busy at the start. Deterministic for a given seed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from commonsky.errors import InputError
from commonsky.geo.geodesy import LocalFrame
from commonsky.sim.truth import TruthFlight
from commonsky.units import parse_altitude, parse_speed

FT_M = 0.3048
CARRIERS = (
    ("UAE", 0x896000),
    ("QTR", 0x06A000),
    ("ETD", 0x896800),
    ("GFA", 0x894000),
    ("KAC", 0x706000),
    ("THY", 0x4B8000),
    ("DLH", 0x3C4000),
    ("BAW", 0x400000),
    ("AFR", 0x380000),
    ("KLM", 0x484000),
    ("RJA", 0x740000),
    ("MEA", 0x748000),
    ("SVA", 0x710000),
    ("FDB", 0x896400),
    ("ABY", 0x896C00),
    ("IRA", 0x730000),
    ("IRM", 0x732000),
    ("PGT", 0x4BA000),
    ("AUA", 0x440000),
    ("SWR", 0x4B0000),
)
"""Carriers seen over Iraq in 2014 (ICAO designator) and the start of an ICAO address block of their state."""


@dataclass(frozen=True)
class Flow:
    """A traffic flow: its name, its share of the day's flights, and its path as (lat, lon) degrees."""

    name: str
    share: float
    path: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Overflights:
    """An ``overflights`` entry of a scenario's ``truth:`` (see the module docstring). Levels in metres (STD),
    speeds in m/s."""

    label: str
    party: str
    per_day: float
    levels_m: tuple[float, float]
    speed_ms: tuple[float, float]
    flows: tuple[Flow, ...]


def read_overflights(
    entries: Sequence[Mapping[str, Any]], parties: Sequence[str], where: str
) -> tuple[Overflights, ...]:
    """The ``overflights`` entries of a scenario's ``truth:`` list (``where``: the file, for errors)."""
    out = []
    for i, entry in enumerate(entries):
        if "overflights" not in entry:
            continue
        at = f"{where}: truth[{i}]"
        unknown = set(entry) - {"overflights", "party", "per_day", "levels", "speed", "flows"}
        if unknown:
            raise InputError(f"{at}: unknown field(s) {', '.join(sorted(unknown))}")
        party = str(entry.get("party", ""))
        if party not in parties:
            raise InputError(f"{at}.party: {party!r} is not a party of the scenario")
        per_day = entry.get("per_day")
        if not isinstance(per_day, int | float) or isinstance(per_day, bool) or not 0 < per_day <= 20_000:
            raise InputError(f"{at}.per_day: expected a number of flights a day in (0, 20000], got {per_day!r}")
        levels = _pair(entry.get("levels"), f"{at}.levels", lambda v: parse_altitude(v).value_m)
        speeds = _pair(entry.get("speed"), f"{at}.speed", lambda v: parse_speed(v))
        flows = tuple(_flow(f, f"{at}.flows[{k}]") for k, f in enumerate(entry.get("flows") or []))
        if not flows:
            raise InputError(f"{at}.flows: expected at least one flow")
        out.append(Overflights(str(entry["overflights"]), party, float(per_day), levels, speeds, flows))
    return tuple(out)


def _pair(value: Any, at: str, parse: Any) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise InputError(f"{at}: expected [low, high]")
    try:
        low, high = float(parse(value[0])), float(parse(value[1]))
    except InputError as error:
        raise InputError(f"{at}: {error}") from None
    if not 0 < low <= high:
        raise InputError(f"{at}: expected 0 < low <= high, got {value!r}")
    return low, high


def _flow(value: Any, at: str) -> Flow:
    if not isinstance(value, dict) or set(value) - {"name", "share", "path"}:
        raise InputError(f"{at}: expected a mapping of name, share and path")
    share = value.get("share", 1.0)
    if not isinstance(share, int | float) or not share > 0:
        raise InputError(f"{at}.share: expected a positive number, got {share!r}")
    path = value.get("path")
    if not isinstance(path, list) or len(path) < 2 or not all(isinstance(p, list) and len(p) == 2 for p in path):
        raise InputError(f"{at}.path: expected at least two [lat, lon] points")
    try:
        points = tuple((float(lat), float(lon)) for lat, lon in path)
    except (TypeError, ValueError):
        raise InputError(f"{at}.path: a point is not two numbers") from None
    if not all(-90 <= lat <= 90 and -180 <= lon <= 180 for lat, lon in points):
        raise InputError(f"{at}.path: a point is not a latitude, longitude in degrees")
    return Flow(str(value.get("name", f"flow {at}")), float(share), points)


def overflight_flights(
    spec: Overflights, frame: LocalFrame, start_s: float, end_s: float, rng: np.random.Generator, first: int = 0
) -> list[TruthFlight]:
    """The flights of ``spec`` in the air at some time of ``[start_s, end_s]`` (Unix s); ids ``OVF-<n>`` from
    ``first``."""
    legs = []
    for flow in spec.flows:
        lat, lon = np.array(flow.path).T
        x, y = frame.to_local(lat, lon)
        xy = np.column_stack([np.ravel(x), np.ravel(y)])
        legs.append((xy, np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xy, axis=0).T))])))
    longest_s = max(float(d[-1]) for _, d in legs) / spec.speed_ms[0]
    t0 = start_s - longest_s
    n = int(rng.poisson(spec.per_day * (end_s - t0) / 86_400.0))
    enter = np.sort(rng.uniform(t0, end_s, n))
    share = np.array([f.share for f in spec.flows])
    flow_of = rng.choice(len(spec.flows), n, p=share / share.sum())
    backwards = rng.random(n) < 0.5
    speed = rng.uniform(*spec.speed_ms, n)
    carrier = rng.integers(0, len(CARRIERS), n)
    number = rng.integers(1, 999, n)
    out: list[TruthFlight] = []
    for k in range(n):
        xy, dist = legs[int(flow_of[k])]
        if backwards[k]:
            xy, dist = xy[::-1], dist[-1] - dist[::-1]
        heading = math.degrees(math.atan2(xy[-1, 0] - xy[0, 0], xy[-1, 1] - xy[0, 1])) % 360.0
        alt = _level_m(spec.levels_m, eastbound=heading < 180.0, pick=float(rng.random()))
        t = enter[k] + dist / speed[k]
        code, block = CARRIERS[int(carrier[k])]
        pos = np.column_stack([xy, np.full(len(xy), alt)])
        serial = first + k
        icao = f"{block + 0x100 + serial % 0x300:06x}"
        out.append(TruthFlight(f"OVF-{serial + 1}", spec.party, "", f"{code}{int(number[k])}", icao, True, t, pos))
    return out


def _level_m(levels_m: tuple[float, float], eastbound: bool, pick: float) -> float:
    """An RVSM cruising level in ``levels_m``: odd thousands of feet eastbound, even westbound."""
    low = math.ceil(levels_m[0] / FT_M / 1000.0 - 1e-9)
    high = math.floor(levels_m[1] / FT_M / 1000.0 + 1e-9)
    choices = [k for k in range(low, high + 1) if (k % 2 == 1) == eastbound] or list(range(low, high + 1))
    if not choices:  # a band narrower than a thousand feet: fly its floor
        return levels_m[0]
    return choices[min(int(pick * len(choices)), len(choices) - 1)] * 1000.0 * FT_M


__all__ = ["CARRIERS", "Flow", "Overflights", "overflight_flights", "read_overflights"]
