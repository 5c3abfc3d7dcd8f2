"""Zones through the API (`service.routers.zones`): the authority creates, replaces (at the current version: 409
with the current zone otherwise), deletes and imports ED-318; everyone reads; an operator writes nothing."""

from __future__ import annotations

from typing import Any

from commonsky.service.examples import ed318_collection, zone_feature


def test_zone_writes_and_reads(make_client: Any, sqlite_url: str) -> None:
    client, party = make_client(sqlite_url)
    caa, ops = party("caa", "authority"), party("ops", "operator")
    feature = zone_feature("TMA", 44.5, 33.6, 44.8, 33.9)
    assert client.post("/zones", json={"feature": feature}, headers=ops.headers).status_code == 403
    made = client.post("/zones", json={"feature": feature}, headers=caa.headers)
    assert made.status_code == 201
    zone = made.json()
    assert client.get(f"/zones/{zone['id']}", headers=ops.headers).json() == zone | {"affected": 0}
    lower = zone_feature("TMA", 44.5, 33.6, 44.8, 33.9, ceiling="FL100")
    replaced = client.put(
        f"/zones/{zone['id']}", json={"feature": lower, "version": zone["version"]}, headers=caa.headers
    )
    assert replaced.status_code == 200 and replaced.json()["version"] != zone["version"]
    stale = client.put(
        f"/zones/{zone['id']}", json={"feature": feature, "version": zone["version"]}, headers=caa.headers
    )
    assert stale.status_code == 409
    assert client.get(f"/zones/{zone['id']}", headers=ops.headers).json()["version"] == replaced.json()["version"]
    imported = client.post("/zones/ed318", json=ed318_collection(), headers=caa.headers)
    assert imported.status_code == 201 and len(imported.json()["zones"]) == 1
    assert len(client.get("/zones", headers=ops.headers).json()) == 2
    assert (
        client.delete(f"/zones/{zone['id']}", params={"version": zone["version"]}, headers=caa.headers).status_code
        == 409
    )
    assert (
        client.delete(
            f"/zones/{zone['id']}", params={"version": replaced.json()["version"]}, headers=ops.headers
        ).status_code
        == 403
    )
    assert (
        client.delete(
            f"/zones/{zone['id']}", params={"version": replaced.json()["version"]}, headers=caa.headers
        ).status_code
        == 204
    )
    assert client.get(f"/zones/{zone['id']}", headers=ops.headers).status_code == 404
    assert client.post(
        "/zones/ed318", json={"type": "FeatureCollection", "features": [{}]}, headers=caa.headers
    ).status_code in (400, 422)
    assert len(client.get("/zones", headers=ops.headers).json()) == 1
