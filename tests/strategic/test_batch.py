"""Filings processed in order: the filing order decides between equals, a later higher priority supersedes an
earlier one without removing it, and an intent is checked only against those accepted before it."""

from __future__ import annotations

from commonsky.airspace.volume import AltitudeBand, CircleShape, TimeWindow, Volume
from commonsky.plans.intent import Intent
from commonsky.strategic.batch import check_in_order
from commonsky.strategic.result import Verdict
from commonsky.units import parse_altitude

T0 = 1_417_478_400.0


def _orbit(intent_id: str, priority: int, lat: float = 34.0) -> Intent:
    band = AltitudeBand(parse_altitude("FL180"), parse_altitude("FL220"))
    volume = Volume(CircleShape((lat, 44.9), 15_000.0), band, TimeWindow(T0, T0 + 7200.0))
    return Intent(intent_id, intent_id, (volume,), priority=priority)


def test_order_decides_between_equals() -> None:
    a, b = _orbit("a", 30), _orbit("b", 30, lat=34.1)
    assert [r.verdict for r in check_in_order([a, b], resolve=False)] == [Verdict.ACCEPTED, Verdict.REJECTED]
    assert [r.verdict for r in check_in_order([b, a], resolve=False)] == [Verdict.ACCEPTED, Verdict.REJECTED]


def test_a_later_higher_priority_supersedes_and_the_earlier_stays_stored() -> None:
    low, high, third = _orbit("low", 10), _orbit("high", 50, lat=34.1), _orbit("third", 50, lat=34.05)
    results = check_in_order([low, high, third], resolve=False)
    assert results[1].verdict is Verdict.ACCEPTED
    assert [c.other for c in results[1].superseded] == ["low"]
    # the third meets both: "high" blocks it (equal priority) and "low", still stored, is superseded by it
    assert results[2].verdict is Verdict.REJECTED
    assert {c.other for c in results[2].conflicts} == {"low", "high"}


def test_rejected_filings_hold_no_airspace() -> None:
    a, b, c = _orbit("a", 30), _orbit("b", 30, lat=34.1), _orbit("c", 30, lat=34.33)
    # c (37 km from a, 26 km from b: two 15 km circles) meets b only; b was rejected (it met a), so c is free
    results = check_in_order([a, b, c], resolve=False)
    assert [r.verdict for r in results] == [Verdict.ACCEPTED, Verdict.REJECTED, Verdict.ACCEPTED]
    assert check_in_order([b, c], resolve=False)[1].verdict is Verdict.REJECTED  # had b been accepted
