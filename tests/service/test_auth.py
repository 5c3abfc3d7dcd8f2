"""Parties and API keys (`service.auth`), on both backends: a key authenticates its own party only, the stored
row holds sha256 of the secret and never the secret, a one-character change / a revoked key / a disabled party
authenticates no one, rotation keeps both keys, bad names and roles are refused with one line; the cache answers
as the database does until its time is up or it is cleared."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from commonsky.errors import InputError
from commonsky.service import auth
from commonsky.service.auth import AuthCache, Role
from commonsky.service.db import Database
from commonsky.service.models import ApiKeyRow, PartyRow


def _altered(key: str) -> list[str]:
    """``key`` with one character changed at every position of its secret and id."""
    swap = {c: ("b" if c == "a" else "a") for c in set(key)}
    return [key[:i] + swap[key[i]] + key[i + 1 :] for i in range(4, len(key)) if key[i] != "_"]


def test_a_key_is_its_party_s_alone_and_only_its_digest_is_stored(db: Database) -> None:
    party, issued = auth.create_party(db, "iqaf", "operator")
    other, other_key = auth.create_party(db, "ops", Role.OBSERVER)
    assert auth.authenticate(db, issued.key) == party and auth.authenticate(db, other_key.key) == other
    secret = issued.key.split("_", 2)[2]
    with db.read() as session:
        row = session.get(ApiKeyRow, issued.key_id)
        assert row is not None and row.secret_sha256 == hashlib.sha256(secret.encode()).hexdigest()
        stored = [str(v) for r in session.execute(select(ApiKeyRow)).all() for v in r[0].__dict__.values()]
    assert not any(secret in value for value in stored)
    assert all(auth.authenticate(db, wrong) is None for wrong in _altered(issued.key))
    assert auth.authenticate(db, "") is None and auth.authenticate(db, issued.key + "x") is None


def test_rotation_revocation_and_disabled_parties(db: Database) -> None:
    party, first = auth.create_party(db, "iqaf", "operator")
    second = auth.issue_key(db, "iqaf")
    assert auth.authenticate(db, first.key) == auth.authenticate(db, second.key) == party
    auth.revoke_key(db, first.key_id)
    assert auth.authenticate(db, first.key) is None and auth.authenticate(db, second.key) == party
    with pytest.raises(InputError, match="no active key"):
        auth.revoke_key(db, first.key_id)
    with db.write() as session:
        row = session.get(PartyRow, party.id)
        assert row is not None
        row.disabled = True
    assert auth.authenticate(db, second.key) is None


@pytest.mark.parametrize(
    ("name", "role", "message"),
    [
        ("", "operator", "party name ''"),
        ("-lead", "operator", "starting alphanumeric"),
        ("a" * 65, "operator", "use 1-64"),
        ("fine", "admiral", "unknown role 'admiral'"),
        ("taken", "operator", "party 'taken' already exists"),
    ],
)
def test_bad_names_and_roles_are_refused_and_store_nothing(db: Database, name: str, role: str, message: str) -> None:
    auth.create_party(db, "taken", "authority")
    with pytest.raises(InputError, match=message):
        auth.create_party(db, name, role)
    with db.read() as session:
        assert session.scalars(select(PartyRow.name)).all() == ["taken"]
        assert len(session.scalars(select(ApiKeyRow.key_id)).all()) == 1
    with pytest.raises(InputError, match="no party named 'nobody'"):
        auth.issue_key(db, "nobody")


def test_the_cache_answers_as_the_database_until_cleared(db: Database) -> None:
    party, issued = auth.create_party(db, "iqaf", "operator")
    cache = AuthCache(db, ttl_s=3_600.0)
    assert cache.cached(issued.key) is None  # nothing read yet
    assert cache.authenticate(issued.key) == party and cache.cached(issued.key) == party
    assert cache.authenticate("csk_0000000000000000_" + "A" * 43) is None
    auth.revoke_key(db, issued.key_id)  # elsewhere: this cache holds the party until cleared or expired
    assert cache.authenticate(issued.key) == party
    cache.clear()
    assert cache.authenticate(issued.key) is None
    assert AuthCache(db, ttl_s=0.0).authenticate(issued.key) is None
