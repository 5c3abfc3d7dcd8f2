"""The broker's state is the picture's state: `commonsky run` (its own process, or its app on a port of this one)
while it runs.

An intent filed through the API makes the unidentified aircraft flying in it correlate; an intent filed near an
unidentified aircraft tells its owner; a zone created by the authority raises the incursion warning on the map and
tells the aircraft's owner, and no one else; a withdrawn zone leaves the map. On PostgreSQL the same holds across
two service instances (the write on one, the picture on the other)."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from commonsky.service.examples import box, zone_feature
from commonsky.service.seed import Seeded
from commonsky.service.settings import ServiceSettings
from commonsky.sim.assembly import scenario_truth
from commonsky.sim.clock import iso_utc
from commonsky.sim.run_config import RunConfig
from commonsky.sim.runner import make_runner
from commonsky.sim.scenario import Scenario
from commonsky.sim.truth import TruthFlight, TruthSet
from commonsky.web.app import create_run_app
from commonsky.web.serving import ServerThread, free_port

from .conftest import wait_until

ROOT = Path(__file__).resolve().parents[2]
T0633 = 1_417_501_980.0
WAIT_S = 30.0  # how long to wait for the picture (a functional limit, not a measured latency)


def _until(what: str, probe: Callable[[], Any]) -> Any:
    return wait_until(what, probe, WAIT_S, every_s=0.1)


def _box(lat: float, lon: float, half_deg: float, floor: str, ceiling: str, t0: float, t1: float) -> dict[str, Any]:
    return box(lon - half_deg, lat - half_deg, lon + half_deg, lat + half_deg, floor, ceiling, iso_utc(t0), iso_utc(t1))


class Live:
    """A served run: its base URL and HTTP client, the seeded parties' keys (name -> key), the truth it flies."""

    def __init__(self, url: str, keys: dict[str, str], truth: TruthSet) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=20.0)
        self.keys = keys
        self.truth = truth

    def key(self, party: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[party]}"}

    def flight(self, flight_id: str) -> TruthFlight:
        return next(fl for fl in self.truth.flights if fl.flight_id == flight_id)

    def where(self, flight: TruthFlight, t_s: float) -> tuple[float, float]:
        pos = flight.position_m(t_s)
        lat, lon = self.truth.frame.to_geodetic(float(pos[0]), float(pos[1]))
        return float(lat), float(lon)

    def track_of(self, flight: TruthFlight) -> dict[str, Any] | None:
        """The track within 3 km of ``flight``'s true position at the picture's time, if any."""
        answer = self.http.get("/api/picture/tracks").json()
        lat, lon = self.where(flight, answer["time_s"])
        near = [(math.hypot((t["lat"] - lat) * 111e3, (t["lon"] - lon) * 93e3), t) for t in answer["tracks"]]
        near = [(d, t) for d, t in near if d < 3_000.0]
        return min(near, key=lambda x: x[0])[1] if near else None

    def file(self, party: dict[str, str], volumes: list[dict[str, Any]], priority: int) -> dict[str, Any]:
        key = self.http.post("/intents/check", json={"volumes": volumes, "priority": priority}, headers=party)
        body = {"volumes": volumes, "priority": priority, "key": key.json()["key"]}
        filed = self.http.post("/intents", json=body, headers=party)
        assert filed.status_code == 201, filed.text
        decision: dict[str, Any] = filed.json()
        assert decision["accepted"], decision
        return decision

    @contextmanager
    def notifications(self, party: str | dict[str, str]) -> Iterator[ClientConnection]:
        url = self.url.replace("http://", "ws://") + "notifications"
        with connect(url, additional_headers=self.key(party) if isinstance(party, str) else party) as socket:
            assert json.loads(socket.recv(timeout=10.0))["type"] == "hello"
            yield socket


def _heard(socket: ClientConnection, match: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The first message on ``socket`` that ``match``es (waiting at most `WAIT_S`)."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        try:
            message: dict[str, Any] = json.loads(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
        except TimeoutError:
            break
        if match(message):
            return message
    pytest.fail("the party never heard the alert")


def _drain(socket: ClientConnection) -> list[dict[str, Any]]:
    out = []
    while True:
        try:
            out.append(json.loads(socket.recv(timeout=0.5)))
        except TimeoutError:
            return out


@contextmanager
def _served(diyala: Scenario, settings: ServiceSettings) -> Iterator[Live]:
    """`commonsky run`'s app in this process, on a free port."""
    runner = make_runner(diyala, RunConfig(), speed=5.0, start_s=T0633)
    seeded: list[Seeded] = []
    assert runner.pipeline.truth is not None
    with ServerThread(create_run_app(runner, diyala, settings, on_seeded=seeded.append)) as server:
        live = Live(server.url, {s.party.name: s.key for s in seeded[0].parties}, runner.pipeline.truth)
        try:
            yield live
        finally:
            live.http.close()


@contextmanager
def _commonsky_run(diyala: Scenario, tmp_path: Path) -> Iterator[Live]:
    """``commonsky run`` itself, in its own process, on a free port; keys from the file it names."""
    port = free_port()
    log = tmp_path / "run.log"
    command = [sys.executable, "-m", "commonsky.cli", "run", str(diyala.path), "--port", str(port)]
    command += ["--speed", "5", "--start", iso_utc(T0633), "--db", str(tmp_path / "run.db")]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        url = f"http://127.0.0.1:{port}/"

        def keys_file() -> Path | None:
            found = re.search(r"API keys in (\S+)", log.read_text())
            return Path(found.group(1)) if found and process.poll() is None else None

        path = _until("commonsky run to seed the broker and name its keys file", keys_file)
        keys = {name: key for name, _, key in (line.split() for line in path.read_text().splitlines())}
        _until("the map to answer", lambda: httpx.get(url + "api/status", timeout=2.0).status_code == 200)
        live = Live(url, keys, scenario_truth(diyala, RunConfig()))  # the truth `commonsky run` flies by default
        try:
            yield live
        finally:
            live.http.close()
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.slow
def test_an_intent_filed_while_commonsky_run_is_live_correlates_its_flight(diyala: Scenario, tmp_path: Path) -> None:
    with _commonsky_run(diyala, tmp_path) as live:
        survey = live.http.post("/parties", json={"name": "survey", "role": "operator"}, headers=live.key("authority"))
        assert survey.status_code == 201, survey.text
        key = {"Authorization": f"Bearer {survey.json()['key']['key']}"}
        # an operator files above 50 only by the authority's grant (issue 11)
        grant = {"max_priority": 100, "budget_units": 200_000.0}
        granted = live.http.put("/parties/survey/grant", json=grant, headers=live.key("authority"))
        assert granted.status_code == 200, granted.text
        unk2, unk3 = live.flight("UNK-2"), live.flight("UNK-3")
        track = _until("UNK-2's track, unidentified", lambda: live.track_of(unk2))
        assert track["party"] == "" and track["intent"] == ""
        # UNK-2's pilot files: a box around where it flies for the next 15 minutes
        now = live.http.get("/api/clock").json()["time_s"]
        lat, lon = live.where(unk2, now + 300.0)
        filed = live.file(key, [_box(lat, lon, 0.15, "SFC", "2000 ft AGL", now - 60.0, now + 900.0)], 100)
        intent_id = filed["intent"]["id"]

        def correlated() -> dict[str, Any] | None:
            t = live.track_of(unk2)
            return t if t is not None and t["intent"] == intent_id else None

        track = _until("UNK-2 to correlate with the intent filed for it", correlated)
        assert track["party"] == "survey"
        layer = live.http.get("/api/layers/intents").json()
        assert intent_id in {f["properties"]["intent"] for f in layer["features"]}
        # an intent filed 8 km beside UNK-3 leaves it unidentified, and tells the intent's owner
        with live.notifications(key) as socket:
            now = live.http.get("/api/clock").json()["time_s"]
            lat3, lon3 = live.where(unk3, now)
            beside = live.file(key, [_box(lat3 + 0.12, lon3, 0.04, "SFC", "2000 ft AGL", now - 60.0, now + 600.0)], 100)
            mine = beside["intent"]["id"]

            def about_unk3(m: dict[str, Any]) -> bool:  # other unknowns may pass near it too (a rejected helicopter)
                near = m.get("unknown") and abs(m["unknown"]["lat"] - lat3) + abs(m["unknown"]["lon"] - lon3) < 0.1
                return m.get("kind") == "unknown-near-intent" and mine in m["key"] and bool(near)

            heard = _heard(socket, about_unk3)
            assert heard["action"] == "raised" and heard["intent"] == mine
            assert heard["distance_m"] < 10_000.0
        assert (live.track_of(unk3) or {}).get("party") == ""


def _incursion_and_withdrawal(live: Live, writer: httpx.Client) -> None:
    tanker = live.flight("coalition-tanker-west")
    track = _until("the tanker's track, correlated", lambda: (t := live.track_of(tanker)) and t["party"] and t)
    assert track["party"] == "coalition"
    with live.notifications("coalition") as mine, live.notifications("iran") as theirs:
        h = 0.3
        feature = zone_feature("Closed west", track["lon"] - h, track["lat"] - h, track["lon"] + h, track["lat"] + h)
        made = writer.post("/zones", json={"feature": feature}, headers=live.key("authority"))
        assert made.status_code == 201, made.text
        zone = made.json()

        def warned() -> list[dict[str, Any]]:
            alerts = live.http.get("/api/picture/alerts").json()["alerts"]
            return [a for a in alerts if a["kind"] == "incursion" and "Closed west" in json.dumps(a)]

        assert _until("the incursion warning on the map", warned)
        heard = _heard(mine, lambda m: m.get("type") == "alert" and m.get("kind") == "incursion")
        assert heard["zone"] == "Closed west" and heard["action"] == "raised" and heard["inside"] is True
        assert heard["aircraft"]["track"] == track["id"] and heard["aircraft"]["intent"] == "coalition-tanker-west"
        others = _drain(theirs)
        assert not [m for m in others if track["id"] in json.dumps(m) or "coalition" in json.dumps(m)]
        names = {f["properties"]["name"] for f in live.http.get("/api/layers/zones").json()["features"]}
        assert "Closed west" in names
        gone = writer.delete(f"/zones/{zone['id']}", params={"version": zone["version"]}, headers=live.key("authority"))
        assert gone.status_code == 204, gone.text

        def withdrawn() -> bool:
            layer = live.http.get("/api/layers/zones").json()
            return "Closed west" not in {f["properties"]["name"] for f in layer["features"]}

        assert _until("the withdrawn zone to leave the map", withdrawn)


@pytest.mark.slow
def test_a_zone_created_while_live_raises_the_incursion_warning(diyala: Scenario, tmp_path: Path) -> None:
    with _served(diyala, ServiceSettings(database_url=f"sqlite:///{tmp_path / 'run.db'}")) as live:
        _incursion_and_withdrawal(live, live.http)


@pytest.mark.slow
@pytest.mark.postgres
def test_a_zone_written_on_another_instance_reaches_the_picture(diyala: Scenario, pg_url: str) -> None:
    """Two instances behind one PostgreSQL: the authority writes on a plain broker, the picture runs on the other,
    and the parties listen on the first: zone in, alert out, both across instances."""
    from commonsky.service.app import create_app

    settings = ServiceSettings(database_url=pg_url)
    with (
        _served(diyala, settings) as live,
        ServerThread(create_app(settings)) as other,
        httpx.Client(base_url=other.url, timeout=20.0) as writer,
    ):
        live.url = other.url  # the parties' sockets go to the other instance too
        _incursion_and_withdrawal(live, writer)
