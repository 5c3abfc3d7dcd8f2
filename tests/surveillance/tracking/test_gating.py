"""Sparse Mahalanobis gating against brute force on dense matrices, and ADS-B identities in the gate."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from commonsky.surveillance.sensors.types import Plots
from commonsky.surveillance.tracking.assignment import ClusteredGNN
from commonsky.surveillance.tracking.gating import MahalanobisGater
from commonsky.surveillance.tracking.tracks import LiveTracks

Gaussians = Callable[[np.random.Generator, int], tuple[np.ndarray, np.ndarray]]


def test_sparse_gate_equals_brute_force(gaussians: Gaussians) -> None:
    rng = np.random.default_rng(1)
    n, m = 300, 400
    x, _ = gaussians(rng, n)
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
