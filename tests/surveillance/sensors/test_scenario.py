"""True trajectories against closed forms written here: a constant-velocity target's position at any time, and a
coordinated turn's circle (radius v^2 / (n g), centre fixed, speed kept); interpolation between grid times, and
targets combined on one grid."""

from __future__ import annotations

import math

import numpy as np
import pytest

from commonsky.errors import InputError
from commonsky.surveillance.sensors.scenario import G_MS2, Trajectories


def test_straight_targets_are_where_their_velocity_takes_them() -> None:
    pos0, vel = np.array([[0.0, 0.0, 9000.0], [1e4, -2e4, 3000.0]]), np.array([[200.0, 0.0, 0.0], [-50.0, 80.0, 5.0]])
    traj = Trajectories.straight(np.arange(0.0, 101.0, 10.0), pos0, vel, icao24=["abc123", ""])
    for t in (0.0, 37.5, 100.0, 250.0):
        states = traj.at(t)
        np.testing.assert_allclose(states.pos_m, pos0 + vel * min(t, 100.0))  # clamped to the grid's end
        np.testing.assert_allclose(states.vel_ms, vel)
    assert traj.adsb_on.tolist() == [True, False] and traj.n_targets == 2


def test_a_coordinated_turn_is_a_circle() -> None:
    speed, load = 200.0, 0.5
    grid = np.arange(0.0, 301.0, 2.0)
    traj = Trajectories.manoeuvring(grid, [0.0, 0.0, 5000.0], 0.0, speed, [(50.0, 250.0, load)], substeps=50)
    radius = speed**2 / (load * G_MS2)
    # heading north at (0, 50 * speed) when the turn starts: a right turn circles the point `radius` to the east
    centre = np.array([radius, 50.0 * speed])
    inside = (grid > 50.0) & (grid <= 250.0)
    pos = traj.pos_m[inside, 0, :2]
    np.testing.assert_allclose(np.hypot(*(pos - centre).T), radius, rtol=1e-4)
    np.testing.assert_allclose(np.hypot(*traj.vel_ms[:, 0, :2].T), speed, rtol=1e-12)
    turned = math.degrees(load * G_MS2 / speed * 200.0)
    heading = math.degrees(math.atan2(traj.vel_ms[-1, 0, 0], traj.vel_ms[-1, 0, 1])) % 360.0
    assert heading == pytest.approx(turned % 360.0, abs=1e-6)
    with pytest.raises(InputError, match="positive speed and an increasing time grid"):
        Trajectories.manoeuvring([0.0, 0.0], [0, 0, 0], 0.0, speed, [])


def test_combined_targets_share_the_grid_and_renumber() -> None:
    grid = np.arange(0.0, 50.0, 5.0)
    a = Trajectories.random_traffic(3, grid, 1e5, np.random.default_rng(1))
    b = Trajectories.random_traffic(2, grid, 1e5, np.random.default_rng(2))
    both = a.concat(b)
    assert both.target_id.tolist() == [0, 1, 2, 3, 4]
    np.testing.assert_array_equal(both.pos_m[:, 3:], b.pos_m)
    with pytest.raises(InputError, match="one time grid"):
        a.concat(Trajectories.random_traffic(1, grid + 1.0, 1e5, np.random.default_rng(3)))
    alts = a.pos_m[0, :, 2]
    assert np.all((alts >= 3000.0) & (alts <= 12000.0))
