"""`ProcessFeed`: a feed read by a spawned child process, its states crossing a real pipe; the same states as the
file, a status, a dead child read as down, the oldest states dropped when nobody drains, and `stop` ending the
child. Only 127.0.0.1 and free ports; every wait is bounded."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from pathlib import Path

from commonsky.surveillance.feeds.batch import StateBatch
from commonsky.surveillance.feeds.live import FeedDrain, FeedStatus
from commonsky.surveillance.feeds.process import ProcessFeed
from commonsky.surveillance.feeds.replay import ReplayServer, load_recording
from commonsky.surveillance.feeds.url import parse_feed_url

from .conftest import QUICK, file_states, read_until


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_feed_read_in_its_own_process_gives_the_same_states(reference_dir: Path) -> None:
    """`ProcessFeed` (what `commonsky run` uses): the same states as a thread-read feed, and its status; when its
    reader process dies the feed reads as down with an error event."""
    path = reference_dir / "adsb" / "pymodes_sample_data_adsb.csv"
    expected = file_states(path, "hexcsv")
    with ReplayServer(load_recording(path, "hexcsv"), speed=400.0, loop=True) as server:
        feed = ProcessFeed(parse_feed_url(f"beast://127.0.0.1:{server.port}?name=child"), QUICK)
        feed.start()
        try:
            got = read_until(feed, len(expected), timeout_s=30.0)
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
    states = file_states(reference_dir / "adsb" / "pymodes_sample_data_adsb.csv", "hexcsv")[:180]
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


def test_stop_ends_the_reader_process(reference_dir: Path) -> None:
    """A process per feed while it runs (not this one), none after `stop`; a second `start` keeps the first child."""
    recording = load_recording(reference_dir / "adsb" / "sample_dump1090.bin", "beast")
    with ReplayServer(recording, speed=50.0, loop=True) as server:
        feed = ProcessFeed(parse_feed_url(f"beast://127.0.0.1:{server.port}"), QUICK)
        assert feed.pid is None
        feed.start()
        try:
            pid = feed.pid
            assert pid is not None and pid != os.getpid() and _alive(pid)
            feed.start()
            assert feed.pid == pid
        finally:
            feed.stop()
    assert feed.pid is None and not _alive(pid)
    last = feed.status().last_event  # a child stopped on purpose is not reported as one that died
    assert last is None or last.kind != "error"
