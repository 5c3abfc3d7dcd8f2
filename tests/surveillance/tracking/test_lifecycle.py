"""Track birth, confirmation and death: M-of-N counted here bit by bit, the coasting rules case by case, and a new
track placed on its plot with the velocity prior."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from commonsky.surveillance.sensors.types import Plots
from commonsky.surveillance.tracking.lifecycle import CoastingDeleter, MOfNConfirmer, SinglePointInitiator
from commonsky.surveillance.tracking.tracks import LiveTracks


def _tracks(n: int, t_s: float = 100.0, **columns: np.ndarray) -> LiveTracks:
    tracks = LiveTracks.new(t_s, np.arange(n), np.zeros((n, 6)), np.broadcast_to(np.eye(6), (n, 6, 6)).copy())
    return replace(tracks, **columns)


@pytest.mark.parametrize(("m", "n"), [(3, 4), (2, 2), (5, 8), (1, 1)])
def test_m_of_n_counts_the_last_n_scans(m: int, n: int) -> None:
    rng = np.random.default_rng(m * 10 + n)
    hits = rng.integers(0, 2**32, 500, dtype=np.uint64).astype(np.uint32)
    confirmed = rng.random(500) < 0.2
    got = MOfNConfirmer(m, n).confirm(_tracks(500, hits=hits, confirmed=confirmed))
    want = [bool(c) or bin(int(h))[2:].zfill(32)[-n:].count("1") >= m for h, c in zip(hits, confirmed, strict=True)]
    assert got.tolist() == want
    assert 0 < sum(want) < 500


def test_coasting_rules() -> None:
    deleter = CoastingDeleter(coast_s=12.0, tentative_coast_s=8.0, n=4, max_pos_sigma_m=100.0)
    cases = [  # (confirmed, looks, seconds since the last update, position sigma m, kept)
        (True, 9, 12.0, 10.0, True),
        (True, 9, 12.5, 10.0, False),  # coasted too long
        (False, 3, 8.0, 10.0, True),
        (False, 3, 8.5, 10.0, False),  # a tentative track coasts less
        (False, 4, 1.0, 10.0, False),  # n covering scans without confirmation
        (True, 9, 1.0, 100.0, True),
        (True, 9, 1.0, 101.0, False),  # too uncertain
    ]
    p = np.zeros((len(cases), 6, 6))
    p[:, 3:, 3:] = np.eye(3)
    for k, case in enumerate(cases):
        p[k, :3, :3] = np.eye(3) * case[3] ** 2
    tracks = replace(
        _tracks(len(cases), t_s=100.0),
        confirmed=np.array([c[0] for c in cases]),
        n_looks=np.array([c[1] for c in cases]),
        last_update_s=np.array([100.0 - c[2] for c in cases]),
        p=p,
    )
    assert deleter.keep(tracks).tolist() == [c[4] for c in cases]


def test_a_new_track_sits_on_its_plot_with_the_velocity_prior() -> None:
    pos = np.array([[1000.0, 2000.0, 3000.0], [-5.0, 7.0, 900.0]])
    cov = np.stack([np.diag([100.0, 200.0, 300.0]), np.diag([4.0, 5.0, 6.0])])
    plots = Plots.from_positions(42.0, 5, pos, cov, icao24=["abc123", ""])
    new = SinglePointInitiator(sigma_v_ms=300.0, sigma_vz_ms=30.0).initiate(plots, first_id=17)
    assert new.track_id.tolist() == [17, 18] and new.t_s == 42.0
    np.testing.assert_array_equal(new.x[:, :3], pos)
    np.testing.assert_array_equal(new.x[:, 3:], 0.0)
    np.testing.assert_array_equal(new.p[:, :3, :3], cov)
    np.testing.assert_array_equal(new.p[:, 3:, 3:], np.broadcast_to(np.diag([300.0**2, 300.0**2, 30.0**2]), (2, 3, 3)))
    np.testing.assert_array_equal(new.p[:, :3, 3:], 0.0)
    assert new.hits.tolist() == [1, 1] and new.n_looks.tolist() == [1, 1]
    assert new.icao24.tolist() == ["abc123", ""]
    assert new.sensor_mask.tolist() == [32, 32] and new.last_sensor_id.tolist() == [5, 5]
