"""Zone incursion warnings (in the spirit of APW): predicted entry of aircraft into binding zones.

Every aircraft flies a straight line (a great circle at its ground speed, its vertical speed held) over the
look-ahead. An aircraft is warned for a zone when a point of that line is inside the zone laterally, inside its
altitude band and inside its validity window, and the zone binds the aircraft's party. The line is sampled every
``step_s`` seconds and each first entry is refined by bisection to ``step_s / 2**refine``; a zone corner thinner
than one step of flight (about 1.3 km at 500 kt and 5 s) can be missed.

Altitude convention: zone limits are compared with the aircraft's ``alt_m`` as they are. STD (flight levels)
and AMSL are treated as comparable (no QNH correction); AGL limits assume terrain at 0 m (SFC is 0 m). Zone
validity is compared with ``picture.time_s`` read as UNIX epoch seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from commonsky._typing import FloatArray, IndexArray
from commonsky.airspace.zone import Zone
from commonsky.earth import BLUESKY_EARTH_RADIUS_M
from commonsky.picture.picture import Picture


@dataclass(frozen=True, eq=False)
class ZoneIndex:
    """Binding zones prepared for bulk tests: an STRtree over their geometries and their limits as arrays."""

    zones: tuple[Zone, ...]
    tree: shapely.STRtree
    geometries: npt.NDArray[np.object_]
    floor_m: FloatArray
    ceiling_m: FloatArray
    valid_from_s: FloatArray
    valid_to_s: FloatArray

    @classmethod
    def build(cls, zones: Sequence[Zone]) -> ZoneIndex:
        """Index the binding zones among ``zones`` (advisory ones are left out)."""
        binding = tuple(z for z in zones if z.binding)
        geometries = np.array([z.geometry for z in binding], dtype=object)
        shapely.prepare(geometries)
        return cls(
            zones=binding,
            tree=shapely.STRtree(geometries),
            geometries=geometries,
            floor_m=np.array([z.floor.value_m for z in binding], dtype=np.float64),
            ceiling_m=np.array([z.ceiling.value_m for z in binding], dtype=np.float64),
            valid_from_s=np.array([z.valid_from.timestamp() if z.valid_from else -np.inf for z in binding]),
            valid_to_s=np.array([z.valid_to.timestamp() if z.valid_to else np.inf for z in binding]),
        )

    def __len__(self) -> int:
        return len(self.zones)


@dataclass(frozen=True, eq=False)
class Incursions:
    """One row per (aircraft, zone) predicted to enter within the look-ahead or already inside.

    ``aircraft``: position in the Picture; ``zone``: position in `ZoneIndex.zones`; ``time_to_entry_s`` is 0 for
    aircraft already inside (``inside`` True); ``entry_lat``/``entry_lon`` where the entry is predicted.
    """

    aircraft: IndexArray
    zone: IndexArray
    aircraft_id: npt.NDArray[np.str_]
    zone_name: npt.NDArray[np.str_]
    time_to_entry_s: FloatArray
    inside: npt.NDArray[np.bool_]
    entry_lat: FloatArray
    entry_lon: FloatArray

    def __len__(self) -> int:
        return int(self.aircraft.shape[0])


def predict_positions(picture: Picture, idx: IndexArray, t_s: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(lat, lon, alt_m) of aircraft ``idx[k]`` after ``t_s[k]`` seconds on its great circle (k-wise)."""
    phi, lam = np.radians(picture.lat_deg[idx]), np.radians(picture.lon_deg[idx])
    trk = np.radians(picture.trk_deg[idx])
    theta = picture.gs_ms[idx] * t_s / BLUESKY_EARTH_RADIUS_M
    sphi, cphi = np.sin(phi), np.cos(phi)
    lat2 = np.arcsin(np.clip(sphi * np.cos(theta) + cphi * np.sin(theta) * np.cos(trk), -1.0, 1.0))
    lon2 = lam + np.arctan2(np.sin(trk) * np.sin(theta) * cphi, np.cos(theta) - sphi * np.sin(lat2))
    lon_deg = np.mod(np.degrees(lon2) + 180.0, 360.0) - 180.0
    return np.degrees(lat2), lon_deg, picture.alt_m[idx] + picture.vs_ms[idx] * t_s


def _inside(
    index: ZoneIndex, picture: Picture, ac: IndexArray, zone: IndexArray, t_s: FloatArray
) -> npt.NDArray[np.bool_]:
    lat, lon, alt = predict_positions(picture, ac, t_s)
    when = picture.time_s + t_s
    inside = (alt >= index.floor_m[zone]) & (alt <= index.ceiling_m[zone])
    inside &= (when >= index.valid_from_s[zone]) & (when < index.valid_to_s[zone])
    if inside.any():
        inside[inside] = shapely.contains_xy(index.geometries[zone[inside]], lon[inside], lat[inside])
    return inside


def detect_incursions(
    picture: Picture, index: ZoneIndex, lookahead_s: float = 300.0, step_s: float = 5.0, refine: int = 4
) -> Incursions:
    """Aircraft of ``picture`` inside, or predicted to enter within ``lookahead_s``, each binding zone of ``index``.

    Vectorised: swept boxes are matched to zones with the STRtree, then only those (aircraft, zone) pairs are
    sampled. A zone binds an aircraft when its ``applies_to`` is empty or names the aircraft's party.
    """
    n = len(picture)
    if n == 0 or len(index) == 0:
        return _empty()
    steps = int(np.ceil(lookahead_s / step_s))
    times = np.minimum(np.arange(steps + 1) * step_s, lookahead_s)
    # Swept lateral box of each aircraft: start, middle and end of its line, plus margin for the great circle's bow.
    all_idx = np.arange(n)
    lats, lons = [], []
    for t in (0.0, 0.5 * lookahead_s, lookahead_s):
        la, lo, _ = predict_positions(picture, all_idx, np.full(n, t))
        lats.append(la)
        lons.append(lo)
    lat_s, lon_s = np.stack(lats), np.stack(lons)
    wraps = (lon_s.max(axis=0) - lon_s.min(axis=0)) > 180.0
    margin = 0.01 + np.degrees(picture.gs_ms * lookahead_s / BLUESKY_EARTH_RADIUS_M) * 0.05
    coslat = np.maximum(np.cos(np.radians(np.abs(lat_s).max(axis=0))), 1e-3)
    boxes = shapely.box(
        np.where(wraps, -180.0, lon_s.min(axis=0) - margin / coslat),
        lat_s.min(axis=0) - margin,
        np.where(wraps, 180.0, lon_s.max(axis=0) + margin / coslat),
        lat_s.max(axis=0) + margin,
    )
    ac, zone = index.tree.query(boxes, predicate="intersects")
    ac, zone = np.asarray(ac, dtype=np.intp), np.asarray(zone, dtype=np.intp)
    applies = np.ones(ac.shape[0], dtype=bool)
    for z, limited in enumerate(index.zones):  # a loop over zones, not over (aircraft, zone) pairs
        if limited.applies_to:
            rows = zone == z
            applies[rows] = np.isin(picture.party[ac[rows]], limited.applies_to)
    ac, zone = ac[applies], zone[applies]
    if ac.shape[0] == 0:
        return _empty()
    m = ac.shape[0]
    rep_ac = np.repeat(ac, times.shape[0])
    rep_zone = np.repeat(zone, times.shape[0])
    rep_t = np.tile(times, m)
    hit = _inside(index, picture, rep_ac, rep_zone, rep_t).reshape(m, times.shape[0])
    any_hit = hit.any(axis=1)
    first = np.argmax(hit, axis=1)
    keep = np.flatnonzero(any_hit)
    ac, zone, first = ac[keep], zone[keep], first[keep]
    t_hi = times[first]
    t_lo = np.where(first > 0, times[np.maximum(first - 1, 0)], 0.0)
    for _ in range(refine if steps else 0):
        mid = 0.5 * (t_lo + t_hi)
        inside_mid = _inside(index, picture, ac, zone, mid)
        t_hi = np.where(inside_mid, mid, t_hi)
        t_lo = np.where(inside_mid, t_lo, mid)
    entry = np.where(first == 0, 0.0, t_hi)
    lat, lon, _ = predict_positions(picture, ac, entry)
    names = np.array([index.zones[z].name for z in zone], dtype=np.str_) if zone.shape[0] else np.zeros(0, np.str_)
    return Incursions(
        aircraft=ac,
        zone=zone,
        aircraft_id=picture.id[ac],
        zone_name=names,
        time_to_entry_s=entry,
        inside=first == 0,
        entry_lat=lat,
        entry_lon=lon,
    )


def _empty() -> Incursions:
    e_i = np.zeros(0, dtype=np.intp)
    e_f = np.zeros(0, dtype=np.float64)
    return Incursions(e_i, e_i, np.zeros(0, np.str_), np.zeros(0, np.str_), e_f, np.zeros(0, bool), e_f, e_f)
