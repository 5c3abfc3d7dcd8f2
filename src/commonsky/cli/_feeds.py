"""Real receivers for `commonsky run --feed`: addresses read and checked at start, readers started and stopped."""

from __future__ import annotations

from collections.abc import Sequence

from commonsky.errors import InputError
from commonsky.sim.scenario import Scenario
from commonsky.surveillance.feeds.process import FeedReader, ProcessFeed
from commonsky.surveillance.feeds.url import FeedUrl, parse_feed_url, probe


def feed_urls(texts: Sequence[str], scenario: Scenario) -> tuple[FeedUrl, ...]:
    """The ``--feed`` addresses, then the scenario's ``receivers:``; the same address twice is an error."""
    urls = tuple(parse_feed_url(text) for text in texts) + scenario.receivers
    seen: set[tuple[str, int]] = set()
    for url in urls:
        if (url.host, url.port) in seen:
            raise InputError(f"feed {url}: given twice (each receiver's port is read once)")
        seen.add((url.host, url.port))
    return urls


def open_feeds(urls: Sequence[FeedUrl], probe_timeout_s: float = 3.0) -> list[FeedReader]:
    """Check every feed answers (`InputError`, one line, when one does not), then start reading them all, each in
    its own process (a busy feed's decoding does not slow the picture loop)."""
    for url in urls:
        probe(url, probe_timeout_s)
    feeds: list[FeedReader] = [ProcessFeed(url) for url in urls]
    for feed in feeds:
        feed.start()
    return feeds


def close_feeds(feeds: Sequence[FeedReader]) -> None:
    for feed in feeds:
        feed.stop()


def feeds_line(feeds: Sequence[FeedReader]) -> str:
    """The feeds' part of the status line, e.g. ``  feeds: beast 127.0.0.1:30005 up: 1,204 msgs, ...``."""
    return "  feeds: " + "; ".join(feed.status().line() for feed in feeds) if feeds else ""
