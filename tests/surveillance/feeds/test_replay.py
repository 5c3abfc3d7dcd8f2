"""`feed replay` serves a recording over loopback; a `LiveFeed` reading it builds the states `ingest` builds from
the file. Only 127.0.0.1 and free ports are used; every wait is bounded."""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from commonsky.surveillance.feeds.batch import StateBatch
from commonsky.surveillance.feeds.live import FeedDrain, FeedStatus, LiveFeed
from commonsky.surveillance.feeds.pipeline import FeedOptions, FeedPipeline, ingest
from commonsky.surveillance.feeds.process import ProcessFeed
from commonsky.surveillance.feeds.records import StateVector
from commonsky.surveillance.feeds.replay import ReplayFormat, ReplayServer, load_recording
from commonsky.surveillance.feeds.source import FileSource, ReconnectPolicy
from commonsky.surveillance.feeds.url import parse_feed_url

QUICK = ReconnectPolicy(max_retries=None, initial_backoff_s=0.05, max_backoff_s=0.2, idle_timeout_s=5.0)


def _file_states(path: Path, fmt: str) -> list[StateVector]:
    states: list[StateVector] = []
    ingest(FileSource(path), FeedPipeline(fmt, options=FeedOptions()), states.extend)
    return states


def _read_until(feed: LiveFeed | ProcessFeed, count: int, timeout_s: float = 20.0) -> list[StateVector]:
    got: list[StateVector] = []
    end = time.monotonic() + timeout_s
    while len(got) < count and time.monotonic() < end:
        time.sleep(0.05)
        got += feed.drain().states
    return got


@pytest.mark.parametrize("out", list(ReplayFormat))
def test_replayed_hexcsv_gives_the_positions_of_the_file(reference_dir: Path, out: ReplayFormat) -> None:
    path = reference_dir / "adsb" / "pymodes_sample_data_adsb.csv"
    expected = _file_states(path, "hexcsv")
    recording = load_recording(path, "hexcsv")
    epochs = [float(line.split(",")[0]) for line in path.read_text().splitlines()]
    assert len(recording.frames) == len(epochs) and recording.duration_s == max(epochs) - min(epochs)
    with ReplayServer(recording, out, speed=400.0) as server:  # 730 s recorded -> about 2 s
        feed = LiveFeed(parse_feed_url(f"{out.value}://127.0.0.1:{server.port}"), QUICK, poll_s=0.05)
        feed.start()
        try:
            got = _read_until(feed, len(expected))
        finally:
            feed.stop()
    assert len(got) == len(expected) == 933
    assert [(s.icao24, s.callsign) for s in got] == [(s.icao24, s.callsign) for s in expected]
    for mine, theirs in zip(got, expected, strict=True):
        assert mine.latitude_deg == pytest.approx(theirs.latitude_deg, abs=1e-9)
        assert mine.longitude_deg == pytest.approx(theirs.longitude_deg, abs=1e-9)
        assert mine.altitude_ft == theirs.altitude_ft


def test_pace_follows_the_recording_and_speed(reference_dir: Path) -> None:
    recording = load_recording(reference_dir / "adsb" / "sample_dump1090.bin", "beast")
    assert len(recording.frames) == 239
    with ReplayServer(recording, speed=20.0) as server, socket.create_connection(("127.0.0.1", server.port)) as conn:
        began = time.monotonic()
        conn.settimeout(10.0)
        while server.frames_sent < 239 and time.monotonic() - began < 10.0:
            conn.recv(65536)
        took = time.monotonic() - began
    assert server.frames_sent == 239
    assert took > recording.duration_s / 20.0 * 0.8  # paced, not all at once (no upper bound: machines lag)


def test_a_feed_survives_garbage_a_drop_and_a_restart(reference_dir: Path) -> None:
    """A server that sends garbage, then hangs up, then comes back on the same port: the feed counts the garbage,
    reconnects, and keeps producing states; its thread never dies."""
    path = reference_dir / "adsb" / "pymodes_sample_data_adsb.csv"
    recording = load_recording(path, "hexcsv")
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    garbage = bytes(range(256)) * 8

    def hostile() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.sendall(garbage)
        listener.close()

    thread = threading.Thread(target=hostile, daemon=True)
    thread.start()
    feed = LiveFeed(parse_feed_url(f"beast://127.0.0.1:{port}"), QUICK, poll_s=0.05)
    feed.start()
    try:
        thread.join(5.0)
        time.sleep(0.3)
        assert not feed.status().link_up
        with ReplayServer(recording, port=port, speed=400.0):
            got = _read_until(feed, 900)
        assert len(got) >= 900
        status = feed.status()
        assert status.counters["garbage_bytes"] > 0 and status.counters["reconnects"] >= 1
        assert "msgs" in status.line() or "DOWN" in status.line()
    finally:
        feed.stop()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.bin", "--format", "beast"], "cannot read feed file missing.bin"),
        (["{avr}", "--format", "avr"], "no Mode S frames"),
        (["{avr}", "--format", "sbs"], "a recording to replay is beast, avr or hexcsv"),
        (["{avr}", "--format", "avr", "--serve-as", "sbs"], "--serve-as 'sbs'"),
        (["{avr}", "--format", "avr", "--speed", "0"], "--speed 0"),
    ],
)
def test_feed_replay_bad_input_is_one_line(
    cli: Callable[..., Any], tmp_path: Path, args: list[str], message: str
) -> None:
    garbage = tmp_path / "garbage.avr"
    garbage.write_text("not a frame\n")
    result = cli("feed", "replay", *[a.replace("{avr}", str(garbage)) for a in args], "--port", "0")
    assert result.code == 2 and result.err.startswith("commonsky: error:") and message in result.err
    assert result.err.count("\n") == 1


def test_a_feed_read_in_its_own_process_gives_the_same_states(reference_dir: Path) -> None:
    """`ProcessFeed` (what `commonsky run` uses): the same states as a thread-read feed, and its status; when its
    reader process dies the feed reads as down with an error event."""
    path = reference_dir / "adsb" / "pymodes_sample_data_adsb.csv"
    expected = _file_states(path, "hexcsv")
    with ReplayServer(load_recording(path, "hexcsv"), speed=400.0, loop=True) as server:
        feed = ProcessFeed(parse_feed_url(f"beast://127.0.0.1:{server.port}?name=child"), QUICK)
        feed.start()
        try:
            got = _read_until(feed, len(expected), timeout_s=30.0)
            status = feed.status()
            assert status.link_up and status.label == "child" and status.counters["decoded"] >= 2000 - 3
            assert feed.counters.frames >= 2000
            process = feed._process  # the test ends the child the way a crash would
            assert process is not None and process.pid is not None
            os.kill(process.pid, signal.SIGKILL)
            end = time.monotonic() + 10.0
            while feed.status().link_up and time.monotonic() < end:
                time.sleep(0.05)
            down = feed.status()
            assert not down.link_up and down.last_event is not None and down.last_event.kind == "error"
        finally:
            feed.stop()
    assert [(s.icao24, s.latitude_deg, s.longitude_deg) for s in got[: len(expected)]] == [
        (s.icao24, s.latitude_deg, s.longitude_deg) for s in expected
    ]


def test_a_reader_process_nobody_drains_keeps_the_newest_states(reference_dir: Path) -> None:
    """What the reader process sends crosses a real pipe as `StateBatch` buffers; beyond ``max_pending`` states
    waiting, `ProcessFeed` drops the oldest and counts them (with those the reader itself dropped)."""
    states = _file_states(reference_dir / "adsb" / "pymodes_sample_data_adsb.csv", "hexcsv")[:180]
    feed = ProcessFeed(parse_feed_url("beast://127.0.0.1:30005?name=piped"), QUICK, max_pending=100)
    receiver, sender = multiprocessing.get_context("spawn").Pipe(duplex=False)
    thread = threading.Thread(target=feed._receive, args=(receiver,))  # the parent's side, as `start` runs it
    thread.start()
    for k in range(3):
        drained = FeedDrain(StateBatch.from_states(states[60 * k : 60 * (k + 1)]), 1000, True, overflowed=2)
        sender.send((drained, FeedStatus("piped", "beast://127.0.0.1:30005", True, None, {"decoded": 60 * k})))
    sender.close()
    thread.join(10.0)
    got = feed.drain()
    assert list(got.states) == states[-100:] and got.overflowed == 80 + 3 * 2 and got.bytes_read == 3000
    assert feed.counters.decoded == 120 and feed.status().label == "piped"
    assert len(feed.drain().states) == 0
