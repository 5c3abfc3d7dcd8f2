"""A check result's views: a conflict spans all its parts (union of places, earliest start, latest end, widest
band), and the result sorts its conflicts by effect. Built here from overlaps written by hand."""

from __future__ import annotations

import pytest
import shapely

from commonsky.airspace.volume import AltitudeBand, CircleShape, Overlap, TimeWindow, Volume
from commonsky.plans.intent import Intent
from commonsky.strategic.result import CheckResult, Conflict, ConflictPart, Effect, OtherKind, Verdict
from commonsky.units import parse_altitude


def _part(x0: float, t0: float, t1: float, lo: float, hi: float, *more: tuple[float, float]) -> ConflictPart:
    return ConflictPart(0, Overlap(shapely.box(x0, 0.0, x0 + 1.0, 1.0), ((t0, t1), *more), lo, hi))


def test_a_conflict_spans_its_parts() -> None:
    conflict = Conflict(
        OtherKind.INTENT,
        "b",
        Effect.BLOCKS,
        (_part(0.0, 100.0, 200.0, 500.0, 900.0), _part(0.5, 50.0, 80.0, 700.0, 1200.0, (150.0, 300.0))),
    )
    assert (conflict.start_s, conflict.end_s) == (50.0, 300.0)
    assert (conflict.alt_lo_m, conflict.alt_hi_m) == (500.0, 1200.0)
    assert conflict.geometry.area == pytest.approx(1.5)  # two unit squares overlapping by half
    single = Conflict(OtherKind.ZONE, "z", Effect.ADVISORY, (_part(3.0, 0.0, 1.0, 0.0, 1.0),))
    assert single.geometry.equals(shapely.box(3.0, 0.0, 4.0, 1.0))


def test_the_result_sorts_conflicts_by_effect() -> None:
    band = AltitudeBand(parse_altitude("SFC"), parse_altitude("FL100"))
    intent = Intent("i", "p", (Volume(CircleShape((34.0, 44.0), 1000.0), band, TimeWindow(0.0, 10.0)),))
    conflicts = tuple(
        Conflict(kind, name, effect, (_part(0.0, 0.0, 1.0, 0.0, 1.0),))
        for kind, name, effect in [
            (OtherKind.INTENT, "a", Effect.BLOCKS),
            (OtherKind.INTENT, "b", Effect.SUPERSEDES),
            (OtherKind.ZONE, "c", Effect.ADVISORY),
            (OtherKind.ZONE, "d", Effect.BLOCKS),
        ]
    )
    result = CheckResult(intent, Verdict.REJECTED, conflicts)
    assert [c.other for c in result.blocking] == ["a", "d"]
    assert [c.other for c in result.superseded] == ["b"]
    assert [c.other for c in result.warnings] == ["c"]
    assert not result.accepted and CheckResult(intent, Verdict.ACCEPTED, ()).accepted
