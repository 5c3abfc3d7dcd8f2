"""The tracker's models one by one: Kalman prediction and update against Stone Soup, adaptive process noise."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pytest

from commonsky.surveillance.tracking.models import (
    AdaptiveProcessNoise,
    ConstantVelocityPredictor,
    KalmanPositionUpdater,
)

Gaussians = Callable[[np.random.Generator, int], tuple[np.ndarray, np.ndarray]]


# commonsky orders the state [e, n, u, ve, vn, vu]; Stone Soup's CV model [x, vx, y, vy, z, vz].
TO_SS = [0, 3, 1, 4, 2, 5]


def test_kalman_predict_and_update_match_stonesoup(gaussians: Gaussians) -> None:
    from stonesoup.models.measurement.linear import LinearGaussian
    from stonesoup.models.transition.linear import CombinedLinearGaussianTransitionModel, ConstantVelocity
    from stonesoup.predictor.kalman import KalmanPredictor
    from stonesoup.types.detection import Detection
    from stonesoup.types.hypothesis import SingleHypothesis
    from stonesoup.types.state import GaussianState
    from stonesoup.updater.kalman import KalmanUpdater

    rng = np.random.default_rng(0)
    x, p = gaussians(rng, 5)
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


def test_adaptive_noise_grows_on_high_nis_and_decays() -> None:
    h = AdaptiveProcessNoise(grow=10, decay=0.5, max_scale=1000)
    q = np.array([1.0, 1.0, 800.0, 4.0, 4.0])
    updated = np.array([True, True, True, True, False])
    nis = np.array([2.0, 30.0, 30.0, 1.0, np.nan])
    np.testing.assert_allclose(h.adapt(q, updated, nis), [1.0, 10.0, 1000.0, 2.0, 4.0])
