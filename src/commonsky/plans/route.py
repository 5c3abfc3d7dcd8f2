"""4D routes to volumes: each leg becomes a corridor with lateral, vertical and growing time buffers.

A leg from waypoint A (time t_A) to B (t_B) becomes one `Volume`:

- lateral: a geodesic corridor of half-width ``lateral_m`` around the leg;
- vertical: from the lower of the two altitudes minus ``vertical_m`` to the higher plus ``vertical_m`` (a climbing
  or descending leg reserves the whole block it crosses); an AGL floor never goes below the surface;
- time: ``[t_A - u(t_A), t_B + u(t_B))`` with ``u(t) = time_base_s + time_growth * (t - t_ref)``: the uncertainty
  grows with look-ahead from the reference time (filing time, else the first waypoint).

>>> from commonsky.units import parse_altitude as alt
>>> legs = route_volumes([Waypoint(33.75, 44.64, alt("1000ft AGL"), 0.0),
...                       Waypoint(34.27, 45.17, alt("1000ft AGL"), 1800.0)], RouteBuffers())
>>> len(legs), legs[0].window.end_s - legs[0].window.start_s
(1, 2070.0)
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace

from commonsky.airspace.volume import AltitudeBand, CorridorShape, TimeWindow, Volume
from commonsky.errors import InputError
from commonsky.units import FT_M, NM_M, Altitude, AltitudeRef


@dataclass(frozen=True)
class Waypoint:
    """A 4D point: degrees, an altitude with its reference, Unix seconds."""

    lat: float
    lon: float
    alt: Altitude
    time_s: float


@dataclass(frozen=True)
class RouteBuffers:
    """Buffers around a route. ``time_growth`` is seconds of extra uncertainty per second of look-ahead."""

    lateral_m: float = 2 * NM_M
    vertical_m: float = 500 * FT_M
    time_base_s: float = 120.0
    time_growth: float = 60.0 / 3600.0  # +1 min per hour ahead

    def __post_init__(self) -> None:
        if not self.lateral_m > 0:
            raise InputError(f"lateral buffer must be positive, got {self.lateral_m} m")
        if self.vertical_m < 0 or self.time_base_s < 0 or self.time_growth < 0:
            raise InputError("vertical and time buffers must not be negative")

    def uncertainty_s(self, time_s: float, reference_s: float) -> float:
        return self.time_base_s + self.time_growth * max(0.0, time_s - reference_s)


def _lower(a: Altitude, b: Altitude) -> Altitude:
    return a if a.value_m <= b.value_m else b


def _higher(a: Altitude, b: Altitude) -> Altitude:
    return a if a.value_m >= b.value_m else b


def leg_band(a: Altitude, b: Altitude, vertical_m: float) -> AltitudeBand:
    """The block a leg between altitudes ``a`` and ``b`` occupies, widened by ``vertical_m`` both ways."""
    low, high = _lower(a, b), _higher(a, b)
    floor_m = low.value_m - vertical_m
    if low.ref is AltitudeRef.AGL:
        floor_m = max(0.0, floor_m)
    return AltitudeBand(replace(low, value_m=floor_m), replace(high, value_m=high.value_m + max(vertical_m, 1.0)))


def route_volumes(
    waypoints: Sequence[Waypoint], buffers: RouteBuffers, reference_s: float | None = None
) -> tuple[Volume, ...]:
    """One corridor volume per leg. Times must increase strictly along the route."""
    if len(waypoints) < 2:
        raise InputError("a route needs at least two waypoints")
    for i, (a, b) in enumerate(itertools.pairwise(waypoints)):
        if not b.time_s > a.time_s:
            raise InputError(f"waypoint {i + 1} time is not after waypoint {i}")
    ref = waypoints[0].time_s if reference_s is None else reference_s
    volumes = []
    for a, b in itertools.pairwise(waypoints):
        shape = CorridorShape(((a.lat, a.lon), (b.lat, b.lon)), buffers.lateral_m)
        window = TimeWindow(
            a.time_s - buffers.uncertainty_s(a.time_s, ref), b.time_s + buffers.uncertainty_s(b.time_s, ref)
        )
        volumes.append(Volume(shape, leg_band(a.alt, b.alt, buffers.vertical_m), window))
    return tuple(volumes)


def times_from_speed(points: Sequence[tuple[float, float]], start_s: float, speeds_ms: Sequence[float]) -> list[float]:
    """Times at each (lat, lon) point flying leg i at ``speeds_ms[i]`` (m/s) along geodesics from ``start_s``."""
    from commonsky.airspace._footprint import wgs84

    if len(speeds_ms) != len(points) - 1:
        raise InputError("one speed per leg is needed")
    geod = wgs84()
    times = [start_s]
    for (lat1, lon1), (lat2, lon2), speed in zip(points[:-1], points[1:], speeds_ms, strict=True):
        if not speed > 0:
            raise InputError(f"speed must be positive, got {speed} m/s")
        _, _, dist = geod.inv(lon1, lat1, lon2, lat2)
        times.append(times[-1] + dist / speed)
    return times
