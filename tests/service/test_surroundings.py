"""What is stored near a box (`service.surroundings`), on both backends: the intents and zones it returns are
exactly the live ones whose envelope, computed here from the filed JSON, meets the box (through the grid for
narrow boxes, by a range scan for wide ones); the engine over them ranks activated intents above every priority."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from commonsky.plans.intent import IntentState
from commonsky.service import auth
from commonsky.service.broker import Broker
from commonsky.service.engine import Bounds
from commonsky.service.examples import box, zone_feature
from commonsky.service.models import IntentRow
from commonsky.service.surroundings import ACTIVATED, Surroundings
from commonsky.service.zoning import ZoneKeeper
from commonsky.units import FT_M

DAY0_S = datetime(2014, 12, 1, tzinfo=UTC).timestamp()
Box = tuple[float, float, float, float, float, float, float, float]  # lon0 lat0 lon1 lat1 lo_m hi_m t0_s t1_s


def _stamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def _random_box(rng: random.Random, wide: bool = False) -> Box:
    size = rng.uniform(1.8, 2.2) if wide else rng.uniform(0.05, 0.9)
    lon0, lat0 = rng.uniform(43.0, 47.0), rng.uniform(31.0, 35.0)
    fl0 = rng.randrange(50, 300)
    t0 = DAY0_S + rng.uniform(0.0, 3 * 86_400.0)
    hours = rng.uniform(36.0, 40.0) * 24 if wide else rng.uniform(0.5, 10.0)
    top = fl0 + rng.randrange(10, 80)
    return (lon0, lat0, lon0 + size, lat0 + size, fl0 * 100 * FT_M, top * 100 * FT_M, t0, t0 + hours * 3_600)


def _volume(b: Box) -> dict[str, Any]:
    floor, ceiling = f"FL{round(b[4] / FT_M / 100)}", f"FL{round(b[5] / FT_M / 100)}"
    return box(b[0], b[1], b[2], b[3], floor, ceiling, _stamp(b[6]), _stamp(b[7]))


def _meets(a: Box, b: Box, margin_m: float) -> bool:
    """Envelopes meet: lon/lat boxes touch, bands (``b``'s widened by ``margin_m``) and windows overlap."""
    return (
        a[0] <= b[2]
        and a[2] >= b[0]
        and a[1] <= b[3]
        and a[3] >= b[1]
        and a[4] < b[5] + margin_m
        and a[5] > b[4] - margin_m
        and a[6] < b[7]
        and a[7] > b[6]
    )


def test_intents_near_a_box_are_the_live_ones_whose_envelope_meets_it(broker: Broker) -> None:
    rng = random.Random(16)
    party, _ = auth.create_party(broker.db, "ops", "operator")
    envelopes: dict[str, Box] = {}
    for i in range(60):
        envelope = _random_box(rng, wide=i % 20 == 0)
        envelopes[broker.submit(party, [_volume(envelope)], rng.randrange(0, 50), key=None).intent.id] = envelope
    with broker.db.read() as session:  # the final states: a later, higher filing may have preempted an earlier one
        states = dict(session.execute(select(IntentRow.id, IntentRow.state)).all())
    filed = {i: (e, IntentState(states[i])) for i, e in envelopes.items()}
    assert {s for _, s in filed.values()} >= {IntentState.ACCEPTED, IntentState.REJECTED}
    surroundings = Surroundings(broker.model)
    own = next(iter(filed))
    probes = [_random_box(rng) for _ in range(25)] + [_random_box(rng, wide=True) for _ in range(3)]
    met = 0
    with broker.db.read() as session:
        for probe in probes:
            for margin_m in (0.0, 500.0):
                found = {r.id for r in surroundings.intents(session, own, Bounds(*probe), margin_m)}
                expected = {
                    i
                    for i, (e, state) in filed.items()
                    if i != own and state is IntentState.ACCEPTED and _meets(e, probe, margin_m)
                }
                assert found == expected, probe
                met += len(found)
    assert met > 0


def test_zones_near_a_box_are_those_whose_envelope_meets_it(broker: Broker) -> None:
    rng = random.Random(7)
    authority, _ = auth.create_party(broker.db, "caa", "authority")
    keeper = ZoneKeeper(broker)
    zones: dict[str, Box] = {}
    for i in range(12):
        lon0, lat0 = rng.uniform(43.0, 47.0), rng.uniform(31.0, 35.0)
        size = rng.uniform(0.05, 0.8)
        made = keeper.create(authority, zone_feature(f"z{i}", lon0, lat0, lon0 + size, lat0 + size))
        zones[made.id] = (lon0, lat0, lon0 + size, lat0 + size, 0.0, 300 * 100 * FT_M, -1e18, 1e18)
    surroundings = Surroundings(broker.model)
    met = 0
    with broker.db.read() as session:
        for _ in range(20):
            probe = _random_box(rng)
            found = {r.id for r in surroundings.zones(session, Bounds(*probe), 0.0)}
            assert found == {z for z, e in zones.items() if _meets(e, probe, 0.0)}, probe
            met += len(found)
    assert met > 0


def test_the_engine_ranks_activated_intents_above_every_priority(broker: Broker) -> None:
    party, _ = auth.create_party(broker.db, "ops", "operator")
    near = (45.0, 33.0, 45.2, 33.2, 3_048.0, 6_096.0, DAY0_S + 3_600.0, DAY0_S + 7_200.0)
    far = (46.0, 34.0, 46.2, 34.2, 3_048.0, 6_096.0, DAY0_S + 3_600.0, DAY0_S + 7_200.0)
    first = broker.submit(party, [_volume(near)], 20, key=None).intent
    second = broker.submit(party, [_volume(far)], 30, key=None).intent
    broker.change_state(party, first.id, first.version, IntentState.ACTIVATED)
    surroundings = Surroundings(broker.model)
    wide = Bounds(44.0, 32.0, 47.0, 35.0, 0.0, 10_000.0, DAY0_S, DAY0_S + 86_400.0)
    with broker.db.read() as session:
        rows = surroundings.intents(session, "nobody", wide, 0.0)
        ranks = {i.id: i.priority for i in surroundings.engine(rows, []).intents.values()}
    assert ranks == {first.id: ACTIVATED, second.id: 30}
    assert ACTIVATED > 30
