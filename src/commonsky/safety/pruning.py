"""Spatial pruning: the aircraft pairs that could be in conflict within the look-ahead, in about O(N).

The look-ahead [0, T] is cut into time slices. In each slice every aircraft is moved in a straight line in ECEF
(no antimeridian or pole special case) to the slice's middle time, and a k-d tree returns the pairs within
``r_h`` horizontally and ``r_v`` vertically (a 4-D ball of radius sqrt(2) r_h over (x, y, z, altitude scaled by
r_h / r_v) contains that box and is several times faster to query than the Chebyshev metric). ``r_h`` is the
protected radius, plus how far the pair can close in half a slice, plus a bound on how far the CPA kernel's frame
(BlueSky's flat earth or a tangent plane) can differ from straight ECEF motion; ``r_v`` likewise vertically.
The result is a superset of the pairs `commonsky.safety.cpa.pair_geometry` can flag (tested against an all-pairs
search); memory is linear in N plus the candidate pairs, never N x N. The number of slices adapts to the traffic
density (`default_slices`).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.spatial import cKDTree

from commonsky._typing import FloatArray, IndexArray, IntArray
from commonsky.earth import BLUESKY_EARTH_RADIUS_M
from commonsky.safety.cpa import POLAR_LAT_DEG, Motion

SLACK_M = 50.0
SQRT2 = math.sqrt(2.0)
# Factor over the first-order frame-error bound below. On 400,000 random pairs (|lat| <= 71, up to 600 m/s, up
# to 170 km apart, t <= 300 s) the largest error seen was 0.58 of the bound without it; tests compare with an
# all-pairs search.
FRAME_SAFETY = 1.5


def traffic_density_m2(lat: FloatArray, lon: FloatArray) -> float:
    """Density of traffic around the average aircraft (aircraft per m²), counted on 1° x 1° cells."""
    row = np.clip(np.floor(lat), -90, 89).astype(np.int64)
    key = (row + 90) * 360 + np.mod(np.floor(lon).astype(np.int64), 360)
    counts = np.bincount(key, minlength=180 * 360)
    cell_m2 = (BLUESKY_EARTH_RADIUS_M * math.pi / 180.0) ** 2 * np.maximum(np.cos(np.radians(row + 0.5)), 0.01)
    return float(np.mean(counts[key] / cell_m2))


def default_slices(max_gs_ms: float, radius_m: float, lookahead_s: float, density_m2: float) -> int:
    """Number of time slices: more where traffic is dense (fewer candidates) and fewer where it is sparse (fewer
    k-d trees). Fitted on the benchmark scenarios: 5 at 0.01 aircraft/km², 3 at 0.002, 2 at 0.0005."""
    closing_m = 2.0 * max_gs_ms * lookahead_s
    k = closing_m / (3.5 * radius_m) * (max(density_m2, 1e-15) / 1e-8) ** 0.3
    return int(min(max(round(k), 1), 40))


def candidate_pairs(
    motion: Motion,
    radius_m: float,
    half_height_m: float,
    lookahead_s: float,
    slices: int | None = None,
    polar_lat_deg: float = POLAR_LAT_DEG,
) -> tuple[IndexArray, IndexArray]:
    """Unique pairs (i, j), i < j, that may come within ``radius_m`` and ``half_height_m`` in [0, lookahead_s].

    ``radius_m``, ``half_height_m``, ``lookahead_s`` are the largest values any pair uses; indices are into
    ``motion``'s aircraft.
    """
    lat, lon, alt_m = motion.lat_deg, motion.lon_deg, motion.alt_m
    vn_ms, ve_ms, vs_ms = motion.vn_ms, motion.ve_ms, motion.vs_ms
    n = lat.shape[0]
    if n < 2:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    pos, vel = ecef_motion(motion)
    gs = np.hypot(vn_ms, ve_ms)
    vmax = float(gs.max())
    vsmax = float(np.abs(vs_ms).max())
    k = slices or default_slices(vmax, radius_m, lookahead_s, traffic_density_m2(lat, lon))
    half_s = 0.5 * lookahead_s / k
    gain = frame_gain(lat, polar_lat_deg)
    codes = []
    for step in range(k):
        t_mid = (2 * step + 1) * half_s
        r_h = slice_radius_m(radius_m, vmax, half_s, t_mid, gain)
        r_v = half_height_m + 2.0 * vsmax * half_s + 1.0
        coords = np.empty((n, 4))
        coords[:, :3] = pos + vel * t_mid
        coords[:, 3] = (alt_m + vs_ms * t_mid) * (r_h / r_v)
        # Euclidean in 4D with radius sqrt(2) r_h contains the box |horizontal| <= r_h, |vertical| <= r_v, and
        # scipy answers it several times faster than the Chebyshev metric.
        pairs = cKDTree(coords, leafsize=16, balanced_tree=False, compact_nodes=False).query_pairs(
            r_h * SQRT2, p=2.0, output_type="ndarray"
        )
        if pairs.shape[0]:
            lo = np.minimum(pairs[:, 0], pairs[:, 1]).astype(np.int64)
            hi = np.maximum(pairs[:, 0], pairs[:, 1]).astype(np.int64)
            codes.append(lo * n + hi)
    unique = unique_codes(codes)
    return (unique // n).astype(np.intp), (unique % n).astype(np.intp)


def ecef_motion(motion: Motion) -> tuple[FloatArray, FloatArray]:
    """ECEF positions on the BlueSky sphere (m) and velocities (m/s, from north and east speeds), each (n, 3)."""
    phi, lam = np.radians(motion.lat_deg), np.radians(motion.lon_deg)
    cphi, sphi, clam, slam = np.cos(phi), np.sin(phi), np.cos(lam), np.sin(lam)
    vn_ms, ve_ms = motion.vn_ms, motion.ve_ms
    pos = BLUESKY_EARTH_RADIUS_M * np.stack([cphi * clam, cphi * slam, sphi], axis=1)
    vel = np.stack([-slam * ve_ms - sphi * clam * vn_ms, clam * ve_ms - sphi * slam * vn_ms, cphi * vn_ms], axis=1)
    return pos, vel


def frame_gain(lat: FloatArray, polar_lat_deg: float = POLAR_LAT_DEG) -> float:
    """Frame error of BlueSky's flat earth against ECEF, per metre of reach, per metre flown: meridian convergence
    turns one velocity relative to the other by about separation * tan(lat) / R; the tangent-plane kernel (pairs
    beyond ``polar_lat_deg``) has no tan(lat) term."""
    flat_lat = min(float(np.abs(lat).max()), polar_lat_deg + 1.0)
    return FRAME_SAFETY * (math.tan(math.radians(flat_lat)) + 1.0) / BLUESKY_EARTH_RADIUS_M


def slice_radius_m(radius_m: float, vmax_ms: float, half_s: float, t_mid_s: float, gain: float) -> float:
    """``r_h`` of the time slice [t_mid - half, t_mid + half] (see the module docstring): the protected radius, how
    far a pair can close in half a slice, the frame error bound (``gain`` from `frame_gain`) and a slack."""
    t_end = t_mid_s + half_s
    reach_m = radius_m + 2.0 * vmax_ms * t_end
    frame_m = gain * vmax_ms * t_end * reach_m + (vmax_ms * t_end) ** 2 / BLUESKY_EARTH_RADIUS_M
    return radius_m + 2.0 * vmax_ms * half_s + frame_m + 1e-3 * reach_m + SLACK_M


def unique_codes(codes: list[IntArray]) -> IntArray:
    """The distinct pair codes (lo * n + hi), sorted; sort + neighbour test: several times faster than np.unique."""
    if not codes:
        return np.zeros(0, dtype=np.int64)
    unique = np.sort(np.concatenate(codes))
    if unique.shape[0] > 1:
        unique = unique[np.concatenate([[True], unique[1:] != unique[:-1]])]
    return unique
