"""Notifications: an in-process hub fanning broker events out to each party's WebSocket subscribers.

`publish` may be called from any thread (the broker runs in the request thread pool); delivery happens on the
event loop. A subscriber that falls ``queue_size`` events behind is dropped (its socket closes), so a slow client
never holds memory or the broker. Across several instances each hub sees only its own writes (documented limit).
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any


class Hub:
    def __init__(self, queue_size: int = 1_000) -> None:
        self.queue_size = queue_size
        self._loop: asyncio.AbstractEventLoop | None = None
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any] | None]]] = {}
        self._lock = threading.Lock()

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Attach to the server's event loop (at startup)."""
        self._loop = loop

    def subscribe(self, party_id: str) -> asyncio.Queue[dict[str, Any] | None]:
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(self.queue_size)
        with self._lock:
            self._subscribers.setdefault(party_id, set()).add(queue)
        return queue

    def unsubscribe(self, party_id: str, queue: asyncio.Queue[dict[str, Any] | None]) -> None:
        with self._lock:
            queues = self._subscribers.get(party_id)
            if queues is not None:
                queues.discard(queue)
                if not queues:
                    del self._subscribers[party_id]

    def publish(self, party_id: str, event: dict[str, Any]) -> None:
        """Queue ``event`` for every subscriber of ``party_id`` (thread-safe, never blocks)."""
        loop = self._loop
        with self._lock:
            queues = list(self._subscribers.get(party_id, ()))
        if loop is None or not queues or loop.is_closed():
            return
        for queue in queues:
            loop.call_soon_threadsafe(_offer, queue, event)


def _offer(queue: asyncio.Queue[dict[str, Any] | None], event: dict[str, Any]) -> None:
    try:
        queue.put_nowait(event)
    except asyncio.QueueFull:  # too slow: tell the reader to close
        while not queue.empty():
            queue.get_nowait()
        queue.put_nowait(None)
