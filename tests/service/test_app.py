"""The broker's application (`service.app`): each kind of error reaches the client with its status and a one-line
``detail`` (validation errors located without union branch names, unknown ids echoed only so far, stale versions
with what is current, over-budget with a true ``Retry-After``); every app is separate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from commonsky.service.app import NOT_FOUND_ECHO, clip, one_line
from commonsky.service.examples import box, circle


def test_validation_errors_are_one_located_line() -> None:
    errors = [
        {"loc": ("body", "volumes", 0, "floor", "text"), "msg": "Value error,\n  altitude out of range"},
        {"loc": ("body", "priority"), "msg": "too big"},
    ]
    assert one_line(errors) == "body.volumes[0].floor: Value error, altitude out of range (and 1 more)"
    assert one_line([]) == "invalid request"
    assert len(one_line([{"loc": ("body",), "msg": "x" * 2_000}])) == 500
    long = "no intent " + "a" * 500
    assert clip(long) == long[: NOT_FOUND_ECHO + 7] + "..." and clip("short") == "short"


def test_each_error_has_its_status(make_client: Any, sqlite_url: str) -> None:
    client, party = make_client(sqlite_url, probe_budget_units=3_000.0)
    ops = party("ops", "operator")
    bad = client.post(
        "/intents/check", json={"volumes": [circle(33.5, 45.0) | {"floor": "FL9999"}]}, headers=ops.headers
    )
    assert (
        bad.status_code == 422
        and bad.json()["detail"].startswith("body.volumes[0].floor")
        and "text" not in bad.json()["detail"].split(":")[0]
    )
    unknown = client.get("/intents/" + "z" * 1_000, headers=ops.headers)
    assert unknown.status_code == 404 and len(unknown.json()["detail"]) <= NOT_FOUND_ECHO + 10
    made = client.post(
        "/intents", json={"volumes": [box(45.0, 33.0, 45.1, 33.1)], "key": []}, headers=ops.headers
    ).json()["intent"]
    moved = {"volumes": [box(45.0, 33.0, 45.2, 33.1)], "key": [], "version": "old"}
    stale = client.put(f"/intents/{made['id']}", json=moved, headers=ops.headers)
    assert stale.status_code == 409 and stale.json()["current_version"] == made["version"]
    assert stale.json()["current"]["id"] == made["id"]
    huge = {"volumes": [box(44.0, 32.0, 45.0, 33.0, end="2014-12-01T20:00:00Z")]}
    assert client.post("/intents/check", json=huge, headers=ops.headers).status_code == 413  # over a day's budget
    small = {"volumes": [box(45.0, 33.0, 45.25, 33.25)]}
    answers = [client.post("/intents/check", json=small, headers=ops.headers) for _ in range(3)]
    assert answers[0].status_code == 200 and answers[-1].status_code == 429  # the day's budget is spent
    assert int(answers[-1].headers["Retry-After"]) >= 1 and "probe budget" in answers[-1].json()["detail"]
    assert client.get("/health").json() == {"status": "ok"}


def test_every_app_is_separate(make_client: Any, tmp_path: Path) -> None:
    first, party_one = make_client(f"sqlite:///{tmp_path / 'one.db'}")
    second, _ = make_client(f"sqlite:///{tmp_path / 'two.db'}")
    ops = party_one("ops", "operator")
    assert first.get("/parties/me", headers=ops.headers).status_code == 200
    assert second.get("/parties/me", headers=ops.headers).status_code == 401
