"""Turn prediction: the arc against a numerical integration written here, the sustained-turn rule, and a replay in
which an aircraft turning towards another is warned earlier than a straight line can (positions, the loss and
both predictions computed here, not with the product's code)."""

from __future__ import annotations

import math

import numpy as np

from commonsky.safety.alerts import AlertKind
from commonsky.safety.kinematics import sustained_turn_rate
from commonsky.safety.replay import replay
from commonsky.safety.tracks import tracks_from_columns
from commonsky.safety.turn_pairs import turning_pairs
from commonsky.safety.turns import TurnRule, curved_conflicts, displacement_m

from .conftest import TurningSamples

R_M = 6371000.0
NM = 1852.0
KT = 1852.0 / 3600.0
T0 = 1_700_000_000.0


def _integrated(gs: float, trk0: float, rate_dps: float, time_s: float, max_turn_deg: float) -> tuple[float, float]:
    """(east, north) flown, by small steps of heading and position."""
    dt = 0.001
    east = north = turned = 0.0
    heading = math.radians(trk0)
    for _ in range(round(time_s / dt)):
        east += gs * dt * math.sin(heading)
        north += gs * dt * math.cos(heading)
        step = min(abs(rate_dps) * dt, max_turn_deg - turned)
        turned += step
        heading += math.radians(math.copysign(step, rate_dps))
    return east, north


def test_the_arc_matches_a_numerical_integration_and_rolls_out_after_the_cap() -> None:
    for gs, trk0, rate, time_s, cap in ((120.0, 10.0, 3.0, 40.0, 180.0), (80.0, 250.0, -2.0, 100.0, 90.0)):
        east, north = displacement_m(np.array([gs]), np.array([trk0]), np.array([rate]), np.array([time_s]), cap)
        want = _integrated(gs, trk0, rate, time_s, cap)
        assert abs(float(east[0]) - want[0]) < 1.0 and abs(float(north[0]) - want[1]) < 1.0
    straight = displacement_m(np.array([100.0]), np.array([90.0]), np.array([0.0]), np.array([30.0]), 180.0)
    assert abs(float(straight[0][0]) - 3000.0) < 1e-6 and abs(float(straight[1][0])) < 1e-6


def test_a_turn_is_sustained_only_after_the_window_and_not_for_noise() -> None:
    t = np.arange(0.0, 60.0)
    code = np.zeros(t.shape[0], dtype=np.int64)
    turning = np.where(t < 20.0, 0.0, 2.0 * (t - 20.0))  # straight, then 2 deg/s from t = 20 s
    rate = sustained_turn_rate(code, t, np.mod(90.0 + turning, 360.0))
    assert np.all(rate[t < 30.0] == 0.0)  # the first half of the window is still straight
    assert np.allclose(rate[t >= 40.0], 2.0)
    noise = np.where(np.arange(t.shape[0]) % 2 == 0, 88.0, 92.0)  # +/- 2 deg of track noise every second
    assert np.all(sustained_turn_rate(code, t, noise) == 0.0)


def _columns(flights: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]) -> dict[str, np.ndarray]:
    """Reports every second of flights given as (t, east m, north m, track deg), at 10,000 ft, 233 kt."""
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("timestamp", "icao24", "latitude", "longitude", "track")}
    for name, (t, east, north, trk) in flights.items():
        cols["timestamp"].append(T0 + t)
        cols["icao24"].append(np.full(t.shape[0], name))
        cols["latitude"].append(47.0 + np.degrees(north / R_M))
        cols["longitude"].append(8.0 + np.degrees(east / (R_M * math.cos(math.radians(47.0)))))
        cols["track"].append(trk)
    out = {k: np.concatenate(v) for k, v in cols.items()}
    n = out["timestamp"].shape[0]
    out["altitude"] = np.full(n, 10000.0)
    out["groundspeed"] = np.full(n, 120.0 / KT)
    return out


def test_an_aircraft_turning_towards_another_is_warned_earlier_than_by_a_straight_line() -> None:
    """A flies north, then turns right at 3 deg/s through 180 deg and meets B, flying north along A's roll-out
    line, head-on. The straight line from A halfway through its turn points away from B; its arc does not."""
    gs, rate, turn_at = 120.0, 3.0, 100.0
    r = gs / math.radians(rate)
    t = np.arange(0.0, 400.0)
    theta = np.clip((t - turn_at) * rate, 0.0, 180.0)  # degrees turned
    after = np.maximum(t - turn_at - 60.0, 0.0)
    a_east = r * (1.0 - np.cos(np.radians(theta)))
    a_north = np.where(t < turn_at, gs * (t - turn_at), r * np.sin(np.radians(theta)) - gs * after)
    b_north = -18000.0 + gs * (t - turn_at - 60.0)
    flights = {
        "aaaaaa": (t, a_east, a_north, np.mod(theta, 360.0)),
        "bbbbbb": (t, np.full(t.shape[0], 2.0 * r), b_north, np.zeros(t.shape[0])),
    }
    # The loss, from the positions.
    dist = np.hypot(a_east - 2.0 * r, a_north - b_north)
    loss_s = float(t[np.argmax(dist < 5.0 * NM)])

    def first_warning(curved: bool) -> float:
        """The first picture (every 5 s) whose prediction (120 s ahead, 0.5 s steps) enters 5 NM: A on its arc
        from its reported state (curved: its 3 deg/s once turning for 20 s, for at most 180 deg more) or on
        its straight line, B straight."""
        for now in np.arange(0.0, loss_s, 5.0):
            k = int(now)
            p = np.array([a_east[k], a_north[k]])
            heading = math.radians(theta[k])
            turning = curved and now >= turn_at + 20.0 and theta[k] < 180.0
            for tau in np.arange(0.0, 120.5, 0.5):
                if turning:
                    centre = p + r * np.array([math.cos(heading), -math.sin(heading)])
                    turned = min(math.radians(rate) * tau, math.pi)
                    ang = math.atan2(*(p - centre)[::-1]) - turned  # clockwise about the centre
                    q = centre + r * np.array([math.cos(ang), math.sin(ang)])
                    rest = tau - turned / math.radians(rate)
                    out = heading + turned
                    q = q + gs * rest * np.array([math.sin(out), math.cos(out)])
                else:
                    q = p + gs * tau * np.array([math.sin(heading), math.cos(heading)])
                if math.hypot(q[0] - 2.0 * r, q[1] - (b_north[k] + gs * tau)) < 5.0 * NM:
                    return float(now)
        return math.inf

    curved_s, straight_s = first_warning(True), first_warning(False)
    assert straight_s - curved_s >= 20.0  # the geometry shows the difference

    def raised(turn: TurnRule) -> float:
        result = replay(tracks_from_columns(_columns(flights)), turn=turn)
        alerts = [a for a in result.alerts if a.kind is AlertKind.CONFLICT]
        assert len(result.losses) == 1 and abs(float(result.losses.start_s[0]) - T0 - loss_s) <= 1.0
        return min(a.raised_s for a in alerts) - T0

    assert abs(raised(TurnRule()) - curved_s) <= 5.0
    assert abs(raised(TurnRule(enabled=False)) - straight_s) <= 5.0


def test_the_turning_pairs_hold_every_curved_conflict_of_an_all_pairs_search() -> None:
    rng = np.random.default_rng(7)
    n = 600
    k = np.sort(rng.integers(0, 6, n))
    gs, trk = rng.uniform(50.0, 250.0, n), rng.uniform(0.0, 360.0, n)
    s = TurningSamples(
        47.0 + rng.uniform(-0.6, 0.6, n),
        8.0 + rng.uniform(-0.9, 0.9, n),
        rng.uniform(2000.0, 4000.0, n),
        gs * np.cos(np.radians(trk)),
        gs * np.sin(np.radians(trk)),
        rng.uniform(-15.0, 15.0, n),
        np.where(rng.random(n) < 0.3, rng.uniform(-4.0, 4.0, n), 0.0),
        rng.uniform(0.0, 30.0, n),
    )
    p, q = np.triu_indices(n, 1)
    same = k[p] == k[q]
    p, q = p[same], q[same]
    p, q = p[(s.turn_dps[p] != 0.0) | (s.turn_dps[q] != 0.0)], q[(s.turn_dps[p] != 0.0) | (s.turn_dps[q] != 0.0)]
    rule = TurnRule()

    def conflicts(a: np.ndarray, b: np.ndarray) -> set[tuple[int, int]]:
        m = a.shape[0]
        geo = curved_conflicts(s, a, b, np.full(m, 9260.0), np.full(m, 304.8), np.full(m, 120.0), rule)
        return set(zip(geo.i.tolist(), geo.j.tolist(), strict=True))

    everything = conflicts(p, q)
    cp, cq = turning_pairs(k, s.turn_dps != 0.0, s, 9260.0, 304.8, 120.0)
    assert len(everything) >= 20 and conflicts(cp, cq) == everything
