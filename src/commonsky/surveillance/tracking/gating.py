"""Validation gating without an N x M matrix: a k-d tree proposes nearby pairs, the Mahalanobis test decides.

For each track the gate is the ellipsoid ``nu' S^-1 nu <= threshold`` with ``S = P_pos + R``. Its largest
semi-axis is at most ``sqrt(threshold * (trace(P_pos) + max trace(R)))``, so a Euclidean ball of that radius
around the prediction contains the gate: the tree query (one radius per batch, the largest) finds every pair that
could pass, and only those pairs get the exact test. Pairs whose ADS-B identities conflict (both known and
different) are refused; pairs whose identities match get their cost lowered by the threshold so GNN prefers them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import chdtri

from commonsky._typing import FloatArray
from commonsky.surveillance.sensors.types import Plots
from commonsky.surveillance.tracking.roles import Candidates
from commonsky.surveillance.tracking.tracks import LiveTracks


@dataclass(frozen=True)
class MahalanobisGater:
    """Chi-square gate on position innovations at probability ``prob`` (3 degrees of freedom)."""

    prob: float = 0.999

    @property
    def threshold(self) -> float:
        return float(chdtri(3, 1.0 - self.prob))

    def gate(self, tracks: LiveTracks, x: FloatArray, p: FloatArray, plots: Plots) -> Candidates:
        if len(x) == 0 or len(plots) == 0:
            return Candidates.none()
        g = self.threshold
        trace_p = np.einsum("nii->n", p[:, :3, :3])
        trace_r = float(np.einsum("mii->m", plots.cov_m2).max())
        radius = float(np.sqrt(g * (trace_p.max() + trace_r)))
        near = cKDTree(x[:, :3]).sparse_distance_matrix(cKDTree(plots.pos_m), radius, output_type="ndarray")
        ti = near["i"].astype(np.int64)
        pi = near["j"].astype(np.int64)
        nu = plots.pos_m[pi] - x[ti, :3]
        s = p[ti, :3, :3] + plots.cov_m2[pi]
        d2 = np.einsum("ki,ki->k", nu, np.linalg.solve(s, nu[..., None])[..., 0])
        t_id, p_id = tracks.icao24[ti], plots.icao24[pi]
        known = (t_id != "") & (p_id != "")
        ok = (d2 <= g) & ~(known & (t_id != p_id))
        cost = d2 - g * (known & (t_id == p_id))
        return Candidates(ti[ok], pi[ok], cost[ok], d2[ok])
