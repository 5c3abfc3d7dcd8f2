"""The bridge between the broker and the live picture, both ways, for ``commonsky run``.

- Broker -> picture: a `PlanFeed` reads the intents in effect and the zones whenever they change (filed,
  preempted, activated, ended; zones created, changed, withdrawn) and the runner checks its picture against them
  from its next tick (`LiveRunner.offer_plan`): correlation, the safety nets and the map's layers follow.
  Intents seeded from the scenario keep their scenario id and label (the truth's identities name them).
- Picture -> parties: every new snapshot goes through `PartyAlerts`, and each party's alerts are told to it through
  the broker's notifier (`Broker.tell`: its ``/notifications`` WebSocket; on PostgreSQL through every instance).

`LiveBridge.start`/`stop` are called from the app's lifespan; the two directions run on their own threads.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import replace

from commonsky.plans.intent import Intent
from commonsky.service.deps import Services
from commonsky.service.plan_feed import BrokerPlan, PlanFeed
from commonsky.sim.party_alerts import PartyAlerts
from commonsky.sim.pipeline import LivePlan
from commonsky.sim.runner import LiveRunner

log = logging.getLogger("commonsky.web.bridge")


class LiveBridge:
    """Keeps ``runner``'s plan equal to the broker's and tells the parties their alerts (see module docstring).

    ``seeded``: broker intent id -> the scenario intent it was seeded from."""

    def __init__(
        self, services: Services, runner: LiveRunner, seeded: Mapping[str, Intent] | None = None, period_s: float = 0.1
    ) -> None:
        self.services = services
        self.runner = runner
        self.seeded = dict(seeded or {})
        self.period_s = period_s
        pipeline = runner.pipeline
        self.feed = PlanFeed(services.db, services.broker, self._apply, (pipeline.start_s, pipeline.end_s))
        self._alerts = PartyAlerts(pipeline.frame)
        self._lock = threading.Lock()
        self._party_ids: dict[str, str] = {}
        self._version = pipeline.plan.version
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.feed.start()
        self._stop.clear()
        self._thread = threading.Thread(target=self._tell_loop, name="commonsky-party-alerts", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        self.feed.stop()

    def _apply(self, plan: BrokerPlan) -> None:
        """The broker's plan, as the picture names it, to the runner (from the feed's thread)."""
        intents = tuple(self._named(i) for i in plan.intents)
        with self._lock:
            self._party_ids = dict(plan.party_ids)
            self._version += 1
            version = self._version
        registry = self.runner.pipeline.plan.registry
        self.runner.offer_plan(LivePlan(intents, plan.zones, registry, version))

    def _named(self, intent: Intent) -> Intent:
        origin = self.seeded.get(intent.id)
        if origin is None:
            return intent
        route = origin.route if origin.volumes == intent.volumes else ()
        return replace(intent, id=origin.id, label=origin.label, route=route)

    def _tell_loop(self) -> None:
        last = -1
        while not self._stop.wait(self.period_s):
            snap = self.runner.snapshot
            if snap.seq == last:
                continue
            last = snap.seq
            try:
                events = self._alerts.step(snap, self.runner.pipeline.plan.intents)
                with self._lock:
                    ids = dict(self._party_ids)
                for party, event in events:
                    if party in ids:
                        self.services.broker.tell(ids[party], event)
            except Exception:  # a notifier that failed must not stop the alerts that follow
                log.exception("party alerts not told")


__all__ = ["LiveBridge"]
