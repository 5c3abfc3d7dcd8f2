"""ADS-B as a sensor: aircraft broadcast their own GNSS position and identity; a ground receiver hears them.

Position error follows the NACp the aircraft declares (a 95 % bound on horizontal error, the EPU); the
altitude error is that of a barometric altitude report. Reports come every ``update_period_s`` (position squitters
are 2 Hz; a tracker typically takes 1 Hz batches). Aircraft with ADS-B off -- ``TargetStates.adsb_on`` false or
their icao24 in ``silent_icao24`` -- are never reported. Reception needs line of sight on the 4/3 earth and range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from commonsky._typing import FloatArray
from commonsky.earth import EFFECTIVE_EARTH_RADIUS_M
from commonsky.errors import InputError
from commonsky.surveillance.sensors.geometry import (
    lowest_visible_alt_m,
    min_detectable_alt_m,
    to_polar,
)
from commonsky.surveillance.sensors.platform import Platform
from commonsky.surveillance.sensors.types import Plots, TargetStates

# Estimated Position Uncertainty (95 % horizontal radius, m) for each NACp, RTCA DO-260B table 2-14.
NACP_EPU_M: dict[int, float] = {
    1: 18_520.0,
    2: 7_408.0,
    3: 3_704.0,
    4: 1_852.0,
    5: 926.0,
    6: 555.6,
    7: 185.2,
    8: 92.6,
    9: 30.0,
    10: 10.0,
    11: 3.0,
}
# A circular 2D Gaussian holds 95 % of its mass within sqrt(-2 ln 0.05) sigma.
EPU95_PER_SIGMA = math.sqrt(-2.0 * math.log(0.05))


def nacp_sigma_m(nacp: int) -> float:
    """Per-axis horizontal standard deviation (m) implied by a NACp value (1..11).

    >>> round(nacp_sigma_m(9), 2)
    12.26
    """
    if nacp not in NACP_EPU_M:
        raise InputError(f"NACp must be an integer from 1 to 11, got {nacp!r}")
    return NACP_EPU_M[nacp] / EPU95_PER_SIGMA


@dataclass(frozen=True)
class AdsbReceiver:
    """A 1090 MHz ADS-B ground station (or any receiver on a `Platform`). Metres, seconds, degrees."""

    sensor_id: int
    platform: Platform
    nacp: int = 9
    sigma_alt_m: float = 10.0
    update_period_s: float = 1.0
    max_range_m: float = 400_000.0
    p_receive: float = 0.98
    silent_icao24: frozenset[str] = field(default_factory=frozenset)
    min_elevation_deg: float = 0.0
    re_m: float = EFFECTIVE_EARTH_RADIUS_M

    def __post_init__(self) -> None:
        nacp_sigma_m(self.nacp)
        if self.update_period_s <= 0 or self.max_range_m <= 0 or self.sigma_alt_m <= 0:
            raise InputError(f"ADS-B receiver {self.sensor_id}: update period, range and sigma must be positive")
        if not 0.0 < self.p_receive <= 1.0:
            raise InputError(f"ADS-B receiver {self.sensor_id}: p_receive must be in (0, 1], got {self.p_receive}")

    @property
    def cooperative(self) -> bool:
        """Only aircraft that transmit are heard."""
        return True

    @property
    def sigma_m(self) -> tuple[float, float, float]:
        """Per-axis standard deviations (east, north, alt) in metres."""
        s = nacp_sigma_m(self.nacp)
        return (s, s, self.sigma_alt_m)

    def broadcasting(self, truth: TargetStates) -> np.ndarray:
        """True for aircraft that transmit ADS-B (on, with an identity, and not in ``silent_icao24``)."""
        silent = np.isin(truth.icao24, np.asarray(sorted(self.silent_icao24), dtype=truth.icao24.dtype))
        return np.asarray(truth.adsb_on & (truth.icao24 != "") & ~silent)

    def detection_probability(self, pos_m: FloatArray, t_s: float) -> FloatArray:
        """Probability that a broadcasting aircraft at each position is heard (line of sight and range)."""
        antenna = self.platform.position_m(t_s)
        rng, _, _, ground = to_polar(antenna, pos_m, self.re_m)
        floor = min_detectable_alt_m(ground, float(antenna[2]), self.min_elevation_deg, self.re_m)
        seen = (rng <= self.max_range_m) & (np.asarray(pos_m)[..., 2] >= floor)
        return np.asarray(np.where(seen, self.p_receive, 0.0), dtype=float)

    def lowest_visible_alt_m(self, east_m: FloatArray, north_m: FloatArray, t_s: float = 0.0) -> FloatArray:
        """Lowest altitude (m) at which a transmitting aircraft over each ground point is heard; ``inf`` out of
        range."""
        antenna = self.platform.position_m(t_s)
        return lowest_visible_alt_m(antenna, east_m, north_m, self.min_elevation_deg, self.max_range_m, self.re_m)

    def times_s(self, start_s: float, end_s: float) -> FloatArray:
        """Report batch times from ``start_s`` (inclusive) to ``end_s`` (exclusive)."""
        return np.arange(start_s, end_s, self.update_period_s, dtype=float)

    def observe(self, truth: TargetStates, rng: np.random.Generator) -> Plots:
        """One batch of position reports at ``truth.t_s``, with identity."""
        pd = np.where(self.broadcasting(truth), self.detection_probability(truth.pos_m, truth.t_s), 0.0)
        heard = rng.random(len(truth)) < pd
        sig = np.asarray(self.sigma_m)
        pos = truth.pos_m[heard] + rng.standard_normal((int(heard.sum()), 3)) * sig
        return Plots.from_positions(
            truth.t_s,
            self.sensor_id,
            pos,
            np.diag(sig**2),
            icao24=list(truth.icao24[heard]),
            callsign=list(truth.callsign[heard]),
            origin=truth.target_id[heard],
        )
