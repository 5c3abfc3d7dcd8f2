"""The sensors of a live run: ground radars, ADS-B receivers and airborne early-warning radars on truth flights.

A scenario's ``sensors:`` entries are read here (until the surveillance stage ships its own reader)::

    sensors:
      - {name: Baghdad PSR, kind: radar, at: [33.26, 44.23], alt: 60m, range: 250km, scan: 10s}
      - {name: Baghdad ADS-B, kind: adsb, at: [33.26, 44.23], alt: 60m, range: 400km}
      - {name: E-3 radar, kind: aew, intent: coalition-aew, range: 400km, scan: 10s}

With no entries, `default_sensors` puts an ADS-B receiver and a ground radar at the frame's centre, and an
early-warning radar on every truth flight whose intent label says "early warning". Each `SensorSlot` is active
only while its platform flies (an AEW radar) or always (a ground site).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from commonsky.errors import CommonskyError, InputError
from commonsky.geo.geodesy import LocalFrame
from commonsky.plans.intent import Intent
from commonsky.sim.truth import TruthFlight, TruthSet
from commonsky.surveillance.sensors.adsb import AdsbReceiver
from commonsky.surveillance.sensors.platform import FixedSite
from commonsky.surveillance.sensors.radar import Radar
from commonsky.surveillance.sensors.types import Sensor
from commonsky.units import parse_distance, parse_duration, parse_length

KINDS = ("radar", "adsb", "aew")


@dataclass(frozen=True)
class SensorSlot:
    """A sensor with a name, a kind (radar, adsb, aew), where it sits (lat, lon) and when it works (Unix s)."""

    name: str
    kind: str
    sensor: Sensor
    lat: float
    lon: float
    range_m: float
    start_s: float = -math.inf
    end_s: float = math.inf

    def active(self, t_s: float) -> bool:
        return self.start_s <= t_s <= self.end_s


def _field(spec: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in spec:
        raise InputError(f"{where}.{key}: missing required field")
    return spec[key]


def read_sensors(
    specs: Sequence[Mapping[str, Any]], frame: LocalFrame, truth: TruthSet
) -> tuple[SensorSlot, ...]:
    """Sensors from scenario entries (module docstring); `InputError` naming ``sensors[i].field`` on bad input."""
    out: list[SensorSlot] = []
    flights = {fl.intent_id: fl for fl in truth.flights if fl.intent_id}
    for i, spec in enumerate(specs):
        where = f"sensors[{i}]"
        try:
            kind = str(_field(spec, "kind", where))
            if kind not in KINDS:
                raise InputError(f"{where}.kind: unknown sensor kind {kind!r} (known: {', '.join(KINDS)})")
            name = str(spec.get("name", f"{kind}-{i}"))
            rng_m = parse_distance(str(spec.get("range", "400km" if kind != "radar" else "250km")))
            scan_s = parse_duration(str(spec.get("scan", "10s")))
            if kind == "aew":
                intent = str(_field(spec, "intent", where))
                if intent not in flights:
                    raise InputError(f"{where}.intent: no truth flight for intent {intent!r}")
                out.append(aew_slot(name, i, flights[intent], frame, rng_m, scan_s))
                continue
            at = _field(spec, "at", where)
            if not (isinstance(at, list | tuple) and len(at) == 2):
                raise InputError(f"{where}.at: expected [lat, lon]")
            alt_m = parse_length(str(spec.get("alt", "30m")))
            out.append(site_slot(name, kind, i, float(at[0]), float(at[1]), alt_m, frame, rng_m, scan_s))
        except InputError as error:
            message = str(error)
            raise InputError(message if message.startswith(where) else f"{where}: {message}") from None
        except (CommonskyError, TypeError, ValueError) as error:
            raise InputError(f"{where}: {error}") from None
    return tuple(out)


def site_slot(
    name: str, kind: str, sensor_id: int, lat: float, lon: float, alt_m: float, frame: LocalFrame,
    range_m: float, scan_s: float,
) -> SensorSlot:  # fmt: skip
    """A ground radar (``kind="radar"``) or ADS-B receiver (``"adsb"``) at (lat, lon), antenna ``alt_m`` AMSL."""
    x, y = frame.to_local(lat, lon)
    site = FixedSite(float(x), float(y), alt_m)
    sensor: Sensor
    if kind == "radar":
        sensor = Radar(sensor_id, site, max_range_m=range_m, scan_period_s=scan_s, ref_range_m=0.8 * range_m)
    else:
        sensor = AdsbReceiver(sensor_id, site, max_range_m=range_m)
    return SensorSlot(name, kind, sensor, lat, lon, range_m)


def aew_slot(
    name: str, sensor_id: int, flight: TruthFlight, frame: LocalFrame, range_m: float, scan_s: float
) -> SensorSlot:
    """An airborne early-warning radar riding ``flight`` (active while it flies)."""
    sensor = Radar(sensor_id, flight, max_range_m=range_m, scan_period_s=scan_s, ref_range_m=0.8 * range_m,
                   min_elevation_deg=-10.0, max_elevation_deg=20.0)  # fmt: skip
    mid = flight.position_m((flight.start_s + flight.end_s) / 2)
    lat, lon = frame.to_geodetic(float(mid[0]), float(mid[1]))
    return SensorSlot(name, "aew", sensor, float(lat), float(lon), range_m, flight.start_s, flight.end_s)


def default_sensors(frame: LocalFrame, truth: TruthSet, intents: Sequence[Intent]) -> tuple[SensorSlot, ...]:
    """ADS-B receiver (400 km) and radar (250 km, 10 s) at the frame centre; AEW radars on early-warning orbits."""
    slots = [
        site_slot("ADS-B ground station", "adsb", 0, frame.lat0, frame.lon0, 60.0, frame, 400_000.0, 1.0),
        site_slot("Primary radar", "radar", 1, frame.lat0, frame.lon0, 60.0, frame, 250_000.0, 10.0),
    ]
    labels = {i.id: i.label.lower() for i in intents}
    for fl in truth.flights:
        if "early warning" in labels.get(fl.intent_id, ""):
            slots.append(aew_slot(f"AEW radar ({fl.intent_id})", len(slots), fl, frame, 400_000.0, 10.0))
    return tuple(slots)


def frame_for(intents: Sequence[Intent]) -> LocalFrame:
    """A local frame centred on the middle of the intents' footprints (bounding box, degrees)."""
    if not intents:
        raise InputError("a live run needs at least one intent to place its local frame")
    bounds = np.array([v.footprint.bounds for i in intents for v in i.volumes])
    return LocalFrame(
        float((bounds[:, 1].min() + bounds[:, 3].max()) / 2), float((bounds[:, 0].min() + bounds[:, 2].max()) / 2)
    )


__all__ = ["KINDS", "SensorSlot", "aew_slot", "default_sensors", "frame_for", "read_sensors", "site_slot"]
