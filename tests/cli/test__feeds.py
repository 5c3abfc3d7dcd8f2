"""`commonsky run --feed`'s receivers: addresses from the flags then the scenario, the same one twice refused;
every feed probed before any reader starts; the status line is every feed's own line, joined. Real sockets on
127.0.0.1 only, real reader processes; every wait is bounded."""

from __future__ import annotations

import re
import socket
import time
from dataclasses import replace
from pathlib import Path

import pytest

from commonsky.cli._feeds import close_feeds, feed_urls, feeds_line, open_feeds
from commonsky.errors import InputError
from commonsky.sim.scenario import Scenario
from commonsky.surveillance.feeds.replay import ReplayServer, load_recording
from commonsky.surveillance.feeds.url import FeedScheme, FeedUrl


def _closed_port() -> int:
    """A port nobody listens on: bound, then released."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_flags_come_first_then_the_scenarios_receivers(diyala: Scenario) -> None:
    scenario = replace(diyala, receivers=(FeedUrl(FeedScheme.SBS, "10.0.0.7", 30003, name="roof"),))
    got = feed_urls(["beast://127.0.0.1:30005", "avr://h:30002"], scenario)
    assert [(u.scheme, u.host, u.port) for u in got] == [
        (FeedScheme.BEAST, "127.0.0.1", 30005),
        (FeedScheme.AVR, "h", 30002),
        (FeedScheme.SBS, "10.0.0.7", 30003),
    ]
    assert feed_urls([], diyala) == ()


@pytest.mark.parametrize(
    ("texts", "receivers"),
    [
        (["beast://127.0.0.1:30005", "avr://127.0.0.1:30005"], ()),  # another scheme on the same port
        (["beast://127.0.0.1:30005"], (FeedUrl(FeedScheme.BEAST, "127.0.0.1", 30005, name="x"),)),
    ],
)
def test_the_same_host_and_port_twice_is_refused(
    diyala: Scenario, texts: list[str], receivers: tuple[FeedUrl, ...]
) -> None:
    with pytest.raises(InputError, match=re.escape("127.0.0.1:30005: given twice")) as error:
        feed_urls(texts, replace(diyala, receivers=receivers))
    assert "\n" not in str(error.value)


def test_a_port_nobody_listens_on_is_refused_before_any_reader_starts() -> None:
    dead = _closed_port()
    with socket.create_server(("127.0.0.1", 0)) as listener:
        live = int(listener.getsockname()[1])
        urls = [FeedUrl(FeedScheme.BEAST, "127.0.0.1", live), FeedUrl(FeedScheme.BEAST, "127.0.0.1", dead)]
        with pytest.raises(InputError, match=re.escape(f"127.0.0.1:{dead}: cannot connect")) as error:
            open_feeds(urls, probe_timeout_s=2.0)
        assert "\n" not in str(error.value)
        listener.settimeout(5.0)
        probe, _ = listener.accept()  # the live one was probed: connected, then hung up
        with probe:
            probe.settimeout(5.0)
            assert probe.recv(1) == b""
        listener.settimeout(0.5)
        with pytest.raises(TimeoutError):  # and no reader came after the probe
            listener.accept()


def test_open_feeds_reads_every_feed_and_the_line_joins_their_status(reference_dir: Path) -> None:
    recording = load_recording(reference_dir / "adsb" / "sample_dump1090.bin", "beast")
    assert feeds_line([]) == ""
    with ReplayServer(recording, speed=50.0, loop=True) as one, ReplayServer(recording, speed=50.0, loop=True) as two:
        urls = [
            FeedUrl(FeedScheme.BEAST, "127.0.0.1", one.port, name="north"),
            FeedUrl(FeedScheme.BEAST, "127.0.0.1", two.port, name="south"),
        ]
        feeds = open_feeds(urls)
        try:
            end = time.monotonic() + 20.0
            while not all(f.status().link_up and f.status().counters.get("decoded") for f in feeds):
                assert time.monotonic() < end, [f.status() for f in feeds]
                time.sleep(0.05)
            line = feeds_line(feeds)
        finally:
            close_feeds(feeds)
        assert [f.pid for f in feeds] == [None, None]  # type: ignore[attr-defined]
    assert line.startswith("  feeds: north up: ") and "; south up: " in line
    assert line.count(" msgs, ") == 2
