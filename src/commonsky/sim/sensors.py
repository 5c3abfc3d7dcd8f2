"""The sensors of a live run, from the scenario's ``sensors:`` list (`commonsky.surveillance.sensor_config`).

Ground radars and ADS-B receivers are the models `build_sensor` makes; an airborne early-warning radar rides its
intent's truth flight (so it sweeps from where the aircraft really is) and works only while that flight is up.
A scenario without sensors gets `default_specs`: an ADS-B receiver and a primary radar at the centre of the
run's frame, and an AEW radar on every intent whose label says "early warning".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from commonsky.errors import InputError
from commonsky.geo.geodesy import LocalFrame
from commonsky.plans.intent import Intent
from commonsky.sim.truth import TruthSet
from commonsky.surveillance.sensor_config import SensorKind, SensorSpec, build_sensor
from commonsky.surveillance.sensors.adsb import AdsbReceiver
from commonsky.surveillance.sensors.platform import FixedSite
from commonsky.surveillance.sensors.radar import Radar
from commonsky.surveillance.sensors.types import Sensor

FLAT_EARTH_RADIUS_M = 1e12
"""Earth radius that removes the radio horizon (`network_slot`)."""


@dataclass(frozen=True)
class SensorSlot:
    """A live sensor: its validated ``spec``, the model stepped by the run, and when it works (Unix s)."""

    spec: SensorSpec
    sensor: Sensor
    lat: float
    lon: float
    start_s: float = -math.inf
    end_s: float = math.inf

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def range_m(self) -> float:
        return self.spec.range_m

    def active(self, t_s: float) -> bool:
        return self.start_s <= t_s <= self.end_s


def live_sensors(
    specs: Sequence[SensorSpec], frame: LocalFrame, truth: TruthSet, intents: Sequence[Intent]
) -> tuple[SensorSlot, ...]:
    """The sensors of ``specs`` in ``frame``; AEW radars ride the truth flight of their intent."""
    flights = {fl.intent_id: fl for fl in truth.flights if fl.intent_id}
    out: list[SensorSlot] = []
    for spec in specs:
        if spec.kind is not SensorKind.AEW:
            built = build_sensor(spec, frame, intents)
            out.append(SensorSlot(spec, built.sensor, built.lat, built.lon))
            continue
        flight = flights.get(spec.intent)
        if flight is None:
            raise InputError(f"sensor {spec.name!r}: no truth flight for intent {spec.intent!r}")
        radar = Radar(
            spec.index,
            flight,
            max_range_m=spec.range_m,
            scan_period_s=spec.scan_s,
            ref_range_m=0.8 * spec.range_m,
            min_elevation_deg=spec.min_elevation_deg,
            max_elevation_deg=20.0,
        )
        mid = flight.position_m((flight.start_s + flight.end_s) / 2)
        lat, lon = frame.to_geodetic(float(mid[0]), float(mid[1]))
        out.append(SensorSlot(spec, radar, float(lat), float(lon), flight.start_s, flight.end_s))
    return tuple(out)


def default_specs(frame: LocalFrame, intents: Sequence[Intent]) -> tuple[SensorSpec, ...]:
    """ADS-B receiver (400 km, 1 s) and radar (250 km, 10 s) at the frame centre, 60 m masts; AEW radars (400 km,
    10 s) on early-warning orbits."""
    specs = [
        SensorSpec(0, "ADS-B ground station", SensorKind.ADSB, frame.lat0, frame.lon0, 60.0, 400_000.0, 1.0, 0.0),
        SensorSpec(1, "Primary radar", SensorKind.RADAR, frame.lat0, frame.lon0, 60.0, 250_000.0, 10.0, 0.0),
    ]
    for intent in intents:
        if "early warning" in intent.label.lower():
            specs.append(
                SensorSpec(
                    len(specs),
                    f"AEW radar ({intent.id})",
                    SensorKind.AEW,
                    math.nan,
                    math.nan,
                    0.0,
                    400_000.0,
                    10.0,
                    -10.0,
                    intent.id,
                )
            )
    return tuple(specs)


def network_slot(frame: LocalFrame, sensor_id: int, range_m: float) -> SensorSlot:
    """A wide-area ADS-B network as one sensor: every transmitting aircraft within ``range_m`` of the frame centre
    is heard once per second (a stand-in for many receivers merged by address: no radio horizon)."""
    spec = SensorSpec(sensor_id, "ADS-B network", SensorKind.ADSB, frame.lat0, frame.lon0, 60.0, range_m, 1.0, -90.0)
    receiver = AdsbReceiver(
        sensor_id, FixedSite(0.0, 0.0, 60.0), max_range_m=range_m, min_elevation_deg=-90.0, re_m=FLAT_EARTH_RADIUS_M
    )
    return SensorSlot(spec, receiver, frame.lat0, frame.lon0)


def frame_for(intents: Sequence[Intent]) -> LocalFrame:
    """A local frame centred on the middle of the intents' footprints (bounding box, degrees)."""
    if not intents:
        raise InputError("a live run needs at least one intent to place its local frame")
    bounds = np.array([v.footprint.bounds for i in intents for v in i.volumes])
    return LocalFrame(
        float((bounds[:, 1].min() + bounds[:, 3].max()) / 2), float((bounds[:, 0].min() + bounds[:, 2].max()) / 2)
    )


__all__ = ["SensorSlot", "default_specs", "frame_for", "live_sensors", "network_slot"]
