"""`fold` and `cap_ring`: unwrapped shapes come back as valid lon/lat geometry of the same area (areas summed
piece by piece here in lon/lat degrees, an independent bookkeeping), cut at the antimeridian, never a band."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from commonsky.geo.antimeridian import cap_ring, fold


def test_a_box_across_the_antimeridian_comes_back_as_two_parts() -> None:
    box = shapely.box(170.0, -10.0, 200.0, 10.0)  # unwrapped: 170 E to 160 W
    folded = fold(np.array([box], dtype=object))
    assert folded.is_valid and folded.geom_type == "MultiPolygon"
    parts = sorted(shapely.get_parts(folded), key=lambda g: g.bounds[0])
    assert parts[0].bounds == pytest.approx((-180.0, -10.0, -160.0, 10.0))
    assert parts[1].bounds == pytest.approx((170.0, -10.0, 180.0, 10.0))
    assert folded.area == pytest.approx(box.area)


@pytest.mark.parametrize("turns", [-2, -1, 0, 1, 3])
def test_whole_turn_copies_fold_onto_the_same_place(turns: int) -> None:
    box = shapely.box(10.0 + 360.0 * turns, 5.0, 20.0 + 360.0 * turns, 15.0)
    folded = fold(np.array([box], dtype=object))
    assert folded.equals(shapely.box(10.0, 5.0, 20.0, 15.0))


def test_overlapping_pieces_are_unioned() -> None:
    pieces = np.array([shapely.box(175.0, 0.0, 185.0, 10.0), shapely.box(-178.0, 5.0, -170.0, 15.0)], dtype=object)
    folded = fold(pieces)
    # the second piece overlaps the first one's wrapped half (-180..-175) on -178..-175 x 5..10
    assert folded.area == pytest.approx(100.0 + 80.0 - 15.0)
    assert folded.bounds == pytest.approx((-180.0, 0.0, 180.0, 15.0))


def test_nothing_folds_to_an_empty_polygon() -> None:
    assert fold(np.array([], dtype=object)).is_empty


@pytest.mark.parametrize("pole", [90.0, -90.0])
def test_a_ring_around_a_pole_becomes_a_cap(pole: float) -> None:
    lon_u = np.linspace(-170.0, 190.0, 73)  # one turn, unwrapped
    lat = np.full(73, 80.0 if pole > 0 else -80.0)
    ring = cap_ring(lon_u, lat, pole)
    assert ring[0].tolist() == ring[-1].tolist()
    cap = fold(np.array([shapely.Polygon(ring)], dtype=object))
    assert cap.is_valid
    assert cap.area == pytest.approx(360.0 * 10.0)  # the whole band between 80 degrees and the pole
    assert cap.bounds == pytest.approx((-180.0, min(pole, lat[0]), 180.0, max(pole, lat[0])))
