"""The values that flow through a feed pipeline: decoded observations and the state vectors built from them.

They are named tuples, not frozen dataclasses: one is made per message on the hot path of a feed, and a tuple is
made four times faster. Units follow the OpenSky/traffic convention of the feeds themselves (ft, kt,
ft/min, degrees, UTC epoch seconds) and say so in the field names; `states_to_si` converts to commonsky's SI
arrays for the tracker.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from commonsky.units import FPM_MS, FT_M, KT_MS


class CprFix(NamedTuple):
    """One CPR-encoded position: 17-bit latitude and longitude fractions, parity, and surface or airborne grid."""

    lat_cpr: int
    lon_cpr: int
    odd: bool
    surface: bool = False


class Observation(NamedTuple):
    """What one message says about one aircraft; None means "not in this message".

    ``latitude_deg``/``longitude_deg`` are set by feeds that carry decoded positions (SBS); Mode S positions come
    as ``cpr`` and are resolved by the state builder.
    """

    timestamp_s: float
    icao24: str
    callsign: str | None = None
    altitude_ft: float | None = None
    groundspeed_kt: float | None = None
    track_deg: float | None = None
    vertical_rate_fpm: float | None = None
    squawk: str | None = None
    onground: bool | None = None
    cpr: CprFix | None = None
    latitude_deg: float | None = None
    longitude_deg: float | None = None


STATE_COLUMNS = (
    "timestamp",
    "icao24",
    "callsign",
    "latitude",
    "longitude",
    "altitude",
    "groundspeed",
    "track",
    "vertical_rate",
    "squawk",
    "onground",
)
"""CSV columns of state vectors, named as OpenSky/traffic name them (altitude is barometric, in ft)."""


class StateVector(NamedTuple):
    """The state of one aircraft at one position fix, with the latest known value of every other field.

    timestamp_s: UTC epoch seconds of the position fix. altitude_ft: barometric. groundspeed_kt, track_deg (true),
    vertical_rate_fpm (positive up). Unknown fields are None.
    """

    timestamp_s: float
    icao24: str
    latitude_deg: float
    longitude_deg: float
    callsign: str | None = None
    altitude_ft: float | None = None
    groundspeed_kt: float | None = None
    track_deg: float | None = None
    vertical_rate_fpm: float | None = None
    squawk: str | None = None
    onground: bool | None = None

    def row(self) -> tuple[object, ...]:
        """Values in `STATE_COLUMNS` order (None for unknown)."""
        return (
            self.timestamp_s,
            self.icao24,
            self.callsign,
            self.latitude_deg,
            self.longitude_deg,
            self.altitude_ft,
            self.groundspeed_kt,
            self.track_deg,
            self.vertical_rate_fpm,
            self.squawk,
            self.onground,
        )


def states_to_si(states: Sequence[StateVector]) -> dict[str, NDArray[np.float64] | NDArray[np.str_]]:
    """SI columns for the tracker: t_s, icao24, lat_deg, lon_deg, alt_m, gs_ms, trk_deg, vs_ms (NaN: unknown)."""

    def column(values: list[float | None], scale: float = 1.0) -> NDArray[np.float64]:
        return np.array([np.nan if v is None else v * scale for v in values], dtype=np.float64)

    return {
        "t_s": column([s.timestamp_s for s in states]),
        "icao24": np.array([s.icao24 for s in states], dtype=np.str_),
        "lat_deg": column([s.latitude_deg for s in states]),
        "lon_deg": column([s.longitude_deg for s in states]),
        "alt_m": column([s.altitude_ft for s in states], FT_M),
        "gs_ms": column([s.groundspeed_kt for s in states], KT_MS),
        "trk_deg": column([s.track_deg for s in states]),
        "vs_ms": column([s.vertical_rate_fpm for s in states], FPM_MS),
    }
