"""Per-aircraft state assembly: observations in, state vectors out, one per accepted position fix.

CPR positions decode globally from an even/odd pair received within 10 s, then locally against the aircraft's last
fix. A fix that would need more than ``max_speed_kt`` since the previous one is a decoding error (wrong pair, bad
reference, undetected corruption): it is rejected and counted, and the previous fix is forgotten so the next
global decode starts afresh (this heals both a bad new fix and a bad old one).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from commonsky.earth import EARTH_MEAN_RADIUS_M
from commonsky.surveillance.feeds import cpr
from commonsky.surveillance.feeds.counters import FeedCounters
from commonsky.surveillance.feeds.records import CprFix, Observation, StateVector
from commonsky.units import KT_MS


def haversine_m(lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float) -> float:
    """Great-circle distance in metres on the mean-radius sphere (enough for a plausibility check)."""
    p1, p2 = math.radians(lat1_deg), math.radians(lat2_deg)
    dp, dl = p2 - p1, math.radians(lon2_deg - lon1_deg)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_MEAN_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True, slots=True)
class StateOptions:
    """Tuning of `StateBuilder`.

    max_speed_kt: fastest plausible ground speed between two fixes. jump_slack_m: distance always allowed
    (timestamps from files without a clock are all equal). local_window_s: age up to which the last fix serves as
    the local-decoding reference. pair_window_s: largest even/odd spacing for a global decode. reference_deg:
    receiver position (lat, lon), used to decode surface positions before any fix. forget_after_s: an aircraft
    silent for this long loses its state (`prune`).
    """

    max_speed_kt: float = 1000.0
    jump_slack_m: float = 1852.0
    local_window_s: float = 60.0
    pair_window_s: float = cpr.PAIR_WINDOW_S
    reference_deg: tuple[float, float] | None = None
    forget_after_s: float = 600.0


class _Aircraft:
    """Mutable latest-known values of one aircraft, private to the builder."""

    __slots__ = (
        "altitude_ft",
        "callsign",
        "even",
        "fix",
        "groundspeed_kt",
        "last_seen_s",
        "odd",
        "onground",
        "squawk",
        "track_deg",
        "vertical_rate_fpm",
    )

    def __init__(self) -> None:
        self.callsign: str | None = None
        self.altitude_ft: float | None = None
        self.groundspeed_kt: float | None = None
        self.track_deg: float | None = None
        self.vertical_rate_fpm: float | None = None
        self.squawk: str | None = None
        self.onground: bool | None = None
        self.even: tuple[CprFix, float] | None = None
        self.odd: tuple[CprFix, float] | None = None
        self.fix: tuple[float, float, float] | None = None  # lat_deg, lon_deg, t_s
        self.last_seen_s = -math.inf

    def merge(self, obs: Observation) -> None:
        # Written out field by field: this runs once per message.
        if obs.callsign is not None:
            self.callsign = obs.callsign
        if obs.altitude_ft is not None:
            self.altitude_ft = obs.altitude_ft
        if obs.groundspeed_kt is not None:
            self.groundspeed_kt = obs.groundspeed_kt
            self.track_deg = obs.track_deg
        if obs.vertical_rate_fpm is not None:
            self.vertical_rate_fpm = obs.vertical_rate_fpm
        if obs.squawk is not None:
            self.squawk = obs.squawk
        if obs.onground is not None:
            self.onground = obs.onground
        if obs.timestamp_s > self.last_seen_s:
            self.last_seen_s = obs.timestamp_s


class StateBuilder:
    """Stateful assembly of state vectors from the observations of one feed. Not thread-safe."""

    def __init__(self, counters: FeedCounters | None = None, options: StateOptions | None = None) -> None:
        self.counters = counters if counters is not None else FeedCounters()
        self.options = options if options is not None else StateOptions()
        self._aircraft: dict[str, _Aircraft] = {}
        self._seen: set[str] = set()

    @property
    def aircraft_seen(self) -> int:
        """Distinct addresses observed since the start (pruned aircraft included)."""
        return len(self._seen)

    def update(self, obs: Observation) -> StateVector | None:
        """Take one observation; return the new state vector when it brought an accepted position fix."""
        plane = self._aircraft.get(obs.icao24)
        if plane is None:
            plane = self._aircraft[obs.icao24] = _Aircraft()
            self._seen.add(obs.icao24)
        plane.merge(obs)
        if obs.latitude_deg is not None and obs.longitude_deg is not None:
            candidate: tuple[float, float] | None = (obs.latitude_deg, obs.longitude_deg)
        elif obs.cpr is not None:
            candidate = self._resolve(plane, obs.cpr, obs.timestamp_s)
            if candidate is None:
                self.counters.cpr_unresolved += 1
                return None
        else:
            return None
        if candidate is None or not self._plausible(plane, candidate, obs.timestamp_s):
            return None
        plane.fix = (candidate[0], candidate[1], obs.timestamp_s)
        self.counters.positions += 1
        self.counters.states += 1
        return StateVector(
            timestamp_s=obs.timestamp_s,
            icao24=obs.icao24,
            latitude_deg=candidate[0],
            longitude_deg=candidate[1],
            callsign=plane.callsign,
            altitude_ft=plane.altitude_ft,
            groundspeed_kt=plane.groundspeed_kt,
            track_deg=plane.track_deg,
            vertical_rate_fpm=plane.vertical_rate_fpm,
            squawk=plane.squawk,
            onground=plane.onground,
        )

    def prune(self, now_s: float) -> int:
        """Forget aircraft silent for more than ``forget_after_s``; returns how many were forgotten."""
        stale = [icao for icao, p in self._aircraft.items() if now_s - p.last_seen_s > self.options.forget_after_s]
        for icao in stale:
            del self._aircraft[icao]
        return len(stale)

    def _resolve(self, plane: _Aircraft, fix: CprFix, t_s: float) -> tuple[float, float] | None:
        if fix.odd:
            plane.odd = (fix, t_s)
        else:
            plane.even = (fix, t_s)
        recent = plane.fix is not None and abs(t_s - plane.fix[2]) <= self.options.local_window_s
        if plane.fix is not None and recent:
            ref: tuple[float, float] | None = (plane.fix[0], plane.fix[1])
        else:
            ref = self.options.reference_deg if fix.surface else None
        if ref is not None:
            return cpr.local(
                fix.lat_cpr, fix.lon_cpr, odd=fix.odd, ref_lat_deg=ref[0], ref_lon_deg=ref[1], surface=fix.surface
            )
        if fix.surface:
            return None
        other = plane.even if fix.odd else plane.odd
        if other is None or other[0].surface or abs(t_s - other[1]) > self.options.pair_window_s:
            return None
        even, odd = (other[0], fix) if fix.odd else (fix, other[0])
        return cpr.airborne_global(even.lat_cpr, even.lon_cpr, odd.lat_cpr, odd.lon_cpr, odd_is_latest=fix.odd)

    def _plausible(self, plane: _Aircraft, candidate: tuple[float, float], t_s: float) -> bool:
        if plane.fix is None:
            return True
        lat, lon, prev_s = plane.fix
        reach_m = self.options.max_speed_kt * KT_MS * abs(t_s - prev_s) + self.options.jump_slack_m
        if haversine_m(lat, lon, candidate[0], candidate[1]) <= reach_m:
            return True
        self.counters.position_jumps += 1
        plane.fix = None
        plane.even = plane.odd = None
        return False
