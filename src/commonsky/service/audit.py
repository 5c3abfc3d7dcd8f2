"""The audit log: append-only and hash-chained.

Each entry's ``hash`` is ``sha256(prev_hash || "\\n" || canonical JSON of {seq, at_s, actor, action, entity,
entity_id, change})``; the first entry's ``prev_hash`` is 64 zeros. Canonical JSON: sorted keys, no spaces,
UTF-8, no NaN. Changing, removing or reordering any row breaks the chain from that row on, and `verify` names
the first broken link.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from sqlalchemy import Insert, Select, Table, insert, select
from sqlalchemy.orm import Session

from commonsky.service.db import Database
from commonsky.service.models import AuditRow

GENESIS = "0" * 64
HASHED = ("seq", "at_s", "actor", "action", "entity", "entity_id", "change")  # the fields a link's hash covers


def canonical_json(value: Any) -> str:
    """The one serialisation that is hashed: sorted keys, compact, UTF-8 text, NaN/inf refused."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def link_hash(prev_hash: str, link: Mapping[str, Any]) -> str:
    """The hash of one link: its `HASHED` fields (``change`` is the stored canonical JSON text) after the previous
    link's hash."""
    body = canonical_json({name: link[name] for name in HASHED})
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def append(
    database: Database, session: Session, actor: str, action: str, entity: str, entity_id: str, change: dict[str, Any]
) -> int:
    """Add one link inside the caller's write transaction (call it last: it takes the audit lock); its ``seq``.

    Written with prebuilt Core statements, not the ORM unit of work: every decision appends, under a lock that
    serialises all writers on PostgreSQL, so its cost is paid by everyone waiting."""
    database.lock_audit(session)
    last = session.execute(_last_link()).first()
    seq, prev = (1, GENESIS) if last is None else (last[0] + 1, last[1])
    at_s = round(time.time(), 6)
    link = {
        "seq": seq,
        "at_s": at_s,
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "change": canonical_json(change),
    }
    session.execute(_insert_link(), {**link, "prev_hash": prev, "hash": link_hash(prev, link)})
    return seq


@cache
def _last_link() -> Select[int, str]:
    return select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)


@cache
def _insert_link() -> Insert:
    return insert(cast(Table, AuditRow.__table__))


@dataclass(frozen=True)
class Verification:
    """Result of `verify`: ``ok``, links checked, and the first broken link (seq and why) when not ok."""

    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "checked": self.checked, "broken_seq": self.broken_seq, "reason": self.reason}


def verify(database: Database, batch: int = 5_000) -> Verification:
    """Walk the whole chain in order; stop at the first link whose sequence, back-link or hash is wrong."""
    expected_seq, prev = 1, GENESIS
    checked = 0
    with database.read() as session:
        for row in _rows(session, batch):
            if row.seq != expected_seq:
                missing = f"entry {expected_seq} is missing (next is {row.seq})"
                return Verification(False, checked, expected_seq, missing)
            if row.prev_hash != prev:
                return Verification(False, checked, row.seq, "prev_hash does not match the previous entry's hash")
            actual = link_hash(prev, {name: getattr(row, name) for name in HASHED})
            if actual != row.hash:
                return Verification(False, checked, row.seq, "content does not match its hash (entry altered)")
            prev, expected_seq, checked = row.hash, expected_seq + 1, checked + 1
    return Verification(True, checked)


def _rows(session: Session, batch: int) -> Iterator[AuditRow]:
    after = 0
    while True:
        rows = session.scalars(select(AuditRow).where(AuditRow.seq > after).order_by(AuditRow.seq).limit(batch)).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].seq
