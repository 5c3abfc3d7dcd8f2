"""Redaction, conflict by conflict: a viewer sees zones and its own side in full; of another party's intent only an
opaque numbered reference and where, when and at which altitudes they meet; the authority sees everything."""

from __future__ import annotations

import shapely

from commonsky.airspace.volume import AltitudeBand, CircleShape, Overlap, TimeWindow, Volume
from commonsky.plans.intent import Intent
from commonsky.strategic.policy import Policy
from commonsky.strategic.privacy import may_see, redact
from commonsky.strategic.result import CheckResult, Conflict, ConflictPart, Effect, OtherKind, Verdict
from commonsky.units import parse_altitude

BAND = AltitudeBand(parse_altitude("FL100"), parse_altitude("FL200"))
VOLUME = Volume(CircleShape((34.0, 44.0), 5000.0), BAND, TimeWindow(0.0, 3600.0))
OVERLAP = Overlap(shapely.box(44.0, 34.0, 44.1, 34.1), ((100.0, 200.0),), 3000.0, 6000.0)


def _conflict(kind: OtherKind, other: str, party: str | None) -> Conflict:
    part = ConflictPart(0, OVERLAP, other_volume=VOLUME, other_clear_s=200.0)
    return Conflict(
        kind, other, Effect.BLOCKS, (part,), other_party=party, other_priority=None if party is None else 40
    )


def _result() -> CheckResult:
    conflicts = (
        _conflict(OtherKind.INTENT, "usaf-7", "usaf"),
        _conflict(OtherKind.ZONE, "Closed west", None),
        _conflict(OtherKind.INTENT, "iran-2", "iran"),
        _conflict(OtherKind.INTENT, "usaf-9", "usaf"),
    )
    return CheckResult(Intent("iran-1", "iran", (VOLUME,)), Verdict.REJECTED, conflicts)


def test_another_partys_intents_become_numbered_references() -> None:
    seen = redact(_result(), "iran", Policy())
    assert [c.other for c in seen.conflicts] == ["(another party) #1", "Closed west", "iran-2", "(another party) #2"]
    for hidden in (seen.conflicts[0], seen.conflicts[3]):
        assert (hidden.other_party, hidden.other_priority) == (None, None)
        [part] = hidden.parts
        assert (part.other_volume, part.other_clear_s) == (None, None)
        assert part.overlap == OVERLAP and part.own_volume == 0  # where, when, altitudes stay
    assert seen.conflicts[1:3] == _result().conflicts[1:3]  # the zone and the viewer's own intent, untouched
    assert seen.intent == _result().intent and seen.verdict is Verdict.REJECTED


def test_who_sees_everything() -> None:
    result = _result()
    assert redact(result, None, Policy()) == result
    assert redact(result, "iran", Policy(reveal_others=True)) == result
    assert may_see(result.conflicts[0], "usaf", Policy()) and not may_see(result.conflicts[0], "iran", Policy())
