"""Sensor models: 4/3-earth horizon, Pd curve, noise statistics, false alarms, orbits, ADS-B on and off."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import chdtri

from commonsky.earth import EFFECTIVE_EARTH_RADIUS_M
from commonsky.errors import InputError
from commonsky.surveillance.sensors.adsb import AdsbReceiver, nacp_sigma_m
from commonsky.surveillance.sensors.geometry import (
    from_polar,
    horizon_range_m,
    min_detectable_alt_m,
    polar_covariance_to_local,
    to_polar,
)
from commonsky.surveillance.sensors.platform import CircleOrbit, FixedSite, RacetrackOrbit
from commonsky.surveillance.sensors.radar import Radar
from commonsky.surveillance.sensors.types import NO_ORIGIN, TargetStates


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


def ground_radar(**kw: float) -> Radar:
    base = dict(max_range_m=250e3, ref_range_m=150e3, pd_ref=0.8, sigma_range_m=60.0, sigma_az_deg=0.15)
    base.update(kw)
    return Radar(1, FixedSite(0.0, 0.0, 20.0), **base)  # type: ignore[arg-type]


def test_pd_curve() -> None:
    radar = ground_radar()
    r = np.array([0.0, 75e3, 150e3, 200e3, 260e3])
    pd = radar.pd_at_range(r)
    assert pd[0] == 1.0 and pd[2] == pytest.approx(0.8) and pd[-1] == 0.0
    assert pd[1] == pytest.approx(0.8 ** (0.5**4))
    assert np.all(np.diff(pd) < 0)
    # Empirical detection rate at 200 km matches Pd within 4 binomial sigmas.
    n = 4_000
    truth = TargetStates.build(0.0, np.tile([200e3, 0.0, 8_000.0], (n, 1)), np.zeros((n, 3)))
    plots = radar.observe(truth, np.random.default_rng(1))
    p = float(radar.detection_probability(truth.pos_m[:1], 0.0)[0])
    assert p == pytest.approx(0.8 ** ((to_polar(np.array([0, 0, 20.0]), truth.pos_m[:1])[0][0] / 150e3) ** 4))
    assert abs(len(plots) - n * p) < 4 * math.sqrt(n * p * (1 - p))


def test_horizon_and_elevation_limits_detection() -> None:
    radar = ground_radar(max_range_m=400e3, min_elevation_deg=0.0)
    ranges = np.array([100e3, 200e3, 300e3])
    floor = radar.lowest_visible_alt_m(ranges, np.zeros(3))
    above = np.column_stack([ranges, np.zeros(3), floor + 50.0])
    below = np.column_stack([ranges, np.zeros(3), floor - 50.0])
    assert np.all(radar.detection_probability(above, 0.0) > 0)
    assert np.all(radar.detection_probability(below, 0.0) == 0)
    assert np.isinf(radar.lowest_visible_alt_m(np.array([500e3]), np.zeros(1))[0])


def test_noise_matches_configured_sigmas() -> None:
    radar = ground_radar(pd_ref=0.999999, ref_range_m=10e6)
    n = 3_000
    pos = np.tile([60e3, 80e3, 9_000.0], (n, 1))
    plots = radar.observe(TargetStates.build(5.0, pos, np.zeros((n, 3))), np.random.default_rng(7))
    assert len(plots) == n
    r, az, el, _ = to_polar(np.array([0.0, 0.0, 20.0]), pos[:1])
    err = np.column_stack([plots.range_m - r[0], np.radians(plots.az_deg) - az[0], np.radians(plots.el_deg) - el[0]])
    sig = np.array([60.0, math.radians(0.15), math.radians(0.5)])
    # Sample variance of n normal draws: (n-1) s^2 / sigma^2 ~ chi2(n-1); check a two-sided 99.9 % interval.
    ratio = (n - 1) * err.var(axis=0, ddof=1) / sig**2
    assert np.all(ratio > chdtri(n - 1, 0.9995)) and np.all(ratio < chdtri(n - 1, 0.0005))
    assert np.all(np.abs(err.mean(axis=0)) < 4 * sig / math.sqrt(n))
    # Cartesian errors are consistent with the reported covariance: mean NIS ≈ 3.
    d = plots.pos_m - pos
    nis = np.einsum("ki,ki->k", d, np.linalg.solve(plots.cov_m2, d[..., None])[..., 0])
    assert abs(nis.mean() - 3.0) < 4 * math.sqrt(6.0 / n)


def test_covariance_is_the_linearised_polar_noise() -> None:
    antenna = np.array([0.0, 0.0, 10.0])
    cov = polar_covariance_to_local(antenna, np.array([100e3]), np.array([0.0]), np.array([0.0]), (50.0, 1e-3, 2e-3))
    # Looking north at the horizon: range error along north, azimuth error along east (r * sigma_az). The earth's
    # curvature tilts the elevation error by theta = r / Re, leaking (r sigma_el sin theta)^2 into north.
    tilt = 100e3 * 2e-3 * math.sin(100e3 / EFFECTIVE_EARTH_RADIUS_M)
    assert cov[0, 1, 1] == pytest.approx(50.0**2 + tilt**2, rel=5e-4)
    assert cov[0, 0, 0] == pytest.approx((100e3 * 1e-3) ** 2, rel=1e-3)
    assert cov[0, 2, 2] == pytest.approx((100e3 * 2e-3) ** 2, rel=0.02)


def test_false_alarms_rate_and_volume() -> None:
    radar = ground_radar(false_alarms_per_scan=4.0)
    rng = np.random.default_rng(11)
    none = TargetStates.build(0.0, np.zeros((0, 3)), np.zeros((0, 3)))
    scans = [radar.observe(none, rng) for _ in range(1_000)]
    counts = np.array([len(s) for s in scans])
    n, lam = len(counts), 4.0
    assert abs(counts.mean() - lam) < 4 * math.sqrt(lam / n)
    # Poisson: the variance equals the mean; the sample variance's spread is sqrt((mu4 - sigma^4) / n).
    assert abs(counts.var(ddof=1) - lam) < 4 * math.sqrt((lam * (1 + 3 * lam) - lam**2) / n)
    plots = [s for s in scans if len(s)]
    r = np.concatenate([s.range_m for s in plots])
    assert np.all(np.concatenate([s.origin for s in plots]) == NO_ORIGIN)
    assert r.max() <= 250e3
    inner = float(np.mean(r < 125e3))  # uniform in volume: an eighth within half the range
    assert abs(inner - 0.125) < 4 * math.sqrt(0.125 * 0.875 / len(r))
    alt = np.concatenate([s.pos_m[:, 2] for s in plots])
    assert alt.min() >= -1e-6


def test_airborne_radar_sees_beyond_ground_horizon() -> None:
    orbit = CircleOrbit(0.0, 0.0, radius_m=40e3, alt_m=9_000.0, speed_ms=200.0)
    aew = Radar(2, orbit, max_range_m=450e3, ref_range_m=350e3, min_elevation_deg=-90.0)
    ground = ground_radar(max_range_m=450e3)
    low_far = np.array([[0.0, 330e3, 300.0]])
    assert aew.detection_probability(low_far, 0.0)[0] > 0.5
    assert ground.detection_probability(low_far, 0.0)[0] == 0.0
    # It flies its orbit at its speed: a quarter lap later it has moved a quarter circle.
    quarter = 2 * math.pi * 40e3 / 4 / 200.0
    np.testing.assert_allclose(orbit.position_m(quarter), [40e3, 0.0, 9_000.0], atol=1e-6)


def test_racetrack_is_closed_and_flown_at_speed() -> None:
    track = RacetrackOrbit(
        0.0, 0.0, heading_deg=90.0, leg_length_m=100e3, turn_radius_m=20e3, alt_m=8_000.0, speed_ms=180.0
    )
    lap = (2 * 100e3 + 2 * math.pi * 20e3) / 180.0
    t = np.linspace(0, lap, 2_001)
    pts = np.array([track.position_m(float(s)) for s in t])
    np.testing.assert_allclose(pts[-1], pts[0], atol=1e-6)
    step = np.linalg.norm(np.diff(pts[:, :2], axis=0), axis=1)
    np.testing.assert_allclose(step, 180.0 * (t[1] - t[0]), rtol=2e-3)  # chords of arcs slightly shorter
    assert pts[:, 1].min() == pytest.approx(-40e3)  # right turns off an eastbound leg go south


def test_adsb_noise_identity_and_switched_off() -> None:
    rx = AdsbReceiver(5, FixedSite(0.0, 0.0, 15.0), nacp=8, p_receive=1.0, silent_icao24=frozenset({"abc003"}))
    n = 6
    icao = [f"abc00{i}" for i in range(n)]
    pos = np.column_stack([np.linspace(20e3, 120e3, n), np.zeros(n), np.full(n, 6_000.0)])
    on = np.array([True, True, False, True, True, True])
    truth = TargetStates.build(
        0.0, pos, np.zeros((n, 3)), icao24=icao, callsign=[f"CS{i}" for i in range(n)], adsb_on=on
    )
    plots = rx.observe(truth, np.random.default_rng(2))
    assert sorted(plots.icao24.tolist()) == ["abc000", "abc001", "abc004", "abc005"]
    assert set(plots.callsign.tolist()) == {"CS0", "CS1", "CS4", "CS5"}
    assert np.all(np.isnan(plots.range_m))
    # Noise statistics over many reports of one aircraft.
    many = TargetStates.build(0.0, np.tile(pos[0], (4_000, 1)), np.zeros((4_000, 3)), icao24=["abc000"] * 4_000)
    reports = rx.observe(many, np.random.default_rng(4))
    sig = nacp_sigma_m(8)
    assert sig == pytest.approx(92.6 / 2.4477, rel=1e-4)
    var = reports.pos_m.var(axis=0, ddof=1)
    k = len(reports) - 1
    lo, hi = chdtri(k, 0.9995) / k, chdtri(k, 0.0005) / k
    assert lo < var[0] / sig**2 < hi and lo < var[1] / sig**2 < hi and lo < var[2] / 10.0**2 < hi
    # Within the 95 % EPU about 95 % of the time.
    inside = np.mean(np.hypot(*(reports.pos_m[:, :2] - pos[0, :2]).T) < 92.6)
    assert abs(inside - 0.95) < 4 * math.sqrt(0.95 * 0.05 / len(reports))


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(InputError):
        ground_radar(pd_ref=1.5)
    with pytest.raises(InputError):
        ground_radar(max_range_m=-1.0)
    with pytest.raises(InputError):
        AdsbReceiver(1, FixedSite(0, 0, 0), nacp=12)
    with pytest.raises(InputError):
        CircleOrbit(0, 0, radius_m=0, alt_m=9_000, speed_ms=200)


def test_adsb_coverage_floor_agrees_with_detection() -> None:
    rx = AdsbReceiver(6, FixedSite(0.0, 0.0, 40.0), max_range_m=350e3, p_receive=0.9)
    east = np.array([30e3, 150e3, 250e3, 400e3])
    floor = rx.lowest_visible_alt_m(east, np.zeros(4))
    np.testing.assert_allclose(floor[:3], min_detectable_alt_m(east[:3], 40.0, 0.0))
    assert np.isinf(floor[3])
    above = np.column_stack([east[:3], np.zeros(3), floor[:3] + 30.0])
    below = np.column_stack([east[:3], np.zeros(3), floor[:3] - 30.0])
    np.testing.assert_array_equal(rx.detection_probability(above, 0.0), 0.9)
    assert np.all(floor[:3] > 40.0)  # a 0° minimum elevation: the floor rises from the antenna height
    assert np.all(rx.detection_probability(below, 0.0) == 0.0)


def test_values_copy_their_inputs_and_are_read_only() -> None:
    from commonsky.surveillance.sensors.types import Plots

    pos = np.zeros((2, 3))
    plots = Plots.from_positions(0.0, 1, pos, np.eye(3))
    pos[0, 0] = 5.0  # the caller's array stays theirs and writeable
    assert plots.pos_m[0, 0] == 0.0
    with pytest.raises(ValueError):
        plots.pos_m[0, 0] = 1.0
    with pytest.raises(InputError):
        Plots(
            0.0,
            1,
            np.zeros((2, 3)),
            np.zeros((3, 3, 3)),
            *(np.zeros(2),) * 3,
            *(np.array(["", ""]),) * 2,
            np.zeros(2, dtype=np.int64),
        )
