"""CPR decoding against an encoder written here from the standard (DO-260B 2.2.3.2.7.1), on random positions, and
`nl` against the longitude-zone transition latitudes tabulated in ICAO Doc 9871 (an independent source)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from commonsky.surveillance.feeds.cpr import airborne_global, local, nl

SCALE = 2**17


def _nl(lat: float) -> int:
    """NL from the closed formula of the standard (the decoder's is checked against the table below)."""
    if abs(lat) >= 87.0:
        return 2 if abs(lat) == 87.0 else 1
    if lat == 0.0:
        return 59
    return math.floor(2 * math.pi / math.acos(1 - (1 - math.cos(math.pi / 30)) / math.cos(math.radians(lat)) ** 2))


def _encode(lat: float, lon: float, odd: bool, span: float = 360.0) -> tuple[int, int]:
    i = 1 if odd else 0
    dlat = span / (60 - i)
    yz = math.floor(SCALE * (lat % dlat) / dlat + 0.5)
    rlat = dlat * (yz / SCALE + math.floor(lat / dlat))
    dlon = span / max(_nl(rlat) - i, 1)
    xz = math.floor(SCALE * (lon % dlon) / dlon + 0.5)
    return yz % SCALE, xz % SCALE


# (latitude just below a transition, NL there): Doc 9871's table; NL drops by one just above each.
TRANSITIONS = [(10.47047130, 59), (14.82817437, 58), (51.89342469, 37), (53.09516153, 36), (86.53536998, 3), (87.0, 2)]


@pytest.mark.parametrize(("lat", "zones"), TRANSITIONS)
def test_nl_steps_down_at_the_tabulated_latitudes(lat: float, zones: int) -> None:
    assert nl(lat - 1e-6) == zones and nl(-(lat - 1e-6)) == zones
    assert nl(lat + 1e-6) == zones - 1


def test_global_decoding_returns_the_encoded_position() -> None:
    rng = np.random.default_rng(7)
    decoded = 0
    for lat, lon in zip(rng.uniform(-85.0, 85.0, 3000), rng.uniform(-180.0, 180.0, 3000), strict=True):
        even, odd = _encode(lat, lon, odd=False), _encode(lat, lon, odd=True)
        for odd_is_latest in (False, True):
            found = airborne_global(*even, *odd, odd_is_latest=odd_is_latest)
            if found is None:  # a zone boundary between the two grids' cells: the decoder waits, as it must
                assert _nl(lat) != _nl(lat + 0.01) or _nl(lat) != _nl(lat - 0.01)
                continue
            decoded += 1
            assert found[0] == pytest.approx(lat, abs=360.0 / 59 / SCALE)
            assert (found[1] - lon + 180.0) % 360.0 - 180.0 == pytest.approx(0.0, abs=360.0 / SCALE)
    assert decoded > 5900


@pytest.mark.parametrize("surface", [False, True])
def test_local_decoding_near_the_reference_returns_the_encoded_position(surface: bool) -> None:
    rng = np.random.default_rng(8)
    span = 90.0 if surface else 360.0
    reach_deg = (45.0 if surface else 180.0) / 60.0 * 0.9  # within half a zone (NM -> degrees of latitude)
    for lat, lon in zip(rng.uniform(-80.0, 80.0, 2000), rng.uniform(-180.0, 180.0, 2000), strict=True):
        odd = bool(rng.integers(2))
        ref_lat = lat + rng.uniform(-reach_deg, reach_deg) / 2
        ref_lon = lon + rng.uniform(-reach_deg, reach_deg) / 2 / math.cos(math.radians(lat)) / 4
        found = local(*_encode(lat, lon, odd, span), odd=odd, ref_lat_deg=ref_lat, ref_lon_deg=ref_lon, surface=surface)
        assert found[0] == pytest.approx(lat, abs=span / 59 / SCALE)
        assert (found[1] - lon + 180.0) % 360.0 - 180.0 == pytest.approx(0.0, abs=span / SCALE)
