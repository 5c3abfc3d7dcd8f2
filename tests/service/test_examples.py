"""Usable by a new party: every request body has an example in the OpenAPI and in docs/broker.md, each accepted by
its model, and a new operator can follow them end to end against a live broker."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from commonsky.airspace.formats.ed318 import read_ed318
from commonsky.service import schemas

ROOT = Path(__file__).resolve().parents[2]


def _request_models(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Model name -> its component schema, for every request body of the API (a body without a model, given
    inline, by its title)."""
    found = {}
    for operations in spec["paths"].values():
        for operation in operations.values():
            body = operation.get("requestBody")
            if body:
                schema = body["content"]["application/json"]["schema"]
                if "$ref" in schema:
                    name = schema["$ref"].rsplit("/", 1)[1]
                    found[name] = spec["components"]["schemas"][name]
                else:
                    found[schema["title"]] = schema
    return found


def _accept(name: str, example: Any) -> None:
    """``example`` read by what reads the body ``name``: its model, or for an ED-318 collection its reader."""
    if name == "Ed318Collection":
        assert read_ed318(example, "example").zones
    else:
        getattr(schemas, name).model_validate(example)


def test_every_request_body_has_an_example_its_model_accepts(make_client: Any, sqlite_url: str) -> None:
    client, _ = make_client(sqlite_url)
    models = _request_models(client.get("/openapi.json").json())
    assert {"PartyIn", "ZoneIn", "ZoneUpdate", "IntentIn", "IntentCheck", "IntentUpdate", "StateChange"} <= set(models)
    for name, schema in models.items():
        assert schema.get("examples"), f"{name} has no example"
        for example in schema["examples"]:
            _accept(name, example)


def test_docs_give_every_body_and_each_is_accepted(make_client: Any, sqlite_url: str) -> None:
    client, _ = make_client(sqlite_url)
    models = set(_request_models(client.get("/openapi.json").json()))
    text = (ROOT / "docs" / "broker.md").read_text()
    blocks = re.findall(r"`(POST|PUT) ([^`]+)` \((\w+)\)[^\n]*\n\n```json\n(.*?)\n```", text, re.DOTALL)
    documented = {model for _, _, model, _ in blocks}
    assert models <= documented, f"not in docs/broker.md: {sorted(models - documented)}"
    for _, _, model, body in blocks:
        _accept(model, json.loads(body))


def test_a_new_party_can_follow_the_examples(make_client: Any, sqlite_url: str) -> None:
    from commonsky.service.examples import requests

    client, party = make_client(sqlite_url)
    caa = party("caa", "authority")
    bodies = requests()
    made = client.post("/parties", json=bodies["PartyIn"], headers=caa.headers)
    assert made.status_code == 201, made.text
    me = {"Authorization": f"Bearer {made.json()['key']['key']}"}
    zone = client.post("/zones", json=bodies["ZoneIn"], headers=caa.headers)
    assert zone.status_code == 201, zone.text
    moved = {**bodies["ZoneUpdate"], "version": zone.json()["version"]}
    assert client.put(f"/zones/{zone.json()['id']}", json=moved, headers=caa.headers).status_code == 200
    check = client.post("/intents/check", json=bodies["IntentCheck"], headers=me)
    assert check.status_code == 200 and check.json()["accepted"], check.text
    filed = client.post("/intents", json=bodies["IntentIn"], headers=me)
    assert filed.status_code == 201 and filed.json()["accepted"], filed.text
    intent = filed.json()["intent"]
    update = {**bodies["IntentUpdate"], "version": intent["version"]}
    changed = client.put(f"/intents/{intent['id']}", json=update, headers=me)
    assert changed.status_code == 200 and changed.json()["accepted"], changed.text
    state = {**bodies["StateChange"], "version": changed.json()["intent"]["version"]}
    flown = client.put(f"/intents/{intent['id']}/state", json=state, headers=me)
    assert flown.status_code == 200 and flown.json()["intent"]["state"] == "activated", flown.text
