"""A real receiver as a plot source: each aircraft's latest report dead-reckoned to now (the projection by pyproj,
the motion by hand), a ground report placed at the receiver's height, one batch per poll while the link is up and
none while it is down; the squawk and the air/ground flag of what a `ReplayServer` sent (aircraft written here).
Only 127.0.0.1 and free ports; every wait is bounded."""

from __future__ import annotations

import math
import socket
import time
from dataclasses import replace

import numpy as np
import pytest
from pyproj import Transformer

from commonsky.geo.geodesy import LocalFrame
from commonsky.surveillance.feeds.batch import StateBatch
from commonsky.surveillance.feeds.live import LiveFeed
from commonsky.surveillance.feeds.receiver import (
    MAX_DEAD_RECKONING_S,
    AsyncReports,
    ReceiverSettings,
    ReceiverSource,
    UnplacedReceiver,
    states_to_plots,
)
from commonsky.surveillance.feeds.records import StateVector
from commonsky.surveillance.feeds.replay import Recording, ReplayServer
from commonsky.surveillance.feeds.source import ReconnectPolicy
from commonsky.surveillance.feeds.synthetic import SyntheticAircraft, synthetic_recording
from commonsky.surveillance.feeds.url import parse_feed_url
from commonsky.surveillance.sensors.adsb import AdsbReceiver

QUICK = ReconnectPolicy(max_retries=None, initial_backoff_s=0.05, max_backoff_s=0.2, idle_timeout_s=5.0)
FRAME = LocalFrame(51.5, 4.5)
SIGMA = np.array([50.0, 50.0, 15.0])
LAT, LON = 51.4, 7.0
FLEETS, PER_FLEET, FLEET_S = 3, 6, 2.0


def _aeqd(lat: float, lon: float) -> tuple[float, float]:
    """East, north (m) of a point in the azimuthal equidistant frame of `FRAME`, by pyproj."""
    proj = Transformer.from_crs("EPSG:4326", f"+proj=aeqd +lat_0={FRAME.lat0} +lon_0={FRAME.lon0} +ellps=WGS84")
    east, north = proj.transform(lat, lon)
    return float(east), float(north)


def test_each_aircraft_latest_report_moved_by_its_velocity_to_now() -> None:
    t0 = 1_700_000_000.0
    states = [
        StateVector(t0 - 3.0, "aaaaaa", 51.6, 4.9, "OLD", 30_000.0, 400.0, 90.0, 0.0),  # superseded below
        StateVector(t0, "aaaaaa", 51.7, 4.8, "NEW", 31_000.0, 450.0, 30.0, 1_200.0),
        StateVector(t0 - 2.0, "bbbbbb", 51.2, 4.1, None, 5_000.0, 200.0, 200.0, -800.0),
        StateVector(t0, "cccccc", 51.3, 4.3, None, None, 15.0, 270.0, None, None, True),  # on the ground
        StateVector(t0, "dddddd", 51.4, 4.4, None, None, 300.0, 0.0),  # no altitude, not on the ground: not placed
    ]
    now = t0 + 4.0
    plots = states_to_plots(StateBatch.from_states(states), FRAME, 123.0, now, 9, SIGMA, ground_alt_m=42.0)
    assert plots.t_s == 123.0 and plots.sensor_id == 9
    assert plots.icao24.tolist() == ["aaaaaa", "bbbbbb", "cccccc"]  # in the order first seen
    assert plots.callsign.tolist() == ["NEW", "", ""]
    kt, fpm = 1852.0 / 3600.0, 0.3048 / 60.0
    for row, (state, age) in enumerate([(states[1], 4.0), (states[2], 6.0), (states[3], 4.0)]):
        east, north = _aeqd(state.latitude_deg, state.longitude_deg)
        gs = (state.groundspeed_kt or 0.0) * kt
        trk = math.radians(state.track_deg or 0.0)
        assert plots.pos_m[row, 0] == pytest.approx(east + gs * math.sin(trk) * age, abs=0.05)
        assert plots.pos_m[row, 1] == pytest.approx(north + gs * math.cos(trk) * age, abs=0.05)
        alt = (
            42.0
            if state.altitude_ft is None
            else state.altitude_ft * 0.3048 + (state.vertical_rate_fpm or 0) * fpm * age
        )
        assert plots.pos_m[row, 2] == pytest.approx(alt, abs=1e-6)
    assert np.allclose(plots.cov_m2[0], np.diag(SIGMA**2))


def test_an_old_report_is_extrapolated_at_most_the_limit() -> None:
    state = StateVector(1_000.0, "aaaaaa", 51.5, 4.5, None, 10_000.0, 360.0, 0.0, 600.0)
    plots = states_to_plots(StateBatch.from_states([state]), FRAME, 0.0, 1_000.0 + 300.0, 1, SIGMA)
    gs = 360.0 * 1852.0 / 3600.0
    assert plots.pos_m[0, 1] == pytest.approx(gs * MAX_DEAD_RECKONING_S, abs=0.05)
    assert plots.pos_m[0, 2] == pytest.approx(10_000.0 * 0.3048 + 600.0 * 0.3048 / 60.0 * MAX_DEAD_RECKONING_S)
    future = states_to_plots(StateBatch.from_states([state]), FRAME, 0.0, 990.0, 1, SIGMA)  # clock behind: no motion
    assert future.pos_m[0, 1] == pytest.approx(0.0, abs=0.05)
    assert len(states_to_plots(StateBatch.from_states([]), FRAME, 5.0, 5.0, 1, SIGMA)) == 0


def test_an_unplaced_receiver_may_hear_anyone_and_async_reports_never_miss() -> None:
    unplaced = UnplacedReceiver(3, 2.0, 0.9)
    pos = np.zeros((4, 3))
    assert unplaced.detection_probability(pos, 0.0).tolist() == [0.9] * 4
    assert unplaced.times_s(10.0, 16.0).tolist() == [10.0, 12.0, 14.0]
    view = AsyncReports(unplaced)
    assert view.sensor_id == 3 and view.cooperative
    assert view.detection_probability(pos, 0.0).tolist() == [0.0] * 4  # a batch missing an aircraft is no miss
    assert view.times_s(10.0, 16.0).tolist() == [10.0, 12.0, 14.0]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_receiver_without_position_and_one_with() -> None:
    port = _closed_port()
    nowhere = ReceiverSource(LiveFeed(parse_feed_url(f"beast://127.0.0.1:{port}"), QUICK), 4, FRAME)
    assert math.isnan(nowhere.lat) and isinstance(nowhere.model, UnplacedReceiver)
    assert nowhere.name == f"beast 127.0.0.1:{port}" and nowhere.spec.index == 4
    url = parse_feed_url(f"beast://127.0.0.1:{port}?lat=51.6&lon=4.7&alt_m=30&name=roof")
    placed = ReceiverSource(LiveFeed(url, QUICK), 5, FRAME, ReceiverSettings(range_m=100_000.0))
    assert (placed.lat, placed.lon, placed.spec.alt_m, placed.name) == (51.6, 4.7, 30.0, "roof")
    assert isinstance(placed.model, AdsbReceiver) and placed.sensor.sensor_id == 5
    area = placed.watched.area_lonlat  # its coverage round the receiver, 100 km in reach at most
    assert abs(area.centroid.x - 4.7) < 0.1 and abs(area.centroid.y - 51.6) < 0.1
    minx, miny, maxx, maxy = area.bounds
    reach_lat = 100_000.0 / 111_000.0 + 0.05
    assert maxy - 51.6 <= reach_lat and 51.6 - miny <= reach_lat
    assert (maxx - 4.7) * math.cos(math.radians(51.6)) <= reach_lat and (4.7 - minx) * math.cos(
        math.radians(51.6)
    ) <= reach_lat
    assert nowhere.watched.area_lonlat.is_empty


def test_a_link_that_is_down_gives_no_batch() -> None:
    feed = LiveFeed(parse_feed_url(f"beast://127.0.0.1:{_closed_port()}"), QUICK, poll_s=0.05)
    source = ReceiverSource(feed, 0, FRAME)
    feed.start()
    try:
        end = time.monotonic() + 10.0
        while feed.counters.connect_failures < 1 and time.monotonic() < end:
            time.sleep(0.05)
        assert source.poll(1.0) == [] and source.poll(2.0) == []
        assert not source.status().link_up
    finally:
        feed.stop()


def test_a_served_fleet_gives_batches_squawks_and_the_ground_flag() -> None:
    flying = SyntheticAircraft(0x4CA111, "FLY1", "1234", 51.55, 4.6, 12_000.0, 300.0, 45.0)
    rolling = SyntheticAircraft(0x4CA222, "ROLL1", "7000", 51.45, 4.4, 0.0, 12.0, 90.0, on_ground=True)
    url = "beast://127.0.0.1:{}?lat=51.5&lon=4.5&alt_m=12&name=tower"
    with ReplayServer(synthetic_recording([flying, rolling], 60.0), speed=20.0, loop=True) as server:
        feed = LiveFeed(parse_feed_url(url.format(server.port)), QUICK, poll_s=0.05)
        source = ReceiverSource(feed, 2, FRAME)
        feed.start()
        try:
            batches = []
            end = time.monotonic() + 20.0
            t_s = 100.0
            while time.monotonic() < end and not (
                all(source.squawks(["4ca111", "4ca222"]))
                and {"4ca111", "4ca222"} <= {a for b in batches for a in b.icao24.tolist()}
            ):
                time.sleep(0.1)
                t_s += 1.0
                up = source.status().link_up  # before the poll: a link coming up during it is not yet up
                got = source.poll(t_s)
                assert len(got) <= 1 and all(b.t_s == t_s for b in got)
                assert got or not up  # one batch per poll while up (maybe empty)
                batches += got
            assert source.poll(t_s) == []  # the same time again: nothing new
            source.restart(t_s + 50.0)
            assert source.poll(t_s + 10.0) == []  # before the restart's time
        finally:
            feed.stop()
    assert source.squawks(["4ca111", "4ca222", "ffffff"]) == ["1234", "7000", ""]
    assert source.grounded(["4ca111", "4ca222", "ffffff"]) == [False, True, False]
    ground = [b.pos_m[k, 2] for b in batches for k, a in enumerate(b.icao24.tolist()) if a == "4ca222"]
    air = [b.pos_m[k, 2] for b in batches for k, a in enumerate(b.icao24.tolist()) if a == "4ca111"]
    assert ground and all(z == 12.0 for z in ground)  # at the receiver's height, level
    assert air and all(abs(z - 12_000.0 * 0.3048) < 15.0 for z in air)  # 25 ft coding


def _fleet(k: int) -> list[SyntheticAircraft]:
    """Fleet ``k``: its own addresses and codes; its last aircraft on the ground."""
    return [
        SyntheticAircraft(
            0x400000 + 0x100 * k + j,
            f"CHN{k}{j:02d}",
            f"{k + 1}{j + 1}00",
            LAT + 0.05 * j,
            LON + 0.05 * k,
            0.0 if j == PER_FLEET - 1 else 30_000.0,
            300.0,
            90.0,
            on_ground=j == PER_FLEET - 1,
        )
        for j in range(PER_FLEET)
    ]


def _churn() -> Recording:
    """The fleets one after another, ``FLEET_S`` each: every address is heard for a while, then never again."""
    parts = [synthetic_recording(_fleet(k), FLEET_S) for k in range(FLEETS)]
    frames = tuple(f for part in parts for f in part.frames)
    offsets = np.concatenate([part.offsets_s + k * FLEET_S for k, part in enumerate(parts)])
    return replace(parts[0], frames=frames, offsets_s=offsets)


def test_codes_and_ground_flags_heard_and_forgotten_under_churn() -> None:
    """Per address, the code and air/ground flag match what the fleet sends; addresses no longer heard are
    forgotten, so what the receiver holds stays bounded (counted, not timed: the receiver's clock is the test's)."""
    fleets = [_fleet(k) for k in range(FLEETS)]
    expected = {f"{a.icao24:06x}": (a.squawk, a.on_ground) for fleet in fleets for a in fleet}
    now = [1.0e9]
    with ReplayServer(_churn(), speed=2.0) as server:
        feed = LiveFeed(parse_feed_url(f"beast://127.0.0.1:{server.port}?lat={LAT}&lon={LON}"), QUICK, poll_s=0.05)
        settings = ReceiverSettings(forget_after_s=3.0)
        source = ReceiverSource(feed, 0, LocalFrame(LAT, LON), settings, wall_clock=lambda: now[0])
        feed.start()
        try:
            heard: set[str] = set()
            coded: set[str] = set()
            held: list[int] = []
            total = len(server.recording.frames)
            end = time.monotonic() + 30.0
            while (server.frames_sent < total or len(held) < 5) and time.monotonic() < end:
                time.sleep(0.25)
                now[0] += 1.0  # one second of the receiver's clock per poll
                for plots in source.poll(now[0]):
                    icao = plots.icao24.tolist()
                    heard.update(icao)
                    codes = source.squawks(icao)  # "" until the aircraft's first identity reply
                    assert all(c in ("", expected[a][0]) for a, c in zip(icao, codes, strict=True))
                    coded.update(a for a, c in zip(icao, codes, strict=True) if c)
                    assert source.grounded(icao) == [expected[a][1] for a in icao]
                held.append(source.remembered())
            assert heard == set(expected)  # every fleet was heard (and plotted)
            assert len(coded) > len(expected) // 2  # and most codes were shown while their aircraft were
            assert max(held) < len(expected)  # never all at once: the early fleets were forgotten
            for _ in range(5):  # the feed is quiet now: after the forgetting delay nothing is left
                now[0] += 1.0
                source.poll(now[0])
            assert source.remembered() == 0
            assert source.squawks(sorted(expected)) == [""] * len(expected)
            assert source.grounded(sorted(expected)) == [False] * len(expected)
        finally:
            feed.stop()
