"""Sensor platforms: a racetrack orbit is closed and flown at its speed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from commonsky.surveillance.sensors.platform import RacetrackOrbit


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
