"""Closest point of approach for given aircraft pairs: the pure, vectorised kernel of conflict detection.

Semantics are BlueSky 1.1.1's C++ state-based detector (``cstatebased.hpp``: ``detect_hor``/``detect_ver``):

- relative position of j seen from i on a 6371 km sphere, flat earth at the pair's mean latitude:
  ``dx = R cos(lat_mean) dlon``, ``dy = R dlat``; velocities are each aircraft's (east, north) ground speed;
- horizontal: ``tcpa = (dv . dx) / |dv|^2`` with ``dv = v_i - v_j``; pairs that diverge and are not inside the
  radius are dropped; ``dcpa^2 = d^2 - tcpa (dv . dx)``; in/out at ``tcpa -/+ sqrt(R^2 - dcpa^2) / |dv|``;
- vertical: crossing times of ``+/-H`` by the straight-line altitude difference, entry clamped at 0; a level pair
  (``|dvs| <= 1e-6`` m/s) is in vertical conflict from 0 to 1e4 s if ``|dalt| < H`` now, else never;
- conflict when ``tin = max(h, v) <= lookahead``, ``tin < tout = min(h, v)`` and ``tout > 0``.

Deliberate differences, which only matter where BlueSky is wrong or undefined: longitude differences are wrapped
into [-180, 180) (BlueSky's C++ does not wrap, so it misses pairs across the antimeridian); pairs whose mean
latitude is beyond ``polar_lat_deg`` use a tangent plane at the pair's midpoint with each velocity rotated into
it (BlueSky's frame breaks down near the poles: meridians converge); a pair already inside both radius and
half-height with zero relative velocity is a conflict from now on (BlueSky divides 0 by 0 and drops it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Protocol

import numpy as np

from commonsky._typing import BoolArray, FloatArray, IndexArray
from commonsky.earth import BLUESKY_EARTH_RADIUS_M

POLAR_LAT_DEG = 70.0
"""Above this mean |latitude| a pair is computed in a true tangent plane instead of BlueSky's flat-earth frame."""

LEVEL_VS_MS = 1e-6
BOUNDARY_TOL_M = 1e-6
"""Distances within this of a protection boundary count as on it (outside): float rounding only."""
LEVEL_TOUT_S = 1e4


class Motion(Protocol):
    """Where aircraft are and how they move, one value per aircraft (a `commonsky.picture.Picture` is one).

    ``lat_deg``/``lon_deg`` degrees, ``alt_m`` metres, ``vn_ms``/``ve_ms``/``vs_ms`` north, east and vertical
    speed, m/s.
    """

    @property
    def lat_deg(self) -> FloatArray: ...

    @property
    def lon_deg(self) -> FloatArray: ...

    @property
    def alt_m(self) -> FloatArray: ...

    @property
    def vn_ms(self) -> FloatArray: ...

    @property
    def ve_ms(self) -> FloatArray: ...

    @property
    def vs_ms(self) -> FloatArray: ...


@dataclass(frozen=True, eq=False)
class PairGeometry:
    """Relative geometry of pairs (i, j) now and at CPA; every array has one value per pair.

    ``tcpa_s`` time to CPA, ``dcpa_m`` horizontal distance at CPA, ``dist_m`` horizontal distance now,
    ``qdr_deg`` bearing from i to j (degrees, -180..180), ``dalt_m`` altitude of i minus j,
    ``tin_s``/``tout_s`` start/end of the predicted loss of separation (tin >= 0), ``conflict`` BlueSky's
    conflict test, ``los`` currently inside both radius and half-height.
    """

    i: IndexArray
    j: IndexArray
    tcpa_s: FloatArray
    dcpa_m: FloatArray
    dist_m: FloatArray
    qdr_deg: FloatArray
    dalt_m: FloatArray
    tin_s: FloatArray
    tout_s: FloatArray
    conflict: BoolArray
    los: BoolArray

    def select(self, keep: BoolArray | IndexArray) -> PairGeometry:
        """The pairs ``keep`` picks (a mask or indices), every array alike."""
        return PairGeometry(**{f.name: getattr(self, f.name)[keep] for f in fields(self)})

    @staticmethod
    def joined(parts: Sequence[PairGeometry]) -> PairGeometry:
        """The pairs of ``parts`` (at least one), one after the other."""
        return PairGeometry(**{f.name: np.concatenate([getattr(g, f.name) for g in parts]) for f in fields(parts[0])})


def _relative_flat(
    lat: FloatArray, lon: FloatArray, vn: FloatArray, ve: FloatArray, i: IndexArray, j: IndexArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """BlueSky's frame: (dx, dy) of j from i in metres, (du, dv) = velocity of i minus j."""
    lat1, lat2 = np.radians(lat[i]), np.radians(lat[j])
    dlon = np.radians(np.mod(lon[j] - lon[i] + 180.0, 360.0) - 180.0)
    cavelat = np.cos(0.5 * (lat1 + lat2))
    return BLUESKY_EARTH_RADIUS_M * dlon * cavelat, BLUESKY_EARTH_RADIUS_M * (lat2 - lat1), ve[i] - ve[j], vn[i] - vn[j]


def _unit_frames(lat: FloatArray, lon: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Unit ECEF position, local east and local north vectors, each (n, 3)."""
    phi, lam = np.radians(lat), np.radians(lon)
    cphi, sphi, clam, slam = np.cos(phi), np.sin(phi), np.cos(lam), np.sin(lam)
    pos = np.stack([cphi * clam, cphi * slam, sphi], axis=-1)
    east = np.stack([-slam, clam, np.zeros_like(lam)], axis=-1)
    north = np.stack([-sphi * clam, -sphi * slam, cphi], axis=-1)
    return pos, east, north


def _relative_tangent(
    lat: FloatArray, lon: FloatArray, vn: FloatArray, ve: FloatArray, i: IndexArray, j: IndexArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Tangent plane at the pair's midpoint: (dx, dy) of j from i, (du, dv) = velocity of i minus j."""
    p1, e1, n1 = _unit_frames(lat[i], lon[i])
    p2, e2, n2 = _unit_frames(lat[j], lon[j])
    mid = p1 + p2
    mid /= np.linalg.norm(mid, axis=1, keepdims=True)
    east = np.cross(np.array([0.0, 0.0, 1.0]), mid)
    norm = np.linalg.norm(east, axis=1, keepdims=True)
    at_pole = norm[:, 0] < 1e-12
    east[at_pole] = e1[at_pole]  # the midpoint is a pole: take ownship's east (defined by its longitude)
    east /= np.maximum(np.linalg.norm(east, axis=1, keepdims=True), 1e-300)
    north = np.cross(mid, east)
    chord = BLUESKY_EARTH_RADIUS_M * (p2 - p1)
    v1 = vn[i, None] * n1 + ve[i, None] * e1
    v2 = vn[j, None] * n2 + ve[j, None] * e2
    dvel = v1 - v2
    return (
        np.einsum("ij,ij->i", chord, east),
        np.einsum("ij,ij->i", chord, north),
        np.einsum("ij,ij->i", dvel, east),
        np.einsum("ij,ij->i", dvel, north),
    )


def pair_geometry(
    motion: Motion,
    i: IndexArray,
    j: IndexArray,
    radius_m: FloatArray | float,
    half_height_m: FloatArray | float,
    lookahead_s: FloatArray | float,
    polar_lat_deg: float = POLAR_LAT_DEG,
    conflicts_only: bool = False,
) -> PairGeometry:
    """CPA, loss-of-separation window and conflict flag of pairs (i[k], j[k]) of ``motion``'s aircraft.

    ``radius_m``/``half_height_m``/``lookahead_s`` are per pair (or scalars). Cost and memory are linear in the
    number of pairs; no Python loop. The result is symmetric: (i, j) and (j, i) give the same times and
    distances (qdr differs by 180 degrees). With ``conflicts_only`` the result keeps only the conflicting pairs
    (faster: the vertical test runs first and the horizontal one only on pairs that pass it).
    """
    lat, lon, alt_m, vs_ms = motion.lat_deg, motion.lon_deg, motion.alt_m, motion.vs_ms
    vn_ms, ve_ms = motion.vn_ms, motion.ve_ms
    i = np.asarray(i, dtype=np.intp)
    j = np.asarray(j, dtype=np.intp)
    # Boundaries exact in the unit they were set in: a pair 1,000 ft apart is at the minimum, not inside it,
    # whatever the float rounding of the feet-to-metres conversion (see BOUNDARY_TOL_M).
    big_r = np.broadcast_to(np.asarray(radius_m, dtype=np.float64), i.shape) - BOUNDARY_TOL_M
    big_h = np.broadcast_to(np.asarray(half_height_m, dtype=np.float64), i.shape) - BOUNDARY_TOL_M
    look = np.broadcast_to(np.asarray(lookahead_s, dtype=np.float64), i.shape)

    # Vertical: crossing of the +/-H slab by the straight-line altitude difference.
    dalt = alt_m[i] - alt_m[j]
    dvs = vs_ms[i] - vs_ms[j]
    los_v = np.abs(dalt) < big_h
    climbing = np.abs(dvs) > LEVEL_VS_MS
    safe_dvs = np.where(climbing, dvs, 1.0)
    cross_hi = (dalt + big_h) / -safe_dvs
    cross_lo = (dalt - big_h) / -safe_dvs
    tin_v = np.where(climbing, np.maximum(0.0, np.minimum(cross_hi, cross_lo)), 0.0)
    tout_v = np.where(climbing, np.maximum(cross_hi, cross_lo), LEVEL_TOUT_S)
    ok_v = np.where(climbing, (tin_v <= look) & (tout_v > 0.0), los_v)
    if conflicts_only:
        keep = np.flatnonzero(ok_v)
        i, j, big_r, look, dalt = i[keep], j[keep], big_r[keep], look[keep], dalt[keep]
        los_v, tin_v, tout_v, ok_v = los_v[keep], tin_v[keep], tout_v[keep], ok_v[keep]

    # Horizontal: closest point of approach.
    dx, dy, du, dv = _relative_flat(lat, lon, vn_ms, ve_ms, i, j)
    polar = np.abs(0.5 * (lat[i] + lat[j])) > polar_lat_deg
    if polar.any():
        px, py, pu, pv = _relative_tangent(lat, lon, vn_ms, ve_ms, i[polar], j[polar])
        dx[polar], dy[polar], du[polar], dv[polar] = px, py, pu, pv
    dist = np.hypot(dx, dy)
    closing = du * dx + dv * dy
    vrel2 = du * du + dv * dv
    moving = vrel2 > 0.0
    safe_vrel2 = np.where(moving, vrel2, 1.0)
    tcpa = np.where(moving, closing / safe_vrel2, 0.0)
    cpa2 = np.where(moving, dist * dist - closing * tcpa, dist * dist)
    half = np.where(moving, np.sqrt(np.maximum(big_r * big_r - cpa2, 0.0) / safe_vrel2), np.inf)
    los_h = dist < big_r
    half = np.where(moving | los_h, half, 0.0)
    tin_h = tcpa - half
    tout_h = tcpa + half
    ok_h = ((closing >= 0.0) | los_h) & (los_h | (tin_h <= look))

    tin = np.maximum(tin_h, tin_v)
    tout = np.minimum(tout_h, tout_v)
    conflict = ok_h & ok_v & (tin <= look) & (tin < tout) & (tout > 0.0)
    if conflicts_only:
        keep = np.flatnonzero(conflict)
        i, j = i[keep], j[keep]
        dx, dy, tcpa, cpa2, dist, dalt = (a[keep] for a in (dx, dy, tcpa, cpa2, dist, dalt))
        tin, tout, conflict, los_h, los_v = tin[keep], tout[keep], conflict[keep], los_h[keep], los_v[keep]
    return PairGeometry(
        i=i,
        j=j,
        tcpa_s=tcpa,
        dcpa_m=np.sqrt(np.maximum(cpa2, 0.0)),
        dist_m=dist,
        qdr_deg=np.degrees(np.arctan2(dx, dy)),
        dalt_m=dalt,
        tin_s=tin,
        tout_s=tout,
        conflict=conflict,
        los=los_h & los_v,
    )
