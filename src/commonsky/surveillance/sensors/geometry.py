"""Radar geometry on a 4/3 earth: slant range, azimuth and elevation to and from the local frame, and the horizon.

Positions are ``(..., 3)`` arrays of ``east_m, north_m, alt_m`` in the local frame (ground distances preserved,
altitude above sea level). Standard atmospheric refraction bends radar rays so that they travel in straight lines
over a sphere of radius ``k * 6371 km`` with ``k = 4/3``; every function here takes that effective radius.

Textbook check: the radar horizon of an antenna at ``h1`` metres against a target at ``h2`` metres is about
``4.12 * (sqrt(h1) + sqrt(h2))`` km.

>>> round(float(horizon_range_m(10.0, 1000.0)) / 1000.0, 1)
143.4
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from commonsky._typing import FloatArray
from commonsky.earth import EFFECTIVE_EARTH_RADIUS_M


def horizon_range_m(
    antenna_alt_m: ArrayLike, target_alt_m: ArrayLike, re_m: float = EFFECTIVE_EARTH_RADIUS_M
) -> FloatArray:
    """Ground range (m) at which a target at ``target_alt_m`` sinks below the radar horizon of the antenna.

    Exact on the effective sphere: ``re * (acos(re / (re + h1)) + acos(re / (re + h2)))``. Heights below zero
    count as zero.
    """
    h1 = np.maximum(np.asarray(antenna_alt_m, dtype=float), 0.0)
    h2 = np.maximum(np.asarray(target_alt_m, dtype=float), 0.0)
    return np.asarray(re_m * (np.arccos(re_m / (re_m + h1)) + np.arccos(re_m / (re_m + h2))), dtype=float)


def min_detectable_alt_m(
    ground_range_m: ArrayLike,
    antenna_alt_m: float,
    min_elevation_deg: float = -90.0,
    re_m: float = EFFECTIVE_EARTH_RADIUS_M,
) -> FloatArray:
    """Lowest altitude (m) a target can fly at ``ground_range_m`` and still be in the antenna's line of sight.

    The sight line is the lower of two limits: the tangent to the effective earth (the radar horizon) and the
    antenna's minimum elevation angle. A ray leaving an antenna at radius ``ra = re + h1`` with elevation ``e``
    reaches radius ``ra * cos(e) / cos(e + theta)`` at central angle ``theta = ground_range / re``. Inside the
    horizon with no elevation limit the answer is 0 (the ground itself is visible). Beyond a quarter earth the
    result is ``inf``. Range limits (instrumented range) are not applied here.
    """
    theta = np.asarray(ground_range_m, dtype=float) / re_m
    ra = re_m + max(antenna_alt_m, 0.0)
    el_horizon = -np.arccos(re_m / ra)
    el = max(np.radians(min_elevation_deg), el_horizon)
    with np.errstate(divide="ignore", invalid="ignore"):
        angle = el + theta
        r = np.where(angle < np.pi / 2, ra * np.cos(el) / np.cos(np.minimum(angle, np.pi / 2 - 1e-12)), np.inf)
    alt = np.maximum(r - re_m, 0.0)
    if el <= el_horizon + 1e-15:
        alt = np.where(theta <= -el_horizon, 0.0, alt)
    return np.asarray(alt, dtype=float)


def lowest_visible_alt_m(
    antenna_m: FloatArray,
    east_m: ArrayLike,
    north_m: ArrayLike,
    min_elevation_deg: float,
    max_range_m: float,
    re_m: float = EFFECTIVE_EARTH_RADIUS_M,
) -> FloatArray:
    """Lowest altitude (m) an antenna at ``antenna_m`` (3,) sees over each ground point: the line-of-sight floor
    of `min_detectable_alt_m`, or ``inf`` where that floor is beyond ``max_range_m`` of slant range."""
    east = np.asarray(east_m, dtype=float)
    north = np.asarray(north_m, dtype=float)
    ground = np.hypot(east - antenna_m[0], north - antenna_m[1])
    floor = min_detectable_alt_m(ground, float(antenna_m[2]), min_elevation_deg, re_m)
    pts = np.stack(np.broadcast_arrays(east, north, np.where(np.isfinite(floor), floor, 0.0)), axis=-1)
    rng = to_polar(antenna_m, pts, re_m)[0]
    return np.asarray(np.where(np.isfinite(floor) & (rng <= max_range_m), floor, np.inf), dtype=float)


def to_polar(
    antenna_m: ArrayLike, target_m: ArrayLike, re_m: float = EFFECTIVE_EARTH_RADIUS_M
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Slant range (m), azimuth (rad, clockwise from north), elevation (rad) and ground range (m) of targets.

    ``antenna_m`` is ``(3,)`` or broadcastable to ``target_m`` ``(..., 3)``. Elevation is measured from the
    antenna's local horizontal on the effective earth, so a target on the radar horizon has the horizon's
    (negative) elevation.
    """
    a = np.asarray(antenna_m, dtype=float)
    t = np.asarray(target_m, dtype=float)
    de = t[..., 0] - a[..., 0]
    dn = t[..., 1] - a[..., 1]
    ground = np.hypot(de, dn)
    theta = ground / re_m
    ra = re_m + a[..., 2]
    rt = re_m + t[..., 2]
    x = rt * np.sin(theta)  # along the ground track, perpendicular to the antenna's vertical
    z = rt * np.cos(theta) - ra  # up along the antenna's vertical
    rng = np.hypot(x, z)
    az = np.mod(np.arctan2(de, dn), 2 * np.pi)
    el = np.arctan2(z, x)
    return rng, az, el, ground


def from_polar(
    antenna_m: ArrayLike,
    range_m: ArrayLike,
    az_rad: ArrayLike,
    el_rad: ArrayLike,
    re_m: float = EFFECTIVE_EARTH_RADIUS_M,
) -> FloatArray:
    """Inverse of `to_polar`: local-frame positions ``(..., 3)`` of plots measured at range/azimuth/elevation."""
    a = np.asarray(antenna_m, dtype=float)
    r = np.asarray(range_m, dtype=float)
    az = np.asarray(az_rad, dtype=float)
    el = np.asarray(el_rad, dtype=float)
    ra = re_m + a[..., 2]
    x = r * np.cos(el)
    z = ra + r * np.sin(el)
    theta = np.arctan2(x, z)
    alt = np.hypot(x, z) - re_m
    ground = re_m * theta
    east = a[..., 0] + ground * np.sin(az)
    north = a[..., 1] + ground * np.cos(az)
    return np.stack(np.broadcast_arrays(east, north, alt), axis=-1)


def polar_covariance_to_local(
    antenna_m: ArrayLike,
    range_m: FloatArray,
    az_rad: FloatArray,
    el_rad: FloatArray,
    sigmas: tuple[float, float, float],
    re_m: float = EFFECTIVE_EARTH_RADIUS_M,
) -> FloatArray:
    """Covariance ``(N, 3, 3)`` in the local frame of plots with independent range/az/el errors ``sigmas``.

    ``sigmas`` is ``(sigma_range_m, sigma_az_rad, sigma_el_rad)``. Linearised through the Jacobian of
    `from_polar`, taken by central differences at each plot (exact enough: the steps are a millionth of the
    sigmas' scale and the function is smooth).
    """
    polar = np.stack([range_m, az_rad, el_rad], axis=-1)
    steps = np.array([1e-3, 1e-8, 1e-8])
    jac = np.empty((*polar.shape[:-1], 3, 3))
    for k in range(3):  # three columns, each vectorised over all plots
        hi = polar.copy()
        lo = polar.copy()
        hi[..., k] += steps[k]
        lo[..., k] -= steps[k]
        p_hi = from_polar(antenna_m, hi[..., 0], hi[..., 1], hi[..., 2], re_m)
        p_lo = from_polar(antenna_m, lo[..., 0], lo[..., 1], lo[..., 2], re_m)
        jac[..., :, k] = (p_hi - p_lo) / (2 * steps[k])
    d = np.diag(np.square(np.asarray(sigmas, dtype=float)))
    return np.asarray(jac @ d @ np.swapaxes(jac, -1, -2), dtype=float)
