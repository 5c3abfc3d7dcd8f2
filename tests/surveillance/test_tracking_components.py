"""The tracker's roles one by one: Kalman maths against Stone Soup, sparse gating and clustered GNN against
brute force on dense matrices."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from commonsky.errors import InputError
from commonsky.surveillance.sensors.types import Plots
from commonsky.surveillance.tracking.assignment import ClusteredGNN
from commonsky.surveillance.tracking.gating import MahalanobisGater
from commonsky.surveillance.tracking.models import (
    AdaptiveProcessNoise,
    ConstantVelocityPredictor,
    KalmanPositionUpdater,
)
from commonsky.surveillance.tracking.roles import Candidates
from commonsky.surveillance.tracking.tracker import Tracker
from commonsky.surveillance.tracking.tracks import LiveTracks

# commonsky orders the state [e, n, u, ve, vn, vu]; Stone Soup's CV model [x, vx, y, vy, z, vz].
TO_SS = [0, 3, 1, 4, 2, 5]


def random_gaussians(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    x = np.column_stack([rng.uniform(-1e5, 1e5, (n, 3)), rng.uniform(-250, 250, (n, 3))])
    a = rng.standard_normal((n, 6, 6)) * np.array([300.0, 300, 300, 20, 20, 20])[None, :, None]
    return x, a @ np.swapaxes(a, 1, 2) + np.eye(6)[None]


def test_kalman_predict_and_update_match_stonesoup() -> None:
    from stonesoup.models.measurement.linear import LinearGaussian
    from stonesoup.models.transition.linear import CombinedLinearGaussianTransitionModel, ConstantVelocity
    from stonesoup.predictor.kalman import KalmanPredictor
    from stonesoup.types.detection import Detection
    from stonesoup.types.hypothesis import SingleHypothesis
    from stonesoup.types.state import GaussianState
    from stonesoup.updater.kalman import KalmanUpdater

    rng = np.random.default_rng(0)
    x, p = random_gaussians(rng, 5)
    q, dt_s = 3.0, 2.5
    ours_x, ours_p = ConstantVelocityPredictor(q_m2s3=q, q_up_m2s3=q).predict(x, p, np.ones(5), dt_s)
    r = np.diag([40.0, 60.0, 90.0]) ** 2
    z = ours_x[:, :3] + rng.normal(0, 50, (5, 3))
    upd_x, upd_p, nis = KalmanPositionUpdater().update(ours_x, ours_p, z, np.broadcast_to(r, (5, 3, 3)))

    t0 = dt.datetime(2026, 1, 1)
    predictor = KalmanPredictor(CombinedLinearGaussianTransitionModel([ConstantVelocity(q)] * 3))
    model = LinearGaussian(ndim_state=6, mapping=(0, 2, 4), noise_covar=r)
    updater = KalmanUpdater(model)
    for i in range(5):
        prior = GaussianState(x[i, TO_SS].reshape(6, 1), p[i][np.ix_(TO_SS, TO_SS)], timestamp=t0)
        pred = predictor.predict(prior, timestamp=t0 + dt.timedelta(seconds=dt_s))
        np.testing.assert_allclose(np.ravel(pred.state_vector), ours_x[i, TO_SS], rtol=1e-10)
        np.testing.assert_allclose(pred.covar, ours_p[i][np.ix_(TO_SS, TO_SS)], rtol=1e-9, atol=1e-6)
        det = Detection(z[i].reshape(3, 1), timestamp=pred.timestamp, measurement_model=model)
        post = updater.update(SingleHypothesis(pred, det))
        np.testing.assert_allclose(np.ravel(post.state_vector), upd_x[i, TO_SS], rtol=1e-9)
        np.testing.assert_allclose(post.covar, upd_p[i][np.ix_(TO_SS, TO_SS)], rtol=1e-6, atol=1e-6)
        meas = updater.predict_measurement(pred)
        nu = z[i] - np.ravel(meas.state_vector)
        assert nis[i] == pytest.approx(nu @ np.linalg.solve(meas.covar, nu), rel=1e-9)


def test_sparse_gate_equals_brute_force() -> None:
    rng = np.random.default_rng(1)
    n, m = 300, 400
    x, _ = random_gaussians(rng, n)
    x[:, :3] = rng.uniform(-20e3, 20e3, (n, 3))
    p = np.zeros((n, 6, 6))
    p[:] = np.eye(6) * 1e4
    p[:, :3, :3] *= rng.uniform(1, 50, (n, 1, 1))  # tracks of very different uncertainty
    pos = rng.uniform(-20e3, 20e3, (m, 3))
    cov = np.broadcast_to(np.diag([200.0, 300.0, 800.0]) ** 2, (m, 3, 3))
    plots = Plots.from_positions(0.0, 1, pos, cov)
    gater = MahalanobisGater(0.999)
    cand = gater.gate(LiveTracks.new(0.0, np.arange(n), x, p), x, p, plots)
    nu = pos[None] - x[:, None, :3]
    s = p[:, None, :3, :3] + cov[None]
    d2 = np.einsum("nmi,nmi->nm", nu, np.linalg.solve(s, nu[..., None])[..., 0])
    expected = set(zip(*np.nonzero(d2 <= gater.threshold), strict=True))
    assert set(zip(cand.track_idx.tolist(), cand.plot_idx.tolist(), strict=True)) == expected
    assert len(expected) > 50
    np.testing.assert_allclose(cand.nis, d2[cand.track_idx, cand.plot_idx])


def test_identity_refuses_conflicts_and_prefers_matches() -> None:
    x = np.zeros((2, 6))
    x[1, 0] = 50.0
    p = np.broadcast_to(np.eye(6) * 1e4, (2, 6, 6)).copy()
    tracks = LiveTracks.new(0.0, [0, 1], x, p)
    tracks = LiveTracks(**{**tracks.__dict__, "icao24": np.array(["aaaaaa", ""], dtype="<U6")})
    plots = Plots.from_positions(0.0, 2, [[10.0, 0, 0], [0.0, 0, 0]], np.eye(3) * 100, icao24=["bbbbbb", "aaaaaa"])
    cand = MahalanobisGater().gate(tracks, x, p, plots)
    pairs = set(zip(cand.track_idx.tolist(), cand.plot_idx.tolist(), strict=True))
    assert (0, 0) not in pairs  # aaaaaa's track never takes bbbbbb's report
    pick = ClusteredGNN(MahalanobisGater().threshold).associate(cand, 2, 2)
    chosen = set(zip(cand.track_idx[pick].tolist(), cand.plot_idx[pick].tolist(), strict=True))
    assert chosen == {(0, 1), (1, 0)}


@pytest.mark.parametrize("seed", range(4))
def test_clustered_gnn_equals_dense_assignment(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_t, n_p, miss = 60, 70, 16.0
    # Clustered candidates: tracks and plots in small neighbourhoods, so there are many multi-way conflicts.
    group_t, group_p = rng.integers(0, 15, n_t), rng.integers(0, 15, n_p)
    ti, pi = np.nonzero((group_t[:, None] == group_p[None]) & (rng.random((n_t, n_p)) < 0.6))
    cost = rng.uniform(0, miss, len(ti))
    cand = Candidates(ti.astype(np.int64), pi.astype(np.int64), cost, cost)
    pick = ClusteredGNN(miss).associate(cand, n_t, n_p)
    assert len(set(ti[pick])) == len(pick) and len(set(pi[pick])) == len(pick)
    # Dense oracle: miss cost for every non-candidate cell, plus explicit "no plot"/"no track" options.
    dense = np.full((n_t, n_p), 1e9)
    dense[ti, pi] = cost
    big = np.full((n_t + n_p, n_p + n_t), 1e9)
    big[:n_t, :n_p] = dense
    big[:n_t, n_p:] = np.where(np.eye(n_t) > 0, miss, 1e9)  # track unassigned
    big[n_t:, :n_p] = np.where(np.eye(n_p) > 0, 0.0, 1e9)  # plot unassigned (free)
    big[n_t:, n_p:] = 0.0
    r, c = linear_sum_assignment(big)
    optimum = big[r, c].sum()
    ours = cost[pick].sum() + miss * (n_t - len(pick))
    assert ours == pytest.approx(optimum, rel=1e-9)


def test_adaptive_noise_grows_on_high_nis_and_decays() -> None:
    h = AdaptiveProcessNoise(grow=10, decay=0.5, max_scale=1000)
    q = np.array([1.0, 1.0, 800.0, 4.0, 4.0])
    updated = np.array([True, True, True, True, False])
    nis = np.array([2.0, 30.0, 30.0, 1.0, np.nan])
    np.testing.assert_allclose(h.adapt(q, updated, nis), [1.0, 10.0, 1000.0, 2.0, 4.0])


def test_docstring_examples_run() -> None:
    import doctest

    from commonsky.surveillance import metrics
    from commonsky.surveillance.sensors import adsb, geometry
    from commonsky.surveillance.tracking import tracker

    for module in (geometry, adsb, tracker, metrics):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 12), st.integers(1, 12), st.floats(0.05, 0.9), st.integers(0, 2**32 - 1))
def test_clustered_gnn_is_optimal_on_any_small_problem(n_t: int, n_p: int, density: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    ti, pi = np.nonzero(rng.random((n_t, n_p)) < density)
    miss = 10.0
    cost = rng.uniform(-miss, miss, len(ti))  # negative costs: matching ADS-B identities
    pick = ClusteredGNN(miss).associate(Candidates(ti, pi, cost, cost), n_t, n_p)
    assert len(set(ti[pick])) == len(pick) == len(set(pi[pick]))
    big = np.full((n_t + n_p, n_p + n_t), 1e9)
    big[ti, pi] = cost
    big[:n_t, n_p:] = np.where(np.eye(n_t) > 0, miss, 1e9)
    big[n_t:, :n_p] = np.where(np.eye(n_p) > 0, 0.0, 1e9)
    big[n_t:, n_p:] = 0.0
    r, c = linear_sum_assignment(big)
    assert cost[pick].sum() + miss * (n_t - len(pick)) == pytest.approx(big[r, c].sum(), abs=1e-9)


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
