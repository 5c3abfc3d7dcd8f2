"""Resolutions of a rejected intent (`strategic.resolve`): the earliest free slot and the nearest free block, on
set cases and against a brute-force search written here (every whole-minute delay, every whole-step level change,
checked by comparing footprints, windows and bands directly)."""

from __future__ import annotations

import random

import pytest
from shapely.geometry import box

from commonsky.airspace.volume import Volume
from commonsky.airspace.zone import Zone, ZoneKind
from commonsky.plans.intent import Intent
from commonsky.strategic.engine import StrategicEngine
from commonsky.strategic.policy import Policy
from commonsky.strategic.resolve import earliest_free_slot, nearest_free_block
from commonsky.strategic.result import Verdict
from commonsky.units import FT_M

from .test_engine import T0, H, orbit


def test_time_resolution_is_the_earliest_free_slot_and_verified() -> None:
    engine = StrategicEngine()
    engine.submit(orbit("a", "coalition", 30, start_h=7.0, end_h=9.0))
    engine.submit(orbit("b", "coalition", 30, start_h=9.5, end_h=11.0))
    late = orbit("c", "iran", 30, start_h=8.0, end_h=9.0)  # 1 h long: fits 9:00-9:30? no; first free at 11:00
    result = engine.check(late)
    assert result.verdict is Verdict.REJECTED
    time_fix = next(r for r in result.resolutions if r.kind == "time")
    assert time_fix.dt_s == pytest.approx(3 * H)
    assert engine.blocking(time_fix.intent) == ()
    assert engine.blocking(late.shifted(dt_s=time_fix.dt_s - 60.0)) != ()
    assert engine.check(time_fix.intent).accepted


def test_altitude_resolution_is_the_nearest_free_block_of_the_same_thickness() -> None:
    engine = StrategicEngine()
    engine.submit(orbit("a", "coalition", 30, floor="FL180", ceiling="FL220"))
    engine.submit(orbit("b", "coalition", 30, floor="FL230", ceiling="FL260"))
    new = orbit("c", "iran", 30, floor="FL200", ceiling="FL210")
    result = engine.check(new)
    fix = next(r for r in result.resolutions if r.kind == "altitude")
    # up to FL220-FL230 (2000 ft) beats down to FL170-FL180 (3000 ft)
    assert fix.dz_m == pytest.approx(2000 * FT_M)
    assert fix.intent.volumes[0].band.label() == "FL220-FL230"
    assert engine.blocking(fix.intent) == ()


def test_no_altitude_resolution_beyond_the_policy_ceiling() -> None:
    engine = StrategicEngine(policy=Policy(highest_ceiling_m=22_500 * FT_M))
    engine.submit(orbit("a", "coalition", 30, floor="SFC", ceiling="FL220"))
    result = engine.check(orbit("b", "iran", 30, floor="FL200", ceiling="FL210"))
    assert [r.kind for r in result.resolutions] == ["time"]


def test_daily_zone_time_resolution_waits_for_the_window_to_close() -> None:
    night = Zone(
        name="night closure",
        kind=ZoneKind.RESTRICTED,
        geometry=box(44.5, 33.5, 45.5, 34.5),
        extra={"daily": [{"start": "18:00", "end": "06:00"}]},
    )
    early = orbit("dawn", "iran", 30, start_h=5.0, end_h=7.0)
    engine = StrategicEngine([night])
    result = engine.check(early)
    [conflict] = result.conflicts
    assert (conflict.start_s, conflict.end_s) == (T0 + 5 * H, T0 + 6 * H)
    fix = next(r for r in result.resolutions if r.kind == "time")
    assert fix.dt_s == pytest.approx(1 * H)  # starts at 06:00, when the closure ends
    assert engine.check(orbit("noon", "iran", 30, start_h=11.0, end_h=13.0)).accepted


def _meets(a: Volume, b: Volume) -> bool:
    area = a.footprint.intersection(b.footprint).area
    when = max(a.window.start_s, b.window.start_s) < min(a.window.end_s, b.window.end_s)
    level = max(a.band.floor.value_m, b.band.floor.value_m) < min(a.band.ceiling.value_m, b.band.ceiling.value_m)
    return area > 1e-9 and when and level


def _free(intent: Intent, others: list[Intent]) -> bool:
    return not any(_meets(v, w) for v in intent.volumes for o in others for w in o.volumes)


def _crowd(seed: int) -> tuple[list[Intent], Intent]:
    rng = random.Random(seed)
    others = []
    for i in range(20):
        floor_fl = rng.randrange(10, 30) * 10
        start_h = rng.uniform(1.0, 7.0)
        others.append(
            orbit(
                f"o{i}",
                "coalition",
                30,
                centre=(rng.uniform(33.8, 34.2), rng.uniform(44.7, 45.1)),
                floor=f"FL{floor_fl}",
                ceiling=f"FL{floor_fl + rng.randrange(1, 6) * 10}",
                start_h=start_h,
                end_h=start_h + rng.uniform(0.5, 3.0),
            )
        )
    floor_fl = rng.randrange(10, 30) * 10
    mine = orbit("mine", "iran", 30, floor=f"FL{floor_fl}", ceiling=f"FL{floor_fl + 20}", start_h=4.0, end_h=6.0)
    return others, mine


@pytest.mark.parametrize("seed", range(6))
def test_the_resolutions_are_the_smallest_free_moves_brute_force_finds(seed: int) -> None:
    others, mine = _crowd(seed)
    engine = StrategicEngine()
    for other in others:
        engine.store(other)
    conflicts = engine.conflicts(mine)
    assert not _free(mine, others), "every draw must need a resolution"
    policy = engine.policy
    delays = [k * 60.0 for k in range(1, int(policy.max_time_shift_s / 60) + 1)]
    first_delay = next((dt for dt in delays if _free(mine.shifted(dt_s=dt), others)), None)
    slot = earliest_free_slot(engine, mine, conflicts)
    assert slot is not None and first_delay is not None
    assert slot.dt_s == first_delay and _free(slot.intent, others)
    step = policy.altitude_step_m
    levels = [dz for k in range(1, 61) for dz in (k * step, -k * step)]  # ties: climb first
    floor_m, ceiling_m = mine.volumes[0].band.floor.value_m, mine.volumes[0].band.ceiling.value_m
    inside = [dz for dz in levels if floor_m + dz >= 0.0 and ceiling_m + dz <= policy.highest_ceiling_m]
    first_level = next((dz for dz in inside if _free(mine.shifted(dz_m=dz), others)), None)
    block = nearest_free_block(engine, mine, conflicts)
    assert block is not None and first_level is not None
    assert block.dz_m == pytest.approx(first_level) and _free(block.intent, others)
