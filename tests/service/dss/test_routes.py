"""The ``/dss/v1`` routes (`service.dss.routes`): every route asks for a token (401), grants only the scopes F3548
gives it (403 for every other scope, and a token with an allowed scope gets past the gate), reads a JSON body where
it needs one (one-line 400 otherwise), and answers errors as F3548's ErrorResponse."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from uas_standards.astm.f3548.v21.constants import Scope

from .test_dss_api import token

SC, CM, CP, CMSA, AA = (
    Scope.StrategicCoordination.value,
    Scope.ConstraintManagement.value,
    Scope.ConstraintProcessing.value,
    Scope.ConformanceMonitoringForSituationalAwareness.value,
    Scope.AvailabilityArbitration.value,
)
ALL = {SC, CM, CP, CMSA, AA}
ID = str(uuid.uuid4())
ROUTES: list[tuple[str, str, set[str]]] = [
    ("POST", "/operational_intent_references/query", {SC, CMSA}),
    ("GET", f"/operational_intent_references/{ID}", {SC, CMSA}),
    ("PUT", f"/operational_intent_references/{ID}", {SC}),
    ("PUT", f"/operational_intent_references/{ID}/ovn", {SC}),
    ("DELETE", f"/operational_intent_references/{ID}/ovn", {SC}),
    ("POST", "/constraint_references/query", {CM, CP}),
    ("GET", f"/constraint_references/{ID}", {CM, CP}),
    ("PUT", f"/constraint_references/{ID}", {CM}),
    ("PUT", f"/constraint_references/{ID}/ovn", {CM}),
    ("DELETE", f"/constraint_references/{ID}/ovn", {CM}),
    ("POST", "/subscriptions/query", {SC, CP}),
    ("GET", f"/subscriptions/{ID}", {SC, CP}),
    ("PUT", f"/subscriptions/{ID}", {SC, CP}),
    ("PUT", f"/subscriptions/{ID}/v1", {SC, CP}),
    ("DELETE", f"/subscriptions/{ID}/v1", {SC, CP}),
    ("GET", "/uss_availability/uss1", {SC, AA}),
    ("PUT", "/uss_availability/uss1", {AA}),
    ("POST", "/reports", ALL),
]


def _call(dss: TestClient, method: str, path: str, headers: dict[str, str], body: Any = None) -> Any:
    return dss.request(method, "/dss/v1" + path, headers=headers, json=body if method in ("PUT", "POST") else None)


@pytest.mark.parametrize(("method", "path", "allowed"), ROUTES)
def test_each_route_grants_only_its_scopes(
    dss: TestClient, signer: rsa.RSAPrivateKey, method: str, path: str, allowed: set[str]
) -> None:
    assert _call(dss, method, path, {}, {}).status_code == 401
    others = " ".join(sorted(ALL - allowed))
    if others:
        refused = _call(dss, method, path, token(signer, "uss1", scope=others), {})
        assert refused.status_code == 403 and "needs the scope" in refused.json()["message"]
    for scope in allowed:
        assert _call(dss, method, path, token(signer, "uss1", scope=scope), {}).status_code not in (401, 403)


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p, _ in ROUTES if m in ("PUT", "POST")])
def test_bodies_must_be_json(dss: TestClient, signer: rsa.RSAPrivateKey, method: str, path: str) -> None:
    headers = token(signer, "uss1", scope=" ".join(ALL))
    empty = dss.request(method, "/dss/v1" + path, headers=headers)
    garbled = dss.request(
        method, "/dss/v1" + path, headers=headers | {"Content-Type": "application/json"}, content=b"{oops"
    )
    assert (empty.status_code, empty.json()["message"]) == (400, "a JSON body is required")
    assert (garbled.status_code, garbled.json()["message"]) == (400, "the body is not JSON")


def test_reports_are_acknowledged_and_health_is_open(dss: TestClient, signer: rsa.RSAPrivateKey) -> None:
    headers = token(signer, "uss1", scope=CMSA)
    made = _call(dss, "POST", "/reports", headers, {"exchange": {"url": "https://x"}})
    assert made.status_code == 201 and uuid.UUID(made.json()["report_id"])
    assert _call(dss, "POST", "/reports", headers, {"no": "exchange"}).status_code == 400
    assert dss.get("/dss/v1/healthy").json() == {"status": "ok"}
