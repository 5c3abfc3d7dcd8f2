"""Synthetic traffic as a receiver hears it: rs1090 (an independent decoder) reads back each aircraft's identity,
squawk and altitude; the feed pipeline places it where it flies; a live picture's pipeline skips what it does not
show and builds the same positions."""

from __future__ import annotations

import math

import pytest
import rs1090

from commonsky.surveillance.feeds.beast import encode_beast
from commonsky.surveillance.feeds.modes import MLAT_HZ, RawFrame
from commonsky.surveillance.feeds.pipeline import FeedOptions, FeedPipeline
from commonsky.surveillance.feeds.records import StateVector
from commonsky.surveillance.feeds.source import Chunk
from commonsky.surveillance.feeds.synthetic import synthetic_fleet, synthetic_recording

T0 = 1.0e9


@pytest.fixture(scope="module")
def fleet_and_beast() -> tuple[list, bytes, list[bytes]]:  # type: ignore[type-arg]
    fleet = synthetic_fleet(20, (50.0, 8.0), seed=3)
    rec = synthetic_recording(fleet, 12.0)
    stamped = [
        RawFrame(f.msg, mlat_ticks=int((1.0 + t) * MLAT_HZ)) for f, t in zip(rec.frames, rec.offsets_s, strict=True)
    ]
    return fleet, b"".join(encode_beast(f) for f in stamped), [f.msg for f in rec.frames]


def test_rs1090_reads_back_identity_squawk_and_altitude(fleet_and_beast: tuple[list, bytes, list[bytes]]) -> None:  # type: ignore[type-arg]
    fleet, _, msgs = fleet_and_beast
    by_icao = {f"{p.icao24:06x}": p for p in fleet}
    seen = {"callsign": 0, "squawk": 0, "altitude": 0}
    for decoded in rs1090.decode([m.hex() for m in msgs]):
        plane = by_icao[decoded["icao24"]]
        if "callsign" in decoded:
            assert decoded["callsign"].strip("#_ ") == plane.callsign
            seen["callsign"] += 1
        if "squawk" in decoded:
            assert decoded["squawk"] == plane.squawk
            seen["squawk"] += 1
        if decoded.get("altitude") is not None:
            assert decoded["altitude"] == pytest.approx(plane.alt_ft, abs=25)
            seen["altitude"] += 1
    assert min(seen.values()) >= 20 * 12


def _states(data: bytes, picture_only: bool) -> tuple[list[StateVector], FeedPipeline]:
    pipeline = FeedPipeline("beast", options=FeedOptions(start_s=T0, picture_only=picture_only))
    return pipeline.feed(Chunk(data, T0)) + pipeline.finish(T0), pipeline


def test_positions_where_the_aircraft_fly(fleet_and_beast: tuple[list, bytes, list[bytes]]) -> None:  # type: ignore[type-arg]
    fleet, data, msgs = fleet_and_beast
    states, pipeline = _states(data, picture_only=False)
    assert pipeline.counters.crc_failures == 0 and pipeline.counters.unverified == 0
    by_icao = {f"{p.icao24:06x}": p for p in fleet}
    for state in states:
        lat, lon, _ = by_icao[state.icao24].position(state.timestamp_s - T0)
        north = math.radians(state.latitude_deg - lat) * 6_371_000.0
        east = math.radians(state.longitude_deg - lon) * 6_371_000.0 * math.cos(math.radians(lat))
        assert math.hypot(north, east) < 20.0  # CPR's resolution is about 5 m
    assert {s.icao24 for s in states} == set(by_icao)
    live, live_pipeline = _states(data, picture_only=True)
    skipped = sum(1 for m in msgs if m[0] >> 3 not in (5, 17, 18, 21))
    assert live_pipeline.counters.skipped == skipped > 0
    assert [(s.icao24, s.latitude_deg, s.longitude_deg) for s in live] == [
        (s.icao24, s.latitude_deg, s.longitude_deg) for s in states
    ]
    last = {s.icao24: s for s in live}  # the squawk (DF5) follows the first positions of each second
    assert {icao: s.squawk for icao, s in last.items()} == {icao: p.squawk for icao, p in by_icao.items()}
