"""Resolutions of a rejected intent: the earliest free time slot and the nearest free altitude block.

Both searches are best-first over candidate shifts derived from the blocking conflicts (the time the other's
activity ends; the other's ceiling or floor), and every candidate is verified by re-running the check on the
shifted intent, so a returned resolution is conflict-free against the same state (no blocking conflict; it may
still supersede lower-priority intents). Searches stop after ``policy.max_tries`` checks.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from commonsky.plans.intent import Intent
from commonsky.strategic.result import Conflict, Effect, Resolution
from commonsky.units import FT_M

if TYPE_CHECKING:
    from commonsky.strategic.engine import StrategicEngine

_MINUTE = 60.0


def _time_candidates(intent: Intent, conflicts: Iterable[Conflict], base_dt: float) -> Iterable[float]:
    for conflict in conflicts:
        if conflict.effect is not Effect.BLOCKS:
            continue
        for part in conflict.parts:
            own_start = intent.volumes[part.own_volume].window.start_s
            for clear in (part.other_clear_s, part.overlap.intervals[-1][1]):
                if clear is not None and math.isfinite(clear):
                    yield base_dt + math.ceil(round((clear - own_start) / _MINUTE, 6)) * _MINUTE


def earliest_free_slot(engine: StrategicEngine, intent: Intent, conflicts: Iterable[Conflict]) -> Resolution | None:
    """The smallest delay (whole minutes, up to ``policy.max_time_shift_s``) that leaves no blocking conflict."""
    policy = engine.policy
    heap = [dt for dt in _time_candidates(intent, conflicts, 0.0) if 0 < dt <= policy.max_time_shift_s]
    heapq.heapify(heap)
    seen: set[float] = set()
    while heap and len(seen) < policy.max_tries:
        dt = heapq.heappop(heap)
        if dt in seen:
            continue
        seen.add(dt)
        moved = intent.shifted(dt_s=dt)
        blocking = engine.blocking(moved)
        if not blocking:
            start = datetime.fromtimestamp(moved.start_s, UTC) if math.isfinite(moved.start_s) else None
            when = f", reserved from {start:%H:%MZ}" if start else ""
            return Resolution("time", dt, 0.0, moved, f"delay {_duration(dt)}{when}")
        for more in _time_candidates(moved, blocking, dt):
            if dt < more <= policy.max_time_shift_s and more not in seen:
                heapq.heappush(heap, more)
    return None


def _altitude_candidates(
    engine: StrategicEngine, intent: Intent, conflicts: Iterable[Conflict], base_steps: int
) -> Iterable[int]:
    """Moves in whole ``altitude_step_m`` steps (counted as integers: summed metres drift, and the same level
    reached twice by different paths must be seen as one)."""
    model, step = engine.policy.altitude, engine.policy.altitude_step_m
    for conflict in conflicts:
        if conflict.effect is not Effect.BLOCKS:
            continue
        for part in conflict.parts:
            own, other = intent.volumes[part.own_volume].band, part.other_volume
            if other is None:
                continue
            theirs = other.band
            up_margin = model.mixed_ref_margin_m if own.floor.ref is not theirs.ceiling.ref else 0.0
            down_margin = model.mixed_ref_margin_m if own.ceiling.ref is not theirs.floor.ref else 0.0
            up = model.ceiling_m(theirs.ceiling) + up_margin - model.floor_m(own.floor)
            down = model.floor_m(theirs.floor) - down_margin - model.ceiling_m(own.ceiling)
            # at least one step: a block that still meets this one is not cleared by staying (bands that only
            # touch after a shift can meet by a rounding error in metres, and would stall the search here)
            if math.isfinite(up):
                yield base_steps + max(1, math.ceil(round(up / step, 6)))
            if math.isfinite(down):
                yield base_steps + min(-1, math.floor(round(down / step, 6)))


def _within_limits(engine: StrategicEngine, intent: Intent) -> bool:
    policy = engine.policy
    return all(
        v.band.floor.value_m >= policy.lowest_floor_m
        and policy.altitude.ceiling_m(v.band.ceiling) <= policy.highest_ceiling_m
        for v in intent.volumes
    )


def nearest_free_block(engine: StrategicEngine, intent: Intent, conflicts: Iterable[Conflict]) -> Resolution | None:
    """The smallest vertical move (whole ``altitude_step_m``, up or down, same thickness) that leaves no blocking
    conflict and keeps every block between ``policy.lowest_floor_m`` and ``policy.highest_ceiling_m``."""
    policy = engine.policy
    heap = [(abs(k), -k) for k in _altitude_candidates(engine, intent, conflicts, 0) if k != 0]
    heapq.heapify(heap)
    seen: set[int] = set()
    while heap and len(seen) < policy.max_tries:
        _, neg_steps = heapq.heappop(heap)  # ties: climb before descending (more terrain clearance)
        steps = -neg_steps
        if steps in seen:
            continue
        seen.add(steps)
        dz = steps * policy.altitude_step_m
        moved = intent.shifted(dz_m=dz)
        if not _within_limits(engine, moved):
            continue
        blocking = engine.blocking(moved)
        if not blocking:
            bands = sorted({v.band.label() for v in moved.volumes})
            verb = "climb" if dz > 0 else "descend"
            summary = f"{verb} {abs(dz) / FT_M:,.0f} ft: {', '.join(bands[:3])}{' ...' if len(bands) > 3 else ''}"
            return Resolution("altitude", 0.0, dz, moved, summary)
        for more in _altitude_candidates(engine, moved, blocking, steps):
            if more not in seen and more != 0:
                heapq.heappush(heap, (abs(more), -more))
    return None


def resolutions_for(engine: StrategicEngine, intent: Intent, conflicts: Iterable[Conflict]) -> tuple[Resolution, ...]:
    """The resolutions that exist, time first then altitude (possibly none)."""
    conflicts = tuple(conflicts)
    found = (earliest_free_slot(engine, intent, conflicts), nearest_free_block(engine, intent, conflicts))
    return tuple(r for r in found if r is not None)


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60.0)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
