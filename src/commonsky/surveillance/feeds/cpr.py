"""Compact Position Reporting (CPR): pure functions turning 17-bit CPR coordinates into WGS84 degrees.

ADS-B position squitters carry latitude and longitude as 17-bit fractions of a zone, alternating between an even
and an odd zone grid. Two frames of opposite parity received within 10 s decode globally; afterwards one frame
decodes locally against a reference position within half a zone (180 NM airborne, 45 NM surface).

rs1090 does this inside its batch decoder but its Python API offers no streaming per-aircraft pairing, so the
state builder uses these functions; the tests cross-check them against rs1090 on real messages.

>>> round_pair = lambda p: (round(p[0], 5), round(p[1], 5))
>>> round_pair(airborne_global(93000, 51372, 74158, 50194, odd_is_latest=False))
(52.2572, 3.91937)
"""

from __future__ import annotations

import math

NZ = 15
CPR_SCALE = 131072.0  # 2**17
PAIR_WINDOW_S = 10.0
"""Even and odd frames further apart than this do not decode globally (the aircraft may have changed zone)."""


def nl(lat_deg: float) -> int:
    """Number of longitude zones at a latitude (1-59), the NL function of ICAO Doc 9871."""
    lat = abs(lat_deg)
    if lat == 0.0:
        return 59
    if lat == 87.0:
        return 2
    if lat > 87.0:
        return 1
    a = 1.0 - math.cos(math.pi / (2.0 * NZ))
    b = math.cos(math.pi / 180.0 * lat) ** 2
    return math.floor(2.0 * math.pi / math.acos(1.0 - a / b))


def airborne_global(
    lat_even: int, lon_even: int, lat_odd: int, lon_odd: int, *, odd_is_latest: bool
) -> tuple[float, float] | None:
    """Globally unambiguous airborne position (lat_deg, lon_deg) from one even and one odd frame.

    The position is that of the latest frame. Returns None when the two frames straddle a longitude-zone
    boundary (their NL differ), which means waiting for the next pair.
    """
    yz_e, yz_o = lat_even / CPR_SCALE, lat_odd / CPR_SCALE
    xz_e, xz_o = lon_even / CPR_SCALE, lon_odd / CPR_SCALE
    d_lat_e, d_lat_o = 360.0 / 60.0, 360.0 / 59.0
    j = math.floor(59.0 * yz_e - 60.0 * yz_o + 0.5)
    lat_e = d_lat_e * (j % 60 + yz_e)
    lat_o = d_lat_o * (j % 59 + yz_o)
    lat_e = lat_e - 360.0 if lat_e >= 270.0 else lat_e
    lat_o = lat_o - 360.0 if lat_o >= 270.0 else lat_o
    if abs(lat_e) > 90.0 or abs(lat_o) > 90.0 or nl(lat_e) != nl(lat_o):
        return None
    lat = lat_o if odd_is_latest else lat_e
    zones = nl(lat)
    ni = max(zones - 1, 1) if odd_is_latest else max(zones, 1)
    m = math.floor(xz_e * (zones - 1) - xz_o * zones + 0.5)
    lon = (360.0 / ni) * (m % ni + (xz_o if odd_is_latest else xz_e))
    lon = lon - 360.0 if lon >= 180.0 else lon
    return lat, lon


def local(
    lat_cpr: int, lon_cpr: int, *, odd: bool, ref_lat_deg: float, ref_lon_deg: float, surface: bool = False
) -> tuple[float, float]:
    """Position (lat_deg, lon_deg) of one CPR frame decoded against a reference position.

    Correct when the reference lies within half a zone of the truth: 180 NM airborne, 45 NM on the surface. The
    result is always within half a zone of the reference, so a wrong reference gives a wrong position silently:
    callers check plausibility (speed between fixes).
    """
    span = 90.0 if surface else 360.0
    i = 1 if odd else 0
    yz, xz = lat_cpr / CPR_SCALE, lon_cpr / CPR_SCALE
    d_lat = span / (60.0 - i)
    j = math.floor(ref_lat_deg / d_lat) + math.floor(0.5 + (ref_lat_deg % d_lat) / d_lat - yz)
    lat = d_lat * (j + yz)
    ni = nl(lat) - i
    d_lon = span / ni if ni > 0 else span
    m = math.floor(ref_lon_deg / d_lon) + math.floor(0.5 + (ref_lon_deg % d_lon) / d_lon - xz)
    lon = d_lon * (m + xz)
    lon = (lon + 180.0) % 360.0 - 180.0
    return lat, lon
