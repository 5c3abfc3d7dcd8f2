"""Protected zone and look-ahead: defaults, per party and per zone, resolved to per-aircraft arrays.

A pair uses the larger of both aircraft's values (as BlueSky does with its per-aircraft ``rpz``/``hpz``/
``dtlookahead`` arrays), so the most demanding party or zone of either aircraft governs the pair.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from shapely.geometry.base import BaseGeometry

from commonsky._typing import FloatArray
from commonsky.airspace.zone import Zone
from commonsky.errors import InputError
from commonsky.safety.parallel_runways import PARALLEL_CEILING_M, ParallelRule
from commonsky.units import FPM_MS, FT_M, KT_MS, NM_M, parse_distance, parse_duration, parse_length

ProtectionArrays = tuple[FloatArray, FloatArray, FloatArray]
"""(radius_m, half_height_m, lookahead_s), one value per aircraft of a picture (`ProtectionPolicy.per_aircraft`)."""


@dataclass(frozen=True, slots=True)
class Protection:
    """Protected zone radius (m), half-height (m) and look-ahead (s). Defaults: 5 NM, 1000 ft, 300 s.

    The STCA filters (`commonsky.safety.stca`) read the last three: ``level_band_ms``, the vertical-rate dead band
    inside which an aircraft counts as level (default 400 ft/min); ``surface_gs_ms`` and ``surface_alt_m``: an
    aircraft slower than the first and lower than the second above the aerodrome it is over counts as on the
    surface (default 50 kt and 2,500 ft); set either to 0 to rely on the on-ground flag alone.
    ``parallel_ceiling_m``: below it, pairs with the geometry of parallel runway operations take no part
    (`commonsky.safety.parallel_runways`, default 5,000 ft; 0 switches the filter off).
    """

    radius_m: float = 5.0 * NM_M
    half_height_m: float = 1000.0 * FT_M
    lookahead_s: float = 300.0
    level_band_ms: float = 400.0 * FPM_MS
    surface_gs_ms: float = 50.0 * KT_MS
    surface_alt_m: float = 2500.0 * FT_M
    parallel_ceiling_m: float = PARALLEL_CEILING_M

    def __post_init__(self) -> None:
        for name in ("level_band_ms", "surface_gs_ms", "surface_alt_m", "parallel_ceiling_m"):
            value = getattr(self, name)
            if not np.isfinite(value) or value < 0:
                raise InputError(f"protection {name} must be a finite number >= 0, got {value!r}")
        for name in ("radius_m", "half_height_m", "lookahead_s"):
            value = getattr(self, name)
            if not np.isfinite(value) or value <= 0:
                raise InputError(f"protection {name} must be a positive finite number, got {value!r}")

    def parallel_rule(self) -> ParallelRule:
        """The parallel-runway geometry with this protection's ceiling (the truth classifies with it too)."""
        return ParallelRule(ceiling_m=self.parallel_ceiling_m)

    @classmethod
    def parse(cls, radius: str, height: str, lookahead: str) -> Protection:
        """From the words people type (``5NM``, ``1000ft``, ``300s``); a bare height is feet."""
        return cls(
            radius_m=parse_distance(radius, what="--radius"),
            half_height_m=parse_length(height, default_unit="ft", what="--height"),
            lookahead_s=parse_duration(lookahead, what="--lookahead"),
        )


@dataclass(frozen=True)
class ZoneProtection:
    """Protection that applies to aircraft inside ``geometry`` (lon/lat) between ``floor_m`` and ``ceiling_m``."""

    geometry: BaseGeometry
    protection: Protection
    floor_m: float = -np.inf
    ceiling_m: float = np.inf

    @classmethod
    def from_zone(cls, zone: Zone, protection: Protection) -> ZoneProtection:
        """Protection inside a commonsky `Zone` (its band read as in `commonsky.safety.incursion`: STD and AMSL
        comparable, AGL over terrain at 0 m)."""
        return cls(zone.geometry, protection, zone.floor.value_m, zone.ceiling.value_m)


@dataclass(frozen=True)
class ProtectionPolicy:
    """Where which protection applies.

    Per aircraft: the default, replaced by its party's entry if any, then raised (element-wise max) by every
    zone the aircraft is inside. A pair then takes the max of both aircraft (see `pair_values`).
    """

    default: Protection = field(default_factory=Protection)
    by_party: Mapping[str, Protection] = field(default_factory=dict)
    zones: Sequence[ZoneProtection] = ()

    def per_aircraft(
        self, lat: FloatArray, lon: FloatArray, alt_m: FloatArray, party: npt.NDArray[np.str_]
    ) -> ProtectionArrays:
        """Arrays (radius_m, half_height_m, lookahead_s), one value per aircraft."""
        n = lat.shape[0]
        radius = np.full(n, self.default.radius_m)
        height = np.full(n, self.default.half_height_m)
        look = np.full(n, self.default.lookahead_s)
        for name, prot in self.by_party.items():
            mask = party == name
            radius[mask], height[mask], look[mask] = prot.radius_m, prot.half_height_m, prot.lookahead_s
        if self.zones and n:
            import shapely  # local: only needed with zone-specific protection

            for zone in self.zones:
                inside = np.asarray(shapely.contains_xy(zone.geometry, lon, lat), dtype=bool)
                inside &= (alt_m >= zone.floor_m) & (alt_m <= zone.ceiling_m)
                radius[inside] = np.maximum(radius[inside], zone.protection.radius_m)
                height[inside] = np.maximum(height[inside], zone.protection.half_height_m)
                look[inside] = np.maximum(look[inside], zone.protection.lookahead_s)
        return radius, height, look

    def filters_per_aircraft(
        self, lat: FloatArray, lon: FloatArray, alt_m: FloatArray, party: npt.NDArray[np.str_]
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Arrays (level_band_ms, surface_gs_ms, surface_alt_m, parallel_ceiling_m), one value per aircraft: the
        default, replaced by the party's entry, then by the last zone the aircraft is inside (a region sets its
        own filters)."""
        n = lat.shape[0]
        band = np.full(n, self.default.level_band_ms)
        gs = np.full(n, self.default.surface_gs_ms)
        alt = np.full(n, self.default.surface_alt_m)
        ceiling = np.full(n, self.default.parallel_ceiling_m)
        for name, prot in self.by_party.items():
            mask = party == name
            band[mask], gs[mask], alt[mask] = prot.level_band_ms, prot.surface_gs_ms, prot.surface_alt_m
            ceiling[mask] = prot.parallel_ceiling_m
        if self.zones and n:
            import shapely

            for zone in self.zones:
                inside = np.asarray(shapely.contains_xy(zone.geometry, lon, np.asarray(lat)), dtype=bool)
                inside &= (alt_m >= zone.floor_m) & (alt_m <= zone.ceiling_m)
                p = zone.protection
                band[inside], gs[inside], alt[inside] = p.level_band_ms, p.surface_gs_ms, p.surface_alt_m
                ceiling[inside] = p.parallel_ceiling_m
        return band, gs, alt, ceiling
