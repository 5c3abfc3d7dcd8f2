"""Global nearest neighbour on a sparse candidate list, solved per connected cluster.

Tracks and plots are the two sides of a bipartite graph whose edges are the gated candidates. Clusters
(connected components) are independent assignment problems: a cluster of one track and one plot is taken as is
(vectorised: that is most of them in an ordinary picture); the rest go to `scipy.optimize.linear_sum_assignment`
on a small dense block in which a non-candidate pair costs the gate threshold, i.e. leaving a track without its
plot costs as much as the worst acceptable pair. Solutions on non-candidate cells are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from commonsky._typing import IntArray
from commonsky.surveillance.tracking.roles import Candidates


@dataclass(frozen=True)
class ClusteredGNN:
    """GNN associator; ``miss_cost`` is the cost of leaving a gated track unassigned (use the gate threshold)."""

    miss_cost: float = 16.27

    def associate(self, candidates: Candidates, n_tracks: int, n_plots: int) -> IntArray:
        ti, pi, cost = candidates.track_idx, candidates.plot_idx, candidates.cost
        if len(ti) == 0:
            return np.zeros(0, dtype=np.int64)
        nodes = n_tracks + n_plots
        graph = coo_matrix((np.ones(len(ti)), (ti, n_tracks + pi)), shape=(nodes, nodes))
        _, labels = connected_components(graph, directed=False)
        comp = labels[ti]
        edges_per_comp = np.bincount(comp)
        simple = edges_per_comp[comp] == 1  # one track, one plot, one edge
        chosen = [np.flatnonzero(simple)]
        hard = np.flatnonzero(~simple)
        order = hard[np.argsort(comp[hard], kind="stable")]
        bounds = np.flatnonzero(np.diff(comp[order])) + 1
        for group in np.split(order, bounds) if len(order) else []:
            rows, r_inv = np.unique(ti[group], return_inverse=True)
            cols, c_inv = np.unique(pi[group], return_inverse=True)
            block = np.full((len(rows), len(cols)), self.miss_cost)
            edge = np.full((len(rows), len(cols)), -1, dtype=np.int64)
            block[r_inv, c_inv] = cost[group]
            edge[r_inv, c_inv] = group
            r, c = linear_sum_assignment(block)
            picked = edge[r, c]
            chosen.append(picked[picked >= 0])
        return np.concatenate(chosen)
