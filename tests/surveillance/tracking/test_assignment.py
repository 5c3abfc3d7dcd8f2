"""Clustered GNN against the optimum of a dense assignment (scipy's linear_sum_assignment)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from commonsky.surveillance.tracking.assignment import ClusteredGNN
from commonsky.surveillance.tracking.roles import Candidates


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
