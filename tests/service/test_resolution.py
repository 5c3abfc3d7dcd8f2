"""The resolution search (`service.resolution`): each rounded resolution is on the disclosure grid, is free of
every other volume when checked by brute force here (footprint areas, time windows and flight-level bands compared
directly, not through the engine), and is the first free one of the grid steps it tried; ``None`` exactly when none
of the tried steps is free."""

from __future__ import annotations

import math

import pytest

from commonsky.airspace.volume import AltitudeModel
from commonsky.plans.intent import Intent
from commonsky.service import auth
from commonsky.service.broker import Broker
from commonsky.service.db import Database
from commonsky.service.disclosure import DisclosurePolicy
from commonsky.service.engine import bounds, build_engine, to_intent, volumes_from_json
from commonsky.service.examples import box
from commonsky.service.migrate import upgrade
from commonsky.service.resolution import RESOLUTION_STEPS, coarse_resolution, resolutions
from commonsky.service.settings import ServiceSettings
from commonsky.service.surroundings import Surroundings
from commonsky.service.views import ResolutionView

from .conftest import volumes_meet

MODEL = AltitudeModel()


def _free(candidate: Intent, others: list[Intent]) -> bool:
    return not any(volumes_meet(v, w) for v in candidate.volumes for o in others for w in o.volumes)


def _moved(candidate: Intent, view: ResolutionView) -> Intent:
    return candidate.shifted(dt_s=view.dt_s, dz_m=view.dz_m)


def _intent(name: str, volume: dict[str, object], priority: int) -> Intent:
    return to_intent(name, name, volumes_from_json([volume]), priority)


def test_delay_is_the_first_free_whole_step_at_or_after_the_engine_s() -> None:
    blocker = _intent("b", box(45.0, 33.0, 45.5, 33.5, start="2014-12-01T06:00:00Z", end="2014-12-01T07:10:00Z"), 50)
    later = _intent("c", box(45.0, 33.0, 45.5, 33.5, start="2014-12-01T08:10:00Z", end="2014-12-01T08:40:00Z"), 50)
    candidate = _intent("me", box(45.2, 33.2, 45.7, 33.7, "FL150", "FL160", end="2014-12-01T07:00:00Z"), 0)
    engine = build_engine(MODEL, [], [blocker, later])
    policy = DisclosurePolicy(step_s=900.0)
    raw = 4_321.0  # not on the grid: after 06:00 + 72 min the first blocker is gone
    view = coarse_resolution(engine, candidate, raw, 0.0, policy)
    assert view is not None and view.kind == "time" and view.dz_m == 0.0
    assert view.dt_s % policy.step_s == 0.0 and view.dt_s >= raw
    assert _free(_moved(candidate, view), [blocker, later])
    tried = [k * policy.step_s for k in range(math.ceil(raw / policy.step_s), round(view.dt_s / policy.step_s))]
    assert tried, "the second blocker holds the first rounded delays"
    assert all(not _free(candidate.shifted(dt_s=dt), [blocker, later]) for dt in tried)
    assert view.summary == f"delay {view.dt_s / 60:.0f} min"


@pytest.mark.parametrize("raw_dz_m", [10.0, -10.0])
def test_level_change_is_whole_bands_in_the_engine_s_direction_and_free(raw_dz_m: float) -> None:
    blocker = _intent("b", box(45.0, 33.0, 45.5, 33.5, "FL140", "FL160"), 50)
    candidate = _intent("me", box(45.1, 33.1, 45.4, 33.4, "FL150", "FL155"), 0)
    engine = build_engine(MODEL, [], [blocker])
    policy = DisclosurePolicy(band_ft=500.0)
    view = coarse_resolution(engine, candidate, 0.0, raw_dz_m, policy)
    assert view is not None and view.kind == "altitude" and view.dt_s == 0.0
    assert math.copysign(1.0, view.dz_m) == math.copysign(1.0, raw_dz_m)
    bands = abs(view.dz_m) / policy.band_m
    assert abs(bands - round(bands)) < 1e-9 and abs(view.dz_m) >= abs(raw_dz_m)
    assert _free(_moved(candidate, view), [blocker])
    smaller = [math.copysign(k * policy.band_m, raw_dz_m) for k in range(1, round(bands))]
    assert smaller, "one band either way still meets the blocker"
    assert all(not _free(candidate.shifted(dz_m=dz), [blocker]) for dz in smaller)
    assert view.summary.startswith("climb " if raw_dz_m > 0 else "descend ")


def test_none_when_no_tried_step_is_free() -> None:
    blocker = _intent("b", box(45.0, 33.0, 45.5, 33.5, end="2014-12-01T12:00:00Z"), 50)
    candidate = _intent("me", box(45.1, 33.1, 45.4, 33.4), 0)  # 06:00-08:00 inside the blocker's 06:00-12:00
    engine = build_engine(MODEL, [], [blocker])
    policy = DisclosurePolicy(step_s=60.0)
    tried = [(1 + k) * policy.step_s for k in range(RESOLUTION_STEPS)]
    assert all(not _free(candidate.shifted(dt_s=dt), [blocker]) for dt in tried)
    assert coarse_resolution(engine, candidate, 1.0, 0.0, policy) is None


def test_resolutions_from_the_store_are_free_of_every_stored_intent(database_url: str) -> None:
    settings = ServiceSettings(database_url=database_url, sqlite_synchronous="NORMAL", probe_budget_units=1e12)
    database = Database(settings)
    upgrade(database)
    broker = Broker(database, settings)
    party, _ = auth.create_party(database, "first", "operator")
    stored_json = [box(45.0, 33.0, 45.5, 33.5), box(45.3, 33.3, 45.8, 33.8, "FL200", "FL250")]
    for volume in stored_json:
        assert broker.submit(party, [volume], 50, key=None).accepted
    stored = [_intent(f"s{i}", v, 50) for i, v in enumerate(stored_json)]
    candidate = _intent("me", box(45.2, 33.2, 45.6, 33.6, "FL120", "FL180"), 0)
    assert not _free(candidate, stored)
    policy = DisclosurePolicy()
    with database.read() as session:
        found = resolutions(session, Surroundings(MODEL), candidate, bounds(candidate.volumes, MODEL), policy)
    database.dispose()
    assert found, "a delay past 08:00 is free, the search must find one"
    for view in found:
        assert _free(_moved(candidate, view), stored), view
        assert view.dt_s % policy.step_s == 0.0
