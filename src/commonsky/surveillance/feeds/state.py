"""Per-aircraft state assembly: observations in, state vectors out, one per accepted position fix.

CPR positions decode globally from an even/odd pair received within 10 s, then locally against the aircraft's last
fix. A fix that would need more than ``max_speed_kt`` since the previous one is a decoding error (wrong pair, bad
reference, undetected corruption): it is rejected and counted, and the previous fix is forgotten so the next
global decode starts afresh (this heals both a bad new fix and a bad old one).

Input hygiene, with replay's limits (`commonsky.safety.tracks`, issue 13), each rejection counted by reason in
`FeedCounters`:
- an altitude outside [``min_alt_ft``, ``max_alt_ft``] is rejected (``altitude_out_of_range``), and so is one that
  steps from the previous one faster than ``max_vr_fpm`` (``altitude_spikes``; time steps under 1 s count as 1 s);
  the previous altitude is then forgotten too, so a bad old value heals at the next report;
- groundspeed and track missing, or not refreshed for ``stale_s``, are derived from the positions (the fix
  ``velocity_lag_s`` or more before, within ``max_gap_s``: ``derived_velocity``), and the vertical rate likewise from
  the altitudes over ``vr_window_s`` (``derived_vertical_rate``), as replay's `commonsky.safety.kinematics` does;
- the on-ground flag is carried on every state vector (ground suppression of the conflict alert).
"""

from __future__ import annotations

import math
from collections import deque
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
    silent for this long loses its state (`prune`). The rest: input hygiene (module docstring), replay's values.
    """

    max_speed_kt: float = 1000.0
    jump_slack_m: float = 1852.0
    local_window_s: float = 60.0
    pair_window_s: float = cpr.PAIR_WINDOW_S
    reference_deg: tuple[float, float] | None = None
    forget_after_s: float = 600.0
    min_alt_ft: float = -2000.0
    max_alt_ft: float = 80000.0
    max_vr_fpm: float = 12000.0
    stale_s: float = 15.0
    velocity_lag_s: float = 5.0
    vr_window_s: float = 20.0
    max_gap_s: float = 60.0


class _Aircraft:
    """Mutable latest-known values of one aircraft, private to the builder."""

    __slots__ = (
        "alt_t_s",
        "altitude_ft",
        "callsign",
        "even",
        "fix",
        "groundspeed_kt",
        "history",
        "last_seen_s",
        "odd",
        "onground",
        "squawk",
        "track_deg",
        "vel_t_s",
        "vertical_rate_fpm",
        "vr_t_s",
    )

    def __init__(self) -> None:
        self.callsign: str | None = None
        self.altitude_ft: float | None = None
        self.alt_t_s = -math.inf
        self.vel_t_s = -math.inf
        self.vr_t_s = -math.inf
        self.history: deque[tuple[float, float, float, float]] = deque()  # t_s, lat, lon, altitude_ft (NaN: none)
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
        if obs.groundspeed_kt is not None:
            self.groundspeed_kt = obs.groundspeed_kt
            self.track_deg = obs.track_deg
            self.vel_t_s = obs.timestamp_s
        if obs.vertical_rate_fpm is not None:
            self.vertical_rate_fpm = obs.vertical_rate_fpm
            self.vr_t_s = obs.timestamp_s
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
        if obs.altitude_ft is not None:
            self._take_altitude(plane, obs.altitude_ft, obs.timestamp_s)
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
        t_s = obs.timestamp_s
        plane.fix = (candidate[0], candidate[1], t_s)
        self.counters.positions += 1
        self.counters.states += 1
        gs_kt, track_deg, vr_fpm = plane.groundspeed_kt, plane.track_deg, plane.vertical_rate_fpm
        o = self.options
        history = plane.history
        while history and t_s - history[0][0] > o.max_gap_s:
            history.popleft()
        if gs_kt is None or track_deg is None or t_s - plane.vel_t_s > o.stale_s:
            derived = self._derived_velocity(history, candidate, t_s)
            if derived is not None:
                gs_kt, track_deg = derived
                self.counters.derived_velocity += 1
        altitude_ft = plane.altitude_ft
        if altitude_ft is not None and (vr_fpm is None or t_s - plane.vr_t_s > o.stale_s):
            old = next((h for h in reversed(history) if t_s - h[0] >= o.vr_window_s and h[3] == h[3]), None)
            if old is not None:
                vr_fpm = (altitude_ft - old[3]) / (t_s - old[0]) * 60.0
                self.counters.derived_vertical_rate += 1
        history.append((t_s, candidate[0], candidate[1], math.nan if altitude_ft is None else altitude_ft))
        return StateVector(
            timestamp_s=t_s,
            icao24=obs.icao24,
            latitude_deg=candidate[0],
            longitude_deg=candidate[1],
            callsign=plane.callsign,
            altitude_ft=altitude_ft,
            groundspeed_kt=gs_kt,
            track_deg=track_deg,
            vertical_rate_fpm=vr_fpm,
            squawk=plane.squawk,
            onground=plane.onground,
        )

    def _take_altitude(self, plane: _Aircraft, altitude_ft: float, t_s: float) -> None:
        """Keep ``altitude_ft`` unless it is out of range or a spike (module docstring)."""
        o = self.options
        if not o.min_alt_ft <= altitude_ft <= o.max_alt_ft:
            self.counters.altitude_out_of_range += 1
            return
        prev = plane.altitude_ft
        if prev is not None and abs(altitude_ft - prev) > o.max_vr_fpm / 60.0 * max(abs(t_s - plane.alt_t_s), 1.0):
            self.counters.altitude_spikes += 1
            plane.altitude_ft = None
            return
        plane.altitude_ft = altitude_ft
        plane.alt_t_s = t_s

    def _derived_velocity(
        self, history: deque[tuple[float, float, float, float]], fix: tuple[float, float], t_s: float
    ) -> tuple[float, float] | None:
        """Groundspeed (kt) and track (degrees) from the newest fix at least ``velocity_lag_s`` older, if any."""
        old = next((h for h in reversed(history) if t_s - h[0] >= self.options.velocity_lag_s), None)
        if old is None:
            return None
        dt = t_s - old[0]
        p1, p2 = math.radians(old[1]), math.radians(fix[0])
        north = EARTH_MEAN_RADIUS_M * (p2 - p1)
        dlon = math.radians((fix[1] - old[2] + 180.0) % 360.0 - 180.0)
        east = EARTH_MEAN_RADIUS_M * dlon * math.cos(0.5 * (p1 + p2))
        return math.hypot(north, east) / dt / KT_MS, math.degrees(math.atan2(east, north)) % 360.0

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
