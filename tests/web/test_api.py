"""The live picture API: every route, the clock controls, the WebSocket stream, and 4xx on bad input."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import PurePosixPath

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from commonsky.sim.runner import LiveRunner
from commonsky.web.api import mount_live
from commonsky.web.app import create_live_app
from commonsky.web.layers import LAYERS
from commonsky.web.static_files import static_dir

T0633 = 1_417_501_980.0
STATIC = static_dir()


@pytest.fixture()
def client(runner: LiveRunner) -> Iterator[TestClient]:
    with TestClient(create_live_app(runner, name="Diyala test")) as c:
        yield c


def wait_for(client: TestClient, cond: object, timeout_s: float = 20.0) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout_s
    while True:
        status = client.get("/api/status").json()
        if cond(status) or time.monotonic() > deadline:  # type: ignore[operator]
            return status  # type: ignore[no-any-return]
        time.sleep(0.1)


def test_status_describes_the_run(client: TestClient) -> None:
    status = client.get("/api/status").json()
    assert status["scenario"] == "Diyala test"
    assert {s["kind"] for s in status["sensors"]} >= {"radar", "adsb", "aew"}
    assert status["clock"]["start_iso"] == "2014-12-02T00:00:00Z"
    assert status["clock"]["time_s"] >= T0633


def test_status_serves_the_map_its_units_trails_and_first_view(client: TestClient, runner: LiveRunner) -> None:
    status = client.get("/api/status").json()
    ft_m, nm_m = 0.3048, 1852.0  # by definition (international foot, nautical mile)
    assert status["units"] == pytest.approx({"ft_m": ft_m, "kt_ms": nm_m / 3600.0, "nm_m": nm_m, "fpm_ms": ft_m / 60})
    assert status["units"]["kt_ms"] == pytest.approx(0.514444, abs=1e-6)
    config = runner.pipeline.config
    assert status["trail"] == {"step_s": config.trail_step_s, "points": config.trail_len}
    view = status["view"]
    for intent in runner.pipeline.plan.intents:  # every intent of the scenario is framed
        for volume in intent.volumes:
            w, s, e, n = volume.footprint.bounds
            assert view["west"] <= w + 1e-4 and view["south"] <= s + 1e-4, intent.id
            assert view["east"] >= e - 1e-4 and view["north"] >= n - 1e-4, intent.id
    # ... and no more than the region: the Diyala scenario lies in Iraq, about 10 x 9 degrees
    assert view["east"] - view["west"] < 15.0 and view["north"] - view["south"] < 15.0


def test_tracks_and_trails(client: TestClient) -> None:
    wait_for(client, lambda s: s["tracks"] >= 3 and s["clock"]["time_s"] > T0633 + 40)
    body = client.get("/api/picture/tracks", params={"trail": True}).json()
    assert body["count"] == len(body["tracks"]) >= 3
    track = body["tracks"][0]
    assert set(track) >= {"id", "lat", "lon", "alt_m", "gs_ms", "trk_deg", "party", "intent", "label", "trail"}
    assert any(t["trail"] for t in body["tracks"])
    assert all(len(p) == 2 for t in body["tracks"] for p in t["trail"])
    assert all(t["label"] for t in body["tracks"])
    # every track says its correlation status: one with a party is matched (or off its intent), none unknown
    statuses = {"matched", "pending", "unknown", "outside", "non-conforming"}
    assert all(t["status"] in statuses and t["on_ground"] is False for t in body["tracks"])
    assert all(t["status"] != "unknown" for t in body["tracks"] if t["party"])
    plain = client.get("/api/picture/tracks").json()
    assert all(t["trail"] == [] for t in plain["tracks"])


def test_alerts_rise(client: TestClient) -> None:
    deadline = time.monotonic() + 30.0
    body = client.get("/api/picture/alerts").json()
    while not any(a["kind"] == "conflict" for a in body["alerts"]) and time.monotonic() < deadline:
        time.sleep(0.2)
        body = client.get("/api/picture/alerts").json()
    assert body["count"] == len(body["alerts"]) > 0
    conflict = next(a for a in body["alerts"] if a["kind"] == "conflict")
    assert len(conflict["subjects"]) == 2 and conflict["alert_id"] > 0 and conflict["tcpa_s"] is not None
    assert any(e["kind"] == "raised" for e in body["events"])
    unknown = [a for a in body["alerts"] if a["kind"] == "unknown"]
    assert unknown and all(a["alert_id"] < 0 and a["subjects"][0].startswith("T") for a in unknown)


def test_clock_controls(client: TestClient) -> None:
    assert client.get("/api/clock").json()["speed"] == 20.0
    paused = client.post("/api/clock/pause").json()
    assert paused["paused"] is True
    time.sleep(0.2)
    assert client.get("/api/clock").json()["time_s"] == paused["time_s"]
    assert client.post("/api/clock/resume").json()["paused"] is False
    assert client.post("/api/clock/speed", json={"speed": 60}).json()["speed"] == 60.0
    jumped = client.post("/api/clock/jump", json={"time": "2014-12-02T09:15:00Z"}).json()
    assert jumped["time_iso"] in ("2014-12-02T09:15:00Z", "2014-12-02T09:15:01Z")
    by_number = client.post("/api/clock/jump", json={"time": str(T0633)}).json()
    assert by_number["time_s"] == pytest.approx(T0633, abs=2.0)
    status = wait_for(client, lambda s: abs(s["clock"]["time_s"] - T0633) < 60 and s["seq"] > 0)
    assert status["clock"]["time_s"] < T0633 + 120


@pytest.mark.parametrize("body", [{"speed": 0}, {"speed": -3}, {"speed": "fast"}, {"speed": 1e9}, {}])
def test_bad_speed_is_422(client: TestClient, body: dict) -> None:  # type: ignore[type-arg]
    response = client.post("/api/clock/speed", json=body)
    assert response.status_code == 422
    assert client.get("/api/clock").json()["speed"] == 20.0


@pytest.mark.parametrize("when", ["yesterday", "2014-13-45T00:00:00Z", "2015-01-01T00:00:00Z", "nan", ""])
def test_bad_jump_is_422(client: TestClient, when: str) -> None:
    before = client.get("/api/clock").json()["time_s"]
    response = client.post("/api/clock/jump", json={"time": when})
    assert response.status_code == 422, response.text
    assert abs(client.get("/api/clock").json()["time_s"] - before) < 60


def test_layers(client: TestClient) -> None:
    assert client.get("/api/layers").json() == list(LAYERS)
    for name in LAYERS:
        body = client.get(f"/api/layers/{name}").json()
        assert body["type"] == "FeatureCollection", name
        assert body["features"], name
    zones = client.get("/api/layers/zones").json()["features"]
    assert {z["properties"]["kind"] for z in zones} == {"buffer", "prohibited", "advisory"}
    places = {f["properties"]["name"] for f in client.get("/api/layers/places").json()["features"]}
    assert {"Baqubah", "Kermanshah"} <= places
    countries = {f["properties"]["iso3"] for f in client.get("/api/layers/countries").json()["features"]}
    assert {"IRQ", "IRN"} <= countries
    borders = {
        (f["properties"]["a"], f["properties"]["b"]) for f in client.get("/api/layers/border").json()["features"]
    }
    assert ("IRN", "IRQ") in borders
    low = client.get("/api/layers/coverage", params={"alt_ft": 500}).json()["features"]
    high = client.get("/api/layers/coverage", params={"alt_ft": 30000}).json()["features"]
    assert {f["properties"]["kind"] for f in high} == {"radar", "adsb"}
    assert low != high


def test_bad_layer_requests(client: TestClient) -> None:
    assert client.get("/api/layers/weather").status_code == 404
    assert client.get("/api/layers/coverage", params={"alt_ft": -5}).status_code == 422
    assert client.get("/api/layers/coverage", params={"alt_ft": "high"}).status_code == 422
    assert client.get("/api/picture/tracks", params={"trail": "maybe"}).status_code == 422


def test_websocket_streams_new_pictures(client: TestClient) -> None:
    with client.websocket_connect("/ws/picture") as ws:
        first = ws.receive_json()
        second = ws.receive_json()
    assert first["type"] == "picture" and second["seq"] > first["seq"]
    assert second["time_s"] >= first["time_s"]
    columns = second["tracks"]
    assert len({len(v) for v in columns.values()}) == 1
    assert set(columns) >= {"id", "lat", "lon", "alt_m", "party", "label"}
    assert second["alert_count"] >= len(second["alerts"])
    assert {"work_ms", "truth", "plots"} <= set(second["stats"])


def test_page_and_assets(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "maplibre-gl.js" in page.text
    assert '<script type="module" src="/static/app.js">' in page.text
    modules = sorted(p.relative_to(STATIC).as_posix() for p in STATIC.rglob("*.js") if "vendor" not in p.parts)
    assert "app.js" in modules and len(modules) > 5
    for asset in (*modules, "style.css", "vendor/maplibre-gl.js", "vendor/maplibre-gl.css"):
        assert client.get(f"/static/{asset}").status_code == 200, asset
    for own in ("/", "/static/style.css", *(f"/static/{m}" for m in modules)):  # no CDN, no tile server
        assert not re.search(r"(https?|wss?)://[a-z0-9]", client.get(own).text), own
    imported = set()
    for m in modules:  # every relative import resolves to a served module
        for target in re.findall(r'^import .* from "(\./[^"]+)";$', client.get(f"/static/{m}").text, re.M):
            imported.add((PurePosixPath(m).parent / target).as_posix().removeprefix("./"))
    assert imported == set(modules) - {"app.js"}


def test_openapi_documents_every_route(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/status",
        "/api/picture/tracks",
        "/api/picture/alerts",
        "/api/clock",
        "/api/clock/pause",
        "/api/clock/resume",
        "/api/clock/speed",
        "/api/clock/jump",
        "/api/layers",
        "/api/layers/{name}",
    ):
        assert path in paths, path
        op = next(iter(paths[path].values()))
        assert op["summary"] and "200" in op["responses"], path
    assert {"TrackOut", "AlertOut", "ClockOut", "SpeedIn", "JumpIn"} <= set(spec["components"]["schemas"])


def test_mount_live_on_another_app(runner: LiveRunner) -> None:
    app = FastAPI()
    mount_live(app, runner)
    with TestClient(app) as c:
        assert c.get("/api/clock").json()["time_s"] == pytest.approx(T0633, abs=120.0)
        assert c.get("/api/picture/tracks").status_code == 200


def test_routes_without_a_live_run_say_so() -> None:
    from commonsky.web.api import live_router

    app = FastAPI()
    app.include_router(live_router())
    with TestClient(app) as c:
        assert c.get("/api/clock").status_code == 503


def test_mount_live_applies_the_caller_s_guard(runner: LiveRunner) -> None:
    from fastapi import Depends, Header, HTTPException

    def observer(x_api_key: str = Header(default="")) -> None:
        if x_api_key != "observer-key":
            raise HTTPException(401, "observer key required")

    app = FastAPI()
    mount_live(app, runner, dependencies=[Depends(observer)], page=False)
    with TestClient(app) as c:
        assert c.get("/api/clock").status_code == 401
        assert c.get("/api/clock", headers={"x-api-key": "observer-key"}).status_code == 200
        assert c.get("/").status_code == 404
