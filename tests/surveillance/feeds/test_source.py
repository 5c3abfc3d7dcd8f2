"""Live feeds over loopback TCP: a feed that drops mid-line or falls silent reconnects and nothing is lost but
the cut line. Every loop and wait is bounded; only 127.0.0.1 is used."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from commonsky.surveillance.feeds.avr import format_avr_line
from commonsky.surveillance.feeds.beast import BeastFramer
from commonsky.surveillance.feeds.counters import FeedCounters
from commonsky.surveillance.feeds.modes import RawFrame
from commonsky.surveillance.feeds.pipeline import FeedOptions, FeedPipeline, ingest
from commonsky.surveillance.feeds.source import ReconnectPolicy, TcpSource

Session = Callable[[socket.socket], None]


class LoopbackServer:
    """Serves one scripted session per accepted connection, in order, on 127.0.0.1, then stops listening."""

    def __init__(self, sessions: list[Session]) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(10.0)
        self.port = self._listener.getsockname()[1]
        self._sessions = sessions
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self.errors: list[BaseException] = []

    def _serve(self) -> None:
        try:
            for session in self._sessions:
                conn, _ = self._listener.accept()
                with conn:
                    session(conn)
        except BaseException as error:  # surfaced by the test through .errors
            self.errors.append(error)
        finally:
            self._listener.close()

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._thread.join(timeout=15.0)
        assert not self._thread.is_alive()


def send(data: bytes) -> Session:
    return lambda conn: conn.sendall(data)


def send_then_hold(data: bytes) -> Session:
    """Send, then stay connected and silent until the client hangs up (at most 10 s)."""

    def session(conn: socket.socket) -> None:
        conn.sendall(data)
        conn.settimeout(10.0)
        while conn.recv(1024):
            pass

    return session


@pytest.fixture(scope="module")
def frames(reference_dir: Path) -> list[RawFrame]:
    return BeastFramer().feed((reference_dir / "adsb" / "sample_dump1090.bin").read_bytes())


def _run(port: int, policy: ReconnectPolicy, fmt: str = "avr") -> tuple[FeedCounters, TcpSource, list[str]]:
    counters = FeedCounters()
    source = TcpSource("127.0.0.1", port, policy, counters, poll_s=0.05)
    seen: list[str] = []
    tap = lambda batch: seen.extend(f.hex for f in batch)  # noqa: E731
    pipeline = FeedPipeline(fmt, counters, FeedOptions(trust_address_parity=True), tap=tap)
    ingest(source, pipeline, lambda states: None)
    return counters, source, seen


def _chunks(data: bytes, size: int) -> Iterator[bytes]:
    return (data[i : i + size] for i in range(0, len(data), size))


def test_avr_feed_dropped_mid_line_reconnects_and_reads_the_rest(frames: list[RawFrame]) -> None:
    lines = [format_avr_line(f).encode() for f in frames]
    cut = lines[120][:9]  # the connection dies in the middle of line 120
    sessions = [send(b"".join(lines[:120]) + cut), send(b"".join(lines[120:]))]
    policy = ReconnectPolicy(max_retries=3, max_reconnects=1, initial_backoff_s=0.05, max_duration_s=20.0)
    with LoopbackServer(sessions) as server:
        counters, source, seen = _run(server.port, policy)
    assert not server.errors
    assert seen == [f.hex for f in frames]  # every frame once, in order
    assert counters.garbage_lines == 1  # the cut line
    assert (counters.connections, counters.reconnects, counters.drops) == (2, 1, 2)
    kinds = [e.kind for e in source.events]
    assert kinds == ["connected", "dropped", "connected", "dropped", "gave_up"]


def test_silent_feed_is_reported_and_reconnected(frames: list[RawFrame]) -> None:
    data = b"".join(format_avr_line(f).encode() for f in frames)
    half = data.index(b"\n", len(data) // 2) + 1
    sessions = [send_then_hold(data[:half]), send(data[half:])]
    policy = ReconnectPolicy(
        max_retries=3, max_reconnects=1, initial_backoff_s=0.05, idle_timeout_s=0.5, max_duration_s=20.0
    )
    with LoopbackServer(sessions) as server:
        counters, source, seen = _run(server.port, policy)
    assert not server.errors
    assert seen == [f.hex for f in frames]
    assert counters.silences == 1 and counters.reconnects == 1 and counters.garbage_lines == 0
    assert "silent" in [e.kind for e in source.events]


def test_beast_feed_in_small_tcp_segments(frames: list[RawFrame], reference_dir: Path) -> None:
    data = (reference_dir / "adsb" / "sample_dump1090.bin").read_bytes()

    def dribble(conn: socket.socket) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for piece in _chunks(data, 97):
            conn.sendall(piece)

    policy = ReconnectPolicy(max_retries=0, initial_backoff_s=0.0, max_duration_s=20.0)
    with LoopbackServer([dribble]) as server:
        counters, _, seen = _run(server.port, policy, "beast")
    assert seen == [f.hex for f in frames] and counters.garbage_bytes == 0
    assert counters.connect_failures == 1  # the server is gone after one session: the source gives up


def test_refused_connection_gives_up_after_the_retries() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # free once closed: nothing listens there
    counters = FeedCounters()
    source = TcpSource("127.0.0.1", port, ReconnectPolicy(max_retries=2, initial_backoff_s=0.01), counters)
    assert list(source) == []
    assert counters.connect_failures == 3 and counters.connections == 0
    assert [e.kind for e in source.events] == ["connect_failed"] * 3 + ["gave_up"]
