"""The tracker's roles as small protocols (after Stone Soup), each with vectorised implementations elsewhere.

Every role works on whole arrays: ``x`` (N, 6), ``p`` (N, 6, 6), plots as `Plots`. Candidates are sparse
(track, plot) pairs, never an N x M matrix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from commonsky._typing import FloatArray, IntArray
from commonsky.surveillance.sensors.types import Plots
from commonsky.surveillance.tracking.tracks import LiveTracks


@dataclass(frozen=True)
class Candidates:
    """Gated (track, plot) pairs: indices into the tracks and plots given to the gater, and the pair cost
    (normalised squared distance ``d2``, lowered for matching ADS-B identity). ``nis`` is the plain ``d2``."""

    track_idx: IntArray
    plot_idx: IntArray
    cost: FloatArray
    nis: FloatArray

    @classmethod
    def none(cls) -> Candidates:
        z = np.zeros(0, dtype=np.int64)
        return cls(z, z.copy(), np.zeros(0), np.zeros(0))


class Predictor(Protocol):
    def predict(self, x: FloatArray, p: FloatArray, q_scale: FloatArray, dt_s: float) -> tuple[FloatArray, FloatArray]:
        """States and covariances ``dt_s`` seconds later; ``q_scale`` (N,) multiplies the process noise."""
        ...


class Updater(Protocol):
    def update(
        self, x: FloatArray, p: FloatArray, z: FloatArray, r: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Posterior states, covariances and NIS for row-wise pairs of predictions and position plots ``z`` (K, 3)
        with covariance ``r`` (K, 3, 3)."""
        ...


class Gater(Protocol):
    def gate(self, tracks: LiveTracks, x: FloatArray, p: FloatArray, plots: Plots) -> Candidates:
        """Pairs of predicted tracks (``x``, ``p`` at the plots' time; identity from ``tracks``) and plots that
        fall inside the validation gate."""
        ...


class Associator(Protocol):
    def associate(self, candidates: Candidates, n_tracks: int, n_plots: int) -> IntArray:
        """Indices into the candidates' arrays of the pairs chosen, each track and each plot at most once."""
        ...


class Initiator(Protocol):
    def initiate(self, plots: Plots, first_id: int) -> LiveTracks:
        """Tentative tracks (ids from ``first_id``) started from plots no track took."""
        ...


class Confirmer(Protocol):
    def confirm(self, tracks: LiveTracks) -> NDArray[np.bool_]:
        """Which tracks are confirmed after this scan's hit history."""
        ...


class Deleter(Protocol):
    def keep(self, tracks: LiveTracks) -> NDArray[np.bool_]:
        """Which tracks survive at ``tracks.t_s``."""
        ...


class ManoeuvreHandler(Protocol):
    @property
    def retry_scale(self) -> float:
        """Noise multiplier of the second-chance gate for confirmed tracks that missed; 0 turns it off."""
        ...

    @property
    def max_scale(self) -> float:
        """Noise multiplier given to a track caught by the second-chance gate."""
        ...

    def adapt(self, q_scale: FloatArray, updated: NDArray[np.bool_], nis: FloatArray) -> FloatArray:
        """New process-noise multipliers given which tracks were updated and their NIS (NaN where not)."""
        ...
