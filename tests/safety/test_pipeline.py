"""The live safety net runs replay's STCA (its filtered vertical rate: tests/safety/test_track_rates.py): adjacent
levels never alerting through noise, climbs through a level alerting, ground suppression by flag and by low-and-slow,
and turn prediction (an aircraft turning into a conflict warned earlier than by its straight line, one turning
away raising nothing; flights and predictions integrated here, not with the product's code)."""

from __future__ import annotations

import math

import numpy as np

from commonsky.geo.aerodromes import Aerodromes
from commonsky.picture import Picture
from commonsky.safety.alerts import AlertKind, AlertTracker, EventKind
from commonsky.safety.pipeline import SafetyNet
from commonsky.safety.qnh import QnhEstimate
from commonsky.safety.stca import stca_policy
from commonsky.safety.track_rates import TrackRateFilter
from commonsky.safety.turns import TurnRule

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
    assert _conflict_alerts(SafetyNet(rates=TrackRateFilter()), pictures) == 0
    assert _conflict_alerts(SafetyNet(), pictures) >= 1  # the same pictures as given: the nuisance of issue 13


def test_tracked_altitudes_wobbling_across_half_a_level_still_do_not_alert() -> None:
    """FL370 tracked at 36,940-37,040 ft and FL360 at 35,960-36,060 ft (radar heights joining ADS-B ones): each
    picture's altitude alone would often round to FL369 or FL361; the window's mean keeps them at their levels."""
    rng = np.random.default_rng(5)
    pictures = [
        _pair(float(t), 36990 + rng.uniform(-50, 50), 36010 + rng.uniform(-50, 50), 0.0, 0.0) for t in range(0, 200)
    ]
    assert _conflict_alerts(SafetyNet(rates=TrackRateFilter()), pictures) == 0


def test_a_climb_through_the_other_level_alerts_once_the_rate_is_filtered() -> None:
    """A climbs at 2,000 ft/min from FL310 through B's level, FL350, as they meet (110-150 s on): one alert, raised
    once the 20 s window has a rate (before it, A is predicted at FL310), where the raw picture alerts at once."""
    pictures = [_pair(float(t), 31000 + 2000 / 60 * t, 35000, 2000 * FPM, 0.0) for t in range(0, 60)]
    net = SafetyNet(tracker=AlertTracker(raise_cycles=1), rates=TrackRateFilter())
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
    assert _conflict_alerts(SafetyNet(rates=TrackRateFilter()), fast) == 1
    assert _conflict_alerts(SafetyNet(rates=TrackRateFilter()), fast, [True, False]) == 0
    slow = [_pair(float(t), 1000, 1000, 0.0, 0.0, gs=20.0) for t in range(0, 40)]
    slow = [p.with_states(lon_deg=[44.49, 44.51]) for p in slow]  # 1.9 km apart: a loss, were they airborne
    assert _conflict_alerts(SafetyNet(rates=TrackRateFilter()), slow) == 0
    assert _conflict_alerts(SafetyNet(), slow) == 1
    # With aerodromes: the slow pair is airborne away from them (helicopters), on the ground on one's surface.
    away = Aerodromes(np.array(["FAR"]), np.array([34.0]), np.array([44.5]), np.array([50.0]), np.array([3_000.0]))
    assert _conflict_alerts(SafetyNet(rates=TrackRateFilter(), aerodromes=away), slow) == 1
    under = Aerodromes(np.array(["HERE"]), np.array([33.0]), np.array([44.5]), np.array([50.0]), np.array([3_000.0]))
    assert _conflict_alerts(SafetyNet(rates=TrackRateFilter(), aerodromes=under), slow) == 0


def test_adjacent_qnh_levels_do_not_alert_live() -> None:
    """Arrivals holding 3,000 and 4,000 ft on a QNH of 1,027 hPa (375 ft above the pressure grid) report 2,650 and
    3,625 ft of pressure altitude, head-on: on the pressure grid they read 2,700 and 3,600 (to 100 ft), 900 ft
    apart, and alert; with the live QNH estimate they hold 3,000 and 4,000 ft QNH, 1,000 ft apart, and do not (as
    replay reads them)."""
    pictures = [_pair(float(t), 2650 + 25 * (t % 7 == 0), 3625, 0.0, 0.0) for t in range(-150, 200)]
    assert _conflict_alerts(SafetyNet(stca_policy(), rates=TrackRateFilter()), pictures) == 1
    # 120 s look-ahead: the pair comes into it 10 s on, after 160 pictures of both level, enough for the estimate
    assert _conflict_alerts(SafetyNet(stca_policy(), rates=TrackRateFilter(), qnh=QnhEstimate()), pictures) == 0


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
        assert _conflict_alerts(SafetyNet(rates=TrackRateFilter()), pictures) == alerts


R_M = 6_371_000.0
NM = 1852.0
GS = 120.0  # m/s, both aircraft
RATE = 3.0  # deg/s, a standard-rate turn
RADIUS_M = GS / math.radians(RATE)


def _fly(times: np.ndarray, heading0: float, turn_at: float, rate_dps: float) -> tuple[np.ndarray, ...]:
    """(east m, north m, heading deg) at ``times`` of an aircraft from (0, 0) on ``heading0`` at `GS`, turning at
    ``rate_dps`` from ``turn_at`` through 180 deg, then straight: integrated in 0.01 s steps."""
    dt = 0.01
    steps = round(float(times.max()) / dt) + 1
    t = np.arange(steps) * dt
    turned = np.clip((t - turn_at) * abs(rate_dps), 0.0, 180.0)  # heading over each step: start of the step
    heading = np.radians(heading0 + math.copysign(1.0, rate_dps) * turned)
    east = np.concatenate([[0.0], np.cumsum(GS * dt * np.sin(heading))[:-1]])
    north = np.concatenate([[0.0], np.cumsum(GS * dt * np.cos(heading))[:-1]])
    at = np.round(times / dt).astype(int)
    return east[at], north[at], np.degrees(heading[at]) % 360.0


def _pictures(times: np.ndarray, a: tuple[np.ndarray, ...], b: tuple[np.ndarray, ...]) -> list[Picture]:
    """Pictures of A and B (east, north m from 47 N 8 E; heading deg) at 10,000 ft, level."""
    out = []
    for n, t in enumerate(times):
        east, north = np.array([a[0][n], b[0][n]]), np.array([a[1][n], b[1][n]])
        out.append(
            Picture.from_arrays(
                ["A", "B"],
                47.0 + np.degrees(north / R_M),
                8.0 + np.degrees(east / (R_M * math.cos(math.radians(47.0)))),
                [10000 * FT, 10000 * FT],
                [GS, GS],
                [a[2][n], b[2][n]],
                [0.0, 0.0],
                time_s=float(t),
            )
        )
    return out


def _predicted_miss_m(a: tuple[float, float, float], b: tuple[float, float, float], rate_dps: float) -> float:
    """Closest approach (m) over 120 s ahead (every 0.5 s) of A from its state (east, north, heading) turning at
    ``rate_dps`` for at most 180 deg more, then straight (0: straight on), and B straight on; positions
    integrated here in 0.05 s steps."""
    dt = 0.05
    tau = np.arange(0.0, 120.0 + dt / 2, dt)
    turned = np.minimum(tau * abs(rate_dps), 180.0)
    heading = np.radians(a[2] + math.copysign(1.0, rate_dps) * turned)
    east = a[0] + np.concatenate([[0.0], np.cumsum(GS * dt * np.sin(heading))[:-1]])
    north = a[1] + np.concatenate([[0.0], np.cumsum(GS * dt * np.cos(heading))[:-1]])
    b_east = b[0] + GS * tau * math.sin(math.radians(b[2]))
    b_north = b[1] + GS * tau * math.cos(math.radians(b[2]))
    return float(np.hypot(east - b_east, north - b_north)[::10].min())


def _first_warning(
    times: np.ndarray, a: tuple[np.ndarray, ...], b: tuple[np.ndarray, ...], turn_at: float
) -> tuple[float, float]:
    """The first time of ``times`` at which A predicted straight, and at which A predicted on its arc (once it has
    turned for the whole 20 s window and until it rolls out), comes within 5 NM of B."""
    straight = curved = math.inf
    for n, t in enumerate(times):
        sa, sb = (a[0][n], a[1][n], a[2][n]), (b[0][n], b[1][n], b[2][n])
        if straight == math.inf and _predicted_miss_m(sa, sb, 0.0) < 5 * NM:
            straight = float(t)
        turning = turn_at + 20.0 <= t < turn_at + 180.0 / RATE
        if curved == math.inf and _predicted_miss_m(sa, sb, RATE if turning else 0.0) < 5 * NM:
            curved = float(t)
    return straight, curved


def _raised(pictures: list[Picture], turn: TurnRule) -> list[float]:
    net = SafetyNet(stca_policy(), tracker=AlertTracker(raise_cycles=1), rates=TrackRateFilter(), turn=turn)
    events = [e for p in pictures for e in net.step(p).events]
    return [e.time_s for e in events if e.kind is EventKind.RAISED and e.alert.kind is AlertKind.CONFLICT]


def test_a_turn_into_a_conflict_is_warned_earlier_than_by_its_straight_line() -> None:
    """A flies north, turns right at 3 deg/s through 180 deg at t = 100 s and meets B head-on, B flying north
    on A's roll-out line (replay's geometry in tests/safety/test_turns.py), pictures every 1 s and every 5 s: the
    alert comes when the test's own arc prediction first sees the conflict, at least 20 s before the straight line
    does, which is when it comes with the turn prediction switched off. It is raised once: the hold margin looks at
    the arc too (without, the alert drops mid-turn and comes back)."""
    for tick_s in (1.0, 5.0):
        times = np.arange(0.0, 300.0, tick_s)
        a = _fly(times, 0.0, 100.0, RATE)
        b = (np.full(times.shape[0], 2.0 * RADIUS_M), GS * (times - 160.0) - 6000.0, np.zeros(times.shape[0]))
        straight_s, curved_s = _first_warning(times, a, b, 100.0)
        assert straight_s - curved_s >= 20.0  # the geometry shows the difference
        pictures = _pictures(times, a, b)
        with_turns, without = _raised(pictures, TurnRule()), _raised(pictures, TurnRule(enabled=False))
        assert len(with_turns) == 1 and len(without) == 1
        assert abs(with_turns[0] - curved_s) <= max(tick_s, 5.0)
        assert abs(without[0] - straight_s) <= tick_s
        assert without[0] - with_turns[0] >= 15.0


def test_a_turn_away_from_traffic_raises_nothing() -> None:
    """A and B fly north side by side, B 6 NM west of A, level at the same altitude; A turns right (away from B)
    through 180 deg at 3 deg/s: no alert, though the live net's filter reads the turn (the test's own predictions,
    on the arc while A turns and straight, stay more than 5 NM + 500 m from B)."""
    times = np.arange(0.0, 240.0)
    a = _fly(times, 0.0, 60.0, RATE)
    b = (np.full(times.shape[0], -6 * NM), GS * times, np.zeros(times.shape[0]))
    states = [((a[0][n], a[1][n], a[2][n]), (b[0][n], b[1][n], b[2][n])) for n in range(times.shape[0])]
    assert min(_predicted_miss_m(sa, sb, RATE) for sa, sb in states[70:120]) > 5 * NM + 500.0
    assert min(_predicted_miss_m(sa, sb, 0.0) for sa, sb in states) > 5 * NM + 500.0
    net = SafetyNet(stca_policy(), tracker=AlertTracker(raise_cycles=1), rates=TrackRateFilter())
    rates, events, turn_dps = TrackRateFilter(), [], []
    for p in _pictures(times, a, b):
        events += net.step(p).events
        turn_dps.append(float(rates.update(p.time_s, p.id, p.alt_m, p.trk_deg).turn_dps[0]))
    assert not [e for e in events if e.kind is EventKind.RAISED]
    assert np.allclose(turn_dps[80:120], RATE)  # A's turn was read: the arc was checked


def test_a_departure_plotted_at_the_receiver_while_on_the_ground_gets_no_climb_from_it() -> None:
    """A departure from a 5,000 ft aerodrome, plotted at the receiver's altitude (0) while it reports surface
    positions, then airborne at 5,100 ft climbing 1,000 ft/min, under an aircraft level at 8,000 ft coming the
    other way: the levels meet in 174 s (2,900 - 1,000 ft at 1,000 ft/min), beyond the 120 s look-ahead, so no
    alert. A slope taken from the ground pictures (5,100 ft in 20 s: 15,300 ft/min) would raise one."""
    net = SafetyNet(stca_policy(), rates=TrackRateFilter())
    events = []
    for t in range(0, 150):
        airborne = t >= 60
        dep_alt_ft = 5_100.0 + (t - 60) * 1_000.0 / 60.0 if airborne else 0.0
        x_dep = 72.0 * max(t - 60, 0)  # 140 kt east once rolling
        x_arr = 20_000.0 - 230.0 * t  # level at 8,000 ft, west
        picture = Picture.from_arrays(
            ["DEP", "ARR"],
            [40.0, 40.0],
            [-105.0 + math.degrees(x / (6_371_000.0 * math.cos(math.radians(40.0)))) for x in (x_dep, x_arr)],
            [dep_alt_ft * FT, 8_000.0 * FT],
            [72.0 if airborne else 8.0, 230.0],
            [90.0, 270.0],
            [1_000.0 * FPM if airborne else 0.0, 0.0],
            time_s=float(t),
        )
        events += net.step(picture, np.array([not airborne, False])).events
    assert not any(e.kind is EventKind.RAISED and e.alert.kind is AlertKind.CONFLICT for e in events)
