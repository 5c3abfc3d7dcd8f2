"""The DSS's test keys: a module's signing key, the settings that make the DSS trust it, and a client on SQLite
whose DSS trusts it for the audience ``dss.test`` (tokens: `test_dss_api.token`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def trusting(key: rsa.RSAPrivateKey, folder: Path, audience: str) -> dict[str, tuple[str, ...]]:
    """Settings for a DSS that trusts the tokens ``key`` signs for ``audience`` (its public key, written to
    ``folder``/trusted.pem)."""
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    path = folder / "trusted.pem"
    path.write_bytes(pem)
    return {"dss_public_keys": (str(path),), "dss_audiences": (audience,)}


@pytest.fixture(scope="module")
def signer() -> rsa.RSAPrivateKey:
    """The key that signs the module's tokens."""
    return new_key()


@pytest.fixture
def dss(make_client: Any, sqlite_url: str, tmp_path: Path, signer: rsa.RSAPrivateKey) -> TestClient:
    client, _ = make_client(sqlite_url, **trusting(signer, tmp_path, "dss.test"))
    return client  # type: ignore[no-any-return]
