"""The Earth's constants against pyproj's own WGS84 ellipsoid (an independent source)."""

from __future__ import annotations

import math

import pytest
from pyproj import Geod

from commonsky import earth


def test_wgs84_matches_pyproj() -> None:
    geod = Geod(ellps="WGS84")
    assert geod.a == earth.WGS84_A_M
    assert pytest.approx(geod.f, rel=1e-15) == earth.WGS84_F


def test_mean_radius_is_iugg_r1_of_wgs84() -> None:
    geod = Geod(ellps="WGS84")
    r1 = (2.0 * geod.a + geod.b) / 3.0
    assert pytest.approx(r1, abs=0.05) == earth.EARTH_MEAN_RADIUS_M  # published to 0.1 m


def test_spheres_and_the_radar_horizon() -> None:
    assert earth.BLUESKY_EARTH_RADIUS_M == earth.ROUND_EARTH_RADIUS_M == 6_371_000.0
    # the textbook rule: the radio horizon of an antenna h metres up is about 4.12 sqrt(h) km over the 4/3 earth
    h_m = 100.0
    horizon_km = math.sqrt(2.0 * earth.EFFECTIVE_EARTH_RADIUS_M * h_m) / 1000.0
    assert horizon_km == pytest.approx(4.12 * math.sqrt(h_m), rel=0.01)
