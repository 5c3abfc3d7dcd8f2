"""The sensors of a live run: the frame centred on the intents' footprints (bounds computed here by a plain loop
over their vertices), the default sensors, an AEW radar riding its intent's flight, and the ADS-B network that hears
beyond the radio horizon (the horizon computed here from the Earth's radius)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from commonsky.errors import InputError
from commonsky.geo.geodesy import LocalFrame
from commonsky.sim.scenario import Scenario
from commonsky.sim.sensors import SensorSlot, default_specs, frame_for, live_sensors, network_slot
from commonsky.sim.truth import TruthSet
from commonsky.surveillance.sensor_config import SensorKind, load_sensor_specs
from commonsky.surveillance.sensors.adsb import AdsbReceiver
from commonsky.surveillance.sensors.platform import FixedSite

EARTH_M = 6_371_000.0


def test_the_frame_is_centred_on_the_footprints_bounding_box(diyala: Scenario) -> None:
    lons: list[float] = []
    lats: list[float] = []
    for intent in diyala.intents:
        for volume in intent.volumes:
            for lon, lat in volume.footprint.exterior.coords:
                lons.append(lon)
                lats.append(lat)
    frame = frame_for(diyala.intents)
    assert frame.lat0 == pytest.approx((min(lats) + max(lats)) / 2, abs=1e-12)
    assert frame.lon0 == pytest.approx((min(lons) + max(lons)) / 2, abs=1e-12)
    one = diyala.intents[0]
    xs = [x for v in one.volumes for x, _ in v.footprint.exterior.coords]
    ys = [y for v in one.volumes for _, y in v.footprint.exterior.coords]
    assert frame_for([one]) == LocalFrame((min(ys) + max(ys)) / 2, (min(xs) + max(xs)) / 2)


def test_no_intent_no_frame() -> None:
    with pytest.raises(InputError, match="at least one intent"):
        frame_for([])


def test_default_sensors_and_an_aew_radar_per_early_warning_intent(diyala: Scenario) -> None:
    frame = LocalFrame(33.5, 44.5)
    specs = default_specs(frame, diyala.intents)
    early = [i.id for i in diyala.intents if "early warning" in i.label.lower()]
    assert len(early) == 1
    assert [(s.kind, s.range_m, s.scan_s) for s in specs] == [
        (SensorKind.ADSB, 400_000.0, 1.0),
        (SensorKind.RADAR, 250_000.0, 10.0),
        (SensorKind.AEW, 400_000.0, 10.0),
    ]
    assert [s.index for s in specs] == [0, 1, 2] and specs[2].intent == early[0]
    assert all((s.lat, s.lon) == (33.5, 44.5) for s in specs[:2])
    assert default_specs(frame, []) == specs[:2]


def test_ground_sensors_stand_where_the_file_says_and_aew_rides_its_flight(diyala: Scenario, truth: TruthSet) -> None:
    specs = load_sensor_specs(diyala.path, diyala.intents)
    slots = live_sensors(specs, truth.frame, truth, diyala.intents)
    assert [s.name for s in slots] == [s.name for s in specs]
    for slot, spec in zip(slots, specs, strict=True):
        assert slot.spec == spec and slot.kind == spec.kind and slot.range_m == spec.range_m
        if spec.kind is not SensorKind.AEW:
            assert (slot.lat, slot.lon) == (spec.lat, spec.lon)
            assert math.isinf(slot.start_s) and math.isinf(slot.end_s)
    aew = [(slot, spec) for slot, spec in zip(slots, specs, strict=True) if spec.kind is SensorKind.AEW]
    assert aew
    for slot, spec in aew:
        intent = next(i for i in diyala.intents if i.id == spec.intent)
        lon_min = min(v.footprint.bounds[0] for v in intent.volumes)
        lat_min = min(v.footprint.bounds[1] for v in intent.volumes)
        lon_max = max(v.footprint.bounds[2] for v in intent.volumes)
        lat_max = max(v.footprint.bounds[3] for v in intent.volumes)
        assert lat_min - 0.05 <= slot.lat <= lat_max + 0.05 and lon_min - 0.05 <= slot.lon <= lon_max + 0.05
        flight = next(f for f in truth.flights if f.intent_id == spec.intent)
        assert (slot.start_s, slot.end_s) == (flight.start_s, flight.end_s)
        assert not slot.active(flight.start_s - 0.001) and slot.active(flight.start_s)
        assert slot.active(flight.end_s) and not slot.active(flight.end_s + 0.001)


def test_an_aew_radar_without_a_flight_is_refused(diyala: Scenario, truth: TruthSet) -> None:
    specs = default_specs(truth.frame, diyala.intents)
    lost = replace(specs[2], intent="no-such-intent")
    with pytest.raises(InputError, match=r"sensor 'AEW radar .*no truth flight for intent 'no-such-intent'"):
        live_sensors([lost], truth.frame, truth, diyala.intents)


def test_the_network_hears_beyond_the_horizon_and_within_its_range() -> None:
    frame = LocalFrame(33.5, 44.5)
    slot = network_slot(frame, 7, 600_000.0)
    assert isinstance(slot, SensorSlot) and slot.sensor.sensor_id == 7 and slot.spec.index == 7
    assert (slot.lat, slot.lon) == (33.5, 44.5) and slot.active(0.0) and slot.active(1e12)
    horizon_m = math.sqrt(2 * EARTH_M * 60.0) + math.sqrt(2 * EARTH_M * 1_000.0)  # mast 60 m, aircraft 1,000 m
    assert horizon_m < 150_000.0
    pos = np.array(
        [[0.0, 100_000.0, 1_000.0], [300_000.0, 0.0, 1_000.0], [0.0, -590_000.0, 300.0], [610_000.0, 0, 9e3]]
    )
    heard = slot.sensor.detection_probability(pos, 0.0) > 0
    assert heard.tolist() == [True, True, True, False]
    one_receiver = AdsbReceiver(0, FixedSite(0.0, 0.0, 60.0), max_range_m=600_000.0)  # on the real Earth
    assert (one_receiver.detection_probability(pos, 0.0) > 0).tolist() == [True, False, False, False]
