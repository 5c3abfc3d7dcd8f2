"""DSS access tokens: RS256 JWTs signed by a trusted key, for an accepted audience, with F3548 scopes.

The caller (``sub``) is the USS that manages what it writes. Scopes per endpoint follow F3548-21 and InterUSS's DSS:
see `SC`, `CM`, `CP`, `AA` and the routers. Verified tokens are cached until they expire (verifying RS256 costs
more than the rest of a small request).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from uas_standards.astm.f3548.v21.constants import Scope

from commonsky.errors import InputError
from commonsky.service.dss.errors import DssError

SC = Scope.StrategicCoordination
CM = Scope.ConstraintManagement
CP = Scope.ConstraintProcessing
CMSA = Scope.ConformanceMonitoringForSituationalAwareness
AA = Scope.AvailabilityArbitration
_CACHE_SIZE = 4_096


@dataclass(frozen=True)
class Caller:
    """An authenticated USS: its id (the token's ``sub``) and the scopes it was granted."""

    manager: str
    scopes: frozenset[str]
    expires_s: float


class TokenVerifier:
    """Checks bearer tokens against trusted public keys and accepted audiences. Thread-safe."""

    def __init__(self, public_keys_pem: list[bytes], audiences: list[str]) -> None:
        if not public_keys_pem or not audiences:
            raise InputError("the DSS needs at least one trusted public key and one accepted audience")
        self._keys = [load_pem_public_key(pem) for pem in public_keys_pem]
        self._audiences = list(audiences)
        self._cache: OrderedDict[str, Caller] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def from_files(paths: list[str], audiences: list[str]) -> TokenVerifier:
        pems = []
        for path in paths:
            try:
                pems.append(Path(path).read_bytes())
            except OSError as error:
                raise InputError(f"DSS public key {path}: {error.strerror or error}") from None
        try:
            return TokenVerifier(pems, audiences)
        except (ValueError, TypeError) as error:
            raise InputError(f"DSS public key: not a PEM public key ({error})") from None

    def caller(self, authorization: str | None) -> Caller:
        """The caller named by an ``Authorization: Bearer ...`` header; `DssError` 401 if it is not valid."""
        if not authorization or not authorization.lower().startswith("bearer "):
            raise DssError(401, "missing bearer access token")
        token = authorization[7:].strip()
        with self._lock:
            cached = self._cache.get(token)
        if cached is not None and cached.expires_s > time.time():
            return cached
        caller = self._verify(token)
        with self._lock:
            self._cache[token] = caller
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return caller

    def _verify(self, token: str) -> Caller:
        claims = None
        problem = "no trusted key"
        for key in self._keys:
            try:
                claims = jwt.decode(
                    token,
                    key,  # type: ignore[arg-type]
                    algorithms=["RS256"],
                    audience=self._audiences,
                    options={"require": ["exp", "sub"]},
                )
                break
            except jwt.InvalidSignatureError:
                problem = "signature not from a trusted key"
            except jwt.PyJWTError as error:
                raise DssError(401, f"invalid access token: {error}") from None
        if claims is None:
            raise DssError(401, f"invalid access token: {problem}")
        scopes = claims.get("scope", "")
        if not isinstance(scopes, str):
            raise DssError(401, "invalid access token: scope must be a space-separated string")
        return Caller(str(claims["sub"]), frozenset(scopes.split()), float(claims["exp"]))


def require_scope(caller: Caller, *allowed: Scope) -> None:
    """`DssError` 403 unless the caller holds one of ``allowed``."""
    if not any(scope.value in caller.scopes for scope in allowed):
        names = " or ".join(scope.value for scope in allowed)
        raise DssError(403, f"this operation needs the scope {names}")
