"""ADS-B receivers: NACp noise, identities, transponders switched off, the coverage floor."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import chdtri

from commonsky.surveillance.sensors.adsb import AdsbReceiver, nacp_sigma_m
from commonsky.surveillance.sensors.geometry import (
    min_detectable_alt_m,
)
from commonsky.surveillance.sensors.platform import FixedSite
from commonsky.surveillance.sensors.types import TargetStates


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
