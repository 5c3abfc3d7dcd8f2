"""Truth flights: a filed route flown through its own waypoints and times, states interpolated between them,
unknown crossers at right angles, synthetic circles at their radius and speed."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from commonsky.geo.geodesy import LocalFrame
from commonsky.plans.intent import Intent
from commonsky.plans.route import RouteBuffers, Waypoint, route_volumes
from commonsky.sim.truth import (
    TruthFlight,
    TruthSet,
    circle_traffic,
    intent_flight,
    is_orbit,
    route_waypoints,
    truth_from_intents,
    unknown_crossers,
)
from commonsky.units import parse_altitude

T0 = 1_417_500_000.0
FRAME = LocalFrame(33.75, 44.6)
WAYPOINTS = (
    Waypoint(33.75, 44.60, parse_altitude("3000ft"), T0),
    Waypoint(33.90, 44.80, parse_altitude("3000ft"), T0 + 600.0),
    Waypoint(34.10, 44.85, parse_altitude("4000ft"), T0 + 1500.0),
    Waypoint(34.20, 45.10, parse_altitude("4000ft"), T0 + 2100.0),
)


GROWTH = 30.0 / 3600.0
"""The route's time uncertainty grows by 30 s per hour of look-ahead."""


def _intent() -> Intent:
    buffers = RouteBuffers(vertical_m=100.0, time_base_s=90.0, time_growth=GROWTH)
    volumes = route_volumes(WAYPOINTS, buffers, T0 - 3600.0)
    return Intent(id="helo", party="police", volumes=volumes, route=WAYPOINTS)


def test_a_route_is_flown_through_its_filed_waypoints_and_times() -> None:
    intent = _intent()
    lat, lon, alt, t = route_waypoints(intent.volumes)
    assert lat == pytest.approx([w.lat for w in WAYPOINTS]) and lon == pytest.approx([w.lon for w in WAYPOINTS])
    # Interior times: the middle of the overlap of two legs' windows, exactly the filed ones. The two ends take
    # off the uncertainty of the nearest interior waypoint, which the growth makes larger than their own by
    # GROWTH x the time between them: the flight starts that much late and ends that much late.
    times = [w.time_s for w in WAYPOINTS]
    late_first = GROWTH * (times[1] - times[0])
    late_last = GROWTH * (times[3] - times[2])
    assert t == pytest.approx([times[0] + late_first, times[1], times[2], times[3] + late_last], abs=1e-6)
    # Altitude: the middle of each leg's block (its band spans both ends' altitudes, buffered alike above and
    # below), averaged at interior waypoints: a level leg before a climb already climbs a little.
    filed = [w.alt.value_m for w in WAYPOINTS]
    leg_mid = [(a + b) / 2 for a, b in itertools.pairwise(filed)]
    want = [leg_mid[0], *((a + b) / 2 for a, b in itertools.pairwise(leg_mid)), leg_mid[-1]]
    assert alt == pytest.approx(want)
    assert not is_orbit(intent, FRAME)
    flight = intent_flight(intent, FRAME, adsb_on=True, serial=7)
    x, y = FRAME.to_local([w.lat for w in WAYPOINTS], [w.lon for w in WAYPOINTS])
    assert flight.pos_m[:, 0] == pytest.approx(x) and flight.pos_m[:, 1] == pytest.approx(y)
    assert (flight.callsign, flight.icao24, flight.adsb_on) == ("POL07", f"{0x700007:06x}", True)


def test_states_interpolate_between_waypoints() -> None:
    flight = intent_flight(_intent(), FRAME, adsb_on=False, serial=0)
    truth = TruthSet(FRAME, (flight,))
    for t in (flight.start_s, T0 + 250.0, T0 + 600.0, T0 + 1499.0, flight.end_s):
        states = truth.states_at(t)
        assert states.target_id.tolist() == [0]
        want = [np.interp(t, flight.t_s, flight.pos_m[:, k]) for k in range(3)]
        assert states.pos_m[0] == pytest.approx(want, abs=1e-6)
        leg = min(int(np.searchsorted(flight.t_s, t, side="right")) - 1, len(flight.t_s) - 2)
        dt = flight.t_s[leg + 1] - flight.t_s[leg]
        assert states.vel_ms[0] == pytest.approx((flight.pos_m[leg + 1] - flight.pos_m[leg]) / dt)
        assert not states.adsb_on[0]
    before, after = truth.states_at(flight.start_s - 0.5), truth.states_at(flight.end_s + 0.5)
    assert len(before.target_id) == 0 and len(after.target_id) == 0


def test_unknowns_cross_a_route_at_right_angles_at_its_level() -> None:
    route = intent_flight(_intent(), FRAME, adsb_on=True, serial=0)
    crossers = unknown_crossers([route], 4, np.random.default_rng(2))
    assert len(crossers) == 4
    for c in crossers:
        mid = 0.5 * (c.t_s[0] + c.t_s[1])
        assert c.position_m(mid)[:2] == pytest.approx(route.position_m(mid)[:2], abs=1e-6)
        assert abs(c.pos_m[0, 2] - route.position_m(mid)[2]) <= 60.0
        v = (c.pos_m[1] - c.pos_m[0]) / (c.t_s[1] - c.t_s[0])
        r = route.position_m(mid + 1.0) - route.position_m(mid - 1.0)
        assert abs(float(v[:2] @ r[:2])) < 1e-6 * float(np.hypot(*v[:2]) * np.hypot(*r[:2]))
        assert float(np.hypot(*v[:2])) == pytest.approx(55.0)  # below 3,000 m: a light aircraft
        assert (c.party, c.intent_id, c.adsb_on) == ("", "", False)
    truth = truth_from_intents([_intent()], FRAME, unknowns=2)
    assert [f.flight_id for f in truth.flights] == ["helo", "UNK-1", "UNK-2"]


def test_circle_traffic_flies_its_circles() -> None:
    circles = circle_traffic(500, 0.0, 3600.0, np.random.default_rng(3), radius_m=100_000.0)
    assert (np.hypot(circles.centre_m[:, 0], circles.centre_m[:, 1]) <= 100_000.0).all()
    for t in (0.0, 1234.0, 3600.0):
        pos, vel = circles.states(t)
        assert np.hypot(pos[:, 0] - circles.centre_m[:, 0], pos[:, 1] - circles.centre_m[:, 1]) == pytest.approx(
            circles.radius_m
        )
        speed = np.hypot(vel[:, 0], vel[:, 1])
        assert speed == pytest.approx(np.abs(circles.omega_rad_s) * circles.radius_m)
        assert ((speed >= 150.0 - 1e-9) & (speed <= 250.0 + 1e-9)).all()
        # The velocity is the derivative of the position (a central difference here).
        ahead, _ = circles.states(t + 0.01)
        behind, _ = circles.states(t - 0.01)
        assert (ahead - behind)[:, :2] / 0.02 == pytest.approx(vel[:, :2], rel=1e-4, abs=1e-3)
    truth = TruthSet(FRAME, (), circles)
    assert len(truth.states_at(10.0).target_id) == 500 and len(truth.states_at(3601.0).target_id) == 0
    assert truth.identity()[3][0] == "SYN0000"


def test_a_flight_with_a_sensor_is_clamped_at_its_ends() -> None:
    flight = TruthFlight(
        "a", "p", "a", "P01", "700001", True, np.array([0.0, 10.0]), np.array([[0, 0, 0], [10, 0, 5.0]])
    )
    assert flight.position_m(-5.0) == pytest.approx([0, 0, 0]) and flight.position_m(50.0) == pytest.approx([10, 0, 5])
    assert flight.position_m(4.0) == pytest.approx([4.0, 0.0, 2.0])
