"""A radar that falls silent mid-run: its tracks coast, then drop by the tracker's own deletion rule, and a
coverage-loss alert names it and the area it covered. The real radar model and the real tracker are driven."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from commonsky.geo.geodesy import LocalFrame
from commonsky.surveillance.health import HealthPolicy, SensorHealthMonitor, WatchedSensor, covered_area
from commonsky.surveillance.sensor_config import SensorSpec, build_sensor
from commonsky.surveillance.sensors.platform import FixedSite
from commonsky.surveillance.sensors.radar import Radar
from commonsky.surveillance.sensors.scenario import Trajectories
from commonsky.surveillance.sensors.types import Plots
from commonsky.surveillance.tracking.tracker import Tracker
from commonsky.surveillance.tracking.tracks import LiveTracks

FRAME = LocalFrame(33.3, 44.4)
SCAN_S = 4.0
COAST_S = 12.0
STOP_S = 120.0  # radar A's last scan is before this
END_S = 200.0
FL200 = 6_096.0


def _radars() -> tuple[Radar, Radar]:
    a = Radar(0, FixedSite(0.0, 0.0, 30.0), max_range_m=150_000.0, scan_period_s=SCAN_S, ref_range_m=140_000.0)
    b = Radar(1, FixedSite(300_000.0, 0.0, 30.0), max_range_m=150_000.0, scan_period_s=SCAN_S, ref_range_m=140_000.0)
    return a, b


def _configured() -> tuple[tuple[SensorSpec, Radar], ...]:
    """The two radars as a scenario would give them, radar A with an outage from `STOP_S` on."""
    out = []
    for i, (x, outages) in enumerate(((0.0, ((STOP_S, math.inf),)), (300_000.0, ()))):
        lat, lon = FRAME.to_geodetic(x, 0.0)
        spec = SensorSpec(
            i, f"Radar {'AB'[i]}", "radar", float(lat), float(lon), 30.0, 150_000.0, SCAN_S, 0.0, outages=outages
        )
        sensor = build_sensor(spec, FRAME).sensor
        assert isinstance(sensor, Radar)
        out.append((spec, sensor))
    return tuple(out)


def _traffic() -> Trajectories:
    """Three aircraft near radar A only and three near radar B only, FL200, 180 m/s."""
    t = np.arange(0.0, END_S + 1.0, 1.0)
    pos0 = [
        [-40_000, 0, FL200],
        [20_000, 40_000, FL200],
        [0, -50_000, FL200],
        [280_000, 30_000, FL200],
        [320_000, -20_000, FL200],
        [300_000, 50_000, FL200],
    ]
    vel = [[180, 0, 0], [0, -180, 0], [-120, 120, 0], [0, -180, 0], [-180, 0, 0], [120, -120, 0]]
    return Trajectories.straight(t, pos0, vel)


@pytest.fixture(scope="module")
def run() -> dict[str, object]:
    sensors = _configured()
    traj = _traffic()
    watch = [
        WatchedSensor(r, spec.name, spec.scan_s, covered_area(r, FRAME, FL200, r.max_range_m, 5_000.0))
        for spec, r in sensors
    ]
    monitor = SensorHealthMonitor(watch, start_s=0.0, policy=HealthPolicy(silent_after_periods=3))
    tracker = Tracker.default(coast_s=COAST_S)
    rng = np.random.default_rng(11)
    snaps: dict[float, LiveTracks] = {}
    events = []
    for t in np.arange(0.0, END_S, SCAN_S):
        for spec, radar in sensors:
            if spec.silent_at(float(t)):
                continue  # radar A falls silent: no more scans at all
            plots = radar.observe(traj.at(float(t)), rng)
            monitor.report(plots)
            snaps[float(t)] = tracker.step(plots, radar)
        events += monitor.step(float(t), snaps[float(t)])
    return {"snaps": snaps, "events": events, "last_a": STOP_S - SCAN_S}


def test_tracks_of_the_silent_radar_coast_then_drop(run: dict[str, object]) -> None:
    snaps: dict[float, LiveTracks] = run["snaps"]  # type: ignore[assignment]
    last_a: float = run["last_a"]  # type: ignore[assignment]
    before = snaps[last_a].confirmed_only()
    only_a = before.track_id[before.sensor_mask == 1]
    only_b = before.track_id[before.sensor_mask == 2]
    assert len(only_a) == 3 and len(only_b) == 3
    # coasting: still there two scans later, not updated since radar A's last scan, positions still predicted on
    coasting = snaps[last_a + 2 * SCAN_S]
    rows = np.isin(coasting.track_id, only_a)
    assert rows.sum() == 3
    assert np.all(coasting.last_update_s[rows] <= last_a)
    moved = np.hypot(*(coasting.pos_m[rows, :2] - before.pos_m[np.isin(before.track_id, only_a), :2]).T)
    assert np.all(moved > 180.0 * 2 * SCAN_S * 0.8)
    # dropped once the coasting time is over; radar B's tracks live on
    after = snaps[last_a + COAST_S + SCAN_S]
    assert not np.isin(after.track_id, only_a).any()
    final = snaps[END_S - SCAN_S]
    assert np.isin(only_b, final.track_id).all()


def test_coverage_loss_alert_names_the_sensor_and_area(run: dict[str, object]) -> None:
    events = run["events"]
    last_a: float = run["last_a"]  # type: ignore[assignment]
    assert [(e.action, e.name) for e in events] == [("raised", "Radar A")]  # type: ignore[attr-defined]
    alert = events[0]  # type: ignore[index]
    # raised at the first picture update 3 periods after radar A's last scan
    assert alert.t_s == pytest.approx(last_a + 3 * SCAN_S)
    assert alert.silent_since_s == pytest.approx(last_a)
    assert alert.reason.startswith("no reports")
    assert len(alert.orphan_track_ids) == 3
    lat_a, lon_a = FRAME.to_geodetic(30_000.0, 0.0)
    lat_b, lon_b = FRAME.to_geodetic(270_000.0, 0.0)
    assert alert.area_lonlat.contains(shapely.Point(lon_a, lat_a))
    assert not alert.area_lonlat.contains(shapely.Point(lon_b, lat_b))
    # the 150 km circle (range-limited at FL200: the horizon is further) less the cone of silence over the mast
    # (45 degrees: about 6 km round the site at FL200), to a grid cell
    assert alert.area_km2 == pytest.approx(np.pi * (150.0**2 - 6.1**2), rel=0.03)
    assert "Radar A" in alert.message and "coasting" in alert.message


def test_empty_scans_are_an_outage_only_when_plots_were_expected() -> None:
    a, _ = _radars()
    area = shapely.Point(44.4, 33.3).buffer(1.0)
    one_target = LiveTracks.new(0.0, [5], np.array([[10_000.0, 0, FL200, 0, 0, 0]]), np.eye(6)[None] * 100.0)
    one_target = type(one_target)(**{**one_target.__dict__, "confirmed": np.ones(1, dtype=bool)})
    for tracks, expect_alert in ((LiveTracks.empty(0.0), False), (one_target, True)):
        monitor = SensorHealthMonitor([WatchedSensor(a, "Radar A", SCAN_S, area)], 0.0, HealthPolicy(3, 2.0))
        events = []
        for t in np.arange(0.0, 40.0, SCAN_S):
            monitor.report(Plots.empty(float(t), 0))  # the feed is alive, the scans are empty
            events += monitor.step(float(t), tracks)
        assert bool(events) is expect_alert
        if expect_alert:
            assert events[0].reason.startswith("no plots") and monitor.silent() == ("Radar A",)
    # plots again: the alert ends
    monitor.report(Plots.from_positions(40.0, 0, [[10_000.0, 0, FL200]], np.eye(3)))
    ended = monitor.step(40.0, one_target)
    assert [e.action for e in ended] == ["ended"] and monitor.silent() == ()


def test_sensor_off_duty_is_not_an_outage() -> None:
    a, _ = _radars()
    watch = WatchedSensor(a, "Radar A", SCAN_S, shapely.Point(44.4, 33.3).buffer(1.0), start_s=1000.0, end_s=2000.0)
    monitor = SensorHealthMonitor([watch], 0.0)
    assert monitor.step(500.0, LiveTracks.empty(500.0)) == ()
    assert [e.action for e in monitor.step(1000.0, LiveTracks.empty(1000.0))] == ["raised"]
