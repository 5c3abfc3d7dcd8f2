"""Track birth, confirmation and death.

- `SinglePointInitiator`: a tentative track per unassigned plot, at the plot's position with zero velocity and
  a wide velocity prior (so the next plot of the same aircraft falls in the gate whatever its heading).
- `MOfNConfirmer`: confirmed once at least ``m`` of the last ``n`` scans that covered the track updated it.
- `CoastingDeleter`: a tentative track dies when ``n`` covering scans passed without confirmation or when it has
  not been updated for ``tentative_coast_s``; a confirmed track coasts (predicted only) for up to ``coast_s`` after
  its last update, then dies. Tracks whose position uncertainty exceeds ``max_pos_sigma_m`` die too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from commonsky.surveillance.sensors.types import Plots
from commonsky.surveillance.tracking.tracks import LiveTracks, sensor_bit


@dataclass(frozen=True)
class SinglePointInitiator:
    """Velocity prior: ``sigma_v_ms`` horizontally, ``sigma_vz_ms`` vertically (1-sigma, m/s)."""

    sigma_v_ms: float = 300.0
    sigma_vz_ms: float = 30.0

    def initiate(self, plots: Plots, first_id: int) -> LiveTracks:
        n = len(plots)
        x = np.zeros((n, 6))
        x[:, :3] = plots.pos_m
        p = np.zeros((n, 6, 6))
        p[:, :3, :3] = plots.cov_m2
        p[:, 3:, 3:] = np.diag([self.sigma_v_ms**2, self.sigma_v_ms**2, self.sigma_vz_ms**2])
        fresh = LiveTracks.new(plots.t_s, np.arange(first_id, first_id + n, dtype=np.int64), x, p)
        # The initiating plot is the first hit of the M-of-N count and brings its identity, if any.
        return replace(
            fresh,
            hits=np.ones(n, dtype=np.uint32),
            n_looks=np.ones(n, dtype=np.int64),
            icao24=plots.icao24.copy(),
            callsign=plots.callsign.copy(),
            sensor_mask=np.full(n, sensor_bit(plots.sensor_id), dtype=np.uint64),
            last_sensor_id=np.full(n, plots.sensor_id, dtype=np.int64),
        )


@dataclass(frozen=True)
class MOfNConfirmer:
    """M-of-N confirmation on the hit history (``n`` <= 32)."""

    m: int = 3
    n: int = 4

    def confirm(self, tracks: LiveTracks) -> NDArray[np.bool_]:
        window = np.uint32((1 << self.n) - 1)
        recent = np.bitwise_count(tracks.hits & window)
        return np.asarray(tracks.confirmed | (recent >= self.m))


@dataclass(frozen=True)
class CoastingDeleter:
    """Deletion by time without update; ``n`` should match the confirmer's window."""

    coast_s: float = 12.0
    tentative_coast_s: float = 8.0
    n: int = 4
    max_pos_sigma_m: float = 20_000.0

    def keep(self, tracks: LiveTracks) -> NDArray[np.bool_]:
        since = tracks.t_s - tracks.last_update_s
        tentative_ok = (tracks.n_looks < self.n) & (since <= self.tentative_coast_s)
        alive = np.where(tracks.confirmed, since <= self.coast_s, tentative_ok)
        pos_var = np.einsum("nii->n", tracks.p[:, :3, :3])
        return np.asarray(alive & (pos_var <= 3 * self.max_pos_sigma_m**2))
