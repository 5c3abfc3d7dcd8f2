"""Notifications: an in-process hub fanning broker events out to each party's WebSocket subscribers.

`publish` may be called from any thread (the broker runs in the request thread pool); delivery happens on the
event loop. A subscriber that falls ``queue_size`` events behind is dropped (its socket closes), so a slow client
never holds memory or the broker. On PostgreSQL, `PgRelay` carries every event to every instance first.
"""

from __future__ import annotations

import asyncio
import json
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


CHANNEL = "commonsky_events"
_MAX_PAYLOAD = 7_500  # PostgreSQL's NOTIFY payload limit is 8,000 bytes


class PgRelay:
    """Carries events between service instances through PostgreSQL LISTEN/NOTIFY.

    `publish` sends an event to every instance (this one included); a listener thread per instance hands what
    arrives to its own `Hub`. An event too big for NOTIFY loses its ``where`` geometry (``where_omitted``).
    """

    def __init__(self, database_url: str, engine: Any, hub: Hub) -> None:
        from sqlalchemy.engine import make_url

        self._dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._engine = engine
        self._hub = hub
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.listening = threading.Event()

    def publish(self, party_id: str, event: dict[str, Any]) -> None:
        from sqlalchemy import text

        payload = json.dumps({"party": party_id, "event": event}, separators=(",", ":"))
        if len(payload.encode()) > _MAX_PAYLOAD:
            slim = {k: v for k, v in event.items() if k != "where"} | {"where_omitted": True}
            if isinstance(event.get("conflicts"), list):  # intent.preempted: the views lose theirs
                slim["conflicts"] = [{k: v for k, v in c.items() if k != "where"} for c in event["conflicts"]]
            payload = json.dumps({"party": party_id, "event": slim}, separators=(",", ":"))
        with self._engine.begin() as connection:
            connection.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": payload})

    def start(self) -> None:
        self._thread = threading.Thread(target=self._listen, name="commonsky-pg-relay", daemon=True)
        self._thread.start()
        self.listening.wait(timeout=10.0)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)

    def _listen(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._dsn, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    while not self._stop.is_set():
                        for note in connection.notifies(timeout=0.5):
                            message = json.loads(note.payload)
                            self._hub.publish(message["party"], message["event"])
            except psycopg.OperationalError:
                self._stop.wait(1.0)  # the database went away: retry until stopped
