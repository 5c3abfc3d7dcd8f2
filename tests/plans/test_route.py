"""4D routes become leg volumes with lateral, vertical and growing time buffers."""

from __future__ import annotations

import pytest
from pyproj import Geod

from commonsky.errors import InputError
from commonsky.plans.intent import Intent, IntentState
from commonsky.plans.route import RouteBuffers, Waypoint, leg_band, route_volumes, times_from_speed
from commonsky.units import FT_M, KT_MS, NM_M, parse_altitude

BAQUBAH, MUQDADIYAH, JALAWLA = (33.75403, 44.60518), (33.97861, 44.93694), (34.27194, 45.16806)


def test_one_volume_per_leg_with_time_growing_with_look_ahead() -> None:
    buffers = RouteBuffers(lateral_m=NM_M, vertical_m=500 * FT_M, time_base_s=120.0, time_growth=60.0 / 3600.0)
    alt = parse_altitude("1000ft AGL")
    points = [Waypoint(*BAQUBAH, alt, 3600.0), Waypoint(*MUQDADIYAH, alt, 4800.0), Waypoint(*JALAWLA, alt, 6000.0)]
    legs = route_volumes(points, buffers, reference_s=0.0)  # filed an hour before departure
    assert len(legs) == 2
    # u(t) = 120 s + (t - 0) / 60: 180 s at departure, 200 s at the second waypoint, 220 s at the end
    assert legs[0].window.start_s == pytest.approx(3600.0 - 180.0)
    assert legs[0].window.end_s == pytest.approx(4800.0 + 200.0)
    assert legs[1].window.end_s == pytest.approx(6000.0 + 220.0)
    assert legs[1].window.end_s - legs[1].window.start_s > legs[0].window.end_s - legs[0].window.start_s - 1e-6
    assert legs[0].band.label() == "500 ft AGL-1500 ft AGL"
    assert legs[0].footprint.contains(legs[0].footprint.centroid)


def test_climbing_leg_reserves_the_whole_block_and_agl_floor_stops_at_the_surface() -> None:
    block = leg_band(parse_altitude("300ft AGL"), parse_altitude("FL100"), 500 * FT_M)
    assert block.floor.label() == "SFC"
    assert block.ceiling.label() == "FL105"


def test_times_from_speed_follow_geodesics() -> None:
    dist = Geod(ellps="WGS84").inv(BAQUBAH[1], BAQUBAH[0], JALAWLA[1], JALAWLA[0])[2]
    times = times_from_speed([BAQUBAH, JALAWLA], 100.0, [110 * KT_MS])
    assert times[1] - 100.0 == pytest.approx(dist / (110 * KT_MS))


def test_route_errors() -> None:
    alt = parse_altitude("FL100")
    with pytest.raises(InputError, match="at least two"):
        route_volumes([Waypoint(*BAQUBAH, alt, 0.0)], RouteBuffers())
    with pytest.raises(InputError, match="waypoint 1 time is not after waypoint 0"):
        route_volumes([Waypoint(*BAQUBAH, alt, 10.0), Waypoint(*JALAWLA, alt, 10.0)], RouteBuffers())
    with pytest.raises(InputError):
        RouteBuffers(lateral_m=0.0)


def test_intent_values_are_immutable() -> None:
    alt = parse_altitude("FL100")
    legs = route_volumes([Waypoint(*BAQUBAH, alt, 0.0), Waypoint(*JALAWLA, alt, 900.0)], RouteBuffers())
    intent = Intent("a", "p", legs, priority=5)
    later = intent.shifted(dt_s=600.0, dz_m=1000 * FT_M)
    assert later.start_s == pytest.approx(intent.start_s + 600.0)
    assert later.volumes[0].band.label() == "FL105-FL115"
    assert intent.volumes[0].band.label() == "FL095-FL105"
    assert intent.with_state(IntentState.ACTIVATED).state is IntentState.ACTIVATED
    assert intent.state is IntentState.PROPOSED
    with pytest.raises(InputError):
        Intent("b", "p", ())


def test_the_filed_route_moves_with_the_intent() -> None:
    points = (Waypoint(*BAQUBAH, parse_altitude("FL100"), 0.0), Waypoint(*JALAWLA, parse_altitude("FL100"), 900.0))
    intent = Intent("a", "p", route_volumes(points, RouteBuffers()), route=points)
    moved = intent.shifted(dt_s=60.0, dz_m=1000 * FT_M)
    assert [w.time_s for w in moved.route] == [60.0, 960.0]
    assert moved.route[0].alt.label() == "FL110"
    assert intent.route == points
