"""The on-ground path end to end, from a receiver: Mode S frames as a transponder on the surface sends them (DF17
surface positions TC 7 with surface CPR, DF11 capability 4, DF5 flight status 1), served as a Beast feed over
loopback, reach the live picture as an aircraft on the ground, and the conflict alert leaves it alone while a
departure climbs out over it; the same geometry flown by an airborne twin (airborne frames) alerts.

The surface encoder is checked first against rs1090, an independent decoder."""

from __future__ import annotations

import math
import time

import pytest
import rs1090

from commonsky.safety.alerts import AlertKind
from commonsky.sim.live_feeds import feeds_pipeline, feeds_scenario
from commonsky.sim.snapshot import LiveSnapshot
from commonsky.surveillance.feeds.live import LiveFeed
from commonsky.surveillance.feeds.replay import ReplayServer
from commonsky.surveillance.feeds.source import ReconnectPolicy
from commonsky.surveillance.feeds.synthetic import SyntheticAircraft, messages, synthetic_recording
from commonsky.surveillance.feeds.url import parse_feed_url

QUICK = ReconnectPolicy(max_retries=None, initial_backoff_s=0.1, max_backoff_s=0.5, idle_timeout_s=5.0)
FT_M = 0.3048
RECEIVER = (49.0, 2.55, 100.0)  # lat, lon, alt_m: an airport's receiver
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


# A departure climbs out over a fast-taxiing aircraft (landing roll-out, 60 kt): 1.2 km behind it, 160 kt, 800 ft
# climbing at 300 ft/min, so it passes over it at about 23 s and stays inside 5 NM and 1,000 ft. The same two
# aircraft 60 km north, but the taxiing one flies (airborne frames) at the ground's altitude: that pair alerts.
GROUND_ALT_FT = RECEIVER[2] / FT_M
GROUND = SyntheticAircraft(0xC00001, "ROLL1", "1001", 49.0, 2.53, 0.0, 60.0, 90.0, on_ground=True)
DEPARTURE = SyntheticAircraft(0xC00002, "DEP1", "1002", 49.0, 2.5136, 800.0, 160.0, 90.0, vs_fpm=300.0)
TWIN = SyntheticAircraft(0xC00003, "TWIN1", "1003", 49.54, 2.53, GROUND_ALT_FT, 60.0, 90.0)
TWIN_DEPARTURE = SyntheticAircraft(0xC00004, "DEP2", "1004", 49.54, 2.5136, 800.0, 160.0, 90.0, vs_fpm=300.0)
SECONDS = 70.0


def _separation(a: SyntheticAircraft, b: SyntheticAircraft, t_s: float, a_alt_ft: float) -> tuple[float, float]:
    """(horizontal m, vertical ft) between ``a`` (at ``a_alt_ft``) and ``b`` at ``t_s``, flat earth."""
    (la, lo, _), (lb, lob, alt_b) = a.position(t_s), b.position(t_s)
    north, east = (lb - la) * 111_200.0, (lob - lo) * 111_200.0 * math.cos(math.radians(la))
    return math.hypot(north, east), abs(alt_b - a_alt_ft)


@pytest.mark.slow
def test_an_aircraft_on_the_ground_never_alerts_and_its_airborne_twin_does() -> None:
    # The geometry, independently: both pairs inside 5 NM and 1,000 ft from 20 s (tracks have a rate) to the end.
    for t in range(20, int(SECONDS)):
        for a, b in ((GROUND, DEPARTURE), (TWIN, TWIN_DEPARTURE)):
            horizontal_m, vertical_ft = _separation(a, b, float(t), GROUND_ALT_FT)
            assert horizontal_m < 5 * 1852.0 and vertical_ft < 1000.0
    fleet = [GROUND, DEPARTURE, TWIN, TWIN_DEPARTURE]
    lat, lon, alt = RECEIVER
    with ReplayServer(synthetic_recording(fleet, SECONDS), speed=1.0) as server:
        url = parse_feed_url(f"beast://127.0.0.1:{server.port}?lat={lat}&lon={lon}&alt_m={alt}&name=tower")
        feed = LiveFeed(url, QUICK, poll_s=0.05)
        feed.start()
        begin = time.time()
        try:
            pipeline = feeds_pipeline(feeds_scenario(begin), [feed])
            pipeline.reset(begin)
            snaps: list[LiveSnapshot] = []
            alerted_s = math.inf  # the twin pair's alert: then 5 s more, and at least past the departure's pass
            while time.time() < min(begin + SECONDS - 5.0, max(alerted_s + 5.0, begin + 30.0)):
                snaps.append(pipeline.step(max(time.time(), pipeline.time_s)))
                if alerted_s == math.inf and any(a.kind is AlertKind.CONFLICT for a in snaps[-1].alerts):
                    alerted_s = time.time()
                time.sleep(0.25)
        finally:
            feed.stop()
    address = {f"{p.icao24:06x}": p.callsign for p in fleet}
    seen = [s for s in snaps if len(s.picture) == 4]
    assert seen, "all four aircraft on the picture"
    last = seen[-1]
    row = {address[a]: k for k, a in enumerate(last.icao24.tolist())}
    assert [bool(last.on_ground[row[c]]) for c in ("ROLL1", "DEP1", "TWIN1", "DEP2")] == [True, False, False, False]
    assert last.picture.alt_m[row["ROLL1"]] == pytest.approx(alt, abs=30.0)  # at the ground (the receiver's)
    truth_lat, truth_lon, _ = GROUND.position(last.time_s - begin)
    north_m = (last.picture.lat[row["ROLL1"]] - truth_lat) * 111_200.0
    east_m = (last.picture.lon[row["ROLL1"]] - truth_lon) * 111_200.0 * math.cos(math.radians(truth_lat))
    assert math.hypot(north_m, east_m) < 500.0  # where the surface frames put it (the replay's pace may lag a little)
    pairs = set()
    for s in snaps:
        ids = {str(t): address[str(a)] for t, a in zip(s.picture.id.tolist(), s.icao24.tolist(), strict=True)}
        for a in s.alerts:
            if a.kind is AlertKind.CONFLICT and all(x in ids for x in a.subjects):
                pairs.add(tuple(sorted(ids[x] for x in a.subjects)))
    assert pairs == {("DEP2", "TWIN1")}
