"""DSS access tokens (`service.dss.auth`): an RS256 token signed by a trusted key for an accepted audience names its
USS and scopes; a token signed by another key, with the HS256 algorithm, for another audience, expired, without a
subject or tampered with is refused (401) with one line; scopes gate operations (403); a cached token still expires;
unusable key files are refused when the service starts."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from commonsky.errors import InputError
from commonsky.service.dss.auth import AA, CM, SC, TokenVerifier, require_scope
from commonsky.service.dss.errors import DssError

AUDIENCE = "dss.test"


@pytest.fixture(scope="module")
def keys() -> tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048), rsa.generate_private_key(
        public_exponent=65537, key_size=2048
    )


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _token(key: Any, algorithm: str = "RS256", **claims: Any) -> str:
    now = int(time.time())
    body = {"sub": "uss1", "aud": AUDIENCE, "scope": f"{SC.value} {AA.value}", "exp": now + 600, "iss": "t"} | claims
    body = {k: v for k, v in body.items() if v is not None}
    return jwt.encode(body, key, algorithm=algorithm)


def _hs256_with_public_key(key: rsa.RSAPrivateKey, claims: dict[str, Any]) -> str:
    """The algorithm-confusion forgery: HS256 keyed with the trusted public key's PEM (PyJWT will not make it)."""

    def part(value: bytes) -> str:
        return base64.urlsafe_b64encode(value).rstrip(b"=").decode()

    signing = part(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + part(json.dumps(claims).encode())
    return signing + "." + part(hmac.new(_pem(key), signing.encode(), hashlib.sha256).digest())


def _refused(verifier: TokenVerifier, header: str | None, status: int, message: str) -> None:
    with pytest.raises(DssError) as refused:
        verifier.caller(header)
    assert refused.value.status == status and message in refused.value.message and "\n" not in refused.value.message


def test_a_trusted_token_names_its_uss_and_scopes(keys: tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]) -> None:
    trusted, other = keys
    verifier = TokenVerifier([_pem(other), _pem(trusted)], [AUDIENCE, "dss.other"])
    caller = verifier.caller(f"Bearer {_token(trusted)}")
    assert caller.manager == "uss1" and caller.scopes == {SC.value, AA.value}
    assert verifier.caller(f"bearer {_token(trusted, aud='dss.other', sub='uss2')}").manager == "uss2"
    require_scope(caller, SC)
    require_scope(caller, CM, AA)
    with pytest.raises(DssError, match=f"needs the scope {CM.value}$") as refused:
        require_scope(caller, CM)
    assert refused.value.status == 403


def test_untrusted_or_malformed_tokens_are_refused(keys: tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]) -> None:
    trusted, other = keys
    verifier = TokenVerifier([_pem(trusted)], [AUDIENCE])
    good = _token(trusted)
    head, body, signature = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps(claims | {"sub": "uss9"}).encode()).rstrip(b"=").decode()
    _refused(verifier, None, 401, "missing bearer access token")
    _refused(verifier, f"Basic {good}", 401, "missing bearer access token")
    _refused(verifier, f"Bearer {_token(other)}", 401, "signature not from a trusted key")
    _refused(verifier, f"Bearer {head}.{forged}.{signature}", 401, "signature not from a trusted key")
    _refused(verifier, f"Bearer {_hs256_with_public_key(trusted, claims)}", 401, "invalid access token")
    _refused(verifier, f"Bearer {_token(trusted, aud='elsewhere')}", 401, "invalid access token")
    _refused(verifier, f"Bearer {_token(trusted, exp=int(time.time()) - 60)}", 401, "expired")
    _refused(verifier, f"Bearer {_token(trusted, sub=None)}", 401, "sub")
    _refused(verifier, f"Bearer {_token(trusted, scope=['a', 'b'])}", 401, "scope must be a space-separated string")


def test_a_cached_token_still_expires(keys: tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]) -> None:
    trusted, _ = keys
    verifier = TokenVerifier([_pem(trusted)], [AUDIENCE])
    expires = int(time.time()) + 1
    token = _token(trusted, exp=expires)
    assert verifier.caller(f"Bearer {token}").manager == "uss1"  # now cached
    time.sleep(max(0.0, expires - time.time()) + 1.05)  # past the token's own expiry (no duration is asserted)
    _refused(verifier, f"Bearer {token}", 401, "expired")


def test_unusable_key_files_are_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"DSS public key .*missing\.pem: No such file"):
        TokenVerifier.from_files([str(tmp_path / "missing.pem")], [AUDIENCE])
    (tmp_path / "junk.pem").write_text("not a key")
    with pytest.raises(InputError, match=r"^DSS public key: not a PEM public key"):
        TokenVerifier.from_files([str(tmp_path / "junk.pem")], [AUDIENCE])
    with pytest.raises(InputError, match="at least one trusted public key and one accepted audience"):
        TokenVerifier([], [AUDIENCE])
