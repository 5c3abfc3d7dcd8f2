"""The rules the engine applies: altitude comparison, privacy, and the bounds of resolution searches."""

from __future__ import annotations

from dataclasses import dataclass, field

from commonsky.airspace.volume import AltitudeModel
from commonsky.units import FT_M


@dataclass(frozen=True)
class Policy:
    """Engine policy. Metres and seconds.

    - ``altitude``: how AMSL, STD and AGL limits compare (see `commonsky.airspace.volume`).
    - ``reveal_others``: when False (the default) a party sees, of another party's intent, only the conflict
      (where, when, altitudes), never its id, party, priority or route.
    - ``max_time_shift_s`` / ``max_tries``: bounds of the earliest-free-slot and nearest-free-block searches.
    - ``altitude_step_m``: vertical resolutions move by whole multiples of this (1000 ft, as cruising levels).
    - ``lowest_floor_m`` / ``highest_ceiling_m``: a shifted block must stay within these (surface to FL600).
    """

    altitude: AltitudeModel = field(default_factory=AltitudeModel)
    reveal_others: bool = False
    max_time_shift_s: float = 24 * 3600.0
    max_tries: int = 40
    altitude_step_m: float = 1000 * FT_M
    lowest_floor_m: float = 0.0
    highest_ceiling_m: float = 60_000 * FT_M
