"""Parties and API keys.

A key reads ``csk_<key_id>_<secret>``: ``key_id`` (16 hex) finds the row, ``secret`` is 256 random bits
(base64url). Only sha256(secret) is stored: for a uniformly random 256-bit secret a fast hash is as strong as a
slow one (nothing to brute-force), and comparison is constant-time. The full key is shown once, at creation.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonsky.errors import InputError
from commonsky.service import audit
from commonsky.service.db import Database
from commonsky.service.models import ApiKeyRow, PartyRow

_KEY = re.compile(r"^csk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class Role(StrEnum):
    AUTHORITY = "authority"  # manages zones and parties
    OPERATOR = "operator"  # files and manages its own intents
    OBSERVER = "observer"  # reads the picture


@dataclass(frozen=True)
class Party:
    """The authenticated caller."""

    id: str
    name: str
    role: Role


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    key: str  # the only time the secret exists outside the caller's hands


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_party(database: Database, name: str, role: Role | str, actor: str = "admin") -> tuple[Party, IssuedKey]:
    """Create a party and its first key. Raises `InputError` for a bad or taken name."""
    if not NAME.match(name):
        raise InputError(f"party name {name!r}: use 1-64 letters, digits, '_', '.', '-' (starting alphanumeric)")
    try:
        role = Role(role)
    except ValueError:
        raise InputError(f"unknown role {role!r} (use authority, operator or observer)") from None
    party = Party(str(uuid.uuid4()), name, role)
    with database.write() as session:
        if session.scalar(select(PartyRow.id).where(PartyRow.name == name)) is not None:
            raise InputError(f"party {name!r} already exists")
        session.add(PartyRow(id=party.id, name=name, role=role.value, created_s=time.time(), disabled=False))
        session.flush()
        issued = _add_key(session, party.id)
        audit.append(database, session, actor, "create", "party", party.id, {"name": name, "role": role.value})
        audit.append(database, session, actor, "issue-key", "party", party.id, {"key_id": issued.key_id})
    return party, issued


def issue_key(database: Database, party_name: str, actor: str = "admin") -> IssuedKey:
    """Add another key to an existing party (key rotation)."""
    with database.write() as session:
        party_id = session.scalar(select(PartyRow.id).where(PartyRow.name == party_name))
        if party_id is None:
            raise InputError(f"no party named {party_name!r}")
        issued = _add_key(session, party_id)
        audit.append(database, session, actor, "issue-key", "party", party_id, {"key_id": issued.key_id})
    return issued


def revoke_key(database: Database, key_id: str, actor: str = "admin") -> None:
    with database.write() as session:
        row = session.get(ApiKeyRow, key_id)
        if row is None or row.revoked_s is not None:
            raise InputError(f"no active key {key_id!r}")
        row.revoked_s = time.time()
        audit.append(database, session, actor, "revoke-key", "party", row.party_id, {"key_id": key_id})


def _add_key(session: Session, party_id: str) -> IssuedKey:
    key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    session.add(ApiKeyRow(key_id=key_id, party_id=party_id, secret_sha256=_digest(secret), created_s=time.time()))
    return IssuedKey(key_id, f"csk_{key_id}_{secret}")


def authenticate(database: Database, presented: str) -> Party | None:
    """The party owning ``presented``, or None (malformed, unknown, revoked, or party disabled)."""
    match = _KEY.match(presented)
    if match is None:
        return None
    key_id, secret = match.groups()
    with database.read() as session:
        columns = (
            ApiKeyRow.secret_sha256,
            ApiKeyRow.revoked_s,
            PartyRow.id,
            PartyRow.name,
            PartyRow.role,
            PartyRow.disabled,
        )
        found = session.execute(
            select(*columns).join(PartyRow, PartyRow.id == ApiKeyRow.party_id).where(ApiKeyRow.key_id == key_id)
        ).first()
    digest = _digest(secret)
    if found is None:
        hmac.compare_digest(digest, digest)  # same work either way
        return None
    stored, revoked, party_id, name, role, disabled = found
    if not hmac.compare_digest(stored, digest) or revoked is not None or disabled:
        return None
    return Party(party_id, name, Role(role))


class AuthCache:
    """Recently authenticated keys, for ``ttl_s`` seconds: saves a database read per request.

    Keyed by sha256 of the whole presented key (the key itself is never held). A revocation through this process
    clears the cache at once; one made elsewhere (another instance, the admin CLI) takes effect within ``ttl_s``.
    Thread-safe.
    """

    def __init__(self, database: Database, ttl_s: float = 5.0, size: int = 10_000) -> None:
        self.database = database
        self.ttl_s = ttl_s
        self.size = size
        self._items: dict[str, tuple[Party, float]] = {}
        self._lock = threading.Lock()

    def cached(self, presented: str) -> Party | None:
        """The party of ``presented`` if the cache holds it (no database read: safe on the event loop)."""
        with self._lock:
            hit = self._items.get(_digest(presented))
        return hit[0] if hit is not None and hit[1] > time.monotonic() else None

    def authenticate(self, presented: str) -> Party | None:
        digest = _digest(presented)
        now = time.monotonic()
        with self._lock:
            hit = self._items.get(digest)
        if hit is not None and hit[1] > now:
            return hit[0]
        party = authenticate(self.database, presented)
        if party is not None:
            with self._lock:
                if len(self._items) >= self.size:
                    self._items.clear()
                self._items[digest] = (party, now + self.ttl_s)
        return party

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
