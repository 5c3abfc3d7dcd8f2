"""Byte sources for feeds: a file, or a TCP connection that reconnects with backoff when it drops or falls silent.

Sources yield `Chunk`s; a chunk with ``after_gap`` follows a lost connection, so the reader drops any frame the
link cut in half. A TCP source reports every link event (connected, dropped, silent, connect failure, gave up)
through the shared counters and an ``on_event`` callback, and always terminates when its policy says so.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from commonsky.errors import InputError
from commonsky.surveillance.feeds.counters import FeedCounters

CHUNK_BYTES = 65536


@dataclass(frozen=True, slots=True)
class Chunk:
    """Bytes as received, the UTC epoch (s) they arrived at, and whether a connection loss preceded them."""

    data: bytes
    received_s: float
    after_gap: bool = False


@dataclass(frozen=True, slots=True)
class LinkEvent:
    """Something the link did: ``connected``, ``dropped``, ``silent``, ``connect_failed``, ``gave_up``, ``ended``."""

    kind: str
    time_s: float
    detail: str


class ByteSource(Protocol):
    """Where a feed's bytes come from. Iterating yields chunks until the source is exhausted or gives up."""

    description: str

    def __iter__(self) -> Iterator[Chunk]: ...

    def size_bytes(self) -> int | None:
        """Total size when known in advance (files), for progress bars."""
        ...


@dataclass(frozen=True, slots=True)
class ReconnectPolicy:
    """When a TCP source reconnects and when it stops.

    max_retries: consecutive failed connection attempts before giving up (None: never give up).
    max_reconnects: reconnections after drops before giving up (None: unlimited).
    initial_backoff_s / max_backoff_s: wait before retrying, doubled after each failure up to the maximum.
    connect_timeout_s: timeout of one connection attempt. idle_timeout_s: a connection silent this long is
    treated as dropped. max_duration_s: stop reading after this long in total (None: no limit).
    """

    max_retries: int | None = 10
    max_reconnects: int | None = None
    initial_backoff_s: float = 0.5
    max_backoff_s: float = 30.0
    connect_timeout_s: float = 5.0
    idle_timeout_s: float = 30.0
    max_duration_s: float | None = None

    def __post_init__(self) -> None:
        if self.initial_backoff_s < 0 or self.max_backoff_s < self.initial_backoff_s:
            raise InputError("reconnect backoff must be >= 0 with the maximum no smaller than the initial wait")
        if self.connect_timeout_s <= 0 or self.idle_timeout_s <= 0:
            raise InputError("connect and idle timeouts must be positive")


class FileSource:
    """A recorded feed in a file, read in chunks."""

    def __init__(self, path: Path, counters: FeedCounters | None = None, chunk_bytes: int = CHUNK_BYTES) -> None:
        if not path.is_file():
            raise InputError(f"cannot read feed file {path}: {'not a file' if path.exists() else 'no such file'}")
        self.path = path
        self.description = str(path)
        self.counters = counters if counters is not None else FeedCounters()
        self._chunk_bytes = chunk_bytes

    def size_bytes(self) -> int | None:
        return self.path.stat().st_size

    def __iter__(self) -> Iterator[Chunk]:
        try:
            handle = self.path.open("rb")
        except OSError as error:
            raise InputError(f"cannot read feed file {self.path}: {error.strerror or error}") from error
        with handle:
            while data := handle.read(self._chunk_bytes):
                self.counters.bytes_read += len(data)
                yield Chunk(data, time.time())


class TcpSource:
    """A live feed on ``host:port`` (dump1090: 30002 AVR, 30003 SBS, 30005 Beast). Not thread-safe.

    Reconnects with exponential backoff after a drop or silence, within the bounds of its `ReconnectPolicy`.
    ``stop``, when given and set, ends the iteration within ``poll_s`` (a reader thread being shut down).
    """

    def __init__(
        self,
        host: str,
        port: int,
        policy: ReconnectPolicy | None = None,
        counters: FeedCounters | None = None,
        on_event: Callable[[LinkEvent], None] | None = None,
        poll_s: float = 0.2,
        stop: threading.Event | None = None,
    ) -> None:
        self.host, self.port = host, port
        self._stop = stop if stop is not None else threading.Event()
        self.description = f"tcp://{host}:{port}"
        self.policy = policy if policy is not None else ReconnectPolicy()
        self.counters = counters if counters is not None else FeedCounters()
        self.events: list[LinkEvent] = []
        self._on_event = on_event
        self._poll_s = poll_s

    def size_bytes(self) -> int | None:
        return None

    def _report(self, kind: str, detail: str) -> None:
        event = LinkEvent(kind, time.time(), detail)
        self.events.append(event)
        del self.events[:-100]
        if self._on_event is not None:
            self._on_event(event)

    def __iter__(self) -> Iterator[Chunk]:
        policy = self.policy
        started = time.monotonic()
        deadline = None if policy.max_duration_s is None else started + policy.max_duration_s
        failures = 0
        backoff = policy.initial_backoff_s
        gap = False
        while (deadline is None or time.monotonic() < deadline) and not self._stop.is_set():
            try:
                conn = socket.create_connection((self.host, self.port), timeout=policy.connect_timeout_s)
            except OSError as error:
                self.counters.connect_failures += 1
                failures += 1
                self._report("connect_failed", f"{self.description}: {error.strerror or error}")
                if policy.max_retries is not None and failures > policy.max_retries:
                    self._report("gave_up", f"{failures} failed attempts in a row")
                    return
                self._wait(backoff, deadline)
                backoff = min(backoff * 2, policy.max_backoff_s) if backoff > 0 else policy.initial_backoff_s
                continue
            failures = 0
            self.counters.connections += 1
            if self.counters.connections > 1:
                self.counters.reconnects += 1
            self._report("connected", self.description)
            with conn:
                received_any = False
                for chunk in self._read(conn, deadline, gap):
                    received_any = True
                    yield chunk
            gap = True
            if received_any:
                backoff = policy.initial_backoff_s
            if deadline is not None and time.monotonic() >= deadline:
                break
            if policy.max_reconnects is not None and self.counters.drops > policy.max_reconnects:
                self._report("gave_up", f"{self.counters.drops} drops")
                return
            self._wait(backoff, deadline)
            backoff = min(backoff * 2, policy.max_backoff_s) if backoff > 0 else policy.initial_backoff_s
        self._report("ended", "stopped" if self._stop.is_set() else "maximum duration reached")

    def _read(self, conn: socket.socket, deadline: float | None, gap: bool) -> Iterator[Chunk]:
        conn.settimeout(self._poll_s)
        last_data = time.monotonic()
        while (deadline is None or time.monotonic() < deadline) and not self._stop.is_set():
            try:
                data = conn.recv(CHUNK_BYTES)
            except TimeoutError:
                if time.monotonic() - last_data > self.policy.idle_timeout_s:
                    self.counters.drops += 1
                    self.counters.silences += 1
                    self._report("silent", f"no data for {self.policy.idle_timeout_s:g} s")
                    return
                continue
            except OSError as error:
                self.counters.drops += 1
                self._report("dropped", f"{error.strerror or error}")
                return
            if not data:
                self.counters.drops += 1
                self._report("dropped", "closed by the peer")
                return
            last_data = time.monotonic()
            self.counters.bytes_read += len(data)
            yield Chunk(data, time.time(), after_gap=gap)
            gap = False

    def _wait(self, seconds: float, deadline: float | None) -> None:
        if deadline is not None:
            seconds = min(seconds, max(0.0, deadline - time.monotonic()))
        self._stop.wait(seconds)


def open_source(
    spec: str,
    counters: FeedCounters | None = None,
    policy: ReconnectPolicy | None = None,
    on_event: Callable[[LinkEvent], None] | None = None,
) -> FileSource | TcpSource:
    """A source for ``tcp://HOST:PORT`` or a file path. Raises `InputError` for a bad address or missing file."""
    if spec.startswith("tcp://"):
        parts = urlsplit(spec)
        try:
            port = parts.port
        except ValueError as error:
            raise InputError(f"bad feed address {spec!r}: {error}") from error
        if not parts.hostname or port is None or parts.path not in ("", "/"):
            raise InputError(f"bad feed address {spec!r}: expected tcp://HOST:PORT")
        return TcpSource(parts.hostname, port, policy, counters, on_event)
    if "://" in spec:
        raise InputError(f"unsupported feed address {spec!r}: give a file path or tcp://HOST:PORT")
    return FileSource(Path(spec), counters)
