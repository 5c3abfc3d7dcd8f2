"""4/3-earth geometry: the radio horizon against the textbook rule and its inverse, minimum elevation, polar
coordinates and their noise."""

from __future__ import annotations

import math

import numpy as np
import pytest

from commonsky.earth import EFFECTIVE_EARTH_RADIUS_M
from commonsky.surveillance.sensors.geometry import (
    from_polar,
    horizon_range_m,
    min_detectable_alt_m,
    polar_covariance_to_local,
    to_polar,
)


@pytest.mark.parametrize(("h1", "h2"), [(10.0, 0.0), (30.0, 300.0), (15.0, 3_000.0), (9_000.0, 150.0)])
def test_horizon_matches_textbook(h1: float, h2: float) -> None:
    # d ≈ 4.12 (sqrt(h1) + sqrt(h2)) km is the small-height expansion of the exact tangent formula;
    # 4.12 itself is sqrt(2 * 4/3 * 6371 km) rounded, so allow its rounding plus the expansion's h/R term.
    exact = horizon_range_m(h1, h2)
    textbook = 4_120.0 * (math.sqrt(h1) + math.sqrt(h2))
    rounding = abs(math.sqrt(2 * EFFECTIVE_EARTH_RADIUS_M) / 1000.0 - 4.12) / 4.12
    assert exact == pytest.approx(textbook, rel=rounding + 2 * max(h1, h2) / EFFECTIVE_EARTH_RADIUS_M)


def test_min_detectable_altitude_is_the_horizon_inverse() -> None:
    antenna = 25.0
    ranges = np.array([10e3, 50e3, 150e3, 300e3])
    floor = min_detectable_alt_m(ranges, antenna)
    inside = ranges <= horizon_range_m(antenna, 0.0)
    assert np.all(floor[inside] == 0.0)
    # Beyond the horizon the floor is exactly the height whose horizon range is that ground range.
    np.testing.assert_allclose(horizon_range_m(antenna, floor[~inside]), ranges[~inside], rtol=1e-9)
    # Textbook: at 300 km, a 25 m mast sees down to about ((300 / 4.12) - sqrt(25))^2 m.
    assert floor[-1] == pytest.approx((300 / 4.12 - 5.0) ** 2, rel=0.01)


def test_minimum_elevation_raises_the_floor() -> None:
    r = np.array([50e3, 100e3])
    low = min_detectable_alt_m(r, 20.0, min_elevation_deg=-90)
    high = min_detectable_alt_m(r, 20.0, min_elevation_deg=1.0)
    assert np.all(high > low)
    # The 1° ray climbs by about r * tan(1°) plus the 4/3-earth drop r^2 / (2 Re).
    approx = 20.0 + r * math.tan(math.radians(1.0)) + r**2 / (2 * EFFECTIVE_EARTH_RADIUS_M)
    np.testing.assert_allclose(high, approx, rtol=0.01)


def test_polar_round_trip_and_target_on_horizon() -> None:
    rng = np.random.default_rng(3)
    targets = np.column_stack([rng.uniform(-300e3, 300e3, (200, 2)), rng.uniform(0, 12e3, 200)])
    for antenna_alt in (30.0, 9_000.0):  # a mast, and an airborne radar looking down
        antenna = np.array([1_000.0, -2_000.0, antenna_alt])
        r, az, el, _ = to_polar(antenna, targets)
        np.testing.assert_allclose(from_polar(antenna, r, az, el), targets, atol=1e-6)
    # A target exactly on the horizon is seen at the tangent's depression angle, -acos(Re / (Re + h)).
    h = horizon_range_m(30.0, 0.0)
    _, _, el_h, _ = to_polar(np.array([0.0, 0.0, 30.0]), np.array([[float(h), 0.0, 0.0]]))
    assert el_h[0] == pytest.approx(-math.acos(EFFECTIVE_EARTH_RADIUS_M / (EFFECTIVE_EARTH_RADIUS_M + 30.0)))


def test_covariance_is_the_linearised_polar_noise() -> None:
    antenna = np.array([0.0, 0.0, 10.0])
    cov = polar_covariance_to_local(antenna, np.array([100e3]), np.array([0.0]), np.array([0.0]), (50.0, 1e-3, 2e-3))
    # Looking north at the horizon: range error along north, azimuth error along east (r * sigma_az). The earth's
    # curvature tilts the elevation error by theta = r / Re, leaking (r sigma_el sin theta)^2 into north.
    tilt = 100e3 * 2e-3 * math.sin(100e3 / EFFECTIVE_EARTH_RADIUS_M)
    assert cov[0, 1, 1] == pytest.approx(50.0**2 + tilt**2, rel=5e-4)
    assert cov[0, 0, 0] == pytest.approx((100e3 * 1e-3) ** 2, rel=1e-3)
    assert cov[0, 2, 2] == pytest.approx((100e3 * 2e-3) ** 2, rel=0.02)
