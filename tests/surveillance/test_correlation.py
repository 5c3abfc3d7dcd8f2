"""Correlation of tracks with intents and ADS-B identities, and the unknown / non-conforming alerts.

Built scenario over central Iraq: a route at FL300 (west to east, 230 m/s), a parallel route 40 km north, and a
circular orbit at FL200-FL220. Tracks are built from exact kinematics (this file) or produced by the real radar,
ADS-B receiver and tracker (the end-to-end test).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from commonsky.airspace.volume import AltitudeBand, CircleShape, TimeWindow, Volume
from commonsky.geo.geodesy import LocalFrame
from commonsky.plans.intent import Intent
from commonsky.plans.route import RouteBuffers, Waypoint, route_volumes
from commonsky.surveillance.correlation import (
    AlertPolicy,
    Correlator,
    IdentityRegistry,
    IntentIndex,
    Tolerance,
    correlate,
)
from commonsky.surveillance.tracking.tracks import LiveTracks
from commonsky.units import FT_M, parse_altitude

FRAME = LocalFrame(33.5, 44.5)
T0 = 10_000.0
SPEED = 230.0


def _route(intent_id: str, party: str, lat: float) -> Intent:
    a = (lat, 44.0)
    b = (lat, 45.0)
    xa, ya = FRAME.to_local(*a)
    xb, yb = FRAME.to_local(*b)
    t_b = T0 + float(np.hypot(xb - xa, yb - ya)) / SPEED
    alt = parse_altitude("FL300")
    wps = [Waypoint(a[0], a[1], alt, T0), Waypoint(b[0], b[1], alt, t_b)]
    return Intent(intent_id, party, route_volumes(wps, RouteBuffers()))


ROUTE_A = _route("route-a", "civil", 33.5)
ROUTE_C = _route("route-c", "civil", 33.86)
ORBIT = Intent(
    "orbit-b",
    "coalition",
    (
        Volume(
            CircleShape((33.0, 44.0), 20_000.0),
            AltitudeBand(parse_altitude("FL200"), parse_altitude("FL220")),
            TimeWindow(T0 - 3600, T0 + 7200),
        ),
    ),
)
INTENTS = (ROUTE_A, ROUTE_C, ORBIT)


def _on_route(lat: float, t: float) -> tuple[np.ndarray, np.ndarray]:
    """Position and velocity (frame) of a flight flying the route at latitude ``lat`` at time ``t``."""
    xa, ya = FRAME.to_local(lat, 44.0)
    xb, yb = FRAME.to_local(lat, 45.0)
    d = np.array([xb - xa, yb - ya])
    u = d / np.hypot(*d)
    xy = np.array([xa, ya]) + u * SPEED * (t - T0)
    return np.array([*xy, 300 * 100 * FT_M]), np.array([*(u * SPEED), 0.0])


def tracks_of(t: float, rows: list[tuple[int, np.ndarray, np.ndarray, str, str]]) -> LiveTracks:
    """Confirmed tracks ``(id, pos, vel, icao24, callsign)``."""
    x = np.array([np.concatenate([p, v]) for _, p, v, _, _ in rows]).reshape(-1, 6)
    base = LiveTracks.new(t, [r[0] for r in rows], x, np.tile(np.eye(6) * 100.0, (len(rows), 1, 1)))
    return replace(
        base,
        confirmed=np.ones(len(rows), dtype=bool),
        icao24=np.array([r[3] for r in rows], dtype="<U6"),
        callsign=np.array([r[4] for r in rows], dtype="<U8"),
    )


@pytest.fixture(scope="module")
def index() -> IntentIndex:
    return IntentIndex.build(INTENTS, FRAME)


def test_route_legs_are_told_from_orbits(index: IntentIndex) -> None:
    assert index.is_leg.tolist() == [True, True, False]
    assert index.course[0, 0] == pytest.approx(1.0, abs=0.01)  # west to east


def test_identity_and_volume_matches(index: IntentIndex) -> None:
    registry = IdentityRegistry.build({"AA0001": ("civil", "route-a")}, {"POLICE1": ("police", "")})
    t = T0 + 200.0
    pa, va = _on_route(33.5, t)
    orbit_xy = FRAME.to_local(33.0, 44.05)
    rows = [
        (1, pa, va, "aa0001", ""),  # registered to route-a, flying it (case-insensitive address)
        (2, pa.copy(), va, "", ""),  # radar-only, flying route-a's way inside it -> matched by volume
        (3, np.array([*orbit_xy, 6400.0]), np.array([100.0, 0, 0]), "bb0002", ""),  # unregistered, in the orbit
        (4, np.array([-150_000.0, -150_000.0, 1000.0]), np.zeros(3), "", "POLICE1 "),  # registered party, no intent
        (5, np.array([-150_000.0, 150_000.0, 4500.0]), np.array([0, 150.0, 0]), "", ""),  # nowhere: unknown
        (6, pa, -va, "", ""),  # inside route-a but flying it backwards: not route-a's flight
    ]
    c = correlate(tracks_of(t, rows), index, registry)
    assert c.status.tolist() == ["matched", "matched", "matched", "matched", "unknown", "unknown"]
    assert c.intent.tolist() == ["route-a", "route-a", "orbit-b", "", "", ""]
    assert c.party.tolist() == ["civil", "civil", "coalition", "police", "", ""]
    assert c.basis.tolist() == ["identity", "volume", "volume", "identity", "", ""]


def test_outside_reasons(index: IntentIndex) -> None:
    registry = IdentityRegistry.build({"aa0001": ("civil", "route-a")})
    t = T0 + 300.0
    p, v = _on_route(33.5, t)
    cases = {
        "outside its lateral volume": p + np.array([0, 8_000.0, 0]),
        "left its altitude block": p + np.array([0, 0, 2000 * FT_M]),
    }
    for reason, pos in cases.items():
        c = correlate(tracks_of(t, [(1, pos, v, "aa0001", "")]), index, registry)
        assert (c.status[0], c.reason[0]) == ("outside", reason)
    gone = IdentityRegistry.build({"aa0001": ("civil", "withdrawn-7")})
    c = correlate(tracks_of(t, [(1, p, v, "aa0001", "")]), index, gone)
    assert (c.status[0], c.reason[0], c.intent[0]) == ("outside", "its intent is not on file", "withdrawn-7")
    late = correlate(tracks_of(T0 + 9000.0, [(1, p, v, "aa0001", "")]), index, registry)
    assert (late.status[0], late.reason[0]) == ("outside", "outside its time window")
    # within tolerance: 4 km off the centreline is inside the 2 NM corridor widened by 0.5 NM
    near = correlate(tracks_of(t, [(1, p + np.array([0, 4_000.0, 0]), v, "aa0001", "")]), index, registry)
    assert near.status[0] == "matched"


def test_unknown_alert_waits_for_n_scans_and_ends_when_matched(index: IntentIndex) -> None:
    registry = IdentityRegistry.build()
    corr = Correlator(index, registry, AlertPolicy(unknown_after_scans=3, clear_after_scans=2))
    far = np.array([-150_000.0, 150_000.0, 4500.0])
    log = []
    for k in range(6):
        t = T0 + 4.0 * k
        shown, events = corr.step(
            tracks_of(t, [(7, far + np.array([600.0 * k, 0, 0]), np.array([150.0, 0, 0]), "", "")])
        )
        log.append((shown.status[0], [(e.kind, e.action) for e in events]))
    assert [s for s, _ in log] == ["pending", "pending", "unknown", "unknown", "unknown", "unknown"]
    assert log[2][1] == [("unknown", "raised")]
    assert all(ev == [] for i, (_, ev) in enumerate(log) if i != 2)
    assert len(corr.active) == 1 and corr.active[0].track_id == 7
    # it files nothing but now flies route-a's volume the right way: matched twice -> the alert ends
    t = T0 + 200.0
    p, v = _on_route(33.5, t)
    _, first = corr.step(tracks_of(t, [(7, p, v, "", "")]))
    _, second = corr.step(tracks_of(t + 4, [(7, p + v * 4, v, "", "")]))
    assert first == () and [(e.kind, e.action, e.reason) for e in second] == [("unknown", "ended", "matched")]
    assert corr.active == ()


def test_no_flicker_on_alternating_evidence(index: IntentIndex) -> None:
    corr = Correlator(index, IdentityRegistry.build(), AlertPolicy(unknown_after_scans=3))
    all_events = []
    for k in range(12):
        t = T0 + 200.0 + 4.0 * k
        p, v = _on_route(33.5, t)
        off = p + np.array([0, 30_000.0, 0]) if k % 2 else p  # every other scan it looks unknown
        all_events += corr.step(tracks_of(t, [(9, off, v, "", "")]))[1]
    assert all_events == []


def test_drift_out_of_corridor_raises_non_conforming_after_delay(index: IntentIndex) -> None:
    registry = IdentityRegistry.build({"cc0003": ("civil", "route-c")})
    policy = AlertPolicy(nonconforming_after_s=20.0, clear_after_s=10.0)
    corr = Correlator(index, registry, policy)
    drift_start = T0 + 300.0
    raised_at = None
    left_at = None
    for k in range(90):
        t = T0 + 240.0 + 2.0 * k
        p, v = _on_route(33.86, t)
        if t > drift_start:  # 30 degrees right of course: 115 m/s sideways (south)
            side = SPEED * np.sin(np.radians(30.0))
            p = p + np.array([0, -side * (t - drift_start), 0])
            v = np.array([SPEED * np.cos(np.radians(30.0)), -side, 0.0])
        _, events = corr.step(tracks_of(t, [(3, p, v, "cc0003", "")]))
        instant = correlate(tracks_of(t, [(3, p, v, "cc0003", "")]), index, registry)
        if left_at is None and instant.status[0] == "outside":
            left_at = t
        for e in events:
            if (e.kind, e.action) == ("non-conforming", "raised"):
                raised_at = t
                assert e.intent == "route-c" and e.reason == "outside its lateral volume" and e.icao24 == "cc0003"
                assert e.lat < 33.86
    assert left_at is not None and raised_at is not None
    # corridor 2 NM + 0.5 NM tolerance = 4.63 km at 115 m/s sideways: about 40 s after the drift starts
    assert 35.0 <= left_at - drift_start <= 45.0
    assert policy.nonconforming_after_s <= raised_at - left_at < policy.nonconforming_after_s + 2.0 + 1e-9


def test_dropped_track_ends_its_alert(index: IntentIndex) -> None:
    corr = Correlator(index, IdentityRegistry.build(), AlertPolicy(unknown_after_scans=1))
    far = np.array([-150_000.0, 150_000.0, 4500.0])
    _, raised = corr.step(tracks_of(T0, [(4, far, np.zeros(3), "", "")]))
    _, ended = corr.step(tracks_of(T0 + 4, []))
    assert [(e.action) for e in raised] == ["raised"]
    assert [(e.kind, e.action, e.reason, e.track_id) for e in ended] == [("unknown", "ended", "track dropped", 4)]


def test_tentative_tracks_are_not_correlated(index: IntentIndex) -> None:
    corr = Correlator(index, IdentityRegistry.build(), AlertPolicy(unknown_after_scans=1))
    tracks = tracks_of(T0, [(4, np.array([-150_000.0, 150_000.0, 4500.0]), np.zeros(3), "", "")])
    shown, events = corr.step(replace(tracks, confirmed=np.zeros(1, dtype=bool)))
    assert len(shown) == 0 and events == ()


def test_tolerance_widens_the_volume(index: IntentIndex) -> None:
    t = T0 + 300.0
    p, v = _on_route(33.5, t)
    tracks = tracks_of(t, [(1, p + np.array([0, 5_500.0, 0]), v, "", "")])  # 5.5 km off: outside 3.7 + 0.93 km
    assert correlate(tracks, index, IdentityRegistry.build()).status[0] == "unknown"
    wide = IntentIndex.build(INTENTS, FRAME, Tolerance(lateral_m=2_000.0))
    assert correlate(tracks, wide, IdentityRegistry.build()).status[0] == "matched"


def test_end_to_end_with_real_sensors_and_tracker(index: IntentIndex) -> None:
    """Radar + ADS-B + the tracker: the route flight is never alerted, the drifting flight becomes non-conforming,
    the radar-only stranger becomes unknown, and no other alert is raised."""
    from commonsky.surveillance.sensors.adsb import AdsbReceiver
    from commonsky.surveillance.sensors.platform import FixedSite
    from commonsky.surveillance.sensors.radar import Radar
    from commonsky.surveillance.sensors.scenario import Trajectories
    from commonsky.surveillance.tracking.tracker import Tracker

    t = np.arange(T0 + 60.0, T0 + 380.0 + 1e-9, 1.0)
    drift_start = T0 + 200.0
    side = SPEED * np.sin(np.radians(30.0))
    pos = np.zeros((len(t), 3, 3))
    vel = np.zeros_like(pos)
    for i, ti in enumerate(t):
        pos[i, 0], vel[i, 0] = _on_route(33.5, ti)
        pos[i, 1], vel[i, 1] = _on_route(33.86, ti)
        if ti > drift_start:
            pos[i, 1, 1] -= side * (ti - drift_start)
            vel[i, 1] = [SPEED * np.cos(np.radians(30.0)), -side, 0.0]
        pos[i, 2] = [-100_000.0 + 150.0 * (ti - T0), 100_000.0, 4_500.0]
        vel[i, 2] = [150.0, 0.0, 0.0]
    traj = Trajectories(
        t,
        np.arange(3),
        pos,
        vel,
        np.array(["aa0001", "cc0003", ""]),
        np.array(["CIV1", "CIV3", ""]),
        np.array([True, True, False]),
    )
    radar = Radar(0, FixedSite(0.0, 0.0, 60.0), max_range_m=250_000.0, scan_period_s=4.0)
    adsb = AdsbReceiver(1, FixedSite(0.0, 0.0, 60.0))
    scans = sorted([(s, 0) for s in radar.times_s(t[0], t[-1])] + [(s, 1) for s in adsb.times_s(t[0], t[-1])])
    registry = IdentityRegistry.build({"aa0001": ("civil", "route-a"), "cc0003": ("civil", "route-c")})
    tracker = Tracker.default()
    corr = Correlator(index, registry)
    rng = np.random.default_rng(5)
    events = []
    for ts, k in scans:
        sensor = radar if k == 0 else adsb
        snap = tracker.step(sensor.observe(traj.at(float(ts)), rng), sensor)
        events += corr.step(snap)[1]
    raised = [e for e in events if e.action == "raised"]
    kinds = sorted({(e.kind, e.icao24) for e in raised})
    assert kinds == [("non-conforming", "cc0003"), ("unknown", "")]
    stranger = next(e for e in raised if e.kind == "unknown")
    x, y = FRAME.to_local(stranger.lat, stranger.lon)
    truth = traj.at(stranger.t_s).pos_m[2]
    assert np.hypot(x - truth[0], y - truth[1]) < 2_000.0
    drift = next(e for e in raised if e.kind == "non-conforming")
    assert drift.intent == "route-c" and drift.t_s > drift_start + 35.0 + AlertPolicy().nonconforming_after_s


def test_alert_update_when_the_reason_changes(index: IntentIndex) -> None:
    """Off its corridor, then back over it but 2,000 ft too high: one raise, one update, no flicker."""
    registry = IdentityRegistry.build({"aa0001": ("civil", "route-a")})
    corr = Correlator(index, registry, AlertPolicy(nonconforming_after_s=8.0, clear_after_s=8.0))
    log = []
    for k in range(12):
        t = T0 + 200.0 + 4.0 * k
        p, v = _on_route(33.5, t)
        shift = np.array([0, 8_000.0, 0]) if k < 6 else np.array([0, 0, 2000 * FT_M])
        log += [(e.action, e.reason) for e in corr.step(tracks_of(t, [(1, p + shift, v, "aa0001", "")]))[1]]
    assert log == [("raised", "outside its lateral volume"), ("updated", "left its altitude block")]
    (active,) = corr.active
    assert active.action == "updated" and active.reason == "left its altitude block"
