"""`LiveFeed`: one feed read by a thread, over real loopback TCP from a `ReplayServer` (or a hostile server written
here); what it buffered is drained at once, the oldest dropped and counted when nobody drains; its status line says
what the link does. Only 127.0.0.1 and free ports; every wait is bounded."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from commonsky.surveillance.feeds.live import FeedStatus, LiveFeed
from commonsky.surveillance.feeds.records import StateVector
from commonsky.surveillance.feeds.replay import ReplayServer, load_recording
from commonsky.surveillance.feeds.source import LinkEvent
from commonsky.surveillance.feeds.url import parse_feed_url

from .conftest import QUICK, file_states, read_until


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    ("counters", "aircraft", "line"),
    [
        ({"decoded": 1204, "garbage_bytes": 3, "garbage_lines": 2}, 12, "roof up: 1,204 msgs, 12 aircraft, 5 garbage"),
        ({"decoded": 0}, 0, "roof up: 0 msgs, 0 aircraft, 0 garbage"),
        (
            {"decoded": 7, "position_jumps": 2, "altitude_spikes": 1, "altitude_out_of_range": 0},
            1,
            "roof up: 7 msgs, 1 aircraft, 0 garbage, rejected 2 position jumps, 1 altitude spikes",
        ),
    ],
)
def test_the_line_of_a_feed_that_is_up(counters: dict[str, int], aircraft: int, line: str) -> None:
    assert FeedStatus("roof", "beast://h:1", True, None, counters, aircraft).line() == line


def test_the_line_of_a_feed_that_is_down_says_why() -> None:
    assert FeedStatus("roof", "beast://h:1", False, None).line() == "roof DOWN: connecting"
    event = LinkEvent("connect_failed", 0.0, "refused")
    assert FeedStatus("roof", "beast://h:1", False, event, {"decoded": 9}).line() == "roof DOWN: refused"


def test_a_feed_to_a_port_nobody_listens_on_reads_as_down_and_keeps_trying() -> None:
    port = _closed_port()
    feed = LiveFeed(parse_feed_url(f"beast://127.0.0.1:{port}"), QUICK, poll_s=0.05)
    feed.start()
    try:
        end = time.monotonic() + 10.0
        while feed.counters.connect_failures < 2 and time.monotonic() < end:
            time.sleep(0.05)
        status = feed.status()
        drained = feed.drain()
    finally:
        feed.stop()
    assert feed.counters.connect_failures >= 2  # it tried again after the first refusal
    assert not status.link_up and status.last_event is not None and status.last_event.kind == "connect_failed"
    assert status.line().startswith(f"beast 127.0.0.1:{port} DOWN: ")
    assert (len(drained.states), drained.bytes_read, drained.link_up, drained.overflowed) == (0, 0, False, 0)


def test_a_feed_nobody_drains_keeps_the_newest_states(reference_dir: Path) -> None:
    """All of a recording read while nobody drains, into a buffer of 50: one drain gives the last 50 states of the
    file (positions; a live feed stamps reception times), and counts the others as dropped; the next drain is empty."""
    path = reference_dir / "adsb" / "pymodes_sample_data_adsb.csv"
    expected = file_states(path, "hexcsv")
    frames = len(path.read_text().splitlines())
    with ReplayServer(load_recording(path, "hexcsv"), speed=400.0) as server:
        feed = LiveFeed(parse_feed_url(f"beast://127.0.0.1:{server.port}"), QUICK, max_pending=50, poll_s=0.05)
        feed.start()
        try:
            end = time.monotonic() + 20.0
            while feed.counters.frames < frames and time.monotonic() < end:
                time.sleep(0.05)
        finally:
            feed.stop()  # the reading thread is joined: everything it read is buffered
    got = feed.drain()
    assert feed.counters.frames == frames

    def fixes(states: list[StateVector]) -> list[tuple[str, float, float, float | None]]:
        return [(s.icao24, s.latitude_deg, s.longitude_deg, s.altitude_ft) for s in states]  # times: of reception

    assert fixes(list(got.states)) == fixes(expected[-50:])
    assert got.overflowed == len(expected) - 50 and got.bytes_read > 0
    again = feed.drain()
    assert (len(again.states), again.bytes_read, again.overflowed) == (0, 0, 0)


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
            got = read_until(feed, 900)
        assert len(got) >= 900
        status = feed.status()
        assert status.counters["garbage_bytes"] > 0 and status.counters["reconnects"] >= 1
        assert "msgs" in status.line() or "DOWN" in status.line()
    finally:
        feed.stop()
