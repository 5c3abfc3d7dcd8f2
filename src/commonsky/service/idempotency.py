"""``Idempotency-Key`` on every write: a retry of a write whose answer was lost gets the original answer.

How a write with a key (header ``Idempotency-Key``, 1-200 printable ASCII characters) goes:

1. `Idempotency` (ASGI middleware) looks the key up for the calling party. Found with the same request (method,
   path, query and body hash): the stored answer is sent again, with ``Idempotent-Replayed: true``; found with
   another request: 422 with one line. Not found: the request runs with a `Claim` in a context variable.
2. The write's own transaction (`Database.write` calls `Claim.record`) inserts the key's row before it commits:
   the key is spent exactly when the write is, so a write committed just before a crash is never done twice.
   Its body is the decision as taken in that transaction (`Claim.draft`, set by the broker), or empty.
3. Just before the answer is sent, the row gets the exact answer (``final``). A client that received it can
   retry and get it byte for byte; one that did not (a crash between 2 and 3) gets the drafted decision.

Two identical requests at once: the second's insert finds the first's row (PostgreSQL waits for the first to
commit) and its write rolls back; it answers 409 "in progress", and a retry gets the first one's answer.
Answers that change nothing and say "come back" (429, 503, 5xx) are not kept. Keys live ``ttl_s`` (a day).
"""

from __future__ import annotations

import contextvars
import dataclasses
import enum
import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from commonsky.errors import CommonskyError
from commonsky.service.limits import replaying
from commonsky.service.models import IdempotencyRow

if TYPE_CHECKING:
    from commonsky.service.auth import AuthCache
    from commonsky.service.db import Database

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_current: contextvars.ContextVar[Claim | None] = contextvars.ContextVar("commonsky_idempotency", default=None)


class DuplicateRequestError(CommonskyError):
    """The same key is being (or was just) used by a concurrent identical request: 409, retry for its answer."""


@dataclass
class Claim:
    """One keyed write in progress: who, which key, which request, and what to store if its write commits."""

    party_id: str
    key: str
    request_sha256: str
    scope: Scope
    draft: str = ""
    recorded: bool = False
    duplicate: bool = False
    encode: Callable[[Any], str] | None = None  # the route's own answer for a decision (`answer_as`)

    def record(self, session: Session, is_sqlite: bool) -> None:
        """Spend the key inside the write's transaction; `DuplicateRequestError` (rolling it back) if already spent."""
        if self.recorded:
            return
        values = {
            "party_id": self.party_id,
            "key": self.key,
            "request_sha256": self.request_sha256,
            "status": self.success_status(),
            "body": self.draft,
            "final": False,
            "created_s": time.time(),
        }
        insert = sqlite_insert if is_sqlite else pg_insert
        done = session.execute(insert(IdempotencyRow).values(**values).on_conflict_do_nothing())
        if getattr(done, "rowcount", 1) == 0:
            self.duplicate = True
            raise DuplicateRequestError(f"a request with this {HEADER} is in progress or just done; send it again")

    def success_status(self) -> int:
        """The status the matched route answers on success (201 for a filing): the draft's, if the answer is lost."""
        route = self.scope.get("route")
        return int(getattr(route, "status_code", None) or 200)


def pending() -> Claim | None:
    """The claim of the keyed write this thread serves, if any (context variables follow the request's threads)."""
    return _current.get()


def answer_as(encode: Callable[[Any], str]) -> None:
    """Say how the route serving this keyed write answers a decision (its response model, as sent): the draft is
    then that very answer, already disclosed as every answer is, not the broker's dataclass."""
    claim = _current.get()
    if claim is not None:
        claim.encode = encode


def draft(decision: Any) -> None:
    """Keep ``decision`` (a dataclass) as the answer to store with the key if its transaction commits."""
    claim = _current.get()
    if claim is not None and not claim.recorded:
        if claim.encode is not None:
            claim.draft = claim.encode(decision)
            return
        fields = dataclasses.asdict(decision)
        if hasattr(decision, "key"):
            fields["key"] = decision.key
        claim.draft = json.dumps(fields, default=_plain, separators=(",", ":"))


def _plain(value: object) -> object:
    if isinstance(value, enum.Enum):
        return value.value
    return str(value)


class Idempotency:
    """ASGI middleware applying this module's contract to every write that carries the header."""

    def __init__(self, app: ASGIApp, database: Database, keys: AuthCache, ttl_s: float = 86_400.0) -> None:
        self.app = app
        self.database = database
        self.keys = keys
        self.ttl_s = ttl_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WRITES:
            await self.app(scope, receive, send)
            return
        headers = {name.lower(): value for name, value in scope.get("headers") or ()}
        raw_key = headers.get(HEADER.lower().encode())
        if raw_key is None:
            await self.app(scope, receive, send)
            return
        key = raw_key.decode("latin-1")
        if not _KEY.match(key):
            await _json(send, 422, {"detail": f"{HEADER}: use 1 to 200 printable ASCII characters"})
            return
        scheme, _, presented = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        party = None
        if scheme.lower() == "bearer":
            party = self.keys.cached(presented.strip()) or await run_in_threadpool(
                self.keys.authenticate, presented.strip()
            )
        if party is None:
            await self.app(scope, receive, send)  # the app answers 401
            return
        body, receive = await _buffer(receive)
        digest = hashlib.sha256(
            b"\0".join((scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b""), body))
        )
        request_sha256 = digest.hexdigest()
        found = await run_in_threadpool(self._find, party.id, key)
        if found is not None:
            stored_sha256, status, stored = found
            if stored_sha256 != request_sha256:
                await _json(send, 422, {"detail": f"{HEADER} {key[:40]!r} was used for a different request"})
                return
            await _send(send, status, stored, replayed=True)
            return
        claim = Claim(party.id, key, request_sha256, scope)
        await self._run(scope, receive, send, claim)

    async def _run(self, scope: Scope, receive: Receive, send: Send, claim: Claim) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            assert start is not None
            status = int(start["status"])
            if _keeps(status) and not claim.duplicate:
                await run_in_threadpool(self._store, claim, status, b"".join(chunks).decode())
            await send(start)
            await send({"type": "http.response.body", "body": b"".join(chunks)})

        token = _current.set(claim)
        try:
            await self.app(scope, receive, capture)
        finally:
            _current.reset(token)

    def _find(self, party_id: str, key: str) -> tuple[str, int, str] | None:
        with self.database.read() as session:
            row = session.get(IdempotencyRow, (party_id, key))
            if row is None or row.created_s < time.time() - self.ttl_s:
                return None
            return row.request_sha256, row.status, row.body

    def _store(self, claim: Claim, status: int, body: str) -> None:
        """The exact answer, before it is sent: in the row the write spent, or a new one (nothing was written)."""
        spent, claim.recorded = claim.recorded, True  # this transaction is not the write: it must not spend the key
        with self.database.write() as session:
            if spent:
                session.execute(
                    update(IdempotencyRow)
                    .where(IdempotencyRow.party_id == claim.party_id, IdempotencyRow.key == claim.key)
                    .values(status=status, body=body, final=True)
                )
                return
            cutoff = time.time() - self.ttl_s
            session.execute(
                delete(IdempotencyRow).where(
                    IdempotencyRow.party_id == claim.party_id,
                    IdempotencyRow.key == claim.key,
                    IdempotencyRow.created_s < cutoff,
                )
            )
            if (
                session.execute(
                    select(IdempotencyRow.key).where(
                        IdempotencyRow.party_id == claim.party_id, IdempotencyRow.key == claim.key
                    )
                ).first()
                is None
            ):
                session.add(
                    IdempotencyRow(
                        party_id=claim.party_id,
                        key=claim.key,
                        request_sha256=claim.request_sha256,
                        status=status,
                        body=body,
                        final=True,
                        created_s=time.time(),
                    )
                )


def _keeps(status: int) -> bool:
    """Answers worth replaying: success, and refusals that a retry of the same request would get again."""
    return status < 500 and status not in (401, 408, 429)


async def _buffer(receive: Receive) -> tuple[bytes, Receive]:
    chunks, more = [], True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    whole = b"".join(chunks)
    return whole, replaying(whole, receive)


async def _send(send: Send, status: int, body: str, replayed: bool = False) -> None:
    data = body.encode()
    headers = [(b"content-length", str(len(data)).encode())]
    if data:
        headers.append((b"content-type", b"application/json"))
    if replayed:
        headers.append((REPLAYED.lower().encode(), b"true"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


async def _json(send: Send, status: int, payload: dict[str, Any]) -> None:
    await _send(send, status, json.dumps(payload))
