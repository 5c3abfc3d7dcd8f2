"""`PolylineIndex.nearest` against shapely (an independent implementation): the distance from each query point to
its own polyline, and the foot of that distance, for random zigzags, long segments, and single points."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from commonsky.geo.planar import PolylineIndex


def _lines(rng: np.random.Generator) -> list[np.ndarray]:
    lines = [np.cumsum(rng.normal(0.0, 2_000.0, (int(rng.integers(2, 40)), 2)), axis=0) for _ in range(12)]
    lines.append(np.array([[0.0, 0.0], [300_000.0, 1.0]]))  # one long segment: split before indexing
    lines.append(np.array([[5_000.0, -7_000.0]]))  # a single vertex is a point
    return lines


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_nearest_point_matches_shapely(seed: int) -> None:
    rng = np.random.default_rng(seed)
    lines = _lines(rng)
    xy = np.concatenate(lines)
    start = np.concatenate([[0], np.cumsum([len(line) for line in lines])]).astype(np.intp)
    index = PolylineIndex.build(xy[:, 0], xy[:, 1], start, max_segment_m=5_000.0)
    owner = rng.integers(0, len(lines), 2_000).astype(np.intp)
    qx, qy = rng.uniform(-40_000.0, 320_000.0, 2_000), rng.uniform(-40_000.0, 40_000.0, 2_000)
    dist, fx, fy = index.nearest(qx, qy, owner)
    geoms = [shapely.Point(line[0]) if len(line) == 1 else shapely.LineString(line) for line in lines]
    for k in range(2_000):
        geom, point = geoms[owner[k]], shapely.Point(qx[k], qy[k])
        foot = geom if geom.geom_type == "Point" else geom.interpolate(geom.project(point))
        assert dist[k] == pytest.approx(geom.distance(point), rel=1e-9, abs=1e-6)
        # the foot is a point of the polyline at that distance (the same point unless two are equally near)
        assert np.hypot(fx[k] - qx[k], fy[k] - qy[k]) == pytest.approx(dist[k], rel=1e-9, abs=1e-6)
        assert geom.distance(shapely.Point(fx[k], fy[k])) < 1e-6
        if foot.distance(shapely.Point(fx[k], fy[k])) > 1e-3:
            assert point.distance(foot) == pytest.approx(dist[k], abs=1e-6)


def test_a_query_never_takes_a_point_of_another_polyline() -> None:
    # polyline 0 has two vertices, so a query's k nearest vertices reach into polyline 1, which lies right under it
    x, y = np.array([100_000.0, 100_100.0, -50.0, 50.0]), np.zeros(4)
    index = PolylineIndex.build(x, y, np.array([0, 2, 4], dtype=np.intp), max_segment_m=1e6)
    dist, fx, fy = index.nearest(np.array([0.0, 0.0]), np.array([10.0, 10.0]), np.array([0, 1], dtype=np.intp))
    assert dist.tolist() == pytest.approx([np.hypot(100_000.0, 10.0), 10.0])
    assert (fx.tolist(), fy.tolist()) == ([100_000.0, 0.0], [0.0, 0.0])
