"""Alert lifecycle and hysteresis, and the SafetyNet pipeline on a moving picture."""

from __future__ import annotations

import math
import random

import pytest

from commonsky.errors import InputError
from commonsky.events import EventKind
from commonsky.picture import Picture
from commonsky.safety.alerts import AlertKind, AlertTracker, Observation
from commonsky.safety.pipeline import SafetyNet

KEY = (AlertKind.CONFLICT, "A", "B")


def _obs(t: float, los: bool = False) -> dict:
    return {KEY: Observation(predicted_s=t, in_violation=los)}


def test_raise_update_end_with_hysteresis() -> None:
    tracker = AlertTracker(raise_cycles=1, end_cycles=3)
    assert [e.kind for e in tracker.update(0.0, _obs(60.0))] == [EventKind.RAISED]
    assert tracker.update(5.0, {}) == []  # gone for one cycle: no flicker
    assert tracker.update(10.0, _obs(60.5)) == []  # back, prediction barely moved: no event
    assert [e.kind for e in tracker.update(15.0, _obs(50.0))] == [EventKind.UPDATED]
    seen = tracker.update(60.0, _obs(60.0, los=True))
    assert [e.kind for e in seen] == [EventKind.UPDATED] and seen[0].alert.actual_s == 60.0
    assert tracker.update(65.0, {}) == [] and tracker.update(70.0, {}) == []
    ended = tracker.update(75.0, {})
    assert [e.kind for e in ended] == [EventKind.ENDED]
    alert = ended[0].alert
    assert alert.raised_s == 0.0 and alert.ended_s == 75.0 and alert.warning_time_s == 60.0
    assert tracker.active == []


def test_raise_needs_consecutive_cycles() -> None:
    tracker = AlertTracker(raise_cycles=2, end_cycles=1)
    assert tracker.update(0.0, _obs(100.0)) == []
    assert tracker.update(5.0, {}) == []  # the count restarts
    assert tracker.update(10.0, _obs(100.0)) == []
    raised = tracker.update(15.0, _obs(100.0))
    assert [e.kind for e in raised] == [EventKind.RAISED]
    assert raised[0].alert.warning_time_s == 85.0  # predicted: no loss seen yet
    assert [e.kind for e in tracker.update(20.0, {})] == [EventKind.ENDED]


def test_bad_settings() -> None:
    with pytest.raises(InputError, match="end_cycles must be >= 1"):
        AlertTracker(end_cycles=0)


def test_pipeline_on_a_converging_pair_warns_before_the_loss() -> None:
    d = 6371000.0 * math.radians(0.4) * math.cos(math.radians(50.0))
    picture = Picture.from_arrays(["A", "B"], [50.0, 50.0], [9.8, 10.2], [10000, 10000], [230, 230], [90, 270], [0, 0])
    net = SafetyNet()
    events = []
    for _ in range(20):
        events += net.step(picture).events
        picture = picture.advance(5.0)
    raised = [e for e in events if e.kind is EventKind.RAISED]
    assert len(raised) == 1 and raised[0].time_s == 0.0
    assert raised[0].alert.predicted_s == pytest.approx((d - 9260.0) / 460.0, abs=0.5)
    los = [e for e in events if e.alert.actual_s is not None]
    first_inside = 5.0 * math.ceil((d - 9260.0) / 460.0 / 5.0)  # first 5 s picture inside the radius
    assert los and los[0].alert.warning_time_s == pytest.approx(first_inside)


def _hovering(dcpa_nm: float, time_s: float) -> Picture:
    lat_b = 50.0 + math.degrees(dcpa_nm * 1852.0 / 6371000.0)
    return Picture.from_arrays(
        ["A", "B"], [50.0, lat_b], [9.6, 10.4], [10000, 10000], [230, 230], [90, 270], [0, 0], time_s=time_s
    )


@pytest.mark.parametrize(("hold_margin", "alerts_expected"), [(0.2, 1), (0.0, 5)])
def test_hold_margin_stops_an_alert_flickering_at_the_edge(hold_margin: float, alerts_expected: int) -> None:
    """CPA alternating between 4.8 and 5.2 NM each cycle: one alert with the hold margin, five without."""
    net = SafetyNet(tracker=AlertTracker(end_cycles=1), hold_margin=hold_margin)
    events = []
    for k in range(10):
        events += net.step(_hovering(4.8 if k % 2 == 0 else 5.2, 5.0 * k)).events
    assert sum(e.kind is EventKind.RAISED for e in events) == alerts_expected
    net.step(_hovering(7.0, 50.0))  # well clear: the alert ends
    assert net.tracker.active == []


def test_active_alerts_stay_in_raise_order_under_churn() -> None:
    """Alerts raised, updated, ended and raised again over many cycles: `active` lists exactly the alerts up, by
    increasing id (checked against a sort written here)."""
    rng = random.Random(7)
    tracker = AlertTracker(raise_cycles=2, end_cycles=2)
    keys = [(AlertKind.CONFLICT, f"T{k}", f"T{k + 1}") for k in range(40)]
    up: dict[tuple[AlertKind, str, str], int] = {}
    for cycle in range(200):
        seen = {key: Observation(float(cycle + 30), False) for key in keys if rng.random() < 0.6}
        for event in tracker.update(float(cycle), seen):
            key = (event.alert.kind, *event.alert.subjects)
            if event.kind == EventKind.ENDED:
                del up[key]
            else:
                up[key] = event.alert.alert_id
        active = tracker.active
        assert [a.alert_id for a in active] == sorted(up.values())
        assert {(a.kind, *a.subjects) for a in active} == set(up)
