"""Judging outside the write lock is re-validated under it: writers racing on one patch of sky, each judged first
on an empty sky, still leave exactly one of their conflicting intents accepted (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import select

from commonsky.service import auth
from commonsky.service.broker import Broker
from commonsky.service.db import Database
from commonsky.service.examples import box
from commonsky.service.migrate import upgrade
from commonsky.service.models import IntentRow
from commonsky.service.settings import ServiceSettings


def test_racing_writers_judged_first_accept_one_of_their_conflicts(database_url: str) -> None:
    settings = ServiceSettings(database_url=database_url, sqlite_synchronous="NORMAL", probe_budget_units=1e12)
    database = Database(settings)
    upgrade(database)
    broker = Broker(database, settings)
    parties = [auth.create_party(database, f"p{i}", "operator")[0] for i in range(8)]
    start = threading.Barrier(len(parties))
    answers: list[Any] = []
    lock = threading.Lock()

    def file(party: Any, shift: float) -> None:
        start.wait()  # all judge at once, each on a sky without the others
        volume = box(45.0 + shift, 33.0, 45.5 + shift, 33.5)  # every two of them overlap
        decision = broker.submit(party, [volume], 10, key=None, judge_first=True)
        with lock:
            answers.append(decision)

    threads = [threading.Thread(target=file, args=(p, 0.01 * i)) for i, p in enumerate(parties)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with database.read() as session:
        states = session.scalars(select(IntentRow.state)).all()
    database.dispose()
    assert len(states) == len(parties) and sorted(states).count("accepted") == 1, states
    assert sum(d.accepted for d in answers) == 1
