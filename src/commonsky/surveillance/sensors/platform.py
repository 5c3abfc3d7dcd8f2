"""Where a sensor's antenna is: a fixed site or an aircraft flying an orbit (circle or racetrack).

A platform is anything with ``position_m(t_s) -> (3,)`` (east, north, alt in the local frame). Orbits are
flown at constant speed and altitude; ``t_s = 0`` is the start point given by ``phase_deg`` / the first leg.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from commonsky._typing import FloatArray
from commonsky.errors import InputError


class Platform(Protocol):
    """The antenna's position over time."""

    def position_m(self, t_s: float) -> FloatArray:
        """``(3,)`` east_m, north_m, alt_m at time ``t_s``."""
        ...


@dataclass(frozen=True)
class FixedSite:
    """A ground antenna: ``alt_m`` is the antenna height above sea level (terrain plus mast)."""

    east_m: float
    north_m: float
    alt_m: float

    def position_m(self, t_s: float) -> FloatArray:
        return np.array([self.east_m, self.north_m, self.alt_m])


@dataclass(frozen=True)
class CircleOrbit:
    """A circular orbit about ``(centre_east_m, centre_north_m)``, clockwise seen from above by default."""

    centre_east_m: float
    centre_north_m: float
    radius_m: float
    alt_m: float
    speed_ms: float
    phase_deg: float = 0.0  # bearing from the centre to the platform at t = 0
    clockwise: bool = True

    def __post_init__(self) -> None:
        if self.radius_m <= 0 or self.speed_ms <= 0:
            raise InputError(f"orbit radius and speed must be positive, got {self.radius_m} m, {self.speed_ms} m/s")

    def position_m(self, t_s: float) -> FloatArray:
        turn = self.speed_ms * t_s / self.radius_m * (1 if self.clockwise else -1)
        bearing = math.radians(self.phase_deg) + turn
        return np.array(
            [
                self.centre_east_m + self.radius_m * math.sin(bearing),
                self.centre_north_m + self.radius_m * math.cos(bearing),
                self.alt_m,
            ]
        )


@dataclass(frozen=True)
class RacetrackOrbit:
    """A racetrack: two straight legs of ``leg_length_m`` joined by half circles of ``turn_radius_m``.

    The first leg starts at ``(start_east_m, start_north_m)`` heading ``heading_deg``; turns are to the right.
    """

    start_east_m: float
    start_north_m: float
    heading_deg: float
    leg_length_m: float
    turn_radius_m: float
    alt_m: float
    speed_ms: float

    def __post_init__(self) -> None:
        if min(self.leg_length_m, self.turn_radius_m, self.speed_ms) <= 0:
            raise InputError("racetrack leg length, turn radius and speed must be positive")

    def position_m(self, t_s: float) -> FloatArray:
        leg, r = self.leg_length_m, self.turn_radius_m
        lap = 2 * leg + 2 * math.pi * r
        s = (self.speed_ms * t_s) % lap
        # Along-track x (first leg direction) and cross-track y (to the right) in the orbit's own frame.
        if s < leg:
            x, y = s, 0.0
        elif s < leg + math.pi * r:
            a = (s - leg) / r
            x, y = leg + r * math.sin(a), r - r * math.cos(a)
        elif s < 2 * leg + math.pi * r:
            x, y = leg - (s - leg - math.pi * r), 2 * r
        else:
            a = (s - 2 * leg - math.pi * r) / r
            x, y = -r * math.sin(a), r + r * math.cos(a)
        h = math.radians(self.heading_deg)
        # heading h: along = (sin h, cos h) in (east, north); right = (cos h, -sin h)
        east = self.start_east_m + x * math.sin(h) + y * math.cos(h)
        north = self.start_north_m + x * math.cos(h) - y * math.sin(h)
        return np.array([east, north, self.alt_m])
