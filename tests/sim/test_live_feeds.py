"""Real receivers in the live picture: a recording served over loopback becomes a confirmed track that names its
ICAO address, callsign and receiver; a receiver that falls silent raises the coverage-loss alert a silent radar
raises; real and simulated aircraft share one tracker. Only 127.0.0.1 and free ports; every wait is bounded."""

from __future__ import annotations

import math
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from commonsky.sim.live_feeds import feeds_pipeline, feeds_scenario
from commonsky.sim.pipeline import LivePipeline
from commonsky.sim.scenario import load_scenario
from commonsky.sim.snapshot import LiveSnapshot
from commonsky.surveillance.feeds.live import LiveFeed
from commonsky.surveillance.feeds.pipeline import FeedOptions, FeedPipeline, ingest
from commonsky.surveillance.feeds.records import StateVector
from commonsky.surveillance.feeds.replay import ReplayServer, load_recording
from commonsky.surveillance.feeds.source import FileSource, ReconnectPolicy
from commonsky.surveillance.feeds.url import parse_feed_url

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
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
