"""Synthetic Mode S traffic for load tests and demos: aircraft flying straight lines, as a receiver would hear them.

`synthetic_recording` encodes, for each of ``n_aircraft`` aircraft, ten messages a second in the proportions a
ground receiver hears them: two airborne positions (even and odd CPR), two velocities, two all-call replies (DF11),
an altitude reply (DF4), an identity reply (DF5, the squawk), a Comm-B altitude reply (DF20) and an identification
(TC 4). An aircraft ``on_ground`` sends what a transponder on the surface sends instead: surface positions (TC 7,
surface CPR, with its movement and track: no altitude, no TC 19 velocity), all-call replies with capability 4 ("on
the ground") and identity replies whose flight status says "on the ground" (FS 1), but no altitude replies.
Parity is computed as a transponder computes it (plain CRC for squitters, address/parity for replies), so every
message verifies. Pure functions of a seed; the result is a `Recording` any replay server serves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from commonsky.earth import ROUND_EARTH_RADIUS_M
from commonsky.surveillance.feeds.counters import FeedCounters
from commonsky.surveillance.feeds.cpr import CPR_SCALE, NZ, nl
from commonsky.surveillance.feeds.fields import CHARSET
from commonsky.surveillance.feeds.modes import RawFrame, crc24
from commonsky.surveillance.feeds.replay import Recording

MESSAGES_PER_S = 10


@dataclass(frozen=True)
class SyntheticAircraft:
    """One aircraft: address, callsign, squawk; start position (degrees), altitude (ft), ground speed (kt),
    track (degrees true), vertical rate (ft/min); ``on_ground``: on the surface (its altitude is not sent)."""

    icao24: int
    callsign: str
    squawk: str
    lat_deg: float
    lon_deg: float
    alt_ft: float
    gs_kt: float
    track_deg: float
    vs_fpm: float = 0.0
    on_ground: bool = False

    def position(self, t_s: float) -> tuple[float, float, float]:
        """(lat, lon, altitude ft) after ``t_s`` seconds (flat earth: a few hundred km at most)."""
        d_m = self.gs_kt * 1852.0 / 3600.0 * t_s
        north, east = d_m * math.cos(math.radians(self.track_deg)), d_m * math.sin(math.radians(self.track_deg))
        lat = self.lat_deg + math.degrees(north / ROUND_EARTH_RADIUS_M)
        lon = self.lon_deg + math.degrees(east / (ROUND_EARTH_RADIUS_M * math.cos(math.radians(self.lat_deg))))
        return lat, lon, self.alt_ft + self.vs_fpm * t_s / 60.0


def cpr_encode(lat_deg: float, lon_deg: float, odd: bool, surface: bool = False) -> tuple[int, int]:
    """CPR encoding (17 bits each) of a position, DO-260B A.1.7: airborne (zones of 360 degrees) or surface
    (``surface``: zones of 90 degrees, four times finer; decoded against a reference within 45 NM)."""
    i = 1 if odd else 0
    span = 90.0 if surface else 360.0
    dlat = span / (4 * NZ - i)
    yz = math.floor(CPR_SCALE * (lat_deg % dlat) / dlat + 0.5)
    rlat = dlat * (yz / CPR_SCALE + math.floor(lat_deg / dlat))
    dlon = span / max(nl(rlat) - i, 1)
    xz = math.floor(CPR_SCALE * (lon_deg % dlon) / dlon + 0.5)
    return yz & 0x1FFFF, xz & 0x1FFFF


_MOVEMENT_STEPS = (
    (0.125, 2, 0.125),
    (1.0, 9, 0.25),
    (2.0, 13, 0.5),
    (15.0, 39, 1.0),
    (70.0, 94, 2.0),
    (100.0, 109, 5.0),
)
"""The movement field's steps (DO-260B 2.2.3.2.4.2): from speed (kt), code, step (kt)."""


def movement_code(gs_kt: float) -> int:
    """The surface movement field (7 bits) of a ground speed in knots: 1 stopped, 124 at or above 175 kt; each
    speed goes to the step it is in (decoders read a step's lower bound)."""
    if gs_kt < 0.125:
        return 1
    if gs_kt >= 175.0:
        return 124
    low, code, step = next(s for s in reversed(_MOVEMENT_STEPS) if gs_kt >= s[0])
    return code + math.floor((gs_kt - low) / step + 1e-9)


def _alt12(alt_ft: float) -> int:
    n = max(0, min(2047, round((alt_ft + 1000.0) / 25.0)))
    return (n >> 4) << 5 | 0x10 | (n & 0xF)


def _alt13(alt_ft: float) -> int:
    n = max(0, min(2047, round((alt_ft + 1000.0) / 25.0)))
    return (n >> 5) << 7 | ((n >> 4) & 1) << 5 | 0x10 | (n & 0xF)


def _interleaved(x: int, y: int) -> list[int]:
    """The three bits of two octal digits, alternating from the lowest: x1 y1 x2 y2 x4 y4."""
    return [bit for k in range(3) for bit in (x >> k & 1, y >> k & 1)]


def _id13(code: str) -> int:
    a, b, c, d = (int(ch, 8) for ch in code)
    bits = [*_interleaved(c, a), 0, *_interleaved(b, d)]  # C1 A1 C2 A2 C4 A4 X B1 D1 B2 D2 B4 D4
    return sum(bit << (12 - k) for k, bit in enumerate(bits))


def _squitter(df: int, icao: int, me: int) -> bytes:
    head = bytes([df << 3 | 5]) + icao.to_bytes(3, "big") + me.to_bytes(7, "big")
    return head + crc24(head).to_bytes(3, "big")


def _reply(first: bytes, icao: int) -> bytes:
    """An address/parity reply: the parity field is the CRC of the rest XOR the address."""
    return first + (crc24(first) ^ icao).to_bytes(3, "big")


def position_squitter(plane: SyntheticAircraft, t_s: float, odd: bool) -> bytes:
    """The airborne position (DF17 TC 11, even or ``odd`` CPR) of ``plane`` at ``t_s``."""
    lat, lon, alt = plane.position(t_s)
    yz, xz = cpr_encode(lat, lon, odd)
    me = 11 << 51 | _alt12(alt) << 36 | int(odd) << 34 | yz << 17 | xz
    return _squitter(17, plane.icao24, me)


POSITION_SLOTS = (0, 5)
"""Where the two positions are in `messages`' list; with no vertical rate, every other message of an aircraft is
the same each second."""


def _surface_messages(plane: SyntheticAircraft, t_s: float) -> list[tuple[float, bytes]]:
    """The messages of one second on the surface (module docstring)."""
    icao, out = plane.icao24, []
    trk = round(plane.track_deg % 360.0 * 128.0 / 360.0) % 128
    for dt, odd in ((0.0, False), (0.5, True)):
        lat, lon, _ = plane.position(t_s + dt)
        yz, xz = cpr_encode(lat, lon, odd, surface=True)
        me = 7 << 51 | movement_code(plane.gs_kt) << 44 | 1 << 43 | trk << 36 | int(odd) << 34 | yz << 17 | xz
        out.append((t_s + dt, _squitter(17, icao, me)))
        all_call = bytes([11 << 3 | 4]) + icao.to_bytes(3, "big")  # CA 4: level 2+ transponder, on the ground
        out.append((t_s + dt + 0.2, all_call + crc24(all_call).to_bytes(3, "big")))
    out.append((t_s + 0.8, _reply(bytes([5 << 3 | 1, 0]) + _id13(plane.squawk).to_bytes(2, "big"), icao)))  # FS 1
    chars = [CHARSET.index(ch) for ch in plane.callsign.ljust(8)[:8]]
    out.append((t_s + 0.9, _squitter(17, icao, 4 << 51 | sum(c << (42 - 6 * j) for j, c in enumerate(chars)))))
    return out


def messages(plane: SyntheticAircraft, t_s: float) -> list[tuple[float, bytes]]:
    """The ten messages of one second from ``t_s`` (six on the surface), with their offsets (s)."""
    if plane.on_ground:
        return _surface_messages(plane, t_s)
    icao, out = plane.icao24, []
    for k, (dt, odd) in enumerate(((0.0, False), (0.5, True))):
        _, _, alt = plane.position(t_s + dt)
        out.append((t_s + dt, position_squitter(plane, t_s + dt, odd)))
        east = plane.gs_kt * math.sin(math.radians(plane.track_deg))
        north = plane.gs_kt * math.cos(math.radians(plane.track_deg))
        vr = round(abs(plane.vs_fpm) / 64.0) + 1
        me = (
            19 << 51
            | 1 << 48
            | int(east < 0) << 42
            | (round(abs(east)) + 1) << 32
            | int(north < 0) << 31
            | (round(abs(north)) + 1) << 21
            | int(plane.vs_fpm < 0) << 19
            | vr << 10
        )
        out.append((t_s + dt + 0.1, _squitter(17, icao, me)))
        all_call = bytes([11 << 3 | 5]) + icao.to_bytes(3, "big")
        out.append((t_s + dt + 0.2, all_call + crc24(all_call).to_bytes(3, "big")))
        if k == 0:
            out.append((t_s + 0.3, _reply(bytes([4 << 3, 0]) + _alt13(alt).to_bytes(2, "big"), icao)))
            comm_b = bytes([20 << 3, 0]) + _alt13(alt).to_bytes(2, "big") + bytes([0x10]) + bytes(6)
            out.append((t_s + 0.35, _reply(comm_b, icao)))
        else:
            out.append((t_s + 0.8, _reply(bytes([5 << 3, 0]) + _id13(plane.squawk).to_bytes(2, "big"), icao)))
            chars = [CHARSET.index(ch) for ch in plane.callsign.ljust(8)[:8]]
            me = 4 << 51 | sum(c << (42 - 6 * j) for j, c in enumerate(chars))
            out.append((t_s + 0.9, _squitter(17, icao, me)))
    return out


def synthetic_fleet(
    n_aircraft: int, centre_deg: tuple[float, float], radius_m: float = 300_000.0, seed: int = 1
) -> list[SyntheticAircraft]:
    """``n_aircraft`` aircraft spread over a disc, FL250-FL400, 380-480 kt, in every direction."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n_aircraft):
        r, bearing = radius_m * math.sqrt(rng.random()), rng.random() * 2 * math.pi
        lat = centre_deg[0] + math.degrees(r * math.cos(bearing) / ROUND_EARTH_RADIUS_M)
        lon = centre_deg[1] + math.degrees(
            r * math.sin(bearing) / (ROUND_EARTH_RADIUS_M * math.cos(math.radians(centre_deg[0])))
        )
        alt_ft, gs_kt, track_deg = float(rng.integers(250, 401) * 100), rng.uniform(380, 480), rng.uniform(0, 360)
        code = f"{(1000 + k) % 7777:04o}"[-4:]
        out.append(SyntheticAircraft(0x700000 + k, f"SYN{k:04d}", code, lat, lon, alt_ft, gs_kt, track_deg))
    return out


def synthetic_recording(fleet: list[SyntheticAircraft], duration_s: float) -> Recording:
    """Every message of ``fleet`` over ``duration_s`` seconds, in time order, as a `Recording`."""
    timed = [(t, msg) for plane in fleet for s in range(math.ceil(duration_s)) for t, msg in messages(plane, s)]
    timed.sort(key=lambda item: item[0])
    frames = tuple(RawFrame(msg) for _, msg in timed)
    return Recording(frames, np.array([t for t, _ in timed], dtype=float), FeedCounters())
