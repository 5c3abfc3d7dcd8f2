"""The frame a map is drawn in: a lon/lat box, its local equirectangular projection, and antimeridian handling.

The projection is equirectangular about the box centre with true scale at the centre latitude, both ways:
``x_km = (lon - lon0) * km_per_deg_lon``, ``y_km = (lat - lat0) * km_per_deg_lat``, the two factors measured with
`pyproj.Geod` on WGS84 at (lon0, lat0). Scale bars built from them are geodesically right at the centre.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from commonsky.render.layers import BBox, normalise_bbox

KM_PER_MI = 1.609344
_MARGIN_FRAC = 0.05


@dataclass(frozen=True)
class View:
    """A map frame. ``bbox`` is canonical (see `normalise_bbox`); the km factors hold at its centre."""

    bbox: BBox
    km_per_deg_lon: float
    km_per_deg_lat: float

    @classmethod
    def of(cls, bbox: BBox) -> View:
        """The view of ``bbox`` with scale factors from the WGS84 geodesic at its centre."""
        from pyproj import Geod  # slow import, only when a map is drawn

        box = normalise_bbox(bbox)
        lon0, lat0 = (box[0] + box[2]) / 2.0, (box[1] + box[3]) / 2.0
        lat_s = max(min(lat0, 89.0), -89.0)
        geod = Geod(ellps="WGS84")
        half = 0.05
        _, _, along_parallel_m = geod.inv(lon0 - half, lat_s, lon0 + half, lat_s)
        _, _, along_meridian_m = geod.inv(lon0, lat_s - half, lon0, lat_s + half)
        return cls(box, along_parallel_m / 1000.0 / (2 * half), along_meridian_m / 1000.0 / (2 * half))

    @property
    def lon0(self) -> float:
        return (self.bbox[0] + self.bbox[2]) / 2.0

    @property
    def lat0(self) -> float:
        return (self.bbox[1] + self.bbox[3]) / 2.0

    @property
    def width_km(self) -> float:
        return (self.bbox[2] - self.bbox[0]) * self.km_per_deg_lon

    @property
    def height_km(self) -> float:
        return (self.bbox[3] - self.bbox[1]) * self.km_per_deg_lat

    def fitted(self, width_over_height: float) -> View:
        """The same centre, widened in one direction so the box has the given shape (in km) on the page."""
        lon0, lat0 = self.lon0, self.lat0
        w, h = self.width_km, self.height_km
        if w / h < width_over_height:
            w = h * width_over_height
        else:
            h = w / width_over_height
        half_lon = min(w / self.km_per_deg_lon / 2.0, 180.0)
        half_lat = h / self.km_per_deg_lat / 2.0
        bottom, top = max(lat0 - half_lat, -90.0), min(lat0 + half_lat, 90.0)
        return replace(self, bbox=(lon0 - half_lon, bottom, lon0 + half_lon, top))

    def project(self, lonlat: np.ndarray) -> np.ndarray:
        """(n, 2) lon/lat degrees (already shifted by `place`) to (n, 2) km east/north of the centre."""
        out = np.empty_like(lonlat, dtype=float)
        out[:, 0] = (lonlat[:, 0] - self.lon0) * self.km_per_deg_lon
        out[:, 1] = (lonlat[:, 1] - self.lat0) * self.km_per_deg_lat
        return out

    def place(self, geom: BaseGeometry, margin_frac: float = _MARGIN_FRAC) -> list[BaseGeometry]:
        """The simple parts (polygons, lines, points) of ``geom`` that show in the view, in view longitudes.

        Lines are drawn along WGS84 geodesics (legs and tracks are geodesic; see `geodesic_line`); polygon edges
        stay straight in lon/lat, as shapely (and every containment test in commonsky) reads them. Each part is
        moved by a multiple of 360 degrees to the copy nearest the view centre, so a MultiPolygon
        split at the antimeridian joins up again (its polygons are merged, leaving no seam); then it is clipped to
        the box widened by ``margin_frac``.
        """
        parts = shapely.get_parts(geom)
        if len(parts) == 0:
            return []
        step_deg = max((self.bbox[2] - self.bbox[0]) / 300.0, 0.02)
        parts = np.array([geodesic_line(p, step_deg) for p in parts if not p.is_empty], dtype=object)
        if len(parts) == 0:
            return []
        bounds = shapely.bounds(parts)
        centres = (bounds[:, 0] + bounds[:, 2]) / 2.0
        shifts = 360.0 * np.round((self.lon0 - centres) / 360.0)
        if np.any(shifts):
            coords, index = shapely.get_coordinates(parts, return_index=True)
            coords[:, 0] += shifts[index]
            parts = shapely.set_coordinates(parts.copy(), coords)
        if len(np.unique(shifts)) > 1:
            # pieces that were split at the antimeridian now touch along it: merge them, so no seam is drawn
            polygonal = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON
            if polygonal.sum() > 1:
                # on a 1e-7 degree grid (1 cm): the two sides of a cut may differ in the last bits
                merged = shapely.get_parts(shapely.union_all(parts[polygonal], grid_size=1e-7))
                parts = np.concatenate([merged, parts[~polygonal]])
        lo, la, hi, ha = self.bbox
        dx, dy = (hi - lo) * margin_frac, (ha - la) * margin_frac
        clipped = shapely.clip_by_rect(parts, lo - dx, la - dy, hi + dx, ha + dy)
        simple = shapely.get_parts(clipped[~shapely.is_empty(clipped)])
        return [p for p in simple if not p.is_empty]

    def scale_deg_lon(self, km: float) -> float:
        """How many degrees of longitude ``km`` spans along the centre parallel."""
        return km / self.km_per_deg_lon


def nice_length(limit: float) -> float:
    """The largest 1, 2 or 5 x 10^k not above ``limit`` (> 0): a round scale-bar length."""
    if limit <= 0 or not math.isfinite(limit):
        raise ValueError(f"scale-bar limit must be positive, got {limit}")
    power = 10.0 ** math.floor(math.log10(limit))
    for step in (5.0, 2.0, 1.0):
        if step * power <= limit:
            return step * power
    return power


def label_point(parts: list[BaseGeometry]) -> tuple[float, float, float] | None:
    """Where to write a polygon's name: (lon, lat, area in square degrees) of its largest part, or None."""
    polygons = [p for p in parts if p.geom_type == "Polygon"]
    if not polygons:
        return None
    largest = max(polygons, key=lambda p: p.area)
    point = largest.representative_point()
    return point.x, point.y, largest.area


def geodesic_line(part: BaseGeometry, step_deg: float) -> BaseGeometry:
    """A LineString's vertices joined along WGS84 geodesics: legs longer than ``step_deg`` (degrees, measured in
    lon/lat) get intermediate points, and longitudes are unwrapped so each leg takes the short way (a track
    crossing 180° continues past it instead of running round the globe). Other geometries come back unchanged.
    """
    if part.geom_type != "LineString":
        return part
    xy = np.asarray(part.coords)[:, :2]
    dlon = (np.diff(xy[:, 0]) + 180.0) % 360.0 - 180.0
    long_legs = np.flatnonzero(np.hypot(dlon, np.diff(xy[:, 1])) > step_deg)
    if len(long_legs) == 0 and np.all(np.abs(np.diff(xy[:, 0])) <= 180.0):
        return part
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    pieces, start = [], 0
    for leg in long_legs:
        pieces.append(xy[start : leg + 1])
        (lon1, lat1), (lon2, lat2) = xy[leg], xy[leg + 1]
        n = int(np.hypot(dlon[leg], lat2 - lat1) / step_deg)
        if n > 0:
            pieces.append(np.asarray(geod.npts(lon1, lat1, lon2, lat2, n)))
        start = int(leg) + 1
    pieces.append(xy[start:])
    dense = np.concatenate(pieces)
    dense[:, 0] = np.unwrap(dense[:, 0], period=360.0)
    return shapely.LineString(dense)
