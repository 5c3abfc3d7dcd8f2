"""Geodesy on the WGS84 ellipsoid: distance, azimuth, the direct problem, local frames, lengths and areas.

Everything here is geodesic on WGS84 (Karney's algorithms through :class:`pyproj.Geod`), never spherical and
never in degrees. Functions take scalars or numpy arrays that broadcast against each other; scalars in give
floats out. Latitudes and longitudes are in degrees, distances in metres, azimuths in degrees clockwise from
true north.

The local frame (:class:`LocalFrame`) is the ellipsoidal azimuthal equidistant projection: the distance and
azimuth of every point from the centre are exact, so a circle of radius r around the centre in the frame is
the exact geodesic circle. Frames are computed with vectorised geodesic calls, one centre per point if needed
(:func:`aeqd_forward`, :func:`aeqd_inverse`), which lets the buffer code project many local frames at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, overload

import numpy as np
import shapely
from numpy.typing import ArrayLike
from pyproj import Geod
from shapely.geometry.base import BaseGeometry

from commonsky._typing import FloatArray
from commonsky.errors import InputError


@cache
def wgs84() -> Geod:
    """The WGS84 geodesic solver (created on first use, shared: ``pyproj.Geod`` is immutable)."""
    return Geod(ellps="WGS84")


def _arrays(*values: ArrayLike) -> tuple[list[FloatArray], bool]:
    """Broadcast the inputs to contiguous float64 arrays; also say whether all inputs were scalars."""
    scalar = all(np.ndim(v) == 0 for v in values)
    arrays = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in values))
    return [np.ascontiguousarray(a, dtype=np.float64).ravel() for a in arrays], scalar


def _shape(*values: ArrayLike) -> tuple[int, ...]:
    return tuple(np.broadcast_shapes(*(np.shape(v) for v in values)))


def wrap_lon(lon: ArrayLike) -> FloatArray:
    """Longitudes wrapped into [-180, 180) degrees."""
    return np.asarray((np.asarray(lon, dtype=np.float64) + 180.0) % 360.0 - 180.0, dtype=np.float64)


def _inv(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> tuple[FloatArray, FloatArray, bool]:
    """Forward azimuth (degrees, (-180, 180]) and distance (m), flattened, plus whether inputs were scalar."""
    (la1, lo1, la2, lo2), scalar = _arrays(lat1, lon1, lat2, lon2)
    az, _, dist = wgs84().inv(lo1, la1, lo2, la2)
    return np.asarray(az, dtype=np.float64), np.asarray(dist, dtype=np.float64), scalar


@overload
def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float: ...
@overload
def distance_m(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> Any: ...
def distance_m(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> Any:
    """Geodesic distance on WGS84 in metres between (lat1, lon1) and (lat2, lon2), degrees; broadcasts.

    >>> round(distance_m(0.0, 0.0, 0.0, 1.0), 3)  # one degree of the equator
    111319.491
    """
    _, dist, scalar = _inv(lat1, lon1, lat2, lon2)
    return float(dist[0]) if scalar else dist.reshape(_shape(lat1, lon1, lat2, lon2))


@overload
def azimuth_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float: ...
@overload
def azimuth_deg(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> Any: ...
def azimuth_deg(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> Any:
    """Forward azimuth of the geodesic from point 1 to point 2, degrees clockwise from true north, in [0, 360).

    Coincident points give 0 by convention (pyproj's answer, wrapped).
    """
    az, _, scalar = _inv(lat1, lon1, lat2, lon2)
    az = np.mod(az, 360.0)
    az[az >= 360.0] = 0.0  # -0.0 % 360 can round to 360
    return float(az[0]) if scalar else az.reshape(_shape(lat1, lon1, lat2, lon2))


@overload
def destination(lat: float, lon: float, azimuth_deg: float, distance_m: float) -> tuple[float, float]: ...
@overload
def destination(lat: ArrayLike, lon: ArrayLike, azimuth_deg: ArrayLike, distance_m: ArrayLike) -> tuple[Any, Any]: ...
def destination(lat: ArrayLike, lon: ArrayLike, azimuth_deg: ArrayLike, distance_m: ArrayLike) -> tuple[Any, Any]:
    """The direct geodesic problem: the point reached from (lat, lon) along ``azimuth_deg`` after ``distance_m``.

    Returns (lat, lon) in degrees, longitude wrapped into [-180, 180). Broadcasts.
    """
    (la, lo, az, dist), scalar = _arrays(lat, lon, azimuth_deg, distance_m)
    lon2, lat2, _ = wgs84().fwd(lo, la, az, dist)
    lat2 = np.asarray(lat2, dtype=np.float64)
    lon2 = wrap_lon(lon2)
    if scalar:
        return float(lat2[0]), float(lon2[0])
    shape = _shape(lat, lon, azimuth_deg, distance_m)
    return lat2.reshape(shape), lon2.reshape(shape)


def aeqd_forward(lat0: ArrayLike, lon0: ArrayLike, lat: ArrayLike, lon: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Azimuthal equidistant coordinates (x east, y north, metres) of (lat, lon) around centres (lat0, lon0).

    Exact in distance and azimuth from the centre (ellipsoidal, geodesic). One centre per point is allowed:
    all inputs broadcast, outputs are flat arrays.
    """
    az, dist, _ = _inv(lat0, lon0, lat, lon)
    rad = np.radians(az)
    return dist * np.sin(rad), dist * np.cos(rad)


def aeqd_inverse(lat0: ArrayLike, lon0: ArrayLike, x_m: ArrayLike, y_m: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Inverse of :func:`aeqd_forward`: (lat, lon) in degrees, longitude in [-180, 180); flat arrays."""
    (la0, lo0, x, y), _ = _arrays(lat0, lon0, x_m, y_m)
    az = np.degrees(np.arctan2(x, y))
    lon, lat, _ = wgs84().fwd(lo0, la0, az, np.hypot(x, y))
    return np.asarray(lat, dtype=np.float64), wrap_lon(lon)


def _back(values: FloatArray, scalar: bool, shape: tuple[int, ...]) -> Any:
    return float(values[0]) if scalar else values.reshape(shape)


@dataclass(frozen=True)
class LocalFrame:
    """An azimuthal equidistant frame centred at (lat0, lon0): x east, y north, metres, on WGS84.

    Distances and azimuths from the centre are exact; the scale across (perpendicular to the radius) grows
    like 1 + (rho / R)^2 / 6 at distance rho, so planar distances between two non-central points are good to
    about 1e-4 within 150 km of the centre. Longitudes returned are wrapped into [-180, 180).
    """

    lat0: float
    lon0: float

    def __post_init__(self) -> None:
        if not (np.isfinite(self.lat0) and np.isfinite(self.lon0) and -90.0 <= self.lat0 <= 90.0):
            raise InputError(f"LocalFrame centre must be a finite latitude in [-90, 90], got {self.lat0}, {self.lon0}")

    def to_local(self, lat: ArrayLike, lon: ArrayLike) -> tuple[Any, Any]:
        """(x_m, y_m) of points in this frame; scalars give floats, arrays keep their broadcast shape."""
        scalar = np.ndim(lat) == 0 and np.ndim(lon) == 0
        x, y = aeqd_forward(self.lat0, self.lon0, lat, lon)
        shape = _shape(lat, lon)
        return _back(x, scalar, shape), _back(y, scalar, shape)

    def to_geodetic(self, x_m: ArrayLike, y_m: ArrayLike) -> tuple[Any, Any]:
        """(lat, lon) in degrees of frame coordinates; scalars give floats."""
        scalar = np.ndim(x_m) == 0 and np.ndim(y_m) == 0
        lat, lon = aeqd_inverse(self.lat0, self.lon0, x_m, y_m)
        shape = _shape(x_m, y_m)
        return _back(lat, scalar, shape), _back(lon, scalar, shape)

    def project(self, geom_lonlat: BaseGeometry) -> BaseGeometry:
        """The geometry (x = lon, y = lat, degrees) in this frame, metres. Vertices are mapped exactly; edges stay
        straight, so densify long edges first if their shape matters."""

        def fwd(coords: FloatArray) -> FloatArray:
            x, y = aeqd_forward(self.lat0, self.lon0, coords[:, 1], coords[:, 0])
            return np.column_stack([x, y])

        return shapely.transform(geom_lonlat, fwd)

    def unproject(self, geom_m: BaseGeometry, *, max_segment_m: float | None = None) -> BaseGeometry:
        """The frame geometry back in lon/lat degrees. With ``max_segment_m``, edges are first split in the frame
        so that curved images of straight frame edges keep their shape."""
        if max_segment_m is not None:
            geom_m = shapely.segmentize(geom_m, max_segment_m)

        def inv(coords: FloatArray) -> FloatArray:
            lat, lon = aeqd_inverse(self.lat0, self.lon0, coords[:, 0], coords[:, 1])
            return np.column_stack([lon, lat])

        return shapely.transform(geom_m, inv)


def geodesic_length_m(geom: BaseGeometry) -> float:
    """Geodesic length of a lon/lat geometry in metres (perimeter for polygons), edges taken as geodesics."""
    return float(wgs84().geometry_length(geom))


def geodesic_area_m2(geom: BaseGeometry) -> float:
    """Geodesic area of a lon/lat (multi)polygon in square metres, holes subtracted; 0 for lines and points.

    Edges are geodesics (pyproj ``Geod.geometry_area_perimeter``); rings are oriented first so that the
    answer does not depend on the input's winding.
    """
    if geom.is_empty or shapely.get_dimensions(geom) < 2:
        return 0.0
    oriented = shapely.orient_polygons(geom)
    area, _ = wgs84().geometry_area_perimeter(oriented)
    return abs(float(area))


def distance_to_geometry_m(lat: ArrayLike, lon: ArrayLike, geom_lonlat: BaseGeometry) -> FloatArray:
    """Geodesic distance (m) from each point to the nearest point of a lon/lat geometry; 0 inside its areas.

    Edges are read as straight in lon/lat (GeoJSON), crossing the antimeridian the short way; the error against
    the exact minimum distance is below 1e-4 relative or 5 mm, whichever is larger (see
    :mod:`commonsky.geo.nearest`). Returns an array of the broadcast shape of ``lat`` and ``lon`` (0-d for
    scalars); +inf for an empty geometry.
    """
    from commonsky.geo.nearest import distances_to_geometry

    return distances_to_geometry(lat, lon, geom_lonlat, boundary_only=False)


def distance_to_boundary_m(lat: ArrayLike, lon: ArrayLike, geom_lonlat: BaseGeometry) -> FloatArray:
    """Like :func:`distance_to_geometry_m`, but to the boundary of polygons (the distance to a border), so points
    inside an area get their distance to its edge. Artificial edges along the +-180 meridian or at the poles
    (where data is cut for the antimeridian) are not boundary."""
    from commonsky.geo.nearest import distances_to_geometry

    return distances_to_geometry(lat, lon, geom_lonlat, boundary_only=True)
