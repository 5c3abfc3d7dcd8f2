"""Truth flights: where the aircraft of a scenario really are, as a function of time, in one local frame.

A scenario's ``truth:`` section is reserved but not yet read, so the truth is derived from what was filed:

- every route intent is flown as planned, leg by leg: the leg corridors give the waypoints, and the waypoint
  times are recovered from the leg windows (adjacent legs' windows overlap by twice the time uncertainty at the
  shared waypoint, so its time is the middle of the overlap); altitude is the middle of each leg's block;
- every orbit intent (a single circle, polygon or racetrack volume) is flown round its area, inset from the
  edge, at an orbit speed, from the start to the end of its window;
- a few unknown aircraft (no intent, no ADS-B) cross filed routes at the same level and time, so the safety
  nets have something to say;
- optionally, synthetic traffic: aircraft flying circles (load tests at 2,000 tracks).

Rejected intents are flown too: the live picture shows what parties do, not what they were allowed.

Positions are ``east_m, north_m, alt_m`` in a `LocalFrame` (see `commonsky.geo.geodesy`), times Unix seconds.
Values are immutable; `TruthSet.states_at` is pure and thread-safe.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely

from commonsky._typing import FloatArray
from commonsky.airspace.volume import CorridorShape, Volume
from commonsky.geo.geodesy import LocalFrame
from commonsky.plans.intent import Intent
from commonsky.surveillance.sensors.types import CALLSIGN_DTYPE, ICAO_DTYPE, TargetStates

ORBIT_MAX_SPEED_MS = 20.0
"""A single-corridor intent whose implied ground speed is below this is an orbit (a racetrack), not a route."""
DEFAULT_TIME_BUFFER_S = 120.0


@dataclass(frozen=True)
class TruthFlight:
    """One aircraft on a 4D polyline: ``t_s`` (P,) strictly increasing, ``pos_m`` (P, 3) in the frame.

    ``party`` is "" and ``intent_id`` "" for an unknown aircraft; ``icao24``/``callsign`` are what its transponder
    would broadcast (``adsb_on`` says whether it does).
    """

    flight_id: str
    party: str
    intent_id: str
    callsign: str
    icao24: str
    adsb_on: bool
    t_s: FloatArray
    pos_m: FloatArray

    @property
    def start_s(self) -> float:
        return float(self.t_s[0])

    @property
    def end_s(self) -> float:
        return float(self.t_s[-1])

    def position_m(self, t_s: float) -> FloatArray:
        """``(3,)`` position at ``t_s`` (clamped to the flight's ends). Lets a flight carry a sensor (AEW)."""
        return np.array([np.interp(t_s, self.t_s, self.pos_m[:, k]) for k in range(3)])


@dataclass(frozen=True)
class CircleTraffic:
    """Synthetic aircraft flying level circles: centre ``(K, 2)`` m, ``radius_m``, signed ``omega_rad_s``
    (positive = clockwise seen from above), ``phase_rad`` (bearing from the centre at ``t0_s``), ``alt_m``."""

    t0_s: float
    t1_s: float
    centre_m: FloatArray
    radius_m: FloatArray
    omega_rad_s: FloatArray
    phase_rad: FloatArray
    alt_m: FloatArray

    def __len__(self) -> int:
        return len(self.radius_m)

    def states(self, t_s: float) -> tuple[FloatArray, FloatArray]:
        """``(pos (K, 3), vel (K, 3))`` at ``t_s``."""
        a = self.phase_rad + self.omega_rad_s * (t_s - self.t0_s)
        sin, cos = np.sin(a), np.cos(a)
        pos = np.column_stack([self.centre_m[:, 0] + self.radius_m * sin, self.centre_m[:, 1] + self.radius_m * cos])
        v = self.omega_rad_s * self.radius_m
        vel = np.column_stack([v * cos, -v * sin, np.zeros(len(self))])
        return np.column_stack([pos, self.alt_m]), vel


@dataclass(frozen=True, eq=False)
class TruthSet:
    """All truth flights of a run. Polyline flights are packed into padded ``(F, P)`` arrays once, so
    `states_at` interpolates every flight at once."""

    frame: LocalFrame
    flights: tuple[TruthFlight, ...]
    circles: CircleTraffic | None = None
    _t: FloatArray = field(init=False, repr=False)
    _pos: FloatArray = field(init=False, repr=False)
    _n: np.ndarray = field(init=False, repr=False)
    _adsb: np.ndarray = field(init=False, repr=False)
    _identity: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        f = len(self.flights)
        p = max((len(fl.t_s) for fl in self.flights), default=2)
        t = np.full((f, p), np.inf)
        pos = np.zeros((f, p, 3))
        for i, fl in enumerate(self.flights):
            t[i, : len(fl.t_s)] = fl.t_s
            pos[i, : len(fl.t_s)] = fl.pos_m
            pos[i, len(fl.t_s) :] = fl.pos_m[-1]
        n = np.array([len(fl.t_s) for fl in self.flights], dtype=np.int64)
        k = len(self.circles) if self.circles is not None else 0
        syn = [f"SYN{i:04d}" for i in range(k)]
        identity = (
            np.array([fl.flight_id for fl in self.flights] + syn, dtype=str),
            np.array([fl.party for fl in self.flights] + ["traffic"] * k, dtype=str),
            np.array([fl.intent_id for fl in self.flights] + [""] * k, dtype=str),
            np.array([fl.callsign for fl in self.flights] + syn, dtype=CALLSIGN_DTYPE),
            np.array([fl.icao24 for fl in self.flights] + [f"e{i:05x}" for i in range(k)], dtype=ICAO_DTYPE),
        )
        adsb = np.array([fl.adsb_on for fl in self.flights] + [True] * k, dtype=bool)
        for name, value in (("_t", t), ("_pos", pos), ("_n", n), ("_adsb", adsb)):
            value.setflags(write=False)
            object.__setattr__(self, name, value)
        for column in identity:
            column.setflags(write=False)
        object.__setattr__(self, "_identity", identity)

    def __len__(self) -> int:
        return len(self.flights) + (len(self.circles) if self.circles is not None else 0)

    def identity(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per target id (flights first, then circles): flight_id, party, intent_id, callsign, icao24 arrays."""
        return self._identity

    def states_at(self, t_s: float) -> TargetStates:
        """The airborne targets at ``t_s``: target ids index `identity`'s arrays."""
        ids: list[np.ndarray] = []
        pos_parts: list[FloatArray] = []
        vel_parts: list[FloatArray] = []
        if self.flights:
            live = (self._t[:, 0] <= t_s) & (t_s <= self._t[np.arange(len(self._n)), self._n - 1])
            rows = np.flatnonzero(live)
            k = np.clip((self._t[rows] <= t_s).sum(axis=1) - 1, 0, self._n[rows] - 2)
            t0, t1 = self._t[rows, k], self._t[rows, k + 1]
            p0, p1 = self._pos[rows, k], self._pos[rows, k + 1]
            w = ((t_s - t0) / (t1 - t0))[:, None]
            ids.append(rows)
            pos_parts.append(p0 + w * (p1 - p0))
            vel_parts.append((p1 - p0) / (t1 - t0)[:, None])
        if self.circles is not None and self.circles.t0_s <= t_s <= self.circles.t1_s:
            pos, vel = self.circles.states(t_s)
            ids.append(np.arange(len(self.circles)) + len(self.flights))
            pos_parts.append(pos)
            vel_parts.append(vel)
        _, _, _, call, icao = self.identity()
        target = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
        return TargetStates(
            float(t_s),
            target.astype(np.int64),
            np.concatenate(pos_parts) if pos_parts else np.zeros((0, 3)),
            np.concatenate(vel_parts) if vel_parts else np.zeros((0, 3)),
            icao[target],
            call[target],
            self._adsb[target],
        )


def route_waypoints(volumes: Sequence[Volume]) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """``(lat, lon, alt_m, t_s)`` of the waypoints of a route given as consecutive corridor legs.

    Interior times: the middle of the overlap of the two legs' windows; end times: the leg window less the
    uncertainty seen at the nearest interior waypoint (`DEFAULT_TIME_BUFFER_S` for a one-leg route).
    """
    legs = [v for v in volumes if isinstance(v.shape, CorridorShape)]
    starts = np.array([v.window.start_s for v in legs])
    ends = np.array([v.window.end_s for v in legs])
    inner_t = (ends[:-1] + starts[1:]) / 2.0
    inner_u = (ends[:-1] - starts[1:]) / 2.0
    u_first = float(inner_u[0]) if len(inner_u) else DEFAULT_TIME_BUFFER_S
    u_last = float(inner_u[-1]) if len(inner_u) else DEFAULT_TIME_BUFFER_S
    times = np.concatenate([[starts[0] + u_first], inner_t, [ends[-1] - u_last]])
    mid = np.array([(v.band.floor.value_m + v.band.ceiling.value_m) / 2.0 for v in legs])
    alts = np.concatenate([[mid[0]], (mid[:-1] + mid[1:]) / 2.0, [mid[-1]]])
    pts = [legs[0].shape.points[0]] + [leg.shape.points[-1] for leg in legs]  # type: ignore[union-attr]
    lat = np.array([p[0] for p in pts], dtype=float)
    lon = np.array([p[1] for p in pts], dtype=float)
    return lat, lon, alts, times


def is_orbit(intent: Intent, frame: LocalFrame) -> bool:
    """One non-corridor volume, or one corridor too slow to be a leg flown from end to end (a racetrack)."""
    if len(intent.volumes) != 1:
        return False
    volume = intent.volumes[0]
    if not isinstance(volume.shape, CorridorShape):
        return True
    x, y = frame.to_local(*np.array(volume.shape.points, dtype=float).T)
    length = float(np.hypot(np.diff(x), np.diff(y)).sum())
    duration = volume.window.end_s - volume.window.start_s - 2 * DEFAULT_TIME_BUFFER_S
    return duration <= 0 or length / duration < ORBIT_MAX_SPEED_MS


def orbit_path(volume: Volume, frame: LocalFrame, speed_ms: float) -> tuple[FloatArray, FloatArray]:
    """``(t_s, pos_m)`` laps round the volume's area, inset from its edge, over its whole window."""
    area = frame.project(shapely.segmentize(volume.footprint, 0.02))
    inset = 0.3 * math.sqrt(area.area / math.pi)
    ring = area.buffer(-inset)
    if ring.is_empty or ring.geom_type != "Polygon":
        ring = area
    xy = np.asarray(ring.exterior.coords)
    step = np.hypot(*np.diff(xy, axis=0).T)
    lap_m = float(step.sum())
    t0, t1 = volume.window.start_s, volume.window.end_s
    laps = max(1, math.ceil((t1 - t0) * speed_ms / lap_m))
    loop = np.concatenate([xy[:1], np.tile(xy[1:], (laps, 1))])
    dist = np.concatenate([[0.0], np.cumsum(np.tile(step, laps))])
    t = t0 + dist / speed_ms
    keep = t <= t1
    alt = (volume.band.floor.value_m + volume.band.ceiling.value_m) / 2.0
    pos = np.column_stack([loop[keep], np.full(int(keep.sum()), alt)])
    return t[keep], pos


def intent_flight(intent: Intent, frame: LocalFrame, adsb_on: bool, serial: int) -> TruthFlight:
    """The flight that flies ``intent`` as planned (route or orbit)."""
    if is_orbit(intent, frame):
        volume = intent.volumes[0]
        alt = (volume.band.floor.value_m + volume.band.ceiling.value_m) / 2.0
        t, pos = orbit_path(volume, frame, 140.0 if alt > 6000.0 else 45.0)
    else:
        lat, lon, alt_m, t = route_waypoints(intent.volumes)
        x, y = frame.to_local(lat, lon)
        pos = np.column_stack([x, y, alt_m])
    callsign = (intent.party[:3].upper() + f"{serial:02d}")[:8]
    return TruthFlight(intent.id, intent.party, intent.id, callsign, f"{0x700000 + serial:06x}", adsb_on, t, pos)


def unknown_crossers(routes: Sequence[TruthFlight], n: int, rng: np.random.Generator) -> list[TruthFlight]:
    """``n`` unknown aircraft (no intent, ADS-B off), each crossing a route at right angles, at its level and
    time, at 55 m/s below 3,000 m (a light aircraft), else 200 m/s, 20 minutes either side of the crossing."""
    out: list[TruthFlight] = []
    for k in range(min(n, 10 * len(routes))):
        route = routes[k % len(routes)]
        tc = route.start_s + (0.3 + 0.4 * rng.random()) * (route.end_s - route.start_s)
        pc = route.position_m(tc)
        vr = route.position_m(tc + 1.0) - route.position_m(tc - 1.0)
        side = 1.0 if k % 2 == 0 else -1.0
        across = side * np.array([vr[1], -vr[0]]) / max(float(np.hypot(vr[0], vr[1])), 1e-9)
        v = (55.0 if pc[2] < 3000.0 else 200.0) * across
        t = tc + np.array([-1200.0, 1200.0])
        alt = pc[2] + rng.uniform(-60.0, 60.0)
        pos = np.column_stack([pc[0] + v[0] * (t - tc), pc[1] + v[1] * (t - tc), [alt, alt]])
        out.append(TruthFlight(f"UNK-{k + 1}", "", "", "", "", False, t, pos))
    return out


def circle_traffic(
    n: int, t0_s: float, t1_s: float, rng: np.random.Generator, radius_m: float = 320_000.0
) -> CircleTraffic:
    """``n`` aircraft on level circles (radius 20-80 km, 150-250 m/s, FL250-FL400) centred in a disc of
    ``radius_m`` round the frame origin: steady load that stays in coverage of a receiver at the origin."""
    r = radius_m * np.sqrt(rng.random(n))
    b = rng.uniform(0, 2 * np.pi, n)
    centre = np.column_stack([r * np.sin(b), r * np.cos(b)])
    radius = rng.uniform(20_000.0, 80_000.0, n)
    omega = rng.uniform(150.0, 250.0, n) / radius * rng.choice([-1.0, 1.0], n)
    return CircleTraffic(
        t0_s, t1_s, centre, radius, omega, rng.uniform(0, 2 * np.pi, n), rng.uniform(7_600.0, 12_200.0, n)
    )


__all__ = [
    "CircleTraffic",
    "TruthFlight",
    "TruthSet",
    "circle_traffic",
    "intent_flight",
    "is_orbit",
    "orbit_path",
    "route_waypoints",
    "truth_from_intents",
    "unknown_crossers",
]


def truth_from_intents(
    intents: Sequence[Intent],
    frame: LocalFrame,
    adsb_parties: frozenset[str] = frozenset(),
    unknowns: int = 3,
    seed: int = 1,
    circles: CircleTraffic | None = None,
) -> TruthSet:
    """Every intent flown as planned (ADS-B on for ``adsb_parties``), plus ``unknowns`` unknown crossers of the
    route flights (seeded by ``seed``) and optional synthetic ``circles``."""
    flights = [
        intent_flight(intent, frame, intent.party in adsb_parties, serial) for serial, intent in enumerate(intents)
    ]
    routes = [fl for fl, intent in zip(flights, intents, strict=True) if not is_orbit(intent, frame)]
    flights += unknown_crossers(routes, unknowns, np.random.default_rng(seed)) if routes else []
    return TruthSet(frame, tuple(flights), circles)
