"""A live feed read in a child process: the decoding of a busy feed does not share the picture loop's GIL.

`ProcessFeed` has the interface of `LiveFeed` (`start`, `stop`, `drain`, `status`, `url`, `counters`): a child
process (spawned, so nothing of the parent's threads is inherited) runs a `LiveFeed` and sends what it drained,
with its status, every `SEND_EVERY_S` over a pipe; a thread of the parent receives it into a buffer that `drain`
empties. The states cross the pipe as one `StateBatch` buffer per send (not one pickled object per report), so
the parent's receiving thread does next to nothing under the picture loop's GIL.
A child that dies is reported as a link event ("error") and the feed reads as down; it is not restarted.
Thread-safe like `LiveFeed`.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing as mp
import signal
import threading
import time
from multiprocessing.connection import Connection
from typing import Protocol

from commonsky.surveillance.feeds.batch import StateBatch
from commonsky.surveillance.feeds.counters import FeedCounters
from commonsky.surveillance.feeds.live import LIVE_POLICY, FeedDrain, FeedStatus, LiveFeed
from commonsky.surveillance.feeds.pipeline import GC_YOUNG_OBJECTS
from commonsky.surveillance.feeds.source import LinkEvent, ReconnectPolicy
from commonsky.surveillance.feeds.url import FeedUrl

SEND_EVERY_S = 0.05


class FeedReader(Protocol):
    """What the picture needs of a live feed, read in a thread (`LiveFeed`) or a process (`ProcessFeed`)."""

    @property
    def url(self) -> FeedUrl: ...

    def start(self) -> None: ...

    def stop(self, timeout_s: float = 2.0) -> None: ...

    def drain(self) -> FeedDrain: ...

    def status(self) -> FeedStatus: ...


def _child(url: FeedUrl, policy: ReconnectPolicy, data: Connection, control: Connection) -> None:
    """Read the feed; every `SEND_EVERY_S` send what arrived; end on a word from the parent or when it is gone.
    (Pipes only, no shared lock: a reader killed mid-wait must not leave the parent waiting on a lock it held.)"""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent ends this reader
    gc.set_threshold(GC_YOUNG_OBJECTS, *gc.get_threshold()[1:])  # a process that only decodes: as `ingest` does
    feed = LiveFeed(url, policy)
    feed.start()
    try:
        while not control.poll(SEND_EVERY_S):
            data.send((feed.drain(), feed.status()))
    except (BrokenPipeError, EOFError, OSError):
        pass  # the parent went away
    finally:
        feed.stop()
        data.close()


class ProcessFeed:
    """One live feed read by a child process (see the module docstring)."""

    def __init__(self, url: FeedUrl, policy: ReconnectPolicy = LIVE_POLICY, max_pending: int = 200_000) -> None:
        self._url = url
        self._policy = policy
        self.counters = FeedCounters()
        self._ctx = mp.get_context("spawn")
        self._stopping = False
        self._control: Connection | None = None
        self._lock = threading.Lock()
        self._max_pending = max_pending
        self._pending: list[StateBatch] = []
        self._n_pending = 0
        self._bytes = 0
        self._overflowed = 0
        self._status = FeedStatus(url.label, str(url), False, None)
        self._process: mp.process.BaseProcess | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> FeedUrl:
        return self._url

    @property
    def pid(self) -> int | None:
        """The reader process's id while it runs (None before `start` and after `stop`)."""
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        if self._process is not None:
            return
        receiver, sender = self._ctx.Pipe(duplex=False)
        listen, self._control = self._ctx.Pipe(duplex=False)
        self._process = self._ctx.Process(
            target=_child, args=(self._url, self._policy, sender, listen), name=f"feed {self._url}", daemon=True
        )
        self._process.start()
        sender.close()
        listen.close()
        self._thread = threading.Thread(target=self._receive, args=(receiver,), daemon=True)
        self._thread.start()

    def _receive(self, conn: Connection) -> None:
        try:
            while True:
                drained, status = conn.recv()
                with self._lock:
                    self._overflowed += drained.overflowed
                    if len(drained.states):
                        self._pending.append(drained.states)
                        self._n_pending += len(drained.states)
                    self._drop_oldest()
                    self._bytes += drained.bytes_read
                    self._status = status
                    self.counters = FeedCounters(**status.counters)
        except (EOFError, OSError):
            if not self._stopping:
                event = LinkEvent("error", time.time(), "the feed's reader process ended")
                with self._lock:
                    self._status = FeedStatus(self._url.label, str(self._url), False, event, self._status.counters)

    def _drop_oldest(self) -> None:
        """Beyond ``max_pending`` states waiting (nobody drains), drop the oldest and count them (lock held)."""
        excess = self._n_pending - self._max_pending
        while excess > 0:
            head = self._pending[0]
            cut = min(excess, len(head))
            self._pending[0] = head[cut:]
            if not len(self._pending[0]):
                self._pending.pop(0)
            self._overflowed += cut
            self._n_pending -= cut
            excess -= cut

    def stop(self, timeout_s: float = 2.0) -> None:
        self._stopping = True
        if self._control is not None:
            with contextlib.suppress(OSError):  # the reader may be gone already
                self._control.send("stop")
            self._control.close()
            self._control = None
        if self._process is not None:
            self._process.join(timeout_s)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join(timeout_s)
        if self._thread is not None:
            self._thread.join(timeout_s)
        self._process = self._thread = None

    def drain(self) -> FeedDrain:
        with self._lock:
            pending, self._pending, self._n_pending = self._pending, [], 0
            drained = FeedDrain(StateBatch.concat(pending), self._bytes, self._status.link_up, self._overflowed)
            self._bytes = self._overflowed = 0
        return drained

    def status(self) -> FeedStatus:
        with self._lock:
            return self._status
