"""Borders derived from two outlines: shared edges found, corner contacts and gaps beyond the tolerance dropped."""

from __future__ import annotations

import pytest
from shapely import LineString, Polygon

from commonsky.geo.borders import shared_boundary


def test_shared_boundary_keeps_edges_and_drops_corner_contacts() -> None:
    square = Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])
    beside = Polygon([(1, 0.5), (2, 0.5), (2, 2), (1, 2)])  # shares the edge x=1, 0.5<=y<=1
    corner = Polygon([(1, 1), (2, 1), (2, 2), (1, 2)])  # touches at (1, 1) only
    nearly = Polygon([(1 + 5e-6, 0), (2, 0), (2, 1), (1 + 5e-6, 1)])  # a 5e-6 deg gap, within the tolerance
    edge = shared_boundary(square, beside)
    assert isinstance(edge, LineString)
    assert edge.length == pytest.approx(0.5)
    assert shared_boundary(square, corner).is_empty
    assert shared_boundary(square, nearly).length == pytest.approx(1.0)
    assert shared_boundary(square, nearly, tolerance_deg=1e-6).is_empty


def test_a_ring_whose_whole_outline_is_shared_comes_back_whole() -> None:
    square = Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])
    frame = Polygon([(-1, -1), (2, -1), (2, 2), (-1, 2)], holes=[[(0, 0), (1, 0), (1, 1), (0, 1)]])
    line = shared_boundary(square, frame)
    assert isinstance(line, LineString) and line.is_ring
    assert line.length == pytest.approx(4.0)
