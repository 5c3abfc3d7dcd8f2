"""From unwrapped longitudes back to valid GeoJSON: pole caps and the cut at the antimeridian.

Geometry is built with longitudes unwrapped (continuous, possibly beyond +-180) so that nothing jumps across the
seam. A ring that winds once around a pole (its unwrapped longitude gains +-360 degrees) is closed along the
pole line into a cap polygon. :func:`fold` then moves whole-turn copies of each polygon onto [-180, 180] and cuts
them there, so a shape straddling the antimeridian comes out as parts on both sides (a MultiPolygon once
unioned), never as a band around the world.
"""

from __future__ import annotations

import numpy as np
import shapely
import shapely.errors
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from commonsky._typing import FloatArray

GeomArray = NDArray[np.object_]

#: Grid (degrees) of the snap-rounding fallback of the union.
GRID_DEG = 1e-9
#: A ring whose unwrapped longitude changes by more than this (degrees) winds around a pole.
WINDING_THRESHOLD_DEG = 180.0


def cap_ring(lon_u: FloatArray, lat: FloatArray, pole_lat: float) -> FloatArray:
    """Closed (n, 2) ring coordinates of a pole-winding ring closed along the pole line ``pole_lat`` (+-90).

    ``lon_u``/``lat`` are the ring's vertices with unwrapped longitude, first and last longitude one turn apart.
    """
    # a dyadic start keeps begin +- 360 exact, so the copies that fold() cuts share their seam edge exactly
    begin = round(float(lon_u[0]) * 2.0**20) / 2.0**20
    end = begin + 360.0 * round((lon_u[-1] - begin) / 360.0)
    xs = np.concatenate([[begin], lon_u[1:-1], [end, end, begin, begin]])
    ys = np.concatenate([lat, [pole_lat, pole_lat, lat[0]]])
    return np.column_stack([xs, ys])


def fold(polygons: GeomArray) -> BaseGeometry:
    """Union of whole-turn shifted copies of unwrapped polygons, cut to lon [-180, 180]: valid lon/lat geometry."""
    polygons = np.asarray(polygons, dtype=object)
    if len(polygons) == 0:
        return shapely.Polygon()
    bounds = shapely.bounds(polygons)
    pieces: list[GeomArray] = []
    k_lo = int(np.floor((bounds[:, 0].min() + 180.0) / 360.0))
    k_hi = int(np.floor((bounds[:, 2].max() + 180.0) / 360.0))
    for k in range(k_lo, k_hi + 1):
        shift = -360.0 * k
        mask = (bounds[:, 0] + shift < 180.0) & (bounds[:, 2] + shift > -180.0)
        if not mask.any():
            continue
        chosen = polygons[mask]
        if shift != 0.0:
            chosen = shapely.transform(chosen, lambda c, s=shift: c + np.array([s, 0.0]))
        inside = (shapely.bounds(chosen)[:, 0] >= -180.0) & (shapely.bounds(chosen)[:, 2] <= 180.0)
        cut = chosen.copy()
        if (~inside).any():
            cut[~inside] = shapely.intersection(chosen[~inside], shapely.box(-180.0, -90.0, 180.0, 90.0))
        pieces.append(cut)
    everything = np.concatenate(pieces)
    try:
        return shapely.union_all(everything)
    except shapely.errors.GEOSException:
        # near-degenerate edges (many vertices close to a pole) can defeat floating overlay; snap-rounding on a
        # 1e-9 degree grid (0.1 mm) is robust and far below any tolerance here
        return shapely.union_all(shapely.make_valid(everything), grid_size=GRID_DEG)
