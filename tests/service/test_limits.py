"""Bad input and abuse: size limits (413), F3548 vertex limit, one-line 422s, per-party rate limits (429),
settings that refuse unsafe values, and no secret in the logs."""

from __future__ import annotations

import logging
import math
from typing import Any

import pytest
from pydantic import ValidationError

from commonsky.service.examples import circle
from commonsky.service.limits import RateLimiter
from commonsky.service.settings import ServiceSettings


def _ring(n: int, lat: float = 33.75, lon: float = 45.0, radius_deg: float = 0.1) -> list[list[float]]:
    ring = [
        [lon + radius_deg * math.cos(2 * math.pi * k / n), lat + radius_deg * math.sin(2 * math.pi * k / n)]
        for k in range(n)
    ]
    return [*ring, ring[0]]


def _polygon(ring: list[list[float]]) -> dict[str, Any]:
    volume = circle(33.75, 45.0)
    volume["shape"] = {"type": "polygon", "geometry": {"type": "Polygon", "coordinates": [ring]}}
    return volume


@pytest.fixture
def world(make_client: Any, sqlite_url: str) -> Any:
    client, party = make_client(sqlite_url, max_body_bytes=300_000)
    return client, party("usaf", "operator")


def test_oversized_bodies_are_413_announced_or_streamed(world: Any) -> None:
    client, usaf = world
    big = b'{"volumes": [' + b" " * 400_000 + b"]}"
    announced = client.post("/intents", content=big, headers={**usaf.headers, "content-type": "application/json"})
    assert announced.status_code == 413 and "300000 bytes" in announced.json()["detail"]
    streamed = client.post(
        "/intents", content=iter([big[:100_000]] * 4), headers={**usaf.headers, "content-type": "application/json"}
    )
    assert streamed.status_code == 413


def test_vertex_limit_as_f3548(make_client: Any, sqlite_url: str) -> None:
    client, party = make_client(sqlite_url)  # default 4 MB body: the vertex rule is what refuses
    usaf = party("usaf", "operator")
    at_limit = client.post("/intents", json={"volumes": [_polygon(_ring(9_999))]}, headers=usaf.headers)
    assert at_limit.status_code == 201, at_limit.text[:300]
    over = client.post(
        "/intents", json={"volumes": [_polygon(_ring(5_000)), _polygon(_ring(5_001, lat=20.0))]}, headers=usaf.headers
    )
    assert over.status_code == 413 and over.json()["detail"] == "10003 vertices: at most 10000 per intent"


@pytest.mark.parametrize(
    "body,where",
    [
        ({"volumes": [circle(33.75, 45.0)], "colour": "red"}, "body.colour: Extra inputs are not permitted"),
        ({"volumes": [{**circle(33.75, 45.0), "floor": "FL300", "ceiling": "FL200"}]}, "volumes[0]"),
        ({"volumes": [_polygon([[45, 33], [46, 34], [46, 33], [45, 34], [45, 33]])]}, "invalid geometry"),
        ({"volumes": [_polygon([[45, 33], [46, 33], [45, 33]])]}, "volumes[0].shape.geometry"),
        ({"volumes": [{**circle(33.75, 45.0), "end": "2014-12-01T05:00:00Z"}]}, "end is not after start"),
        ({"volumes": [{**circle(33.75, 45.0), "floor": "12 parsecs"}]}, "cannot read altitude"),
        ({"volumes": [circle(95.0, 45.0)]}, "body.volumes[0].shape.circle.centre.coordinates[1]"),
        ({"volumes": []}, "body.volumes"),
    ],
)
def test_invalid_input_is_422_with_one_line(world: Any, body: dict[str, Any], where: str) -> None:
    client, usaf = world
    response = client.post("/intents", json=body, headers=usaf.headers)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail and where in detail, detail


def test_non_finite_numbers_are_422(world: Any) -> None:
    client, usaf = world
    for raw in (
        '{"volumes": [], "priority": NaN}',
        '{"volumes": [{"shape": {"type": "circle", "centre": [33, 45], "radius_m": Infinity}}]}',
    ):
        response = client.post("/intents", content=raw, headers={**usaf.headers, "content-type": "application/json"})
        assert response.status_code == 422 and "\n" not in response.json()["detail"]


def test_rate_limit_is_per_party(make_client: Any, sqlite_url: str) -> None:
    client, party = make_client(sqlite_url, rate_per_s=0.5, rate_burst=3)
    usaf, iqaf = party("usaf", "operator"), party("iqaf", "operator")
    codes = [client.get("/parties/me", headers=usaf.headers).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    refused = client.get("/parties/me", headers=usaf.headers)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert client.get("/parties/me", headers=iqaf.headers).status_code == 200


def test_token_bucket_refills_at_its_rate() -> None:
    bucket = RateLimiter(rate_per_s=2.0, burst=2)
    assert [bucket.take("a", now=0.0) for _ in range(3)] == [0.0, 0.0, pytest.approx(0.5)]
    assert bucket.take("a", now=0.5) == 0.0 and bucket.take("a", now=0.5) > 0
    assert bucket.take("b", now=0.5) == 0.0


def test_no_secret_in_logs(make_client: Any, sqlite_url: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client, party = make_client(sqlite_url)
    authority = party("icao", "authority")
    created = client.post("/parties", json={"name": "usaf", "role": "operator"}, headers=authority.headers).json()
    key = created["key"]["key"]
    client.get("/parties/me", headers={"Authorization": f"Bearer {key}"})
    client.get("/parties/me", headers={"Authorization": f"Bearer {key}x"})  # a wrong key, also never logged
    client.post("/intents", json={"volumes": [circle(33.75, 45.0)]}, headers={"Authorization": f"Bearer {key}"})
    logged = caplog.text + "\n".join(str(r.__dict__) for r in caplog.records)
    for secret in (key, key[21:], authority.key, authority.key[21:]):  # csk_ + 16 hex + _ = 21 characters
        assert secret not in logged


def test_settings_refuse_unsafe_values() -> None:
    for bad in (
        {"host": "0.0.0.0"},
        {"database_url": "sqlite:///:memory:"},
        {"database_url": "mysql://x/y"},
        {"database_url": "not a url"},
        {"max_vertices_per_intent": 0},
        {"admin_key": "x" * 40},
    ):
        with pytest.raises(ValidationError):
            ServiceSettings(**bad)  # type: ignore[arg-type]
    assert ServiceSettings(host="0.0.0.0", allow_remote=True).host == "0.0.0.0"
    masked = ServiceSettings(database_url="postgresql+psycopg://u:hunter2@127.0.0.1/db").safe_database_url()
    assert "hunter2" not in masked and "***" in masked
