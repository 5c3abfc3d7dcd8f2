"""Radar models: the Pd curve, horizon and elevation limits, noise statistics, false alarms, an airborne radar."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import chdtri

from commonsky.errors import InputError
from commonsky.surveillance.sensors.adsb import AdsbReceiver
from commonsky.surveillance.sensors.geometry import (
    to_polar,
)
from commonsky.surveillance.sensors.platform import CircleOrbit, FixedSite
from commonsky.surveillance.sensors.radar import Radar
from commonsky.surveillance.sensors.types import NO_ORIGIN, TargetStates


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


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(InputError):
        ground_radar(pd_ref=1.5)
    with pytest.raises(InputError):
        ground_radar(max_range_m=-1.0)
    with pytest.raises(InputError):
        AdsbReceiver(1, FixedSite(0, 0, 0), nacp=12)
    with pytest.raises(InputError):
        CircleOrbit(0, 0, radius_m=0, alt_m=9_000, speed_ms=200)
