"""Synthetic aircraft served live as Beast: the frames are made while they play, so a feed may run for hours.

`SyntheticFeedServer` listens on a TCP port and gives every client that connects the messages of a synthetic fleet
(`commonsky.surveillance.feeds.synthetic`: ten a second per aircraft) as a receiver would send them, generated one
second ahead of the wall clock by a thread of that client and sent in slices of `SEND_QUANTUM_S`. Each aircraft
squits with its own phase within the second (a real sky is not synchronised), and the fleet starts over every
``lap_s`` seconds so it never flies out of the area. A frame's 12 MHz counter is the time it is due to be sent,
from the connection's start: a reader anchored on the first frame's arrival reads each report's time as the time
its bytes were due on the socket, so a server or a reader falling behind shows as latency, never hides it.

Memory is bounded whatever the run's length (at most `AHEAD_SECONDS` seconds of frames are held per client).
Thread-safe: `start` runs the server in daemon threads; `close` ends it.
"""

from __future__ import annotations

import bisect
import math
import queue
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass

from commonsky.errors import InputError
from commonsky.surveillance.feeds.beast import encode_beast
from commonsky.surveillance.feeds.modes import RawFrame, mlat_ticks
from commonsky.surveillance.feeds.replay import SEND_QUANTUM_S
from commonsky.surveillance.feeds.synthetic import POSITION_SLOTS, SyntheticAircraft, messages, position_squitter
from commonsky.surveillance.feeds.tcp_server import FeedServer

AHEAD_SECONDS = 2
"""Seconds of frames made ahead of the clock (one being sent, one ready)."""


def beast_frame(msg: bytes, at_s: float, signal: int = 100) -> bytes:
    """The Beast bytes of one Mode S message due at ``at_s`` seconds (its 12 MHz counter, `mlat_ticks`)."""
    return encode_beast(RawFrame(msg, mlat_ticks=mlat_ticks(at_s), signal=signal))


@dataclass(frozen=True)
class SecondOfTraffic:
    """The frames of one second: slices (offset in s from the connection's start, Beast bytes, frame count)."""

    second: int
    slices: tuple[tuple[float, bytes, int], ...]


class SyntheticSky:
    """Makes the fleet's traffic second after second (stateful, NOT thread-safe: one maker thread).

    Aircraft ``k`` squits with phase ``k / len(fleet)`` s, so its ten messages of one second spill into the next:
    each `next_second` holds exactly the frames due in ``[second, second + 1)`` from the start, the spill of the
    previous second included. The fleet flies ``second % lap_s`` s from its start positions."""

    def __init__(self, fleet: Sequence[SyntheticAircraft], lap_s: int) -> None:
        self.fleet = tuple(fleet)
        self.lap_s = lap_s
        self.second = 0
        self._spill: list[tuple[float, bytes]] = []
        # An aircraft in level flight says the same each second but for its positions: made once (a third of the
        # work of making every message afresh, so the generator keeps its schedule on a busy machine).
        self._steady = [
            tuple((t, msg) for k, (t, msg) in enumerate(messages(plane, 0.0)) if k not in POSITION_SLOTS)
            if plane.vs_fpm == 0.0 and not plane.on_ground  # a surface aircraft's positions sit elsewhere
            else None
            for plane in self.fleet
        ]

    def _messages(self, k: int, t_s: float) -> list[tuple[float, bytes]]:
        """What aircraft ``k`` sends in the second from ``t_s`` (as `messages`)."""
        steady = self._steady[k]
        plane = self.fleet[k]
        if steady is None:
            return messages(plane, t_s)
        out = [(t_s + dt, msg) for dt, msg in steady]
        out += [(t_s + dt, position_squitter(plane, t_s + dt, odd)) for dt, odd in ((0.0, False), (0.5, True))]
        return out

    def next_second(self) -> SecondOfTraffic:
        """The frames due in the next second, in time order, cut into slices of `SEND_QUANTUM_S`."""
        second, n = self.second, max(1, len(self.fleet))
        flown = second % self.lap_s
        timed = self._spill
        for k in range(len(self.fleet)):
            timed += [(second + t - flown, msg) for t, msg in self._messages(k, flown + k / n)]
        timed.sort(key=lambda item: item[0])
        cut = bisect.bisect_left(timed, second + 1.0, key=lambda item: item[0])
        timed, self._spill = timed[:cut], timed[cut:]
        self.second += 1
        slices: list[tuple[float, bytes, int]] = []
        i = 0
        while i < len(timed):
            start = timed[i][0]
            j = bisect.bisect_left(timed, start + SEND_QUANTUM_S, lo=i, key=lambda item: item[0])
            slices.append((start, b"".join(beast_frame(msg, at) for at, msg in timed[i:j]), j - i))
            i = j
        return SecondOfTraffic(second, tuple(slices))


class SyntheticFeedServer(FeedServer):
    """Serves ``fleet`` live as Beast on ``host:port`` (port 0: any free port, see `port`); see the module
    docstring. ``lap_s``: seconds after which the fleet starts over (at least 2)."""

    def __init__(
        self, fleet: Sequence[SyntheticAircraft], host: str = "127.0.0.1", port: int = 0, lap_s: int = 1800
    ) -> None:
        if not fleet:
            raise InputError("a synthetic feed needs at least one aircraft")
        if lap_s < 2:
            raise InputError(f"lap of {lap_s} s: a synthetic fleet flies at least 2 s before it starts over")
        self.fleet = tuple(fleet)
        self.lap_s = lap_s
        super().__init__("synthetic", host, port)
        self.late_s = 0.0
        """How far behind its schedule the latest slice was sent (s)."""
        self.started_s = math.nan
        """When the latest client's first frame was due (UTC epoch s): frame times count from there."""

    def _accepted(self, conn: socket.socket) -> None:
        ready: queue.Queue[SecondOfTraffic] = queue.Queue(maxsize=AHEAD_SECONDS - 1)
        self._spawn(self._make, "synthetic maker", ready)
        self._spawn(self._serve, "synthetic sender", conn, ready)

    def _make(self, ready: queue.Queue[SecondOfTraffic]) -> None:
        sky = SyntheticSky(self.fleet, self.lap_s)
        while not self._stop.is_set():
            traffic = sky.next_second()
            while not self._stop.is_set():
                try:
                    ready.put(traffic, timeout=0.2)
                    break
                except queue.Full:
                    continue

    def _serve(self, conn: socket.socket, ready: queue.Queue[SecondOfTraffic]) -> None:
        begun: float | None = None  # the schedule starts once the first second is made, with its first frame
        with conn:
            try:
                while not self._stop.is_set():
                    try:
                        traffic = ready.get(timeout=0.2)
                    except queue.Empty:
                        continue
                    if begun is None:
                        begun = time.monotonic()
                        self.started_s = time.time()
                    for at_s, data, count in traffic.slices:
                        wait = begun + at_s - time.monotonic()
                        if wait > 0 and self._stop.wait(wait):
                            return
                        conn.sendall(data)
                        with self._lock:
                            self.frames_sent += count
                            self.late_s = max(0.0, -wait)
            except OSError:
                return  # the client went away


__all__ = ["SecondOfTraffic", "SyntheticFeedServer", "SyntheticSky", "beast_frame"]
