"""The broker's live plan as it changes: intents in effect and zones, read from the broker's tables on every change.

`read_plan` reads what the live picture needs: the intents in effect (accepted or activated) overlapping a time
window, every zone, and the parties' names and ids. `PlanFeed` watches for changes and hands each new `BrokerPlan`
to a callback, from its own thread:

- every write to intents and zones appends to the audit chain in the same transaction, so the chain's last
  ``seq`` is the change stamp: it is read cheaply (primary key) and the plan is re-read only when it moves;
- a commit through this process's engine wakes the feed at once (an engine ``commit`` event: the broker itself is
  untouched); otherwise the stamp is polled every ``poll_s`` (another process on the same SQLite file);
- on PostgreSQL the feed LISTENs on `CHANNEL`, and the instance that sees a change of its own NOTIFYs it, so every
  instance's picture follows a write made on any of them within a fraction of a second (polling, every 0.5 s,
  stays as the backstop for writers that do not notify, such as the admin CLI, and for a notification missed
  while the listening connection reconnects, so a change still arrives within 1 s).

The feed is thread-safe to start and stop; the callback runs on the feed's thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, func, select, text

from commonsky.airspace.zone import Zone
from commonsky.errors import CommonskyError
from commonsky.plans.intent import Intent, IntentState
from commonsky.service.broker import Broker
from commonsky.service.db import Database
from commonsky.service.dss import world
from commonsky.service.models import AuditRow, IntentRow, PartyRow, ZoneRow
from commonsky.service.views import LIVE

CHANNEL = "commonsky_plan"
"""PostgreSQL notification channel of plan changes (payload: the audit seq that changed it)."""

log = logging.getLogger("commonsky.service.plan_feed")


@dataclass(frozen=True, eq=False)
class BrokerPlan:
    """The broker's state as the picture needs it: ``intents`` in effect (ids are the broker's, ``party`` the
    party's name, ``label`` its note), ``zones``, ``party_ids`` (name -> id) and the audit ``stamp`` it was read
    at."""

    intents: tuple[Intent, ...]
    zones: tuple[Zone, ...]
    party_ids: dict[str, str]
    stamp: int


def read_stamp(db: Database) -> int:
    """The last audit seq (0 for an empty chain): it moves with every write to intents and zones."""
    with db.read() as session:
        return int(session.scalar(select(func.coalesce(func.max(AuditRow.seq), 0))) or 0)


def read_mark(db: Database) -> tuple[int, ...]:
    """The stamp and the DSS's change mark (`dss.world.change_mark`): the plan is re-read when either moves."""
    with db.read() as session:
        stamp = int(session.scalar(select(func.coalesce(func.max(AuditRow.seq), 0))) or 0)
        return (stamp, *world.change_mark(session))


def read_plan(db: Database, broker: Broker, start_s: float, end_s: float) -> BrokerPlan:
    """The intents in effect overlapping ``[start_s, end_s]`` (Unix s), oldest first, then the DSS's live
    operational intent references as intents of their USS party ``dss:<manager>`` (`dss.world.live_intents`),
    every zone, the parties."""
    with db.read() as session:
        references = world.live_intents(session, start_s, end_s)
        stamp = int(session.scalar(select(func.coalesce(func.max(AuditRow.seq), 0))) or 0)
        parties = session.execute(select(PartyRow.id, PartyRow.name)).all()
        rows = session.scalars(
            select(IntentRow)
            .where(IntentRow.state.in_(LIVE), IntentRow.t1_s >= start_s, IntentRow.t0_s <= end_s)
            .order_by(IntentRow.created_s, IntentRow.id)
        ).all()
        zone_rows = session.scalars(select(ZoneRow).order_by(ZoneRow.updated_s, ZoneRow.id)).all()
    names = {str(pid): str(name) for pid, name in parties}
    intents = tuple(
        Intent(
            id=row.id,
            party=names.get(row.party_id, row.party_id),
            volumes=broker.intent_volumes(row),
            priority=row.priority,
            state=IntentState(row.state),
            filed_s=row.created_s,
            label=row.note,
        )
        for row in rows
    ) + tuple(references)
    zones = tuple(broker.zone_of(row)[0] for row in zone_rows)
    return BrokerPlan(intents, zones, {name: pid for pid, name in names.items()}, stamp)


class PlanFeed:
    """Calls ``on_change(plan)`` with the broker's plan at start and after every change (see module docstring)."""

    def __init__(
        self,
        db: Database,
        broker: Broker,
        on_change: Callable[[BrokerPlan], None],
        window_s: tuple[float, float] = (float("-inf"), float("inf")),
        poll_s: float | None = None,
    ) -> None:
        self.db = db
        self.broker = broker
        self.on_change = on_change
        self.window_s = window_s
        self.poll_s = poll_s if poll_s is not None else (0.25 if db.is_sqlite else 0.5)
        self._wake = threading.Event()
        self._local = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._stamp = -1
        self._mark: tuple[int, ...] = ()
        self.errors = 0
        self.listening = threading.Event()

    def start(self) -> None:
        """Read the plan once (``on_change`` is called before this returns), then follow it from a thread."""
        self._refresh()
        event.listen(self.db.engine, "commit", self._committed)
        self._threads = [threading.Thread(target=self._follow, name="commonsky-plan-feed", daemon=True)]
        if not self.db.is_sqlite:
            self._threads.append(threading.Thread(target=self._listen, name="commonsky-plan-listen", daemon=True))
        for thread in self._threads:
            thread.start()
        if not self.db.is_sqlite:
            self.listening.wait(timeout=10.0)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if event.contains(self.db.engine, "commit", self._committed):
            event.remove(self.db.engine, "commit", self._committed)
        for thread in self._threads:
            thread.join(timeout=5.0)
        self._threads = []

    def _committed(self, _connection: Any) -> None:
        # Called just before this process commits: the new stamp becomes visible a moment later.
        self._local.set()
        self._wake.set()

    def _follow(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll_s)
            self._wake.clear()
            if self._stop.is_set():
                return
            local = self._local.is_set()
            self._local.clear()
            deadline = time.monotonic() + (0.5 if local else 0.0)
            while True:  # a local commit lands a moment after its event: look again for a little while
                changed = self._refresh()
                if changed or time.monotonic() >= deadline or self._stop.is_set():
                    break
                time.sleep(0.02)
            if changed and local and not self.db.is_sqlite:
                self._notify()

    def _refresh(self) -> bool:
        """Re-read the plan if the stamp moved; True when it did."""
        try:
            mark = read_mark(self.db)
            if mark == self._mark:
                return False
            plan = read_plan(self.db, self.broker, *self.window_s)
        except CommonskyError as error:  # a stored row the picture cannot read: keep the last plan, say so
            self.errors += 1
            log.warning("live plan not updated: %s", error)
            return False
        except Exception as error:  # the database went away for a moment: try again at the next wake-up
            self.errors += 1
            log.warning("live plan not read: %s", error)
            return False
        self._stamp, self._mark = plan.stamp, mark
        self.on_change(plan)
        return True

    def _notify(self) -> None:
        try:
            with self.db.engine.begin() as connection:
                connection.execute(text("SELECT pg_notify(:c, :p)"), {"c": CHANNEL, "p": str(self._stamp)})
        except Exception as error:  # the others will see it at their next poll
            log.warning("plan change not notified: %s", error)

    def _listen(self) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        dsn = make_url(self.db.settings.database_url).set(drivername="postgresql").render_as_string(False)
        while not self._stop.is_set():
            try:
                with psycopg.connect(dsn, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    while not self._stop.is_set():
                        for note in connection.notifies(timeout=0.5):
                            if note.payload != str(self._stamp):
                                self._wake.set()
            except psycopg.OperationalError:
                self._stop.wait(1.0)


__all__ = ["CHANNEL", "BrokerPlan", "PlanFeed", "read_mark", "read_plan", "read_stamp"]
