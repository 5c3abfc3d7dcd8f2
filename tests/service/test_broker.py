"""The broker (`service.broker`), on both backends, against a model of the sky kept here: over a random sequence of
filings, updates and state changes, each decision is what brute force says (footprints, windows and flight levels
compared directly; equal or higher priority blocks, lower is preempted, activated is never preempted), the live
intents never overlap, each preempted owner is told; a refused update leaves the intent as it was; stale versions,
other parties' intents and impossible transitions are refused."""

from __future__ import annotations

import random
from typing import Any

import pytest

from commonsky.airspace.volume import Volume
from commonsky.errors import InputError, NotFoundError
from commonsky.plans.intent import IntentState
from commonsky.service import auth
from commonsky.service.broker import Broker
from commonsky.service.engine import volumes_from_json
from commonsky.service.errors import StaleVersionError
from commonsky.service.examples import box

from .conftest import volumes_meet

LIVE = (IntentState.ACCEPTED, IntentState.ACTIVATED)


def _random_volume(rng: random.Random) -> dict[str, Any]:
    lon0, lat0, size = rng.uniform(44.9, 45.4), rng.uniform(32.9, 33.4), rng.uniform(0.05, 0.25)
    fl0, hour = rng.randrange(80, 200), rng.randrange(0, 8)
    start, end = f"2014-12-01T{hour:02d}:00:00Z", f"2014-12-01T{hour + rng.randrange(1, 4):02d}:00:00Z"
    return box(lon0, lat0, lon0 + size, lat0 + size, f"FL{fl0}", f"FL{fl0 + rng.randrange(10, 40)}", start, end)


class Sky:
    """The model: every intent's volumes, priority, state and owner, and the verdict brute force gives."""

    def __init__(self) -> None:
        self.intents: dict[str, dict[str, Any]] = {}

    def in_the_way(self, own_id: str, volumes: tuple[Volume, ...], priority: int) -> tuple[bool, set[str]]:
        blocking, preempted = False, set()
        for other_id, other in self.intents.items():
            if other_id == own_id or other["state"] not in LIVE:
                continue
            if any(volumes_meet(v, w) for v in volumes for w in other["volumes"]):
                if other["state"] is IntentState.ACTIVATED or other["priority"] >= priority:
                    blocking = True
                else:
                    preempted.add(other_id)
        return blocking, set() if blocking else preempted


def test_random_decisions_follow_the_model(broker: Broker, told: list[tuple[str, dict[str, Any]]]) -> None:
    rng = random.Random(12)
    parties = [auth.create_party(broker.db, f"ops{i}", "operator")[0] for i in range(3)]
    sky, versions, preemptions = Sky(), {}, 0
    for step in range(70):
        told.clear()
        live = [i for i, v in sky.intents.items() if v["state"] in LIVE]
        if step % 7 == 6 and live:  # activate or end one
            intent_id = rng.choice(live)
            row = sky.intents[intent_id]
            target = IntentState.ENDED if row["state"] is IntentState.ACTIVATED else IntentState.ACTIVATED
            decision = broker.change_state(row["party"], intent_id, versions[intent_id], target)
            row["state"] = target
            preempted: set[str] = set()
        else:
            items, priority = [_random_volume(rng) for _ in range(rng.randrange(1, 3))], rng.randrange(0, 51)
            volumes = volumes_from_json(items)
            if step % 5 == 4 and sky.intents:  # update one of the party's intents
                intent_id = rng.choice(sorted(sky.intents))
                row = sky.intents[intent_id]
                if row["state"] is IntentState.ENDED:
                    continue
                blocking, preempted = sky.in_the_way(intent_id, volumes, priority)
                decision = broker.update(row["party"], intent_id, versions[intent_id], items, priority)
                if not (blocking and row["state"] in LIVE):
                    state = (
                        IntentState.REJECTED
                        if blocking
                        else (row["state"] if row["state"] in LIVE else IntentState.ACCEPTED)
                    )
                    row.update(volumes=volumes, priority=priority, state=state)
                assert decision.accepted == (not blocking)
            else:
                party = rng.choice(parties)
                intent_id = "new"
                blocking, preempted = sky.in_the_way(intent_id, volumes, priority)
                decision = broker.submit(party, items, priority, key=None)
                intent_id = decision.intent.id
                sky.intents[intent_id] = {
                    "volumes": volumes,
                    "priority": priority,
                    "state": IntentState.REJECTED if blocking else IntentState.ACCEPTED,
                    "party": party,
                }
                assert decision.accepted == (not blocking)
        versions[intent_id] = decision.intent.version
        assert decision.intent.state is sky.intents[intent_id]["state"]
        for other_id in preempted:
            sky.intents[other_id]["state"] = IntentState.REJECTED
        events = {e["intent_id"]: (p, e) for p, e in told if e["type"] == "intent.preempted"}
        assert set(events) == preempted
        preemptions += len(preempted)
        for other_id, (party_id, event) in events.items():
            assert party_id == sky.intents[other_id]["party"].id and other_id != intent_id
            versions[other_id] = event["version"]
    for view in broker.list_intents(auth.create_party(broker.db, "caa", "authority")[0], None, 1_000, 0):
        assert view.state is sky.intents[view.id]["state"], view.id
    live = [v for v in sky.intents.values() if v["state"] in LIVE]
    assert len(live) > 5 and len(live) < len(sky.intents) and preemptions > 0
    for i, a in enumerate(live):
        for b in live[i + 1 :]:
            assert not any(volumes_meet(v, w) for v in a["volumes"] for w in b["volumes"])


def test_a_refused_update_leaves_the_intent_as_it_was(broker: Broker) -> None:
    mine, theirs = (auth.create_party(broker.db, n, "operator")[0] for n in ("mine", "theirs"))
    here, there = box(45.0, 33.0, 45.2, 33.2), box(46.0, 34.0, 46.2, 34.2)
    first = broker.submit(mine, [here], 10, key=None).intent
    broker.submit(theirs, [there], 40, key=None)
    refused = broker.update(mine, first.id, first.version, [there], 10)
    assert not refused.accepted and refused.intent.volumes == [here] and refused.intent.version == first.version
    assert broker.get_intent(mine, first.id) == first


def test_stale_versions_others_intents_and_impossible_transitions_are_refused(broker: Broker) -> None:
    mine, other = (auth.create_party(broker.db, n, "operator")[0] for n in ("mine", "other"))
    first = broker.submit(mine, [box(45.0, 33.0, 45.2, 33.2)], 10, key=None).intent
    moved = broker.update(mine, first.id, first.version, [box(45.1, 33.0, 45.3, 33.2)], 10).intent
    with pytest.raises(StaleVersionError):
        broker.update(mine, first.id, first.version, [box(45.0, 33.0, 45.2, 33.2)], 10)
    with pytest.raises(NotFoundError):
        broker.get_intent(other, first.id)
    with pytest.raises(NotFoundError):
        broker.change_state(other, first.id, moved.version, IntentState.ENDED)
    with pytest.raises(InputError, match=f"intent {first.id} cannot go from accepted to accepted"):
        broker.change_state(mine, first.id, moved.version, IntentState.ACCEPTED)
    ended = broker.change_state(mine, first.id, moved.version, IntentState.ENDED).intent
    with pytest.raises(InputError, match="has ended; file a new one"):
        broker.update(mine, first.id, ended.version, [box(45.0, 33.0, 45.2, 33.2)], 10)
    assert broker.submit(other, [box(45.1, 33.0, 45.3, 33.2)], 0, key=None).accepted  # its airspace is free
