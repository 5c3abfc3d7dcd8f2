"""A live feed read in a background thread: TCP source -> feed pipeline -> state vectors, buffered for the picture.

`LiveFeed` owns one `TcpSource` (reconnecting with backoff, forever) and one `FeedPipeline`. Its thread only reads
and decodes; the picture loop takes what arrived with `LiveFeed.drain` once per tick. Nothing the peer sends stops
the thread: the framers count garbage and carry on, and an unexpected error in decoding is counted, reported as
a link event and followed by a fresh connection. `drain` and `status` are thread-safe.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field

from commonsky.surveillance.feeds.batch import StateBatch
from commonsky.surveillance.feeds.counters import FeedCounters, rejected_reports
from commonsky.surveillance.feeds.pipeline import FeedOptions, FeedPipeline
from commonsky.surveillance.feeds.records import StateVector
from commonsky.surveillance.feeds.source import LinkEvent, ReconnectPolicy, TcpSource
from commonsky.surveillance.feeds.state import StateOptions
from commonsky.surveillance.feeds.url import FeedUrl

LIVE_POLICY = ReconnectPolicy(max_retries=None, initial_backoff_s=0.5, max_backoff_s=30.0, idle_timeout_s=90.0)
"""Never give up; a link quiet for longer than dump1090's and readsb's 60 s heartbeat is dead and re-opened."""
DOWN_EVENTS = frozenset({"dropped", "silent", "connect_failed", "gave_up", "ended", "error"})


@dataclass(frozen=True, slots=True)
class FeedDrain:
    """What arrived since the previous drain: state vectors (oldest first, as one `StateBatch`: iterating it gives
    `StateVector`s), bytes read, whether the link is up (connected, and not silent beyond the policy's idle
    timeout), and states dropped because nobody drained."""

    states: StateBatch
    bytes_read: int
    link_up: bool
    overflowed: int = 0


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """A feed's state for the status line and the map: link up or not, its latest link event, its counts."""

    label: str
    url: str
    link_up: bool
    last_event: LinkEvent | None
    counters: dict[str, int] = field(default_factory=dict)
    aircraft: int = 0

    def line(self) -> str:
        """E.g. ``beast 127.0.0.1:30005 up: 1,204 msgs, 12 aircraft, 0 garbage`` (then the reports rejected by
        reason, when any: ``, rejected 2 position jumps, 1 altitude spikes``) or ``... DOWN: refused``."""
        c = self.counters
        garbage = c.get("garbage_bytes", 0) + c.get("garbage_lines", 0)
        if self.link_up:
            rejected = ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in rejected_reports(c).items())
            tail = f", rejected {rejected}" if rejected else ""
            return f"{self.label} up: {c.get('decoded', 0):,} msgs, {self.aircraft} aircraft, {garbage:,} garbage{tail}"
        detail = self.last_event.detail if self.last_event is not None else "connecting"
        return f"{self.label} DOWN: {detail}"


class LiveFeed:
    """One live feed read by a daemon thread (see the module docstring). Start with `start`, end with `stop`."""

    def __init__(
        self, url: FeedUrl, policy: ReconnectPolicy = LIVE_POLICY, max_pending: int = 200_000, poll_s: float = 0.2
    ) -> None:
        self.url = url
        self.counters = FeedCounters()
        reference = None if url.position is None else (url.position.lat_deg, url.position.lon_deg)
        # Live SBS: dump1090 stamps messages with its host's local time; reception time is the safe clock.
        options = FeedOptions(sbs_received_time=True, state=StateOptions(reference_deg=reference), picture_only=True)
        self._pipeline = FeedPipeline(url.scheme.value, self.counters, options)
        self._stop = threading.Event()
        self._source = TcpSource(url.host, url.port, policy, self.counters, self._on_event, poll_s, self._stop)
        self._lock = threading.Lock()
        self._pending: deque[StateVector] = deque(maxlen=max_pending)
        self._overflowed = 0
        self._bytes = 0
        self._link_up = False
        self._last_event: LinkEvent | None = None
        self._thread: threading.Thread | None = None

    def _on_event(self, event: LinkEvent) -> None:
        with self._lock:
            self._last_event = event
            if event.kind == "connected":
                self._link_up = True
            elif event.kind in DOWN_EVENTS:
                self._link_up = False

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"feed {self.url}", daemon=True)
            self._thread.start()

    def stop(self, timeout_s: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
        self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                for chunk in self._source:
                    states = self._pipeline.feed(chunk)
                    with self._lock:
                        self._bytes += len(chunk.data)
                        if states:
                            room = self._pending.maxlen or 0
                            self._overflowed += max(0, len(self._pending) + len(states) - room)
                            self._pending.extend(states)
            except Exception as error:  # a decoding bug must not end the feed: count it, reconnect afresh
                self.counters.garbage_bytes += 1
                self._on_event(LinkEvent("error", time.time(), f"{type(error).__name__}: {error}"))
                self._pipeline.finish(time.time())
                self._stop.wait(1.0)

    def drain(self) -> FeedDrain:
        """Take everything that arrived since the previous drain."""
        with self._lock:
            states = tuple(self._pending)
            self._pending.clear()
            bytes_read, link_up, overflowed = self._bytes, self._link_up, self._overflowed
            self._bytes = 0
            self._overflowed = 0
        return FeedDrain(StateBatch.from_states(states), bytes_read, link_up, overflowed)

    def status(self) -> FeedStatus:
        with self._lock:
            up, last = self._link_up, self._last_event
        return FeedStatus(
            self.url.label, str(self.url), up, last, self.counters.snapshot(), self._pipeline.aircraft_seen
        )
