"""Real receivers in the live picture: a recording served over loopback becomes a confirmed track that names its
ICAO address, callsign and receiver; a receiver that falls silent raises the coverage-loss alert a silent radar
raises; real and simulated aircraft share one tracker; an aircraft nobody filed is shown as unknown but alerted
only where it matters; an aircraft on the surface is on the picture, on the ground, and out of the conflict alert.
Only 127.0.0.1 and free ports; every wait is bounded."""

from __future__ import annotations

import math
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from commonsky.airspace.volume import AltitudeBand, CorridorShape, TimeWindow, Volume
from commonsky.airspace.zone import Zone, ZoneKind
from commonsky.plans.intent import Intent, IntentState
from commonsky.safety.alerts import AlertKind
from commonsky.sim.live_feeds import feeds_pipeline, feeds_scenario
from commonsky.sim.pipeline import LivePipeline, LivePlan
from commonsky.sim.run_config import RunConfig
from commonsky.sim.scenario import load_scenario
from commonsky.sim.snapshot import LiveSnapshot
from commonsky.surveillance.correlation import IdentityRegistry
from commonsky.surveillance.feeds.live import LiveFeed
from commonsky.surveillance.feeds.pipeline import FeedOptions, FeedPipeline, ingest
from commonsky.surveillance.feeds.records import StateVector
from commonsky.surveillance.feeds.replay import ReplayServer, load_recording
from commonsky.surveillance.feeds.source import FileSource, ReconnectPolicy
from commonsky.surveillance.feeds.synthetic import SyntheticAircraft, synthetic_recording
from commonsky.surveillance.feeds.url import parse_feed_url
from commonsky.units import Altitude, AltitudeRef

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
FT_M = 0.3048
QUICK = ReconnectPolicy(max_retries=None, initial_backoff_s=0.1, max_backoff_s=0.5, idle_timeout_s=5.0)


@pytest.fixture(scope="module")
def recording_path(reference_dir: Path) -> Path:
    return reference_dir / "adsb" / "pymodes_sample_data_adsb.csv"


@pytest.fixture(scope="module")
def file_states(recording_path: Path) -> list[StateVector]:
    states: list[StateVector] = []
    ingest(FileSource(recording_path), FeedPipeline("hexcsv", options=FeedOptions()), states.extend)
    return states


@pytest.fixture
def server(recording_path: Path) -> Iterator[ReplayServer]:
    with ReplayServer(
        load_recording(recording_path, "hexcsv"), speed=1.0, loop=True
    ) as replay:  # x1: aircraft move as they flew
        yield replay


def _feed(port: int, name: str = "roof") -> LiveFeed:
    feed = LiveFeed(
        parse_feed_url(f"beast://127.0.0.1:{port}?lat=51.4&lon=7.0&alt_m=100&name={name}"), QUICK, poll_s=0.05
    )
    feed.start()
    return feed


def _step_until(
    pipeline: LivePipeline, done: Callable[[LiveSnapshot], bool], clock: Callable[[], float], timeout_s: float = 20.0
) -> LiveSnapshot:
    end = time.monotonic() + timeout_s
    snap = pipeline.step(max(clock(), pipeline.time_s))
    while not done(snap) and time.monotonic() < end:
        time.sleep(0.2)
        snap = pipeline.step(max(clock(), pipeline.time_s + 0.2))
    return snap


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dy = math.radians(lat2 - lat1) * 6371.0
    dx = math.radians(lon2 - lon1) * 6371.0 * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dx, dy)


def test_a_real_aircraft_on_the_picture_then_its_receiver_falls_silent(
    server: ReplayServer, file_states: list[StateVector]
) -> None:
    feed = _feed(server.port)
    try:
        pipeline = feeds_pipeline(feeds_scenario(time.time()), [feed])
        pipeline.reset(time.time())
        snap = _step_until(pipeline, lambda s: "406b90" in s.icao24.tolist(), time.time)
        assert snap.icao24.tolist() == ["406b90"], "one real aircraft, one confirmed track"
        assert snap.callsign.tolist() == ["EZY85MH"] and snap.sources.tolist() == ["roof"]
        assert snap.picture.party.tolist() == [""]  # nobody registered it: unknown to the broker
        # Where the recording says it flies: within a few km of a fix decoded from the file (dead reckoning and
        # the track filter move it a little).
        lat, lon = float(snap.picture.lat_deg[0]), float(snap.picture.lon_deg[0])
        assert min(_km(lat, lon, s.latitude_deg, s.longitude_deg) for s in file_states) < 5.0
        assert snap.picture.alt_m[0] == pytest.approx(36000 * 0.3048, abs=100.0)
        assert not snap.coverage_alerts
        server.close()  # the receiver goes away
        snap = _step_until(pipeline, lambda s: bool(s.coverage_alerts), time.time)
        (alert,) = snap.coverage_alerts
        assert alert.event.name == "roof" and "no reports" in alert.event.reason
        assert (alert.lat, alert.lon) == (51.4, 7.0)
        assert "roof DOWN" in feed.status().line()
    finally:
        feed.stop()


def test_real_and_simulated_aircraft_share_one_tracker(server: ReplayServer) -> None:
    scenario = load_scenario(ROOT / "scenarios" / "diyala-2014.yaml")
    feed = _feed(server.port)
    try:
        pipeline = feeds_pipeline(scenario, [feed])
        real_id = max(s.sensor.sensor_id for s in pipeline.sources)
        assert [s.spec.name for s in pipeline.sources if s.sensor.sensor_id == real_id] == ["roof"]
        begin = time.time()
        start_s = 1_417_501_980.0  # 2014-12-02T06:33Z: the scenario's flights are up
        pipeline.reset(start_s)
        snap = _step_until(pipeline, lambda s: "406b90" in s.icao24.tolist(), lambda: start_s + time.time() - begin)
    finally:
        feed.stop()
    sources = snap.sources.tolist()
    real = [i for i, a in enumerate(snap.icao24.tolist()) if a == "406b90"]
    assert len(real) == 1 and sources[real[0]] == "roof"
    simulated = [s for i, s in enumerate(sources) if i not in real]
    assert simulated and all(s and "roof" not in s for s in simulated)
    assert np.all(np.isfinite(snap.picture.lat_deg))


@pytest.mark.parametrize(
    ("feed", "message"),
    [
        ("tcp://127.0.0.1:30005", "unknown scheme 'tcp'"),
        ("beast://127.0.0.1:1", "cannot connect"),
        ("avr://nonexistent.invalid:30002", "cannot resolve host"),
    ],
)
def test_run_with_a_bad_feed_is_one_line_and_exit_2(cli: Callable[..., Any], feed: str, message: str) -> None:
    result = cli("run", "--feed", feed, "--no-serve")
    assert result.code == 2
    assert result.err.startswith("commonsky: error:") and message in result.err
    assert result.err.count("\n") == 1


def test_run_without_scenario_or_feed_says_what_to_give(cli: Callable[..., Any], server: ReplayServer) -> None:
    result = cli("run", "--no-serve")
    assert result.code == 2 and "SCENARIO" in result.err
    result = cli("run", "--feed", f"beast://127.0.0.1:{server.port}", "--no-serve")
    assert result.code == 2 and "position of at least one receiver" in result.err


def test_scenario_receivers_section(tmp_path: Path, cli: Callable[..., Any]) -> None:
    base = (ROOT / "scenarios" / "diyala-2014.yaml").read_text()
    shutil.copytree(ROOT / "scenarios" / "zones", tmp_path / "zones")  # the zone files it names
    good = tmp_path / "with-receivers.yaml"
    good.write_text(
        base + "\nreceivers:\n  - beast://127.0.0.1:30005?lat=33.75&lon=44.6\n"
        "  - {feed: 'sbs://10.0.0.7:30003', name: Baqubah roof, lat: 33.75, lon: 44.65, alt_m: 60}\n"
    )
    receivers = load_scenario(good).receivers
    assert [str(r) for r in receivers] == ["beast://127.0.0.1:30005", "sbs://10.0.0.7:30003"]
    assert receivers[1].label == "Baqubah roof" and receivers[1].position is not None
    assert receivers[1].position.alt_m == 60.0
    bad = tmp_path / "bad-receivers.yaml"
    bad.write_text(base + "\nreceivers:\n  - {feed: 'http://x:1'}\n")
    result = cli("run", str(bad), "--no-serve")
    assert result.code == 2 and "receivers[0]" in result.err and "unknown scheme 'http'" in result.err


# -- unknown aircraft: shown everywhere, alerted where they matter --------------------------------------------------
# A picture of real receivers only: every aircraft nobody filed is shown as unknown, but an UNKNOWN alert is raised
# only where it matters to the coordination -- near a live filed intent's volume (altitude band and time included)
# or a binding zone, or inside the configured area of responsibility. Five synthetic aircraft are served as a Beast
# feed over loopback; which of them should alert is computed in the test from their flown positions (a flat-earth
# distance to the volumes, the bands and windows), independently of the product's projection and buffers.
NEAR_M, NEAR_ALT_M = 10_000.0, 600.0  # the documented defaults of "near" (docs/stca.md, "Unknown aircraft")

# Receiver at 50N 8E. A binding zone (a box, SFC-FL200), an intent's corridor (3 km half-width, 3,000-5,000 m,
# live now), an area of responsibility (a box, all altitudes), and five aircraft at 300 kt.
ZONE = Polygon([(8.45, 49.93), (8.75, 49.93), (8.75, 50.07), (8.45, 50.07)])
FAR_BOX = Polygon([(6.0, 50.7), (7.0, 50.7), (7.0, 51.1), (6.0, 51.1)])  # advisory: binds nobody
AOR = Polygon([(8.8, 50.5), (9.3, 50.5), (9.3, 50.8), (8.8, 50.8)])
LEG = ((49.5, 7.0), (49.5, 8.0))
HALF_WIDTH_M, BAND_M = 3_000.0, (3_000.0, 5_000.0)
CONCERN_FLEET = {
    "far": SyntheticAircraft(0xA00001, "FAR1", "1001", 50.9, 6.5, 35_000.0, 300.0, 270.0),
    "zone": SyntheticAircraft(0xA00002, "ZONE1", "1002", 50.0, 8.5, 10_000.0, 300.0, 90.0),
    "intent": SyntheticAircraft(0xA00003, "NEAR1", "1003", 49.563, 7.3, 13_000.0, 300.0, 90.0),  # 7 km N of it
    "below": SyntheticAircraft(0xA00004, "LOW1", "1004", 49.437, 7.3, 5_000.0, 300.0, 90.0),  # 7 km S, too low
    "aor": SyntheticAircraft(0xA00005, "AOR1", "1005", 50.65, 8.9, 30_000.0, 300.0, 90.0),
}
CONCERN_SECONDS = 90.0


def _xy_km(lat: float, lon: float) -> tuple[float, float]:
    """Flat earth around 50N, km (enough at these distances, and independent of the product's frames)."""
    return lon * 111.32 * math.cos(math.radians(50.0)), lat * 110.57


def _expected(plane: SyntheticAircraft, now_s: float, start_s: float) -> bool:
    """Whether ``plane`` should be alerted at some point of the recording (module docstring)."""
    hits = []
    for t in range(0, int(CONCERN_SECONDS), 5):
        lat, lon, alt_ft = plane.position(float(t))
        x, y = _xy_km(lat, lon)
        alt_m = alt_ft * FT_M
        zone = shapely.Polygon([_xy_km(la, lo) for lo, la in ZONE.exterior.coords])
        near_zone = zone.distance(shapely.Point(x, y)) * 1e3 <= NEAR_M and alt_m <= 20_000 * FT_M + NEAR_ALT_M
        leg = shapely.LineString([_xy_km(*p) for p in LEG])
        near_leg = leg.distance(shapely.Point(x, y)) * 1e3 <= HALF_WIDTH_M + NEAR_M
        in_band = BAND_M[0] - NEAR_ALT_M <= alt_m <= BAND_M[1] + NEAR_ALT_M and start_s <= now_s + t
        aor = shapely.Polygon([_xy_km(la, lo) for lo, la in AOR.exterior.coords]).contains(shapely.Point(x, y))
        hits.append(near_zone or (near_leg and in_band) or aor)
    assert all(hits) or not any(hits), "each aircraft is designed to stay on one side of the rule"
    return hits[0]


@pytest.fixture
def fleet_server() -> Iterator[ReplayServer]:
    with ReplayServer(synthetic_recording(list(CONCERN_FLEET.values()), CONCERN_SECONDS), speed=1.0) as replay:
        yield replay


def test_unknown_alerts_only_where_the_aircraft_matters(fleet_server: ReplayServer) -> None:
    now = time.time()
    intent = Intent(
        "survey-1",
        "coalition",
        (
            Volume(
                CorridorShape(LEG, HALF_WIDTH_M),
                AltitudeBand(Altitude(BAND_M[0]), Altitude(BAND_M[1])),
                TimeWindow(now - 600.0, now + 3_600.0),
            ),
        ),
        state=IntentState.ACCEPTED,
    )
    zone = Zone("Test box", ZoneKind.RESTRICTED, ZONE, ceiling=Altitude(200 * 100 * FT_M, AltitudeRef.STD))
    advisory = Zone("Advisory round the far one", ZoneKind.ADVISORY, FAR_BOX, binding=False)
    area = Zone("Our sector", ZoneKind.ADVISORY, AOR, binding=False)
    feed = LiveFeed(
        parse_feed_url(f"beast://127.0.0.1:{fleet_server.port}?lat=50.0&lon=8.0&name=roof"), QUICK, poll_s=0.05
    )
    feed.start()
    try:
        pipeline = feeds_pipeline(feeds_scenario(now), [feed], RunConfig(responsibility=(area,)))
        # what the broker would hand the picture: one live intent, one binding zone, one advisory zone
        pipeline.apply_plan(LivePlan((intent,), (zone, advisory), IdentityRegistry.build(), version=1))
        pipeline.reset(time.time())
        alerted: dict[str, str] = {}
        status: dict[str, str] = {}
        end = time.monotonic() + 40.0
        settled_at = math.inf
        while time.monotonic() < min(end, settled_at + 6.0):
            snap = pipeline.step(max(time.time(), pipeline.time_s))
            for ident in snap.identity_alerts:
                if ident.event.kind == "unknown":
                    alerted.setdefault(ident.event.icao24, ident.event.reason)
            status.update(zip(snap.icao24.tolist(), snap.status.tolist(), strict=True))
            if settled_at == math.inf and len(status) == len(CONCERN_FLEET) and set(status.values()) == {"unknown"}:
                settled_at = time.monotonic()  # every track shown as unknown: a few more scans for late alerts
            time.sleep(0.2)
    finally:
        feed.stop()
    addresses = {name: f"{plane.icao24:06x}" for name, plane in CONCERN_FLEET.items()}
    assert {name: status.get(a) for name, a in addresses.items()} == dict.fromkeys(CONCERN_FLEET, "unknown")
    expected = {name for name, plane in CONCERN_FLEET.items() if _expected(plane, now, intent.start_s)}
    assert expected == {"zone", "intent", "aor"}  # the geometry is as designed
    assert {name for name, a in addresses.items() if a in alerted} == expected
    assert alerted[addresses["zone"]].endswith("near zone 'Test box'")
    assert alerted[addresses["intent"]].endswith("near intent survey-1")
    assert alerted[addresses["aor"]].endswith("in the area of responsibility 'Our sector'")


# -- the on-ground path end to end ----------------------------------------------------------------------------------
# The on-ground path end to end, from a receiver: Mode S frames as a transponder on the surface sends them (DF17
# surface positions TC 7 with surface CPR, DF11 capability 4, DF5 flight status 1), served as a Beast feed over
# loopback, reach the live picture as an aircraft on the ground, and the conflict alert leaves it alone while a
# departure climbs out over it; the same geometry flown by an airborne twin (airborne frames) alerts.
#
# The surface encoder is checked first against rs1090, an independent decoder.
RECEIVER = (49.0, 2.55, 100.0)  # lat, lon, alt_m: an airport's receiver
# A departure climbs out over a fast-taxiing aircraft (landing roll-out, 60 kt): 1.2 km behind it, 160 kt, 800 ft
# climbing at 300 ft/min, so it passes over it at about 23 s and stays inside 5 NM and 1,000 ft. The same two
# aircraft 60 km north, but the taxiing one flies (airborne frames) at the ground's altitude: that pair alerts.
GROUND_ALT_FT = RECEIVER[2] / FT_M
GROUND = SyntheticAircraft(0xC00001, "ROLL1", "1001", 49.0, 2.53, 0.0, 60.0, 90.0, on_ground=True)
DEPARTURE = SyntheticAircraft(0xC00002, "DEP1", "1002", 49.0, 2.5136, 800.0, 160.0, 90.0, vs_fpm=300.0)
TWIN = SyntheticAircraft(0xC00003, "TWIN1", "1003", 49.54, 2.53, GROUND_ALT_FT, 60.0, 90.0)
TWIN_DEPARTURE = SyntheticAircraft(0xC00004, "DEP2", "1004", 49.54, 2.5136, 800.0, 160.0, 90.0, vs_fpm=300.0)
GROUND_SECONDS = 70.0


def _separation(a: SyntheticAircraft, b: SyntheticAircraft, t_s: float, a_alt_ft: float) -> tuple[float, float]:
    """(horizontal m, vertical ft) between ``a`` (at ``a_alt_ft``) and ``b`` at ``t_s``, flat earth."""
    (la, lo, _), (lb, lob, alt_b) = a.position(t_s), b.position(t_s)
    north, east = (lb - la) * 111_200.0, (lob - lo) * 111_200.0 * math.cos(math.radians(la))
    return math.hypot(north, east), abs(alt_b - a_alt_ft)


def test_an_aircraft_on_the_ground_never_alerts_and_its_airborne_twin_does() -> None:
    # The geometry, independently: both pairs inside 5 NM and 1,000 ft from 20 s (tracks have a rate) to the end.
    for t in range(20, int(GROUND_SECONDS)):
        for a, b in ((GROUND, DEPARTURE), (TWIN, TWIN_DEPARTURE)):
            horizontal_m, vertical_ft = _separation(a, b, float(t), GROUND_ALT_FT)
            assert horizontal_m < 5 * 1852.0 and vertical_ft < 1000.0
    fleet = [GROUND, DEPARTURE, TWIN, TWIN_DEPARTURE]
    lat, lon, alt = RECEIVER
    with ReplayServer(synthetic_recording(fleet, GROUND_SECONDS), speed=1.0) as server:
        url = parse_feed_url(f"beast://127.0.0.1:{server.port}?lat={lat}&lon={lon}&alt_m={alt}&name=tower")
        feed = LiveFeed(url, QUICK, poll_s=0.05)
        feed.start()
        begin = time.time()
        try:
            pipeline = feeds_pipeline(feeds_scenario(begin), [feed])
            pipeline.reset(begin)
            snaps: list[LiveSnapshot] = []
            alerted_s = math.inf  # the twin pair's alert: then 5 s more, and at least past the departure's pass
            while time.time() < min(begin + GROUND_SECONDS - 5.0, max(alerted_s + 5.0, begin + 30.0)):
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
    north_m = (last.picture.lat_deg[row["ROLL1"]] - truth_lat) * 111_200.0
    east_m = (last.picture.lon_deg[row["ROLL1"]] - truth_lon) * 111_200.0 * math.cos(math.radians(truth_lat))
    assert math.hypot(north_m, east_m) < 500.0  # where the surface frames put it (the replay's pace may lag a little)
    pairs = set()
    for s in snaps:
        ids = {str(t): address[str(a)] for t, a in zip(s.picture.id.tolist(), s.icao24.tolist(), strict=True)}
        for a in s.alerts:
            if a.kind is AlertKind.CONFLICT and all(x in ids for x in a.subjects):
                pairs.add(tuple(sorted(ids[x] for x in a.subjects)))
    assert pairs == {("DEP2", "TWIN1")}
