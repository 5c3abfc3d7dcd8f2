"""`FeedCounters`: a snapshot is a detached copy in declaration order; the rejected reports are exactly the state
builder's non-zero hygiene counts."""

from __future__ import annotations

from dataclasses import fields

from commonsky.surveillance.feeds.counters import FeedCounters, rejected_reports


def test_snapshot_is_a_copy_in_declaration_order() -> None:
    counters = FeedCounters()
    counters.frames += 3
    snap = counters.snapshot()
    assert list(snap) == [f.name for f in fields(FeedCounters)]
    assert snap["frames"] == 3 and sum(snap.values()) == 3
    counters.frames += 1
    assert snap["frames"] == 3


def test_rejected_lists_only_non_zero_hygiene_counts() -> None:
    counters = FeedCounters(position_jumps=2, altitude_out_of_range=1, garbage_lines=7, crc_failures=4)
    assert counters.rejected() == {"position_jumps": 2, "altitude_out_of_range": 1}
    assert FeedCounters().rejected() == {}
    assert rejected_reports({"altitude_spikes": 5}) == {"altitude_spikes": 5}  # an older snapshot's keys suffice
