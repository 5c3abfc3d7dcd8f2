"""Input hygiene of live feeds (issue 13 item 2): velocities derived from positions and altitudes where missing,
altitude spikes and out-of-range altitudes rejected and counted, the on-ground flag carried, rejections in the
status line. Expected values are computed here on a sphere, independently of the state builder."""

from __future__ import annotations

import math

import pytest

from commonsky.surveillance.feeds.counters import FeedCounters
from commonsky.surveillance.feeds.live import FeedStatus
from commonsky.surveillance.feeds.records import Observation, StateVector
from commonsky.surveillance.feeds.state import StateBuilder

R = 6_371_008.8
KT = 1852.0 / 3600.0


def _track(gs_kt: float, track_deg: float, seconds: int, lat0: float = 47.0, lon0: float = 8.0) -> list[tuple]:
    """(t, lat, lon) every second of a constant-velocity flight, by the spherical destination formula."""
    out = []
    for t in range(seconds):
        d = gs_kt * KT * t / R
        p1, th = math.radians(lat0), math.radians(track_deg)
        p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(th))
        dl = math.atan2(math.sin(th) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
        out.append((float(t), math.degrees(p2), lon0 + math.degrees(dl)))
    return out


def _feed(builder: StateBuilder, observations: list[Observation]) -> list[StateVector]:
    return [s for o in observations if (s := builder.update(o)) is not None]


def test_groundspeed_and_track_from_positions_when_no_velocity_is_heard() -> None:
    builder = StateBuilder()
    fixes = _track(450.0, 60.0, 40)
    states = _feed(
        builder,
        [Observation(t, "abc123", altitude_ft=35000.0, latitude_deg=la, longitude_deg=lo) for t, la, lo in fixes],
    )
    assert [s.groundspeed_kt for s in states[:5]] == [None] * 5  # nothing 5 s older yet
    for s in states[5:]:
        assert s.groundspeed_kt == pytest.approx(450.0, rel=2e-3)
        assert s.track_deg == pytest.approx(60.0, abs=0.1)
    assert builder.counters.derived_velocity == len(states) - 5


def test_a_heard_velocity_wins_until_it_is_stale() -> None:
    builder = StateBuilder()
    fixes = _track(300.0, 180.0, 60)
    obs = [Observation(0.0, "abc123", groundspeed_kt=280.0, track_deg=175.0, vertical_rate_fpm=0.0)]
    obs += [Observation(t, "abc123", altitude_ft=20000.0, latitude_deg=la, longitude_deg=lo) for t, la, lo in fixes]
    states = _feed(builder, obs)
    heard = [s for s in states if s.timestamp_s <= 15.0]
    assert {s.groundspeed_kt for s in heard} == {280.0}  # reported, fresh
    late = [s for s in states if s.timestamp_s > 15.0]
    assert all(s.groundspeed_kt == pytest.approx(300.0, rel=2e-3) for s in late)  # 15 s without a velocity


def test_vertical_rate_from_altitudes_over_20_s() -> None:
    builder = StateBuilder()
    fixes = _track(250.0, 90.0, 50)
    obs = [
        Observation(t, "abc123", altitude_ft=10000.0 + 1500.0 * t / 60.0, latitude_deg=la, longitude_deg=lo)
        for t, la, lo in fixes
    ]
    states = _feed(builder, obs)
    assert all(s.vertical_rate_fpm is None for s in states[:20])
    assert all(s.vertical_rate_fpm == pytest.approx(1500.0) for s in states[20:])
    assert builder.counters.derived_vertical_rate == 30


def test_altitude_spikes_and_out_of_range_are_rejected_and_counted() -> None:
    builder = StateBuilder()
    fixes = _track(450.0, 0.0, 30)
    alts = [37000.0] * 30
    alts[10] = 107700.0  # out of range
    alts[20] = 45000.0  # a spike: 8,000 ft in a second
    obs = [
        Observation(t, "abc123", altitude_ft=a, latitude_deg=la, longitude_deg=lo)
        for (t, la, lo), a in zip(fixes, alts, strict=True)
    ]
    states = _feed(builder, obs)
    seen = {s.altitude_ft for s in states}
    assert 107700.0 not in seen and 45000.0 not in seen and 37000.0 in seen
    assert builder.counters.altitude_out_of_range == 1 and builder.counters.altitude_spikes == 1
    assert states[-1].altitude_ft == 37000.0  # healed


def test_a_bad_first_altitude_heals_at_the_next_report() -> None:
    builder = StateBuilder()
    fixes = _track(450.0, 0.0, 5)
    alts = [52000.0, 37000.0, 37000.0, 37000.0, 37000.0]
    obs = [
        Observation(t, "abc123", altitude_ft=a, latitude_deg=la, longitude_deg=lo)
        for (t, la, lo), a in zip(fixes, alts, strict=True)
    ]
    states = _feed(builder, obs)
    assert [s.altitude_ft for s in states] == [52000.0, None, 37000.0, 37000.0, 37000.0]
    assert builder.counters.altitude_spikes == 1


def test_on_ground_flag_is_carried() -> None:
    builder = StateBuilder()
    obs = [Observation(0.0, "abc123", onground=True), Observation(1.0, "abc123", latitude_deg=47.0, longitude_deg=8.0)]
    assert _feed(builder, obs)[0].onground is True


def test_status_line_counts_rejections_by_reason() -> None:
    counters = FeedCounters(decoded=10, position_jumps=2, altitude_spikes=3)
    line = FeedStatus("roof", "beast://x:1", True, None, counters.snapshot(), aircraft=4).line()
    assert line.endswith("rejected 2 position jumps, 3 altitude spikes")
    clean = FeedStatus("roof", "beast://x:1", True, None, FeedCounters(decoded=10).snapshot(), aircraft=4).line()
    assert "rejected" not in clean
