"""Judging a proposal (`service.judge`), on both backends, against stored intents and zones checked by brute force
here (footprint areas, windows and flight-level bands compared directly): which own volumes meet another party's
intent or a zone, whether the verdict blocks, which lower-priority intents it would preempt; and that a view names
neither the other intents nor their owners."""

from __future__ import annotations

import random
from typing import Any

from shapely.geometry import Polygon
from shapely.geometry import box as rectangle
from sqlalchemy import select

from commonsky.service import auth
from commonsky.service.broker import Broker
from commonsky.service.engine import bounds, volumes_from_json
from commonsky.service.examples import box, zone_feature
from commonsky.service.models import IntentRow
from commonsky.service.views import ObstacleKind
from commonsky.service.zoning import ZoneKeeper

from .conftest import volumes_meet

PRIORITY = 25


def _random_volume(rng: random.Random) -> dict[str, Any]:
    lon0, lat0, size = rng.uniform(44.8, 45.6), rng.uniform(32.8, 33.6), rng.uniform(0.05, 0.4)
    fl0 = rng.randrange(50, 250)
    hour0 = rng.randrange(0, 20)
    start, end = f"2014-12-01T{hour0:02d}:{rng.randrange(60):02d}:00Z", f"2014-12-01T{hour0 + 3:02d}:00:00Z"
    return box(lon0, lat0, lon0 + size, lat0 + size, f"FL{fl0}", f"FL{fl0 + rng.randrange(10, 60)}", start, end)


def test_a_verdict_is_what_brute_force_finds(broker: Broker) -> None:
    rng = random.Random(3)
    others = [auth.create_party(broker.db, f"ops{i}", "operator")[0] for i in range(3)]
    for _ in range(40):
        broker.submit(rng.choice(others), [_random_volume(rng)], rng.randrange(0, 50), key=None)
    authority, _ = auth.create_party(broker.db, "caa", "authority")
    zone = ZoneKeeper(broker).create(authority, zone_feature("r1", 45.0, 33.0, 45.3, 33.3))
    me, _ = auth.create_party(broker.db, "me", "operator")
    own_json = [_random_volume(rng) for _ in range(4)] + [box(45.1, 33.1, 45.2, 33.2, "FL100", "FL120")]
    volumes = volumes_from_json(own_json)
    with broker.db.read() as session:
        live = [r for r in session.scalars(select(IntentRow)) if r.state in ("accepted", "activated")]
        verdict = broker.judge.judge(session, me, "mine", volumes, bounds(volumes, broker.model), PRIORITY)
    stored = {r.id: (r, volumes_from_json(r.volumes)) for r in live}
    meeting = {
        i: {k for k, v in enumerate(volumes) if any(volumes_meet(v, w) for w in theirs)}
        for i, (_, theirs) in stored.items()
    }
    meeting = {i: ks for i, ks in meeting.items() if ks}
    zone_volumes = {k for k, v in enumerate(volumes) if v.footprint.intersection(_zone_box()).area > 1e-9}
    assert meeting and zone_volumes and len(meeting) < len(stored), "the draw must give both answers"

    def ranks_at_least(intent_id: str) -> bool:
        row = stored[intent_id][0]
        return row.state == "activated" or row.priority >= PRIORITY

    assert set(verdict.preempt) == {i for i in meeting if not ranks_at_least(i)}
    assert verdict.blocking == (bool(zone_volumes) or any(ranks_at_least(i) for i in meeting))
    intent_views = {c.volume_index: c for c in verdict.conflicts if c.reason is ObstacleKind.INTENT}
    assert set(intent_views) == {k for ks in meeting.values() for k in ks}
    for k, view in intent_views.items():
        assert view.blocking == any(ranks_at_least(i) for i, ks in meeting.items() if k in ks)
    zone_views = [c for c in verdict.conflicts if c.reason is ObstacleKind.BINDING_ZONE]
    assert {c.volume_index for c in zone_views} == zone_volumes
    assert all(c.zone_id == zone.id and c.blocking for c in zone_views)
    shown = repr(verdict.conflicts)
    assert not any(i in shown for i in stored) and not any(p.name in shown for p in others)


def _zone_box() -> Polygon:
    return rectangle(45.0, 33.0, 45.3, 33.3)


def test_a_prejudged_verdict_stands_only_while_what_it_was_judged_against_stands(broker: Broker) -> None:
    me, _ = auth.create_party(broker.db, "me", "operator")
    other, _ = auth.create_party(broker.db, "other", "operator")
    volumes = volumes_from_json([box(45.0, 33.0, 45.5, 33.5)])
    envelope = bounds(volumes, broker.model)
    pre = broker.judge.prejudge(me, "mine", volumes, envelope, PRIORITY)
    assert not pre.verdict.blocking and not pre.verdict.conflicts
    with broker.db.read() as session:
        assert broker.judge.judge_locked(session, pre, me, "mine", volumes, envelope, PRIORITY) == pre.verdict
    far = broker.submit(other, [box(40.0, 30.0, 40.5, 30.5)], 50, key=None)
    assert far.accepted
    with broker.db.read() as session:  # an intent filed far away changes nothing the verdict depends on
        assert broker.judge.judge_locked(session, pre, me, "mine", volumes, envelope, PRIORITY) == pre.verdict
    assert broker.submit(other, [box(45.2, 33.2, 45.7, 33.7)], 50, key=None).accepted
    with broker.db.read() as session:
        now = broker.judge.judge_locked(session, pre, me, "mine", volumes, envelope, PRIORITY)
    assert now.blocking and [c.volume_index for c in now.conflicts] == [0]
