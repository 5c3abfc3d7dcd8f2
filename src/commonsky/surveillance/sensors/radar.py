"""Primary radar: a ground site or an airborne early-warning radar on an orbit.

One model serves both: the antenna rides a `Platform` (a `FixedSite` mast or a `CircleOrbit`/`RacetrackOrbit`).
Each scan is a snapshot at the scan time (the rotation within a scan is not modelled).

Detection probability against slant range ``R`` follows the large-SNR Swerling 1 curve. With
``Pd = Pfa ** (1 / (1 + SNR))`` and ``SNR ∝ R**-4``, ``ln Pd ≈ ln Pfa / SNR ∝ R**4``, so
``Pd(R) = pd_ref ** ((R / ref_range_m) ** 4)``: ``pd_ref`` at the reference range, close to 1 nearer in, and
falling fast beyond it. It is zero outside the instrumented range, below the minimum elevation or beyond the
4/3-earth radar horizon.

Noise is Gaussian and independent in range, azimuth and elevation. Plots are converted to the local frame with a
covariance linearised at the measured point. False alarms are a Poisson number per scan, uniform in the
coverage volume (uniform in ``range**3``, azimuth and ``sin(elevation)``, elevation between the lower limit and
``max_elevation_deg``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from commonsky._typing import FloatArray
from commonsky.earth import EFFECTIVE_EARTH_RADIUS_M
from commonsky.errors import InputError
from commonsky.surveillance.sensors.geometry import (
    from_polar,
    lowest_visible_alt_m,
    min_detectable_alt_m,
    polar_covariance_to_local,
    to_polar,
)
from commonsky.surveillance.sensors.platform import Platform
from commonsky.surveillance.sensors.types import (
    CALLSIGN_DTYPE,
    ICAO_DTYPE,
    NO_ORIGIN,
    Plots,
    TargetStates,
)


@dataclass(frozen=True)
class Radar:
    """A primary radar. Angles in degrees, lengths in metres, times in seconds.

    ``min_elevation_deg`` is the lowest beam elevation (ground radars: about 0; airborne radars look down, so
    use a negative value or leave the default of -90 and let the horizon decide).
    """

    sensor_id: int
    platform: Platform
    max_range_m: float
    scan_period_s: float = 4.0
    pd_ref: float = 0.9
    ref_range_m: float = 200_000.0
    sigma_range_m: float = 50.0
    sigma_az_deg: float = 0.1
    sigma_el_deg: float = 0.5
    false_alarms_per_scan: float = 0.0
    min_elevation_deg: float = 0.0
    max_elevation_deg: float = 45.0
    re_m: float = EFFECTIVE_EARTH_RADIUS_M

    def __post_init__(self) -> None:
        if self.max_range_m <= 0 or self.ref_range_m <= 0 or self.scan_period_s <= 0:
            raise InputError(f"radar {self.sensor_id}: max range, reference range and scan period must be positive")
        if not 0.0 < self.pd_ref < 1.0:
            raise InputError(f"radar {self.sensor_id}: pd_ref must be in (0, 1), got {self.pd_ref}")
        if min(self.sigma_range_m, self.sigma_az_deg, self.sigma_el_deg) <= 0 or self.false_alarms_per_scan < 0:
            raise InputError(f"radar {self.sensor_id}: noise sigmas must be positive and false alarms >= 0")
        if not -90.0 <= self.min_elevation_deg < self.max_elevation_deg <= 90.0:
            raise InputError(f"radar {self.sensor_id}: need -90 <= min elevation < max elevation <= 90 degrees")

    @property
    def cooperative(self) -> bool:
        """A primary radar sees every target, cooperative or not."""
        return False

    def pd_at_range(self, range_m: FloatArray) -> FloatArray:
        """Detection probability against slant range alone (no horizon), zero beyond ``max_range_m``."""
        r = np.asarray(range_m, dtype=float)
        pd = np.power(self.pd_ref, np.power(r / self.ref_range_m, 4))
        return np.asarray(np.where(r <= self.max_range_m, pd, 0.0), dtype=float)

    def visible(self, pos_m: FloatArray, t_s: float) -> np.ndarray:
        """True where a target at ``pos_m`` (N, 3) is in range, in the beam and above the radar horizon."""
        antenna = self.platform.position_m(t_s)
        rng, _, el, ground = to_polar(antenna, pos_m, self.re_m)
        floor = min_detectable_alt_m(ground, float(antenna[2]), self.min_elevation_deg, self.re_m)
        return np.asarray(
            (rng <= self.max_range_m)
            & (np.asarray(pos_m)[..., 2] >= floor)
            & (el <= np.radians(self.max_elevation_deg))
        )

    def detection_probability(self, pos_m: FloatArray, t_s: float) -> FloatArray:
        """Probability that a target at each ``(N, 3)`` position is detected in the scan at ``t_s``."""
        antenna = self.platform.position_m(t_s)
        rng = to_polar(antenna, pos_m, self.re_m)[0]
        return np.asarray(np.where(self.visible(pos_m, t_s), self.pd_at_range(rng), 0.0), dtype=float)

    def lowest_visible_alt_m(self, east_m: FloatArray, north_m: FloatArray, t_s: float = 0.0) -> FloatArray:
        """Lowest altitude (m) seen over each ground point (horizon and minimum elevation); ``inf`` out of range.
        Pd is not applied: see `detection_probability` for that."""
        antenna = self.platform.position_m(t_s)
        return lowest_visible_alt_m(antenna, east_m, north_m, self.min_elevation_deg, self.max_range_m, self.re_m)

    def times_s(self, start_s: float, end_s: float) -> FloatArray:
        """Scan times from ``start_s`` (inclusive) to ``end_s`` (exclusive)."""
        return np.arange(start_s, end_s, self.scan_period_s, dtype=float)

    def observe(self, truth: TargetStates, rng: np.random.Generator) -> Plots:
        """One scan at ``truth.t_s``: noisy plots of detected targets followed by false alarms."""
        antenna = self.platform.position_m(truth.t_s)
        r, az, el, _ = to_polar(antenna, truth.pos_m, self.re_m)
        pd = np.where(self.visible(truth.pos_m, truth.t_s), self.pd_at_range(r), 0.0)
        hit = rng.random(len(truth)) < pd
        sig = (self.sigma_range_m, np.radians(self.sigma_az_deg), np.radians(self.sigma_el_deg))
        noise = rng.standard_normal((int(hit.sum()), 3)) * np.asarray(sig)
        m_r = np.abs(r[hit] + noise[:, 0])
        m_az = np.mod(az[hit] + noise[:, 1], 2 * np.pi)
        m_el = el[hit] + noise[:, 2]
        fa_r, fa_az, fa_el = self._false_alarms(float(antenna[2]), rng)
        all_r = np.concatenate([m_r, fa_r])
        all_az = np.concatenate([m_az, fa_az])
        all_el = np.concatenate([m_el, fa_el])
        n = len(all_r)
        return Plots(
            t_s=truth.t_s,
            sensor_id=self.sensor_id,
            pos_m=from_polar(antenna, all_r, all_az, all_el, self.re_m).reshape(n, 3),
            cov_m2=polar_covariance_to_local(antenna, all_r, all_az, all_el, sig, self.re_m).reshape(n, 3, 3),
            range_m=all_r,
            az_deg=np.degrees(all_az),
            el_deg=np.degrees(all_el),
            icao24=np.full(n, "", dtype=ICAO_DTYPE),
            callsign=np.full(n, "", dtype=CALLSIGN_DTYPE),
            origin=np.concatenate([truth.target_id[hit], np.full(len(fa_r), NO_ORIGIN, dtype=np.int64)]),
        )

    def _false_alarms(
        self, antenna_alt_m: float, rng: np.random.Generator
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        count = int(rng.poisson(self.false_alarms_per_scan))
        el_horizon = -np.arccos(self.re_m / (self.re_m + max(antenna_alt_m, 0.0)))
        el_lo = max(np.radians(self.min_elevation_deg), el_horizon)  # above this the ray never meets the ground
        el_hi = np.radians(self.max_elevation_deg)
        u = rng.random((count, 3))
        r = self.max_range_m * np.cbrt(u[:, 0])
        az = 2 * np.pi * u[:, 1]
        el = np.arcsin(np.sin(el_lo) + (np.sin(el_hi) - np.sin(el_lo)) * u[:, 2])
        return r, az, el
