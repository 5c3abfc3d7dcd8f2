"""Seeding the broker with a scenario: parties and roles, zones, and intents decided as `commonsky check` does."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from commonsky.errors import InputError
from commonsky.service.app import create_app
from commonsky.service.deps import Services
from commonsky.service.seed import Seeded, seed_scenario, volume_json
from commonsky.service.settings import ServiceSettings
from commonsky.sim.scenario import Scenario
from commonsky.strategic.batch import check_in_order
from commonsky.strategic.result import OtherKind


@pytest.fixture()
def app(tmp_path: Path) -> Iterator[tuple[FastAPI, TestClient]]:
    """A broker app on a fresh SQLite file, started (migrated) and comparing altitudes as the scenario does."""
    app = create_app(ServiceSettings(database_url=f"sqlite:///{tmp_path / 'seed.db'}"))
    with TestClient(app) as client:
        yield app, client


def _services(app: FastAPI, scenario: Scenario) -> Services:
    services: Services = app.state.services
    services.broker.model = scenario.policy.altitude
    return services


def _auth(seeded: Seeded, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded.key_of(name)}"}


def test_verdicts_are_those_of_commonsky_check(app: tuple[FastAPI, TestClient], diyala: Scenario) -> None:
    seeded = seed_scenario(_services(app[0], diyala), diyala)
    expected = check_in_order(diyala.filing_order(), diyala.zones, diyala.policy, resolve=False)
    assert [i.scenario_id for i in seeded.intents] == [r.intent.id for r in expected]
    assert [i.accepted for i in seeded.intents] == [r.accepted for r in expected]
    assert any(not i.accepted for i in seeded.intents) and any(i.accepted for i in seeded.intents)
    for got, want in zip(seeded.intents, expected, strict=True):
        zones = {c.other for c in want.conflicts if c.kind is OtherKind.ZONE}
        assert got.zones_hit == zones, got.scenario_id
    # the scenario's own expectations hold in the broker too
    for got in seeded.intents:
        expectation = diyala.expectations.get(got.scenario_id)
        if expectation is not None:
            assert got.accepted == (expectation.verdict == "accepted"), got.scenario_id


def test_parties_roles_and_keys(app: tuple[FastAPI, TestClient], diyala: Scenario) -> None:
    _, client = app
    seeded = seed_scenario(_services(app[0], diyala), diyala)
    assert [s.party.name for s in seeded.parties] == [p.name for p in diyala.parties]
    for party in diyala.parties:
        me = client.get("/parties/me", headers=_auth(seeded, party.name))
        assert me.status_code == 200, me.text
        assert me.json()["role"] == ("authority" if party.role == "authority" else "operator")
    assert all(s.key not in repr(s) for s in seeded.parties)
    zones = client.get("/zones", headers=_auth(seeded, "authority")).json()
    assert sorted(z["feature"]["properties"]["name"] for z in zones) == sorted(z.name for z in diyala.zones)
    assert set(seeded.zones.values()) == {z.name for z in diyala.zones}


def test_each_operator_sees_only_its_own_intents(app: tuple[FastAPI, TestClient], diyala: Scenario) -> None:
    _, client = app
    seeded = seed_scenario(_services(app[0], diyala), diyala)
    for party in (p for p in diyala.parties if p.role != "authority"):
        listed = client.get("/intents", headers=_auth(seeded, party.name))
        assert listed.status_code == 200
        mine = {i.broker_id for i in seeded.intents if i.party == party.name}
        assert {i["id"] for i in listed.json()} == mine
    assert client.get("/intents").status_code == 401


def test_states_record_preemption(app: tuple[FastAPI, TestClient], diyala: Scenario) -> None:
    seeded = seed_scenario(_services(app[0], diyala), diyala)
    for intent in seeded.intents:
        assert intent.state in (("accepted", "rejected") if intent.accepted else ("rejected",))


def test_seed_refuses_another_altitude_model(app: tuple[FastAPI, TestClient], diyala: Scenario) -> None:
    services: Services = app[0].state.services
    assert services.broker.model != diyala.policy.altitude  # the diyala scenario counts terrain under AGL limits
    with pytest.raises(InputError, match="altitude model"):
        seed_scenario(services, diyala)


def test_seeding_twice_names_the_existing_party(app: tuple[FastAPI, TestClient], diyala: Scenario) -> None:
    services = _services(app[0], diyala)
    seed_scenario(services, diyala)
    with pytest.raises(InputError, match="already exists"):
        seed_scenario(services, diyala)


def test_the_authority_files_no_intents(app: tuple[FastAPI, TestClient], diyala: Scenario) -> None:
    authority = next(p.name for p in diyala.parties if p.role == "authority")
    first = replace(diyala.filing_order()[0], party=authority)
    scenario = replace(diyala, intents=(first,))
    with pytest.raises(InputError, match="authority"):
        seed_scenario(_services(app[0], diyala), scenario)


def test_volume_json_round_trips(diyala: Scenario) -> None:
    from commonsky.service.engine import volume_from_json

    for intent in diyala.intents:
        for volume in intent.volumes:
            back = volume_from_json(volume_json(volume))
            assert back.daily == volume.daily  # times travel as ISO 8601 with microseconds
            assert back.window.start_s == pytest.approx(volume.window.start_s, abs=1e-6)
            assert back.window.end_s == pytest.approx(volume.window.end_s, abs=1e-6)
            for got, want in ((back.band.floor, volume.band.floor), (back.band.ceiling, volume.band.ceiling)):
                assert got.ref is want.ref and got.value_m == pytest.approx(want.value_m, abs=1e-3)
            assert back.shape.to_json() == volume.shape.to_json()
