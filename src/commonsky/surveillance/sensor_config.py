"""A scenario's ``sensors:`` list, validated, and the sensor models built from it.

Entries (docs/scenario-format.md)::

    sensors:
      - {name: Baghdad PSR, kind: radar, at: [33.26, 44.23], alt: 60m, range: 250km, scan: 10s}
      - {name: Baghdad ADS-B, kind: adsb, at: Baghdad, alt: 60m, range: 400km}
      - {name: E-3 radar, kind: aew, intent: coalition-aew, range: 400km, scan: 10s}

Fields: ``name`` (unique; default ``KIND-i``), ``kind`` (radar, adsb, aew; required), ``at`` ([lat, lon] or a place
of the bundled gazetteer; required for radar and adsb), ``alt`` (antenna height above the ground, default 30 m:
the earth is smooth, no terrain),
``range`` (instrumented range, positive; default 250 km for radar, 400 km otherwise), ``scan`` (scan or report
period, positive; default 10 s for radars, 1 s for ADS-B), ``min_elevation`` (degrees, -90..45; default 0 for
ground sensors, -10 for AEW), ``intent`` (AEW only, required: the filed orbit the aircraft flies; the radar
rides it at the middle of the orbit's altitude block), ``outages`` (times the sensor is silent, to rehearse a
failure: a list of ``{start: T, end: T}``, UTC; ``end`` may be left out for "until the end"), ``description``.

Every error is one line naming the file, the path, the field and the line, e.g.
``scenarios/x.yaml: sensors[2].range: must be positive, got '-5km' (line 40)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from commonsky._typing import FloatArray
from commonsky.errors import CommonskyError, InputError
from commonsky.geo.geodesy import LocalFrame
from commonsky.plans.intent import Intent
from commonsky.sim.scenario_fields import Fields
from commonsky.sim.scenario_yaml import ScenarioError, child, load_yaml
from commonsky.surveillance.sensors.adsb import AdsbReceiver
from commonsky.surveillance.sensors.platform import FixedSite, Platform
from commonsky.surveillance.sensors.radar import Radar
from commonsky.units import parse_distance, parse_duration, parse_length


class SensorKind(StrEnum):
    """What a ``sensors:`` entry is: a ground radar, an ADS-B receiver, or an airborne (AEW) radar on an orbit."""

    RADAR = "radar"
    ADSB = "adsb"
    AEW = "aew"


SENSOR_KINDS = tuple(SensorKind)
_KEYS = ("name", "kind", "at", "alt", "range", "scan", "min_elevation", "intent", "outages", "description")
_DEFAULT_RANGE = {"radar": "250km", "adsb": "400km", "aew": "400km"}
_DEFAULT_SCAN = {"radar": "10s", "adsb": "1s", "aew": "10s"}
_DEFAULT_MIN_EL = {"radar": 0.0, "adsb": 0.0, "aew": -10.0}
ORBIT_SAMPLES = 36


@dataclass(frozen=True)
class SensorSpec:
    """One validated ``sensors:`` entry. Degrees, metres, seconds. ``lat``/``lon`` are NaN for an AEW radar,
    ``intent`` is "" for a ground sensor. ``index`` is the entry's position, used as the sensor id."""

    index: int
    name: str
    kind: SensorKind
    lat: float
    lon: float
    alt_m: float
    range_m: float
    scan_s: float
    min_elevation_deg: float
    intent: str = ""
    outages: tuple[tuple[float, float], ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in SENSOR_KINDS:
            raise InputError(f"unknown sensor kind {self.kind!r} (use {', '.join(SENSOR_KINDS)})")
        object.__setattr__(self, "kind", SensorKind(self.kind))  # a plain "adsb" becomes SensorKind.ADSB

    @property
    def cooperative(self) -> bool:
        """ADS-B only hears aircraft that transmit."""
        return self.kind is SensorKind.ADSB

    def silent_at(self, t_s: float) -> bool:
        """True inside one of the configured ``outages`` ``[start, end)`` (Unix s): the sensor reports nothing."""
        return any(start <= t_s < end for start, end in self.outages)


@dataclass(frozen=True)
class PathPlatform:
    """An antenna moving along sampled positions ``pos_m`` (P, 3) at times ``t_s`` (P,), linear in between."""

    t_s: FloatArray
    pos_m: FloatArray

    def position_m(self, t_s: float) -> FloatArray:
        return np.array([np.interp(t_s, self.t_s, self.pos_m[:, k]) for k in range(3)])


@dataclass(frozen=True)
class BuiltSensor:
    """A sensor model built from a spec, with the platform times at which coverage samples it (one time for a
    ground site; ``ORBIT_SAMPLES`` positions round the orbit for an AEW radar)."""

    spec: SensorSpec
    sensor: Radar | AdsbReceiver
    times_s: FloatArray
    lat: float
    lon: float


def read_sensor_specs(
    entries: Any, f: Fields, intents: Sequence[Intent] = (), where: str = "sensors"
) -> tuple[SensorSpec, ...]:
    """Validate ``entries`` (the parsed ``sensors:`` list); `ScenarioError` names ``f.path``, path, field, line."""
    known = {i.id for i in intents}
    out: list[SensorSpec] = []
    for i, raw in enumerate(f.sequence(entries, where)):
        here = child(where, i)
        spec = f.mapping(raw, here, _KEYS, ("kind",))
        kind = SensorKind(f.choice(spec["kind"], child(here, "kind"), SENSOR_KINDS, "sensor kind"))
        name = f.text(spec["name"], child(here, "name")) if "name" in spec else f"{kind}-{i}"
        if any(s.name == name for s in out):
            f.fail(child(here, "name"), f"duplicate sensor name {name!r}")
        range_m = _positive(f, spec.get("range", _DEFAULT_RANGE[kind]), child(here, "range"), parse_distance)
        scan_s = _positive(f, spec.get("scan", _DEFAULT_SCAN[kind]), child(here, "scan"), parse_duration)
        min_el = _elevation(f, spec.get("min_elevation", _DEFAULT_MIN_EL[kind]), child(here, "min_elevation"))
        lat = lon = math.nan
        intent = ""
        if kind is SensorKind.AEW:
            if "intent" not in spec:
                f.fail(child(here, "intent"), "an AEW radar needs the intent of the orbit it flies (missing field)")
            if "at" in spec:
                f.fail(child(here, "at"), "an AEW radar rides its intent's orbit; use kind radar for a fixed site")
            intent = f.text(spec["intent"], child(here, "intent"))
            if known and intent not in known:
                f.fail(child(here, "intent"), f"unknown intent {intent!r}")
        else:
            if "intent" in spec:
                f.fail(child(here, "intent"), f"only an AEW radar rides an intent, not a {kind}")
            if "at" not in spec:
                f.fail(child(here, "at"), "missing required field: the sensor's position [lat, lon] or a place")
            lat, lon = f.point(spec["at"], child(here, "at"))
        alt_m = _altitude(f, spec.get("alt", "30m"), child(here, "alt"))
        outages = _outages(f, spec["outages"], child(here, "outages")) if "outages" in spec else ()
        out.append(SensorSpec(i, name, kind, lat, lon, alt_m, range_m, scan_s, min_el, intent, outages))
    return tuple(out)


def load_sensor_specs(path: Path | str, intents: Sequence[Intent] = ()) -> tuple[SensorSpec, ...]:
    """The ``sensors:`` list of a scenario file, validated (re-reads the file for line numbers)."""
    path = Path(path)
    data, lines = load_yaml(path)
    entries = data.get("sensors") if isinstance(data, dict) else None
    f = Fields(path, lines)
    return read_sensor_specs([] if entries is None else entries, f, intents)


def build_sensor(spec: SensorSpec, frame: LocalFrame, intents: Sequence[Intent] = ()) -> BuiltSensor:
    """The sensor model of ``spec`` in ``frame`` (the same parameters as a live run's sensors)."""
    platform: Platform
    if spec.kind is SensorKind.AEW:
        intent = next((i for i in intents if i.id == spec.intent), None)
        if intent is None:
            raise ScenarioError(f"sensor {spec.name!r}: unknown intent {spec.intent!r}")
        path = orbit_samples(intent, frame)
        platform = path
        times = path.t_s
        mid = path.pos_m.mean(axis=0)
        lat, lon = (float(v) for v in frame.to_geodetic(float(mid[0]), float(mid[1])))
    else:
        x, y = frame.to_local(spec.lat, spec.lon)
        platform = FixedSite(float(x), float(y), spec.alt_m)
        times = np.zeros(1)
        lat, lon = spec.lat, spec.lon
    sensor: Radar | AdsbReceiver
    if spec.kind is SensorKind.ADSB:
        sensor = AdsbReceiver(
            spec.index,
            platform,
            max_range_m=spec.range_m,
            update_period_s=spec.scan_s,
            min_elevation_deg=spec.min_elevation_deg,
        )
    else:
        sensor = Radar(
            spec.index,
            platform,
            max_range_m=spec.range_m,
            scan_period_s=spec.scan_s,
            ref_range_m=0.8 * spec.range_m,
            min_elevation_deg=spec.min_elevation_deg,
            max_elevation_deg=20.0 if spec.kind is SensorKind.AEW else 45.0,
        )
    return BuiltSensor(spec, sensor, times, lat, lon)


def orbit_samples(intent: Intent, frame: LocalFrame, n: int = ORBIT_SAMPLES) -> PathPlatform:
    """``n`` positions round an orbit intent's first volume, at times ``0..n-1`` s (a stand-in clock: only the
    positions matter to coverage). The path is the footprint's outline inset by 30 % of its equivalent radius,
    at the middle of the altitude block -- the rule the live run's truth flights follow."""
    volume = intent.volumes[0]
    area = frame.project(shapely.segmentize(volume.footprint, 0.02))
    inset = area.buffer(-0.3 * math.sqrt(area.area / math.pi))
    ring = inset if (not inset.is_empty and inset.geom_type == "Polygon") else area
    outline = shapely.get_exterior_ring(ring if ring.geom_type == "Polygon" else ring.convex_hull)
    xy = np.asarray(shapely.line_interpolate_point(outline, np.linspace(0.0, 1.0, n, endpoint=False), normalized=True))
    coords = shapely.get_coordinates(xy)
    alt = (volume.band.floor.value_m + volume.band.ceiling.value_m) / 2.0
    return PathPlatform(np.arange(n, dtype=float), np.column_stack([coords, np.full(n, alt)]))


def _outages(f: Fields, value: Any, where: str) -> tuple[tuple[float, float], ...]:
    out = []
    for i, item in enumerate(f.sequence(value, where)):
        here = child(where, i)
        spec = f.mapping(item, here, ("start", "end"), ("start",))
        start = f.time_s(spec["start"], child(here, "start"))
        end = f.time_s(spec["end"], child(here, "end")) if "end" in spec else math.inf
        if not end > start:
            f.fail(child(here, "end"), "the outage ends before it starts")
        out.append((start, end))
    return tuple(sorted(out))


def _positive(f: Fields, value: Any, where: str, parse: Any) -> float:
    try:
        number = float(parse(value if isinstance(value, str) else str(value)))
    except CommonskyError as error:
        f.fail(where, str(error))
    if not (math.isfinite(number) and number > 0):
        f.fail(where, f"must be positive, got {value!r}")
    return number


def _altitude(f: Fields, value: Any, where: str) -> float:
    try:
        metres = float(parse_length(value if isinstance(value, str) else str(value), default_unit="m"))
    except CommonskyError as error:
        f.fail(where, str(error))
    if not (math.isfinite(metres) and -500.0 <= metres <= 30_000.0):
        f.fail(where, f"antenna altitude must be between -500 m and 30 km, got {value!r}")
    return metres


def _elevation(f: Fields, value: Any, where: str) -> float:
    text = str(value).strip().removesuffix("deg").strip()
    try:
        degrees = float(text)
    except ValueError:
        f.fail(where, f"expected an angle in degrees like -0.5deg, got {value!r}")
    if not -90.0 <= degrees < 45.0:
        f.fail(where, f"minimum elevation must be in [-90, 45) degrees, got {value!r}")
    return degrees


__all__ = [
    "SENSOR_KINDS",
    "BuiltSensor",
    "PathPlatform",
    "SensorKind",
    "SensorSpec",
    "build_sensor",
    "load_sensor_specs",
    "orbit_samples",
    "read_sensor_specs",
]
