"""SIAP and OSPA against Stone Soup's own metric generators (the oracle) on the same truth and track sets."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from commonsky.surveillance.metrics import StateTable, associate_to_truth, ospa, ospa_distance, siap

EPOCH = dt.datetime(2026, 1, 1)
POS = [0, 2, 4]  # Stone Soup state vector: x, vx, y, vy, z, vz
VEL = [1, 3, 5]


def scenario(seed: int) -> tuple[StateTable, StateTable]:
    """Eight straight truths over 40 s; tracks that follow them noisily (sometimes beyond the 30 m threshold),
    start late, end early, swap from one truth to another, and pure clutter tracks."""
    rng = np.random.default_rng(seed)
    times = np.arange(40.0)
    n = 8
    p0 = rng.uniform(-2_000, 2_000, (n, 3))
    v = rng.uniform(-50, 50, (n, 3))
    truth_rows = [(t, i, p0[i] + v[i] * t, v[i]) for i in range(n) for t in times if not (i == 7 and t < 10)]
    truth_pos = {(t, i): p for t, i, p, _ in truth_rows}
    rows: list[tuple[float, int, np.ndarray, np.ndarray]] = []

    def follow(track_id: int, truth_id: int, t_from: float, t_to: float, sigma: float) -> None:
        for t in times[(times >= t_from) & (times < t_to)]:
            rows.append(
                (t, track_id, truth_pos[(t, truth_id)] + rng.normal(0, sigma, 3), v[truth_id] + rng.normal(0, 2, 3))
            )

    for i in range(6):
        follow(i, i, rng.integers(0, 5), 40, 8.0)
    follow(6, 6, 0, 40, 16.0)  # often beyond the threshold: associations break and resume
    follow(10, 0, 5, 30, 8.0)  # a second track on truth 0: ambiguity
    follow(11, 1, 0, 20, 8.0)  # track 11 swaps from truth 1 to truth 2
    for t in times[times >= 20]:
        rows.append((t, 11, truth_pos[(t, 2)] + rng.normal(0, 8, 3), v[2]))
    follow(12, 7, 12, 40, 8.0)
    for k in range(3):  # clutter tracks
        start = rng.uniform(-3_000, 3_000, 3)
        for t in times[(times >= 5 * k) & (times < 5 * k + 15)]:
            rows.append((t, 20 + k, start + 10 * t, np.full(3, 10.0)))
    tr = StateTable.build([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows])
    gt = StateTable.build(
        [r[0] for r in truth_rows], [r[1] for r in truth_rows], [r[2] for r in truth_rows], [r[3] for r in truth_rows]
    )
    return tr, gt


def to_stonesoup(table: StateTable, kind: str) -> list[object]:
    from stonesoup.types.groundtruth import GroundTruthPath, GroundTruthState
    from stonesoup.types.state import State
    from stonesoup.types.track import Track

    out = []
    for obj in np.unique(table.object_id):
        rows = np.flatnonzero(table.object_id == obj)
        rows = rows[np.argsort(table.t_s[rows])]
        vecs = [np.column_stack([table.pos_m[r], table.vel_ms[r]]).ravel() for r in rows]
        stamps = [EPOCH + dt.timedelta(seconds=float(table.t_s[r])) for r in rows]
        if kind == "truth":
            out.append(GroundTruthPath([GroundTruthState(v, timestamp=s) for v, s in zip(vecs, stamps, strict=True)]))
        else:
            out.append(Track([State(v, timestamp=s) for v, s in zip(vecs, stamps, strict=True)], id=str(obj)))
    return out


def stonesoup_siap(tracks: StateTable, truth: StateTable, threshold: float) -> dict[str, object]:
    from stonesoup.dataassociator.tracktotrack import TrackToTruth
    from stonesoup.measures import Euclidean
    from stonesoup.metricgenerator.manager import MultiManager
    from stonesoup.metricgenerator.tracktotruthmetrics import SIAPMetrics

    gen = SIAPMetrics(position_measure=Euclidean(mapping=POS), velocity_measure=Euclidean(mapping=VEL))
    assoc = TrackToTruth(association_threshold=threshold, measure=Euclidean(mapping=POS))
    manager = MultiManager([gen], associator=assoc)
    manager.add_data({"tracks": to_stonesoup(tracks, "track"), "groundtruth_paths": to_stonesoup(truth, "truth")})
    return manager.generate_metrics()["siap_generator"]


@pytest.mark.parametrize("seed", [1, 3])
def test_siap_matches_stonesoup(seed: int) -> None:
    tracks, truth = scenario(seed)
    ours = siap(tracks, truth, threshold_m=30.0)
    theirs = stonesoup_siap(tracks, truth, 30.0)
    assert ours.completeness == pytest.approx(theirs["SIAP Completeness"].value, abs=1e-12)
    assert ours.ambiguity == pytest.approx(theirs["SIAP Ambiguity"].value, abs=1e-12)
    assert ours.spuriousness == pytest.approx(theirs["SIAP Spuriousness"].value, abs=1e-12)
    assert ours.position_accuracy_m == pytest.approx(theirs["SIAP Position Accuracy"].value, rel=1e-9)
    assert ours.velocity_accuracy_ms == pytest.approx(theirs["SIAP Velocity Accuracy"].value, rel=1e-9)
    assert ours.longest_track_segment == pytest.approx(theirs["SIAP Longest Track Segment"].value, rel=1e-9)
    rate = theirs["SIAP Rate of Track Number Change"].value
    assert ours.track_number_change_rate_per_s == pytest.approx(rate, rel=1e-9)
    assert rate > 0
    per_time = {
        "completeness_t": "SIAP Completeness at times",
        "ambiguity_t": "SIAP Ambiguity at times",
        "spuriousness_t": "SIAP Spuriousness at times",
        "position_accuracy_t": "SIAP Position Accuracy at times",
        "velocity_accuracy_t": "SIAP Velocity Accuracy at times",
    }
    for ours_name, title in per_time.items():
        expected = [m.value for m in theirs[title].value]
        np.testing.assert_allclose(getattr(ours, ours_name), expected, rtol=1e-9, atol=1e-12, err_msg=title)
    # The scenario exercises the interesting cases: not all perfect.
    assert 0 < ours.spuriousness < 1 and ours.ambiguity > 1 and ours.completeness < 1


def test_association_intervals_match_stonesoup() -> None:
    from stonesoup.dataassociator.tracktotrack import TrackToTruth
    from stonesoup.measures import Euclidean

    tracks, truth = scenario(3)
    ours = associate_to_truth(tracks, truth, 30.0, confirm=3, end=2)
    ss_tracks, ss_truth = to_stonesoup(tracks, "track"), to_stonesoup(truth, "truth")
    truth_index = {id(p): i for p, i in zip(ss_truth, np.unique(truth.object_id), strict=True)}
    theirs = TrackToTruth(association_threshold=30.0, measure=Euclidean(mapping=POS)).associate_tracks(
        set(ss_tracks), set(ss_truth)
    )
    expected = set()
    for a in theirs.associations:
        track, path = list(a.objects)
        ranges = getattr(a.time_range, "time_ranges", [a.time_range])  # same pair merged into a compound range
        for r in ranges:
            span = ((r.start - EPOCH).total_seconds(), (r.end - EPOCH).total_seconds())
            expected.add((int(track.id), truth_index[id(path)], *span))
    got = set(
        zip(ours.track_id.tolist(), ours.truth_id.tolist(), ours.start_s.tolist(), ours.end_s.tolist(), strict=True)
    )
    assert got == expected
    assert len(got) > 12  # breaks and swaps happened


@pytest.mark.parametrize("p", [1.0, 2.0])
def test_ospa_matches_stonesoup(p: float) -> None:
    from stonesoup.measures import Euclidean
    from stonesoup.metricgenerator.manager import MultiManager
    from stonesoup.metricgenerator.ospametric import OSPAMetric

    tracks, truth = scenario(4)
    ours = ospa(tracks, truth, c_m=100.0, p=p)
    gen = OSPAMetric(c=100.0, p=p, measure=Euclidean(mapping=POS))
    manager = MultiManager([gen])
    manager.add_data({"tracks": to_stonesoup(tracks, "track"), "groundtruth_paths": to_stonesoup(truth, "truth")})
    theirs = manager.generate_metrics()["ospa_generator"]["OSPA distances"].value
    np.testing.assert_allclose(ours.distance_m, [m.value for m in theirs], rtol=1e-9)
    np.testing.assert_allclose(ours.t_s, [(m.timestamp - EPOCH).total_seconds() for m in theirs])


def test_ospa_definition_cases() -> None:
    x = np.array([[0.0, 0, 0], [100, 0, 0]])
    assert ospa_distance(x, x, c_m=50.0) == 0.0
    assert ospa_distance(x, np.zeros((0, 3)), c_m=50.0) == 50.0
    # One point 3 m off, one missing: (3 + 50) / 2 for p = 1; sqrt((9 + 2500) / 2) for p = 2.
    y = np.array([[3.0, 0, 0]])
    assert ospa_distance(x, y, c_m=50.0, p=1) == pytest.approx(26.5)
    assert ospa_distance(x, y, c_m=50.0, p=2) == pytest.approx(np.sqrt((9 + 2500) / 2))
    assert ospa_distance(x, y, c_m=50.0, p=np.inf) == 50.0


def test_siap_without_tracks_matches_stonesoup_conventions() -> None:
    _, truth = scenario(5)
    none = StateTable.build(np.zeros(0), np.zeros(0), np.zeros((0, 3)), np.zeros((0, 3)))
    ours = siap(none, truth, threshold_m=30.0)
    theirs = stonesoup_siap(none, truth, 30.0)
    for name, title in [
        ("completeness", "SIAP Completeness"),
        ("ambiguity", "SIAP Ambiguity"),
        ("spuriousness", "SIAP Spuriousness"),
        ("position_accuracy_m", "SIAP Position Accuracy"),
        ("longest_track_segment", "SIAP Longest Track Segment"),
    ]:
        assert getattr(ours, name) == theirs[title].value, title
    assert np.all(ospa(none, truth, c_m=50.0).distance_m == 50.0)
