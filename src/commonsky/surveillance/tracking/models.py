"""Constant-velocity Kalman filter, batched over tracks, and NIS-driven adaptive process noise.

The motion model is the continuous white-noise-acceleration constant-velocity model in each axis, with power
spectral density ``q_m2s3`` (m^2/s^3) horizontally and ``q_up_m2s3`` vertically; the measurement is position.

Manoeuvres are handled by adaptive process noise, not an IMM, in two ways. (1) When a track's normalised
innovation squared (NIS) exceeds the chi-square threshold its noise multiplier grows by ``grow`` (up to
``max_scale``); otherwise it decays by ``decay`` back towards 1. (2) A confirmed track that finds no plot in its
normal gate gets a second chance (the manoeuvre gate): the plots nobody took are gated against a prediction with
the noise multiplied by ``retry_scale`` (wide: it finds an aircraft that has turned hard since the last scan),
and a plot taken this way updates a prediction at ``max_scale`` (about 3 g of unknown acceleration with the
default densities), so a single outlier cannot throw the velocity. The track then carries on at ``max_scale`` and
relaxes as it flies straight again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import chdtri

from commonsky._typing import FloatArray


def cv_matrices(dt_s: float, q_diag: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Transition ``F`` (6, 6) and unit-scale process noise ``Q`` (6, 6) for one step of ``dt_s`` seconds.

    ``q_diag`` is the (3,) spectral density per axis.
    """
    f = np.eye(6)
    f[:3, 3:] = dt_s * np.eye(3)
    q = np.zeros((6, 6))
    q[:3, :3] = np.diag(q_diag) * dt_s**3 / 3
    q[:3, 3:] = q[3:, :3] = np.diag(q_diag) * dt_s**2 / 2
    q[3:, 3:] = np.diag(q_diag) * dt_s
    return f, q


@dataclass(frozen=True)
class ConstantVelocityPredictor:
    """Batched CV prediction. ``dt_s`` is one scalar for all tracks (they share the tracker's clock)."""

    q_m2s3: float = 1.0
    q_up_m2s3: float = 0.1

    def predict(self, x: FloatArray, p: FloatArray, q_scale: FloatArray, dt_s: float) -> tuple[FloatArray, FloatArray]:
        f, q = cv_matrices(dt_s, np.array([self.q_m2s3, self.q_m2s3, self.q_up_m2s3]))
        x_new = x @ f.T
        p_new = f @ p @ f.T + q_scale[:, None, None] * q
        return x_new, p_new


@dataclass(frozen=True)
class KalmanPositionUpdater:
    """Batched Kalman update with a position measurement (``H = [I 0]``).

    Covariance update in the standard form ``P - K S K'`` (written ``P - (P H') S^-1 (P H')'``), then made exactly
    symmetric: cheaper than the Joseph form for a 3 x 6 measurement and as accurate at these condition numbers.
    """

    def innovation(self, x: FloatArray, p: FloatArray, z: FloatArray, r: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Innovations ``(K, 3)`` and their covariances ``(K, 3, 3)``."""
        return z - x[:, :3], p[:, :3, :3] + r

    def update(
        self, x: FloatArray, p: FloatArray, z: FloatArray, r: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        nu, s = self.innovation(x, p, z, r)
        s_inv = np.linalg.inv(s)
        pht = p[:, :, :3]  # P H'
        gain = pht @ s_inv
        x_new = x + np.einsum("kij,kj->ki", gain, nu)
        p_new = p - gain @ np.swapaxes(pht, 1, 2)
        p_new = 0.5 * (p_new + np.swapaxes(p_new, 1, 2))
        nis = np.einsum("ki,kij,kj->k", nu, s_inv, nu)
        return x_new, p_new, nis


@dataclass(frozen=True)
class AdaptiveProcessNoise:
    """Manoeuvre handling: grow the process noise of tracks whose NIS exceeds the ``prob`` chi-square(3) level."""

    prob: float = 0.99
    grow: float = 10.0
    decay: float = 0.5
    max_scale: float = 1000.0
    retry_scale: float = 100_000.0

    def adapt(self, q_scale: FloatArray, updated: NDArray[np.bool_], nis: FloatArray) -> FloatArray:
        high = updated & (np.nan_to_num(nis, nan=0.0) > chdtri(3, 1.0 - self.prob))
        calm = updated & ~high
        out = np.where(high, np.minimum(q_scale * self.grow, self.max_scale), q_scale)
        return np.asarray(np.where(calm, np.maximum(out * self.decay, 1.0), out), dtype=float)
