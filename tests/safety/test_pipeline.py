"""The live safety net runs replay's STCA (its filtered vertical rate: tests/safety/test_vertical_rate.py): adjacent
levels never alerting through noise, climbs through a level alerting, ground suppression by flag and by low-and-slow."""

from __future__ import annotations

import math

import numpy as np

from commonsky.picture import Picture
from commonsky.safety.alerts import AlertKind, AlertTracker, EventKind
from commonsky.safety.pipeline import SafetyNet
from commonsky.safety.vertical_rate import VerticalRateFilter

FT = 0.3048
FPM = FT / 60.0


def _pair(t_s: float, alt_a_ft: float, alt_b_ft: float, vs_a: float, vs_b: float, gs: float = 230.0) -> Picture:
    """Two aircraft head-on on one parallel, 60 km apart at t = 0, closing at 2 * gs."""
    half = 30_000.0 - gs * t_s
    dlon = math.degrees(half / (6_371_000.0 * math.cos(math.radians(33.0))))
    return Picture.from_arrays(
        ["A", "B"],
        [33.0, 33.0],
        [44.5 - dlon, 44.5 + dlon],
        [alt_a_ft * FT, alt_b_ft * FT],
        [gs, gs],
        [90, 270],
        [vs_a, vs_b],
        time_s=t_s,
    )


def _conflict_alerts(net: SafetyNet, pictures: list[Picture], on_ground: list[bool] | None = None) -> int:
    events = []
    for p in pictures:
        events += net.step(p, None if on_ground is None else np.array(on_ground)).events
    return sum(e.kind is EventKind.RAISED and e.alert.kind is AlertKind.CONFLICT for e in events)


def test_adjacent_levels_never_alert_through_altitude_and_rate_noise() -> None:
    """FL350 and FL360 head-on, altitudes with Mode S's 25 ft steps and reported rates of +-600 ft/min of noise:
    replay's STCA (filtered rate, dead band, flight level) raises nothing; the raw picture alerts."""
    rng = np.random.default_rng(3)
    pictures = [
        _pair(float(t), 35000 + 25 * rng.integers(-1, 2), 36000 + 25 * rng.integers(-1, 2), *rng.uniform(-3, 3, 2))
        for t in range(0, 200)
    ]
    assert _conflict_alerts(SafetyNet(rates=VerticalRateFilter()), pictures) == 0
    assert _conflict_alerts(SafetyNet(), pictures) >= 1  # the same pictures as given: the nuisance of issue 13


def test_tracked_altitudes_wobbling_across_half_a_level_still_do_not_alert() -> None:
    """FL370 tracked at 36,940-37,040 ft and FL360 at 35,960-36,060 ft (radar heights joining ADS-B ones): each
    picture's altitude alone would often round to FL369 or FL361; the window's mean keeps them at their levels."""
    rng = np.random.default_rng(5)
    pictures = [
        _pair(float(t), 36990 + rng.uniform(-50, 50), 36010 + rng.uniform(-50, 50), 0.0, 0.0) for t in range(0, 200)
    ]
    assert _conflict_alerts(SafetyNet(rates=VerticalRateFilter()), pictures) == 0


def test_a_climb_through_the_other_level_alerts_once_the_rate_is_filtered() -> None:
    """A climbs at 2,000 ft/min from FL310 through B's level, FL350, as they meet (110-150 s on): one alert, raised
    once the 20 s window has a rate (before it, A is predicted at FL310), where the raw picture alerts at once."""
    pictures = [_pair(float(t), 31000 + 2000 / 60 * t, 35000, 2000 * FPM, 0.0) for t in range(0, 60)]
    net = SafetyNet(tracker=AlertTracker(raise_cycles=1), rates=VerticalRateFilter())
    events = []
    for p in pictures:
        events += net.step(p).events
    raised = [e for e in events if e.kind is EventKind.RAISED]
    assert len(raised) == 1 and 20.0 <= raised[0].time_s <= 25.0
    raw = SafetyNet(tracker=AlertTracker(raise_cycles=1))
    assert [e.time_s for e in raw.step(pictures[0]).events] == [0.0]


def test_ground_suppression_by_flag_and_by_low_and_slow() -> None:
    """Same altitude, head-on: alerts when airborne; none when one reports on the ground; none when both are
    below 2,500 ft and 50 kt."""
    fast = [_pair(float(t), 1000, 1000, 0.0, 0.0) for t in range(0, 40)]
    assert _conflict_alerts(SafetyNet(rates=VerticalRateFilter()), fast) == 1
    assert _conflict_alerts(SafetyNet(rates=VerticalRateFilter()), fast, [True, False]) == 0
    slow = [_pair(float(t), 1000, 1000, 0.0, 0.0, gs=20.0) for t in range(0, 40)]
    slow = [p.with_states(lon_deg=[44.49, 44.51]) for p in slow]  # 1.9 km apart: a loss, were they airborne
    assert _conflict_alerts(SafetyNet(rates=VerticalRateFilter()), slow) == 0
    assert _conflict_alerts(SafetyNet(), slow) == 1


def _finals(t_s: float, offset_m: float) -> Picture:
    """Two arrivals side by side on east-west finals ``offset_m`` apart, descending at 800 ft/min from 3,000 and
    3,200 ft at 75 m/s."""
    lon = 2.0 + math.degrees(75.0 * t_s / (6_371_000.0 * math.cos(math.radians(49.0))))
    lat_b = 49.0 + math.degrees(offset_m / 6_371_000.0)
    alt = 3000.0 - 800.0 * t_s / 60.0
    return Picture.from_arrays(
        ["A", "B"],
        [49.0, lat_b],
        [lon, lon],
        [alt * FT, (alt + 200.0) * FT],
        [75.0, 75.0],
        [90.0, 90.0],
        [-800.0 * FPM, -800.0 * FPM],
        time_s=t_s,
    )


def test_parallel_approaches_do_not_alert_live() -> None:
    """The live STCA drops pairs on parallel finals at least 1,035 m apart (ICAO independent parallel
    approaches), as replay does; 1,000 m apart they alert."""
    for offset_m, alerts in ((1100.0, 0), (1000.0, 1)):
        pictures = [_finals(float(t), offset_m) for t in range(0, 120, 2)]
        assert _conflict_alerts(SafetyNet(rates=VerticalRateFilter()), pictures) == alerts
