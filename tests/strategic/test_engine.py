"""The strategic engine: F3548-style priorities, zones that bind or advise, privacy (resolutions: test_resolve.py;
map features: test_features.py)."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import box

from commonsky.airspace.volume import AltitudeBand, CircleShape, TimeWindow, Volume
from commonsky.airspace.zone import Zone, ZoneKind
from commonsky.plans.intent import Intent
from commonsky.strategic.engine import StrategicEngine, check
from commonsky.strategic.policy import Policy
from commonsky.strategic.privacy import redact
from commonsky.strategic.result import Effect, OtherKind, Verdict
from commonsky.strategic.serialize import result_to_json
from commonsky.units import FT_M, parse_altitude

H = 3600.0
T0 = 1_417_478_400.0  # 2014-12-02T00:00Z


def orbit(
    intent_id: str,
    party: str,
    priority: int,
    centre: tuple[float, float] = (34.0, 44.9),
    floor: str = "FL180",
    ceiling: str = "FL220",
    start_h: float = 7.0,
    end_h: float = 9.0,
    radius_m: float = 15_000.0,
) -> Intent:
    band = AltitudeBand(parse_altitude(floor), parse_altitude(ceiling))
    volume = Volume(CircleShape(centre, radius_m), band, TimeWindow(T0 + start_h * H, T0 + end_h * H))
    return Intent(intent_id, party, (volume,), priority=priority)


def zone(name: str, binding: bool = True, applies_to: tuple[str, ...] = (), ceiling: str = "UNL") -> Zone:
    return Zone(
        name=name,
        kind=ZoneKind.RESTRICTED if binding else ZoneKind.ADVISORY,
        geometry=box(45.0, 34.0, 45.6, 34.6),
        ceiling=parse_altitude(ceiling),
        binding=binding,
        applies_to=applies_to,
    )


def test_no_conflict_is_accepted_with_nothing_listed() -> None:
    result = check(orbit("b", "iran", 30, centre=(35.5, 47.0)), [orbit("a", "coalition", 30)])
    assert result.verdict is Verdict.ACCEPTED
    assert result.conflicts == ()


@pytest.mark.parametrize(
    ("new_priority", "verdict", "effect"),
    [
        (20, Verdict.REJECTED, Effect.BLOCKS),  # lower may not create a conflict with higher
        (30, Verdict.REJECTED, Effect.BLOCKS),  # equal: first come, first served
        (40, Verdict.ACCEPTED, Effect.SUPERSEDES),  # higher wins; the other must replan
    ],
)
def test_priorities(new_priority: int, verdict: Verdict, effect: Effect) -> None:
    first = orbit("first", "coalition", 30)
    second = orbit("second", "iran", new_priority, centre=(34.1, 45.0), start_h=8.0, end_h=10.0)
    result = check(second, [first])
    assert result.verdict is verdict
    [conflict] = result.conflicts
    assert (conflict.kind, conflict.other, conflict.effect) == (OtherKind.INTENT, "first", effect)
    assert (conflict.start_s, conflict.end_s) == (T0 + 8 * H, T0 + 9 * H)
    assert (conflict.alt_lo_m, conflict.alt_hi_m) == pytest.approx((18000 * FT_M, 22000 * FT_M))
    assert conflict.geometry.area > 0
    if effect is Effect.SUPERSEDES:
        assert result.superseded == (conflict,)


def test_zones_bind_advise_or_do_not_apply() -> None:
    inside = orbit("x", "iran", 30, centre=(34.3, 45.3), radius_m=5000.0)
    binding = check(inside, [], [zone("closed", applies_to=("iran",))])
    assert binding.verdict is Verdict.REJECTED
    assert [(c.kind, c.other, c.effect) for c in binding.conflicts] == [(OtherKind.ZONE, "closed", Effect.BLOCKS)]
    assert check(inside, [], [zone("closed", applies_to=("coalition",))]).conflicts == ()
    advisory = check(inside, [], [zone("take care", binding=False)])
    assert advisory.verdict is Verdict.ACCEPTED
    assert [c.effect for c in advisory.warnings] == [Effect.ADVISORY]
    # a zone up to FL100 does not touch an orbit at FL180-FL220
    assert check(inside, [], [zone("low", ceiling="FL100")]).conflicts == ()


def test_a_replanned_intent_does_not_conflict_with_its_old_self() -> None:
    engine = StrategicEngine()
    engine.submit(orbit("a", "coalition", 30))
    assert engine.check(orbit("a", "coalition", 30, start_h=7.5)).accepted
    engine.remove("a")
    assert engine.check(orbit("z", "iran", 30)).accepted


def test_index_and_exhaustive_paths_agree() -> None:
    engine = StrategicEngine()
    for i in range(30):
        engine.store(
            orbit(
                f"o{i}", "coalition", 30, centre=(33.5 + 0.05 * i, 44.5 + 0.04 * i), start_h=i * 0.3, end_h=i * 0.3 + 2
            )
        )
    query = orbit("q", "iran", 30, centre=(34.0, 44.9), radius_m=40_000.0, start_h=3.0, end_h=6.0)
    indexed = {c.other for c in engine.conflicts(query)}
    assert indexed == {c.other for c in engine.conflicts(query, use_index=False)}
    assert len(indexed) > 3


def test_privacy_hides_the_other_party() -> None:
    first = orbit("coalition-isr-secret-route", "coalition", 30)
    mine = orbit("iran-1", "iran", 30, centre=(34.1, 45.0))
    policy = Policy()
    result = check(mine, [first, orbit("iran-0", "iran", 30, centre=(33.9, 44.8))], [zone("closed")], policy)
    seen = redact(result, "iran", policy)
    text = json.dumps(result_to_json(seen))
    assert "coalition" not in text and "secret" not in text
    others = {c.other for c in seen.conflicts}
    assert "iran-0" in others and "closed" in others  # own intents and public zones keep their names
    hidden = next(c for c in seen.conflicts if c.other.startswith("(another party) #"))
    assert hidden.other_party is None and hidden.other_priority is None
    assert all(p.other_volume is None for p in hidden.parts)
    assert hidden.geometry.equals(next(c for c in result.conflicts if c.other == first.id).geometry)
    assert redact(result, None, policy) == result  # the authority sees everything
    assert redact(result, "iran", Policy(reveal_others=True)) == result


def test_ended_intents_hold_no_airspace() -> None:
    from commonsky.plans.intent import IntentState

    engine = StrategicEngine()
    stored = engine.store(orbit("a", "coalition", 30))
    assert stored.state is IntentState.ACCEPTED
    assert not engine.check(orbit("b", "iran", 30)).accepted
    engine.store(stored.with_state(IntentState.ENDED))
    assert "a" not in engine.intents
    assert engine.check(orbit("b", "iran", 30)).accepted


def test_broker_invariant_on_random_filings() -> None:
    """After filings processed in order, two accepted intents only conflict when the later one outranks the
    earlier (it superseded it); every rejected intent's resolutions pass the check at that moment."""
    import numpy as np

    from commonsky.strategic.batch import check_in_order

    rng = np.random.default_rng(42)
    filings = []
    for i in range(60):
        floor_fl = int(rng.integers(10, 30)) * 10
        filings.append(
            orbit(
                f"i{i}",
                f"p{i % 4}",
                int(rng.integers(0, 3)),
                centre=(float(rng.uniform(33.5, 34.5)), float(rng.uniform(44.5, 45.5))),
                floor=f"FL{floor_fl}",
                ceiling=f"FL{floor_fl + int(rng.integers(1, 5)) * 10}",
                start_h=float(rng.uniform(0, 10)),
                end_h=float(rng.uniform(11, 14)),
                radius_m=float(rng.uniform(5_000, 20_000)),
            )
        )
    results = check_in_order(filings, [zone("closed", applies_to=("p0",))])
    accepted = [r.intent for r in results if r.accepted]
    assert 5 < len(accepted) < len(filings)
    order = {intent.id: n for n, intent in enumerate(filings)}
    engine = StrategicEngine()
    for intent in accepted:
        engine.store(intent)
    for intent in accepted:
        for conflict in engine.conflicts(intent):
            other = engine.intents[conflict.other]
            later, earlier = (intent, other) if order[intent.id] > order[other.id] else (other, intent)
            assert later.priority > earlier.priority
    for result in results:
        assert result.accepted == (result.blocking == ())
        assert all(r.intent.id == result.intent.id for r in result.resolutions)
