"""The invariant under racing writers: two conflicting intents are never both accepted (SQLite and PostgreSQL).

32 threads make thousands of racing attempts (file, move, re-check, activate, end, at three priorities) on a small
patch of sky where most attempts conflict; afterwards every pair of live intents is checked with the engine's
scalar `overlap`, independently of the index the broker used, and the audit chain must still verify.
"""

from __future__ import annotations

import itertools
import random
import threading
from typing import Any

import pytest
from sqlalchemy import select

from commonsky.airspace.volume import overlap
from commonsky.errors import InputError
from commonsky.service import audit, auth
from commonsky.service.broker import LIVE, Broker
from commonsky.service.db import Database
from commonsky.service.engine import volumes_from_json
from commonsky.service.errors import StaleVersionError
from commonsky.service.examples import box
from commonsky.service.migrate import upgrade
from commonsky.service.models import IntentRow

WRITERS = 32
ATTEMPTS = 64  # per writer: 2,048 racing attempts per backend
BLOCKS = (("FL100", "FL150"), ("FL140", "FL200"), ("FL190", "FL250"))
HOURS = ("06", "07", "08")


def _random_volume(rng: random.Random, cell_deg: float) -> dict[str, Any]:
    # a 0.6 x 0.6 degree patch straddling lock-grid lines, so writers also race across cells
    lon0, lat0 = 44.7 + rng.random() * 0.5, 33.7 + rng.random() * 0.5
    size = 0.05 + rng.random() * 0.1
    floor, ceiling = rng.choice(BLOCKS)
    hour = rng.choice(HOURS)
    return box(
        lon0,
        lat0,
        lon0 + size,
        lat0 + size,
        floor=floor,
        ceiling=ceiling,
        start=f"2014-12-01T{hour}:00:00Z",
        end=f"2014-12-01T{hour}:50:00Z",
    )


def _writer(broker: Broker, party: auth.Party, seed: int, counts: dict[str, int], lock: threading.Lock) -> None:
    rng = random.Random(seed)
    mine: dict[str, str] = {}  # id -> last version seen
    local = dict.fromkeys(("accepted", "rejected", "stale", "moved", "state", "illegal"), 0)
    for _ in range(ATTEMPTS):
        roll = rng.random()
        try:
            if roll < 0.6 or not mine:
                decision = broker.submit(party, [_random_volume(rng, 1.0)], rng.choice((0, 0, 1, 2)))
                local["accepted" if decision.accepted else "rejected"] += 1
            elif roll < 0.8:
                intent_id = rng.choice(list(mine))
                decision = broker.update(
                    party, intent_id, mine[intent_id], [_random_volume(rng, 1.0)], rng.choice((0, 1, 2))
                )
                local["moved"] += 1
            else:
                intent_id = rng.choice(list(mine))
                decision = broker.change_state(
                    party, intent_id, mine[intent_id], rng.choice(("accepted", "activated", "ended"))
                )
                local["state"] += 1
            mine[decision.intent.id] = decision.intent.version
        except StaleVersionError as error:  # preempted or changed meanwhile: take the version and go on
            local["stale"] += 1
            if error.current is not None:
                mine[error.current["id"]] = str(error.current_version)
        except InputError as error:  # an illegal transition is part of the race; anything else is a failure
            if "cannot go from" not in str(error) and "has ended" not in str(error):
                raise
            local["illegal"] += 1
    with lock:
        for key, value in local.items():
            counts[key] = counts.get(key, 0) + value


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_32_racing_writers_never_get_two_conflicting_intents_accepted(
    backend: str, request: pytest.FixtureRequest, tmp_path: Any
) -> None:
    from commonsky.service.settings import ServiceSettings

    url = f"sqlite:///{tmp_path / 'race.db'}" if backend == "sqlite" else request.getfixturevalue("pg_url")
    settings = ServiceSettings(
        database_url=url, sqlite_synchronous="NORMAL", lock_cell_deg=0.25, probe_budget_units=1e12
    )
    database = Database(settings)
    upgrade(database)
    broker = Broker(database, settings)
    parties = [auth.create_party(database, f"op{i}", "operator")[0] for i in range(WRITERS)]
    counts: dict[str, int] = {}
    lock = threading.Lock()
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            _writer(broker, parties[i], 1000 + i, counts, lock)
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not errors, errors[:3]
    assert not any(t.is_alive() for t in threads)
    attempts = sum(counts.values())
    assert attempts >= 2_000 and counts["accepted"] > 50 and counts["rejected"] > 50, counts

    with database.read() as session:
        live = session.scalars(select(IntentRow).where(IntentRow.state.in_(LIVE))).all()
    volumes = {row.id: volumes_from_json(row.volumes) for row in live}
    clashes = [
        (a.id, b.id)
        for a, b in itertools.combinations(live, 2)
        if any(overlap(va, vb) is not None for va in volumes[a.id] for vb in volumes[b.id])
    ]
    assert clashes == [], f"{len(clashes)} pairs of conflicting live intents, e.g. {clashes[:3]}"
    assert len(live) > 20
    check = audit.verify(database)
    assert check.ok, check
    assert check.checked >= counts["accepted"] + counts["rejected"]
    database.dispose()
