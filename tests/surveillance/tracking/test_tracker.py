"""The tracker on simulated scenarios (crossing, 3 g turn, radar + ADS-B fusion, ADS-B off), scored with SIAP.

Bounds come from the scenario, not from magic numbers:
- completeness: a target is lost only while its track is being confirmed (M-of-N needs up to N scans, plus
  the metric's own association needs a few), so completeness >= 1 - (N + 2) / scans;
- position accuracy: the filter must do better than the plots it is fed, so the mean error of associated tracks
  must be below the RMS of the plots' own error, sqrt(mean trace R);
- spuriousness: clutter tracks need M plots inside one small gate within N scans, which the false-alarm density
  makes rare; a few percent of track-scans is the allowance.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest

from commonsky.errors import InputError
from commonsky.surveillance.metrics import StateTable, siap
from commonsky.surveillance.sensors.adsb import AdsbReceiver
from commonsky.surveillance.sensors.platform import FixedSite, RacetrackOrbit
from commonsky.surveillance.sensors.radar import Radar
from commonsky.surveillance.sensors.scenario import Trajectories
from commonsky.surveillance.sensors.types import NO_ORIGIN, Plots, Sensor
from commonsky.surveillance.tracking.models import AdaptiveProcessNoise
from commonsky.surveillance.tracking.tracker import Components, Tracker
from commonsky.surveillance.tracking.tracks import LiveTracks

N_WINDOW = 4  # Tracker.default(): 3 of 4


@dataclass
class Run:
    snaps: list[LiveTracks]
    tracks: StateTable
    truth: StateTable
    plot_noise_rms_m: dict[int, float]  # per sensor: sqrt(mean trace R) over plots of real targets
    scans: int


def simulate(
    traj: Trajectories, sensors: list[tuple[Sensor, float]], end_s: float, seed: int, tracker: Tracker | None = None
) -> Run:
    """Run sensors (sensor, first scan time) over ``traj``; one snapshot per scan, the last one per time."""
    rng = np.random.default_rng(seed)
    events = sorted((t, k) for k, (sensor, first) in enumerate(sensors) for t in sensor.times_s(first, end_s))
    tracker = tracker or Tracker.default()
    snaps: dict[float, LiveTracks] = {}
    traces: dict[int, list[float]] = {}
    for t, k in events:
        sensor = sensors[k][0]
        plots = sensor.observe(traj.at(float(t)), rng)
        real = plots.origin != NO_ORIGIN
        if real.any():
            traces.setdefault(plots.sensor_id, []).extend(np.einsum("kii->k", plots.cov_m2[real]).tolist())
        snaps[float(t)] = tracker.step(plots, sensor)
    times = np.array(sorted(snaps))
    k = traj.n_targets
    truth = StateTable.build(
        np.repeat(times, k),
        np.tile(traj.target_id, len(times)),
        np.concatenate([traj.at(t).pos_m for t in times]),
        np.concatenate([traj.at(t).vel_ms for t in times]),
    )
    rms = {s: float(np.sqrt(np.mean(v))) for s, v in traces.items()}
    return Run(list(snaps.values()), StateTable.from_snapshots(list(snaps.values())), truth, rms, len(times))


def radar(**kw: float) -> Radar:
    base = dict(
        max_range_m=250e3,
        scan_period_s=2.0,
        pd_ref=0.9,
        ref_range_m=150e3,
        sigma_range_m=50.0,
        sigma_az_deg=0.1,
        sigma_el_deg=0.5,
        false_alarms_per_scan=2.0,
    )
    base.update(kw)
    return Radar(1, FixedSite(0.0, 0.0, 20.0), **base)  # type: ignore[arg-type]


def subset(table: StateTable, ids: list[int]) -> StateTable:
    keep = np.isin(table.object_id, ids)
    return StateTable.build(table.t_s[keep], table.object_id[keep], table.pos_m[keep], table.vel_ms[keep])


def completeness_bound(scans: int) -> float:
    return 1.0 - (N_WINDOW + 2) / scans


def test_crossing_targets() -> None:
    # Four aircraft crossing two by two over the same points at the same time, 90° apart, same altitude.
    t = np.arange(0.0, 181.0, 1.0)
    centre = np.array([[60e3, 40e3, 7_000.0], [60e3, 40e3, 7_000.0], [90e3, 10e3, 9_000.0], [90e3, 10e3, 9_000.0]])
    vel = np.array([[220.0, 0, 0], [0, 220.0, 0], [-160.0, 160.0, 0], [160.0, 160.0, 0]])
    traj = Trajectories.straight(t, centre - 90.0 * vel, vel)
    sensor = radar()
    run = simulate(traj, [(sensor, 0.0)], 180.0, seed=1)
    noise = run.plot_noise_rms_m[1]
    s = siap(run.tracks, run.truth, threshold_m=3 * noise)
    assert s.completeness >= completeness_bound(run.scans)
    assert s.ambiguity <= 1.05
    assert s.spuriousness <= 0.05
    assert s.position_accuracy_m < noise
    # No swap at the crossing: every truth is held by one track for most of its life.
    assert s.longest_track_segment >= completeness_bound(run.scans)


@pytest.mark.parametrize("seed", [3, 4])
def test_manoeuvring_target_3g_turn(seed: int) -> None:
    # 250 m/s, 27 s of 3 g turn (about 180°), radar every 2 s.
    traj = Trajectories.manoeuvring(np.arange(0, 121, 0.5), [20e3, 60e3, 6_000.0], 90.0, 250.0, [(40.0, 67.0, 3.0)])
    sensor = radar(false_alarms_per_scan=0.5)
    run = simulate(traj, [(sensor, 0.0)], 120.0, seed=seed)
    noise = run.plot_noise_rms_m[1]
    s = siap(run.tracks, run.truth, threshold_m=3 * noise)
    bound = completeness_bound(run.scans)
    assert s.completeness >= bound and s.longest_track_segment >= bound
    assert s.position_accuracy_m < noise
    assert s.spuriousness <= 0.05
    # The manoeuvre gate is what keeps the track: without it the track breaks in the turn.
    plain = Tracker(replace(Components.default(), manoeuvre=AdaptiveProcessNoise(retry_scale=0.0)))
    run_plain = simulate(traj, [(sensor, 0.0)], 120.0, seed=seed, tracker=plain)
    assert siap(run_plain.tracks, run_plain.truth, threshold_m=3 * noise).longest_track_segment < bound


def test_radar_and_adsb_fused_and_adsb_off_seen_by_radar() -> None:
    rng = np.random.default_rng(8)
    t = np.arange(0.0, 121.0, 1.0)
    n = 6
    pos0 = np.column_stack([rng.uniform(40e3, 120e3, (n, 2)), rng.uniform(3_000, 11_000, n)])
    hdg = rng.uniform(0, 2 * np.pi, n)
    vel = np.column_stack([200 * np.sin(hdg), 200 * np.cos(hdg), np.zeros(n)])
    icao = [f"4ca{i:03x}" for i in range(n)]
    on = np.ones(n, dtype=bool)
    on[5] = False  # aircraft 5 flies with ADS-B off
    traj = Trajectories.straight(t, pos0, vel, icao24=icao, callsign=[f"EIN{i}" for i in range(n)], adsb_on=on)
    rad = radar(scan_period_s=4.0)
    rx = AdsbReceiver(2, FixedSite(5e3, 5e3, 30.0), nacp=9)
    run = simulate(traj, [(rad, 0.0), (rx, 0.5)], 120.0, seed=9)
    threshold = 3 * run.plot_noise_rms_m[1]
    s = siap(run.tracks, run.truth, threshold_m=threshold)
    assert s.completeness >= completeness_bound(run.scans)
    assert s.ambiguity <= 1.05 and s.spuriousness <= 0.05

    # Identity: each ADS-B aircraft's track carries its icao24 and callsign, and was updated by both sensors.
    final = run.snaps[-1].confirmed_only()
    assert len(final) == n
    truth_now = traj.at(run.snaps[-1].t_s)
    nearest = np.argmin(np.linalg.norm(final.pos_m[:, None] - truth_now.pos_m[None], axis=2), axis=1)
    assert sorted(nearest.tolist()) == list(range(n))
    both = np.uint64((1 << 1) | (1 << 2))
    for row, target in enumerate(nearest):
        if on[target]:
            assert final.icao24[row] == icao[target] and final.callsign[row] == f"EIN{target}"
            assert final.sensor_mask[row] == both
        else:
            assert final.icao24[row] == "" and final.sensor_mask[row] == np.uint64(1 << 1)

    # Accuracy: ADS-B aircraft as good as ADS-B; the ADS-B-off aircraft as good as the radar allows.
    with_adsb = siap(run.tracks, subset(run.truth, [i for i in range(n) if on[i]]), threshold_m=threshold)
    assert with_adsb.position_accuracy_m < run.plot_noise_rms_m[2]
    radar_only = siap(run.tracks, subset(run.truth, [5]), threshold_m=threshold)
    assert radar_only.completeness >= 1.0 - (N_WINDOW + 2) / (120 / 4)
    assert radar_only.position_accuracy_m < run.plot_noise_rms_m[1]


def test_dense_traffic_with_clutter() -> None:
    # 400 aircraft within 100 km of one radar (one per 100 km²), 1 s scans, 20 false alarms per scan.
    traj = Trajectories.random_traffic(400, np.arange(0.0, 61.0), 200e3, np.random.default_rng(0))
    sensor = radar(scan_period_s=1.0, false_alarms_per_scan=20.0)
    run = simulate(traj, [(sensor, 0.0)], 60.0, seed=0)
    noise = run.plot_noise_rms_m[1]
    s = siap(run.tracks, run.truth, threshold_m=3 * noise)
    assert s.completeness >= completeness_bound(run.scans)
    assert s.longest_track_segment >= completeness_bound(run.scans)  # no swaps or breaks to speak of
    assert s.ambiguity <= 1.05 and s.spuriousness <= 0.05
    assert s.position_accuracy_m < noise


def test_airborne_radar_on_racetrack_holds_a_low_flyer_beyond_the_ground_horizon() -> None:
    # A target at 150 m, 200 km out: below the ground radar's horizon, in view of a radar orbiting at 9 km.
    t = np.arange(0.0, 121.0, 1.0)
    traj = Trajectories.straight(t, [[0.0, 200e3, 150.0]], [[180.0, 0.0, 0.0]])
    ground = radar(scan_period_s=4.0)
    orbit = RacetrackOrbit(
        -60e3, 60e3, heading_deg=90.0, leg_length_m=120e3, turn_radius_m=25e3, alt_m=9_000.0, speed_ms=200.0
    )
    aew = Radar(
        4,
        orbit,
        max_range_m=400e3,
        scan_period_s=10.0 / 3,
        ref_range_m=300e3,
        min_elevation_deg=-90.0,
        sigma_range_m=80.0,
        sigma_az_deg=0.2,
        sigma_el_deg=0.5,
    )
    assert ground.detection_probability(traj.at(0.0).pos_m, 0.0)[0] == 0.0
    run = simulate(traj, [(ground, 0.0), (aew, 0.2)], 120.0, seed=5)
    assert 1 not in run.plot_noise_rms_m  # the ground radar never saw it
    noise = run.plot_noise_rms_m[4]
    s = siap(run.tracks, run.truth, threshold_m=3 * noise)
    aew_scans = 120 / aew.scan_period_s
    assert s.completeness >= 1.0 - (N_WINDOW + 2) / aew_scans
    assert s.position_accuracy_m < noise
    assert np.all(run.snaps[-1].confirmed_only().sensor_mask == np.uint64(1 << 4))


def test_silent_sensor_tracks_coast_then_drop() -> None:
    tracker = Tracker.default(coast_s=10.0)
    r = np.eye(3) * 100.0
    for k in range(5):
        tracker.step(Plots.from_positions(float(k), 3, [[150.0 * k, 0.0, 5_000.0], [0.0, 150.0 * k, 6_000.0]], r))
    assert int(tracker.tracks.confirmed.sum()) == 2
    last = tracker.tracks
    for k in range(5, 20):
        snap = tracker.step(Plots.empty(float(k), 3))
        if k - 4 <= 10:  # coasting: predicted along the velocity, still confirmed
            assert int(snap.confirmed.sum()) == 2
            np.testing.assert_allclose(snap.pos_m[0, 0], last.pos_m[0, 0] + 150.0 * (k - 4), rtol=0.02)
        else:
            assert len(snap) == 0


def test_m_of_n_confirmation_and_tentative_deletion() -> None:
    tracker = Tracker.default(m=3, n=4)
    r = np.eye(3) * 100.0
    seen = [True, True, False, False, False]  # two plots then nothing: 2 of 4 never confirms
    for k, s in enumerate(seen):
        pts = [[100.0 * k, 0.0, 5_000.0]] if s else np.zeros((0, 3))
        snap = tracker.step(Plots.from_positions(float(k), 0, pts, r))
        assert not snap.confirmed.any()
    assert len(snap) == 0  # deleted once 4 looks passed without 3 hits


def test_out_of_coverage_scans_do_not_count_as_misses() -> None:
    class Blind:
        sensor_id = 7
        cooperative = False

        def detection_probability(self, pos_m: np.ndarray, t_s: float) -> np.ndarray:
            return np.zeros(len(pos_m))

        def times_s(self, start_s: float, end_s: float) -> np.ndarray:
            return np.arange(start_s, end_s, 0.1)

        def observe(self, truth: object, rng: np.random.Generator) -> Plots:
            return Plots.empty(0.0, 7)

    tracker = Tracker.default(m=3, n=4, coast_s=30.0)
    r = np.eye(3) * 100.0
    tracker.step(Plots.from_positions(0.0, 0, [[0.0, 0.0, 5_000.0]], r))
    for k in range(1, 6):  # a sensor that cannot see the track says nothing about it
        snap = tracker.step(Plots.empty(float(k) / 10, 7), Blind())
        assert len(snap) == 1 and snap.n_looks[0] == 1


def test_out_of_order_scan_is_refused_and_snapshots_are_immutable() -> None:
    from commonsky.errors import InputError

    tracker = Tracker.default()
    r = np.eye(3) * 100.0
    first = tracker.step(Plots.from_positions(5.0, 0, [[0.0, 0.0, 5_000.0]], r))
    frozen = first.x.copy()
    with pytest.raises(InputError):
        tracker.step(Plots.from_positions(4.0, 0, [[0.0, 0.0, 5_000.0]], r))
    tracker.step(Plots.from_positions(6.0, 0, [[100.0, 0.0, 5_000.0]], r))
    np.testing.assert_array_equal(first.x, frozen)
    with pytest.raises(ValueError):
        first.x[0, 0] = 1.0


def test_adsb_reports_in_wgs84_round_trip_through_the_local_frame() -> None:
    from commonsky.geo.geodesy import LocalFrame

    frame = LocalFrame(34.0, 45.0)
    tracker = Tracker.default()
    lat = 34.2 + 0.002 * np.arange(5)
    for k in range(5):
        plots = Plots.from_geodetic(frame, float(k), 2, [lat[k]], [45.3], [9_000.0], np.eye(3) * 25.0, ["896123"])
        snap = tracker.step(plots)
    got_lat, got_lon = snap.confirmed_only().geodetic(frame)
    assert got_lat[0] == pytest.approx(lat[-1], abs=1e-4) and got_lon[0] == pytest.approx(45.3, abs=1e-4)
    assert snap.confirmed_only().icao24[0] == "896123"


def test_real_adsb_flight_is_one_track_whose_velocity_matches_the_aircraft(reference_dir: Path) -> None:
    """933 decoded positions of 406B90 (pyModeS sample, 2016) through the tracker as ADS-B plots. The aircraft's
    own velocity reports (ADS-B TC 19, which the tracker never sees) are the reference for the track velocity.

    The file stamps messages to the whole second, so each report carries a timing error uniform over 1 s; it is
    modelled as along-track measurement noise of speed / sqrt(12)."""
    from commonsky.geo.geodesy import LocalFrame
    from commonsky.surveillance.feeds import FeedPipeline, ingest, open_source, states_to_si

    states: list[object] = []
    ingest(
        open_source(str(reference_dir / "adsb" / "pymodes_sample_data_adsb.csv")), FeedPipeline("hexcsv"), states.extend
    )
    si = states_to_si(states)  # type: ignore[arg-type]
    assert len(si["t_s"]) > 900
    frame = LocalFrame(float(np.median(si["lat_deg"])), float(np.median(si["lon_deg"])))
    tracker = Tracker.default()
    ids: set[int] = set()
    err, sigma = [], []
    for t in np.unique(si["t_s"]):
        i = np.flatnonzero(si["t_s"] == t)[-1:]  # the last report of each stamped second
        gs, trk = float(si["gs_ms"][i[0]]), np.radians(float(si["trk_deg"][i[0]]))
        along = np.array([np.sin(trk), np.cos(trk), 0.0])
        cov = np.diag([15.0, 15.0, 10.0]) ** 2 + (gs / np.sqrt(12.0)) ** 2 * np.outer(along, along)
        plots = Plots.from_geodetic(
            frame,
            float(t - si["t_s"][0]),
            2,
            si["lat_deg"][i],
            si["lon_deg"][i],
            si["alt_m"][i],
            cov,
            list(si["icao24"][i]),
        )
        snap = tracker.step(plots).confirmed_only()
        ids |= set(snap.track_id.tolist())
        if len(snap):
            err.append(float(np.linalg.norm(snap.vel_ms[0, :2] - gs * along[:2])))
            sigma.append(float(np.sqrt(np.trace(snap.p[0, 3:5, 3:5]) / 2)))
    assert ids == {0} and snap.icao24[0] == "406b90"
    # 2D velocity error: its median is 1.18 sigma for a consistent filter; allow twice the filter's own sigma,
    # plus the reports' 1 kt resolution.
    assert np.median(err) < 2 * np.median(sigma) + 0.5
    # No outlier throws the velocity: at most 1 % of updates (the first ones, the turn) beyond 10 sigma.
    assert np.mean(np.asarray(err) > 10 * np.median(sigma)) <= 0.01


def test_docstring_examples_run() -> None:
    import doctest

    from commonsky.surveillance import metrics
    from commonsky.surveillance.sensors import adsb, geometry
    from commonsky.surveillance.tracking import tracker

    for module in (geometry, adsb, tracker, metrics):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_a_65th_sensor_is_refused_not_wrapped() -> None:
    """Sensor ids name bits of a uint64 mask: id 63 is the last bit, id 64 (a 65th sensor) is an error, not bit 0."""
    one_plot = np.array([[1000.0, 2000.0, 3000.0]])
    tracker = Tracker.default()
    started = tracker.step(Plots.from_positions(0.0, 63, one_plot, np.eye(3) * 100.0))
    assert [int(m) for m in started.sensor_mask] == [2**63]
    for bad in (64, 65, -1):
        with pytest.raises(InputError, match=f"sensor id {bad} is out of range.*ids 0..63"):
            Tracker.default().step(Plots.from_positions(0.0, bad, one_plot, np.eye(3) * 100.0))
    with pytest.raises(InputError, match="sensor id 64 is out of range"):
        tracker.step(Plots.from_positions(1.0, 64, one_plot, np.eye(3) * 100.0))
