"""One world, the broker's side (`service.dss.world`), on both backends: the live references near a box are the
engine's obstacles exactly when their envelope meets it (removed ones never), as intents of ``dss:<manager>`` ranked
above every filing with the reference's own volumes (µs read as s, W84 metres as AMSL); the basis and the change
mark move with every write; the live picture sees Accepted references as planned, Activated as airborne."""

from __future__ import annotations

import uuid

from commonsky.plans.intent import IntentState
from commonsky.service.db import Database
from commonsky.service.dss import intents, references
from commonsky.service.dss.geometry import parse_extents
from commonsky.service.dss.references import OPERATIONAL_INTENT
from commonsky.service.dss.world import RANK, basis, change_mark, live_intents, obstacles
from commonsky.service.engine import Bounds

from .test_intents import body, volume


def _box(extent_box: tuple[float, float, float, float], lo_m: float, hi_m: float, t0_s: float, t1_s: float) -> Bounds:
    return Bounds(*extent_box, lo_m, hi_m, t0_s, t1_s)


def test_live_references_near_a_box_are_obstacles_ranked_above_every_filing(db: Database) -> None:
    near, far, gone = (str(uuid.uuid4()) for _ in range(3))
    extents = [volume(33.0, 45.0), volume(33.02, 45.02)]
    intents.put(db, "uss1", near, None, body(*extents))
    intents.put(db, "uss2", far, None, body(volume(36.0, 40.0)))
    made = intents.put(db, "uss3", gone, None, body(volume(33.01, 45.01), state="Nonconforming"))[1]
    extent = parse_extents(extents, "extents", max_vertices=10_000)
    t0_s, t1_s = extent.t0_us / 1e6, extent.t1_us / 1e6
    probe = _box((44.99, 32.99, 45.03, 33.03), 0.0, 10_000.0, t0_s, t1_s)
    with db.read() as session:
        found = {o.id: o for o in obstacles(session, probe, 0.0)}
        above = obstacles(session, _box(probe.box, 4_500.0, 9_000.0, t0_s, t1_s), 0.0)
        margin = obstacles(session, _box(probe.box, 4_500.0, 9_000.0, t0_s, t1_s), 600.0)
        later = obstacles(session, _box(probe.box, 0.0, 10_000.0, t1_s + 1.0, t1_s + 60.0), 0.0)
    assert set(found) == {f"dss:{near}", f"dss:{gone}"} and above == [] and later == []
    assert {o.id for o in margin} == set(found)  # bands within the margin meet
    mine = found[f"dss:{near}"]
    assert (mine.party, mine.priority) == ("dss:uss1", RANK)
    for engine_volume, dss_volume in zip(mine.volumes, extent.volumes, strict=True):
        assert engine_volume.footprint.equals(dss_volume.shape)
        assert (engine_volume.window.start_s, engine_volume.window.end_s) == (
            dss_volume.t0_us / 1e6,
            dss_volume.t1_us / 1e6,
        )
        assert (engine_volume.band.floor.value_m, engine_volume.band.ceiling.value_m) == (3_000.0, 4_000.0)
    with db.read() as session:
        seen, mark = basis(session, probe, 0.0), change_mark(session)
    references.remove(db, OPERATIONAL_INTENT, "uss3", gone, made["operational_intent_reference"]["ovn"])
    with db.read() as session:
        assert {o.id for o in obstacles(session, probe, 0.0)} == {f"dss:{near}"}  # removed: no longer in the way
        assert basis(session, probe, 0.0) != seen and change_mark(session) != mark


def test_the_live_picture_sees_accepted_as_planned_and_activated_as_airborne(db: Database) -> None:
    planned, flying = str(uuid.uuid4()), str(uuid.uuid4())
    intents.put(db, "uss1", planned, None, body(volume(33.0, 45.0)))
    intents.put(db, "uss1", flying, None, body(volume(34.0, 46.0), state="Activated"))
    extent = parse_extents([volume(33.0, 45.0)], "e", max_vertices=100)
    with db.read() as session:
        states = {i.id: i.state for i in live_intents(session, extent.t0_us / 1e6 - 600.0, extent.t1_us / 1e6)}
        none = live_intents(session, extent.t1_us / 1e6 + 600.0, extent.t1_us / 1e6 + 1_200.0)
    assert states == {f"dss:{planned}": IntentState.ACCEPTED, f"dss:{flying}": IntentState.ACTIVATED} and none == []
