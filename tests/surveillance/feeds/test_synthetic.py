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
from commonsky.surveillance.feeds.synthetic import SyntheticAircraft, messages, synthetic_fleet, synthetic_recording

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


# -- surface frames (an aircraft on the ground), checked against rs1090 -------------------------------------
# DO-260B movement steps (lower bound kt, step kt) for the independent check of the speed field.
STEPS = ((0.125, 0.125), (1.0, 0.25), (2.0, 0.5), (15.0, 1.0), (70.0, 2.0), (100.0, 5.0))


@pytest.mark.parametrize(
    ("lat", "lon", "gs_kt", "track"),
    [(49.0, 2.55, 16.0, 45.0), (48.97, 2.61, 0.6, 300.0), (49.03, 2.49, 63.0, 181.0), (-33.95, 151.18, 120.0, 7.5)],
)
def test_surface_frames_decode_in_rs1090_as_sent(lat: float, lon: float, gs_kt: float, track: float) -> None:
    plane = SyntheticAircraft(0xABC123, "GND7", "2000", lat, lon, 0.0, gs_kt, track, on_ground=True)
    reference = (lat + 0.1, lon - 0.1)  # within 45 NM: surface positions decode locally
    frames = [m for _, m in messages(plane, 0.0)]
    decoded = [rs1090.decode(m.hex(), reference=reference) for m in frames]
    positions = [d for d in decoded if d.get("tc") == 7]
    assert len(positions) == 2 and {d["parity"] for d in positions} == {"even", "odd"}
    for d, dt in zip(positions, (0.0, 0.5), strict=True):
        want_lat, want_lon, _ = plane.position(dt)
        north_m = (d["latitude"] - want_lat) * 111_320.0
        east_m = (d["longitude"] - want_lon) * 111_320.0 * math.cos(math.radians(want_lat))
        assert math.hypot(north_m, east_m) < 3.0  # surface CPR quantum: 1.25 m or less
        low, step = next(s for s in reversed(STEPS) if gs_kt >= s[0])
        assert d["groundspeed"] == pytest.approx(low + math.floor((gs_kt - low) / step) * step)
        assert abs((d["track"] - track + 180.0) % 360.0 - 180.0) <= 360.0 / 128.0 / 2.0 + 1e-9
        assert "altitude" not in d or d["altitude"] is None
    assert [d["capability"] for d in decoded if d["df"] == "11"] == ["ground", "ground"]
    replies = [m for m in frames if m[0] >> 3 == 5]
    assert [m[0] & 7 for m in replies] == [1]  # flight status 1: on the ground, no alert, no SPI
    assert [d["squawk"] for d in decoded if d["df"] == "5"] == ["2000"]
    assert [d["callsign"] for d in decoded if "callsign" in d] == ["GND7"]
