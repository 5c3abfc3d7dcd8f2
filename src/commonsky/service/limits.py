"""Request limits: a body-size guard (ASGI middleware, 413), a per-party token bucket (429) and admission: at most
so many requests of one party (429) and of everyone (503) in progress, refused at once instead of queued.

Every refusal says when to come back: ``Retry-After`` is a whole number of seconds, at least 1 (`retry_after`).
"""

from __future__ import annotations

import enum
import json
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with 413, whether announced by Content-Length or streamed.

    The body is read before the app sees it (at most ``max_bytes``), then replayed.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _too_large(send, self.max_bytes)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await _too_large(send, self.max_bytes)
                return
            chunks.append(body)
            more = message.get("more_body", False)
        await self.app(scope, replaying(b"".join(chunks), receive), send)


def replaying(whole: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the already read body ``whole`` once, as one message, then defers to ``receive``."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": whole, "more_body": False}
        return await receive()

    return replay


async def _too_large(send: Send, max_bytes: int) -> None:
    body = json.dumps({"detail": f"request body over {max_bytes} bytes"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    """Token bucket per party: ``burst`` tokens, refilled at ``rate_per_s``. Per process (each instance its own).

    Thread-safe.
    """

    def __init__(self, rate_per_s: float, burst: int) -> None:
        self.rate_per_s = rate_per_s
        self.burst = float(burst)
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float:
        """Spend one token: 0.0 when allowed, else the seconds to wait before a token is there."""
        now = time.monotonic() if now is None else now
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate_per_s)
            bucket.stamp = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate_per_s


def retry_after(wait_s: float) -> str:
    """The ``Retry-After`` value for a wait of ``wait_s``: whole seconds, rounded up, at least 1 (0 would invite
    the caller straight back into the same refusal)."""
    return str(max(1, math.ceil(wait_s)))


class Refusal(enum.Enum):
    """Why `Admission.enter` refused: the caller's own share is in use (429), or the whole service is (503)."""

    PARTY_BUSY = "party"
    SATURATED = "service"


class Admission:
    """Requests in progress, per party and in all. ``enter`` never waits: over ``per_party`` for this party or over
    ``total`` overall it refuses, so one party's flood holds at most ``per_party`` of the worker threads and
    database connections (`ServiceSettings` keeps ``per_party`` below ``total`` and ``total`` within the pool).

    Thread-safe (one per app)."""

    def __init__(self, per_party: int, total: int) -> None:
        self.per_party = per_party
        self.total = total
        self._busy: Counter[str] = Counter()
        self._all = 0
        self._lock = threading.Lock()

    def enter(self, party_id: str) -> Refusal | None:
        """Count one request of ``party_id`` in, or say why not (then nothing is counted)."""
        with self._lock:
            if self._busy[party_id] >= self.per_party:
                return Refusal.PARTY_BUSY
            if self._all >= self.total:
                return Refusal.SATURATED
            self._busy[party_id] += 1
            self._all += 1
            return None

    def leave(self, party_id: str) -> None:
        with self._lock:
            self._busy[party_id] -= 1
            if self._busy[party_id] <= 0:
                del self._busy[party_id]
            self._all -= 1

    def in_progress(self, party_id: str | None = None) -> int:
        with self._lock:
            return self._all if party_id is None else self._busy[party_id]
