"""Field decoding of the Mode S messages a picture needs, in pure Python on one integer (pyModeS's way: shift and
mask), so that a feed does not pay a call into rs1090 and back for every message.

`decode_native` covers what makes a state vector: DF0/4/16/20 altitude, DF5/21 identity (squawk), DF11
capability, and DF17 identification (TC 1-4), surface position (5-8), airborne position (9-18 barometric; 20-22
GNSS height, not kept), velocity (19) and emergency status (28 subtype 1: the Mode A code). Every other DF17 type
carries nothing a state vector holds: it decodes to an empty observation. DF18 (TIS-B, ADS-R), altitudes in metres
and Comm-B replies whose register may be identification (BDS 2,0) are left to rs1090 (`NEEDS_RS1090`).

Equal to rs1090 on every field kept (the tests compare them on real messages and every code), except where rs1090
2.x departs from DO-260B: supersonic velocity (subtype 2) is in 4 kt units, and only subtype 1 of type 28 carries
a Mode A code. Units as the feeds' own: ft, kt, degrees, ft/min.
"""

from __future__ import annotations

import math
from typing import Final

from commonsky.surveillance.feeds.records import CprFix, Observation

CHARSET: Final = "#ABCDEFGHIJKLMNOPQRSTUVWXYZ##### ###############0123456789######"
NEEDS_RS1090: Final = None
"""What `decode_native` answers for a message it leaves to rs1090."""


def _gray_to_binary(value: int) -> int:
    mask = value >> 1
    while mask:
        value ^= mask
        mask >>= 1
    return value


def gillham_alt_ft(g500: int, g100: int) -> float | None:
    """Altitude (ft) of a Gillham (Mode C) code: the 500 ft Gray code D2 D4 A1 A2 A4 B1 B2 B4 and the 100 ft one
    C1 C2 C4 (a "five-hundreds, then hundreds" reflected count); None for an invalid or negative one."""
    n500, n100 = _gray_to_binary(g500), _gray_to_binary(g100)
    if n100 in (0, 5, 6):
        return None
    if n100 == 7:
        n100 = 5
    if n500 % 2:
        n100 = 6 - n100
    alt = n500 * 500 + n100 * 100 - 1300
    return float(alt) if alt >= 0 else None  # below sea level read as invalid, as rs1090 reads it


def altitude13_ft(ac: int) -> float | None:
    """The 13-bit altitude code of DF0/4/16/20 (C1 A1 C2 A2 C4 A4 M B1 Q B2 D2 B4 D4), or None (unknown, metric)."""
    if ac == 0:
        return None
    if ac & 0x40:  # M = 1: metres (rare; `decode_native` leaves those to rs1090)
        return None
    if ac & 0x10:  # Q = 1: 25 ft steps, the 11 bits left once M and Q are taken out
        n = ((ac & 0x1F80) >> 2) | ((ac & 0x20) >> 1) | (ac & 0xF)
        return n * 25.0 - 1000.0
    c1, a1, c2, a2, c4, a4, _, b1, _, b2, d2, b4, d4 = ((ac >> (12 - i)) & 1 for i in range(13))
    g500 = d2 << 7 | d4 << 6 | a1 << 5 | a2 << 4 | a4 << 3 | b1 << 2 | b2 << 1 | b4
    return gillham_alt_ft(g500, c1 << 2 | c2 << 1 | c4)


def altitude12_ft(ac: int) -> float | None:
    """The 12-bit altitude of an airborne position (Q bit 8th from the top), or None."""
    if ac == 0:
        return None
    if ac & 0x10:
        n = ((ac & 0xFE0) >> 1) | (ac & 0xF)
        return n * 25.0 - 1000.0
    # Gillham: insert the M bit (0) to make the 13-bit layout.
    return altitude13_ft(((ac & 0xFC0) << 1) | (ac & 0x3F))


def squawk(id13: int) -> str:
    """The four octal digits of a 13-bit identity code (C1 A1 C2 A2 C4 A4 X B1 D1 B2 D2 B4 D4)."""
    bit = [(id13 >> (12 - i)) & 1 for i in range(13)]
    a = bit[5] << 2 | bit[3] << 1 | bit[1]
    b = bit[11] << 2 | bit[9] << 1 | bit[7]
    c = bit[4] << 2 | bit[2] << 1 | bit[0]
    d = bit[12] << 2 | bit[10] << 1 | bit[8]
    return f"{a}{b}{c}{d}"


def identification(me: int) -> str | None:
    """The callsign of an identification message's 56-bit ME field (TC 1-4), or None when it is blank."""
    chars = "".join(CHARSET[(me >> (42 - 6 * i)) & 0x3F] for i in range(8))
    text = chars.replace("#", "").replace(" ", "")  # as rs1090: padding and invalid characters dropped
    return text or None


def _surface_speed_kt(movement: int) -> float | None:
    """Ground speed of a surface position's movement field (DO-260B table), lower bound of each step."""
    if movement == 0 or movement > 124:
        return None
    if movement == 1:
        return 0.0
    if movement <= 8:
        return 0.125 + (movement - 2) * 0.125
    if movement <= 12:
        return 1.0 + (movement - 9) * 0.25
    if movement <= 38:
        return 2.0 + (movement - 13) * 0.5
    if movement <= 93:
        return 15.0 + (movement - 39) * 1.0
    if movement <= 108:
        return 70.0 + (movement - 94) * 2.0
    if movement <= 123:
        return 100.0 + (movement - 109) * 5.0
    return 175.0


def _velocity(me: int, timestamp_s: float, icao24: str) -> Observation:
    subtype = (me >> 48) & 0x7
    vr = (me >> 10) & 0x1FF
    rate = float((vr - 1) * 64 * (-1 if (me >> 19) & 1 else 1)) if vr else None
    if subtype == 1 or subtype == 2:
        v_ew, v_ns = (me >> 32) & 0x3FF, (me >> 21) & 0x3FF
        if v_ew and v_ns:
            scale = 4 if subtype == 2 else 1
            east = (v_ew - 1) * scale * (-1 if (me >> 42) & 1 else 1)
            north = (v_ns - 1) * scale * (-1 if (me >> 31) & 1 else 1)
            track = math.degrees(math.atan2(east, north)) % 360.0
            return Observation(
                timestamp_s, icao24, groundspeed_kt=math.hypot(east, north), track_deg=track, vertical_rate_fpm=rate
            )
    return Observation(timestamp_s, icao24, vertical_rate_fpm=rate)


def decode_native(msg: bytes, df: int, icao24: str, timestamp_s: float) -> Observation | None:
    """The observation of a parity-checked message, or `NEEDS_RS1090` for one left to rs1090 (module docstring)."""
    value = int.from_bytes(msg, "big")
    bits = len(msg) * 8
    if df == 17:
        me = (value >> 24) & 0xFFFFFFFFFFFFFF
        tc = me >> 51
        if 9 <= tc <= 18:  # the commonest first: airborne position, barometric altitude
            cpr = CprFix((me >> 17) & 0x1FFFF, me & 0x1FFFF, bool((me >> 34) & 1), False)
            return Observation(
                timestamp_s, icao24, altitude_ft=altitude12_ft((me >> 36) & 0xFFF), onground=False, cpr=cpr
            )
        if tc == 19:
            return _velocity(me, timestamp_s, icao24)
        if 1 <= tc <= 4:
            return Observation(timestamp_s, icao24, callsign=identification(me))
        if 5 <= tc <= 8:
            speed = _surface_speed_kt((me >> 44) & 0x7F)
            track = ((me >> 36) & 0x7F) * 360.0 / 128.0 if (me >> 43) & 1 and speed is not None else None
            cpr = CprFix((me >> 17) & 0x1FFFF, me & 0x1FFFF, bool((me >> 34) & 1), True)
            return Observation(timestamp_s, icao24, groundspeed_kt=speed, track_deg=track, onground=True, cpr=cpr)
        if 20 <= tc <= 22:  # GNSS height: not the barometric altitude of a state vector
            cpr = CprFix((me >> 17) & 0x1FFFF, me & 0x1FFFF, bool((me >> 34) & 1), False)
            return Observation(timestamp_s, icao24, onground=False, cpr=cpr)
        if tc == 28 and (me >> 48) & 0x7 == 1:  # emergency/priority status: it carries the Mode A code
            return Observation(timestamp_s, icao24, squawk=squawk((me >> 32) & 0x1FFF))
        return Observation(timestamp_s, icao24)
    if df == 11:
        ca = (value >> (bits - 8)) & 0x7
        return Observation(timestamp_s, icao24, onground=True if ca == 4 else False if ca == 5 else None)
    if df in (0, 4, 16, 20, 5, 21):
        if df in (20, 21) and msg[4] == 0x20:
            return NEEDS_RS1090  # perhaps identification (BDS 2,0): rs1090 infers the register
        fs = msg[0] & 0x7
        ground = (
            True if df != 0 and df != 16 and fs in (1, 3) else False if df != 0 and df != 16 and fs in (0, 2) else None
        )
        field13 = (value >> (bits - 32)) & 0x1FFF
        if df in (5, 21):
            return Observation(timestamp_s, icao24, squawk=squawk(field13), onground=ground)
        if field13 & 0x40:
            return NEEDS_RS1090  # an altitude in metres
        return Observation(timestamp_s, icao24, altitude_ft=altitude13_ft(field13), onground=ground)
    return NEEDS_RS1090
