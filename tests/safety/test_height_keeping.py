"""The kind of each loss episode (true loss or height keeping) at its boundaries, on reports built here in feet."""

from __future__ import annotations

import numpy as np
import pytest

from commonsky.safety.height_keeping import Altimetry, LossKind, estimate_qnh_offset_m, nearest_level_m
from commonsky.safety.losses import loss_episodes

FT = 0.3048

Reports = list[tuple[float, float, float, float]]  # (t s, lat, lon, altitude ft)


def _crossing(low_ft: list[float], high_ft: list[float], lat: float = 47.0) -> dict[str, Reports]:
    """Two aircraft crossing overhead at t = 50 s (east- and northbound, 0.002 degrees a second), one report every
    4 s for 100 s, at the altitudes given per report."""
    n = len(low_ft)
    east = [(4.0 * i, lat, 8.0 - 0.1 + 0.008 * i, low_ft[i]) for i in range(n)]
    north = [(4.0 * i, lat - 0.1 + 0.008 * i, 8.0, high_ft[i]) for i in range(n)]
    return {"east": east, "north": north}


def _arrays(flights: dict[str, Reports]) -> tuple[np.ndarray, ...]:
    rows = [(t, name, la, lo, ft * FT) for name, reps in flights.items() for t, la, lo, ft in reps]
    return tuple(np.array(c) for c in zip(*rows, strict=True))


def _episodes(flights: dict[str, Reports]) -> list[tuple[str, str, LossKind, float]]:
    got = loss_episodes(*_arrays(flights))
    return list(zip(got.id_a.tolist(), got.id_b.tolist(), got.kinds(), (got.min_dalt_m / FT).tolist(), strict=True))


@pytest.mark.parametrize(("off_ft", "kind"), [(299.0, LossKind.HEIGHT_KEEPING), (300.0, LossKind.LOSS)])
def test_tolerance_is_less_than_300_ft(off_ft: float, kind: LossKind) -> None:
    """FL370 held 299 ft low beside FL360 is height keeping; 300 ft low is a large height deviation: a loss."""
    n = 26
    got = _episodes(_crossing([36000.0] * n, [37000.0 - off_ft] * n))
    assert [(a, b, k) for a, b, k, _ in got] == [("east", "north", kind)]
    assert got[0][3] == pytest.approx(1000.0 - off_ft)
    # the same from below: FL360 held 299 / 300 ft high
    got = _episodes(_crossing([36000.0 + off_ft] * n, [37000.0] * n))
    assert [k for _, _, k, _ in got] == [kind]


def test_one_thousand_feet_at_every_level_pair() -> None:
    """Exactly 1,000 ft apart, level, at every pair of IFR levels FL10/FL20 to FL400/FL410: no episode at all;
    975 ft apart (a 25 ft Mode S step towards the other level): an episode at every pair, all height keeping."""
    n = 26
    for gap_ft, expect in ((1000.0, []), (975.0, [LossKind.HEIGHT_KEEPING])):
        for fl in range(10, 410, 10):
            low = fl * 100.0
            got = _episodes(_crossing([low] * n, [low + gap_ft] * n, lat=47.0 + fl / 100.0))
            assert [k for _, _, k, _ in got] == expect, (fl, gap_ft)


def test_a_climb_through_an_occupied_level_is_a_loss() -> None:
    """Climbing at 1,500 ft/min through FL370 where the other holds it: a loss, though both ends of the climb are
    near IFR levels; so is a slow drift of 600 ft/min that stays within 300 ft of its level (not level)."""
    n = 26
    climb = [35800.0 + 1500.0 * 4.0 * i / 60.0 for i in range(n)]  # 35,800 to 38,300 ft
    assert [k for _, _, k, _ in _episodes(_crossing(climb, [37000.0] * n))] == [LossKind.LOSS]
    drift = [36000.0 + min(290.0, 600.0 * max(0.0, 4.0 * i - 30.0) / 60.0) for i in range(n)]
    got = _episodes(_crossing(drift, [37000.0] * n))
    assert [k for _, _, k, _ in got] == [LossKind.LOSS]
    assert got[0][3] > 700.0  # never more than 300 ft off FL360: only the rate makes it a loss


def test_same_level_and_odd_levels_are_losses() -> None:
    n = 26
    assert [k for _, _, k, _ in _episodes(_crossing([37000.0] * n, [37000.0] * n))] == [LossKind.LOSS]
    # a VFR level (FL365) 500 ft below FL370 is 200 ft off every IFR level... 500 ft apart: a loss
    assert [k for _, _, k, _ in _episodes(_crossing([36500.0] * n, [37000.0] * n))] == [LossKind.LOSS]
    # 700 ft below FL370 at 36,300 ft: 300 ft off FL360, not within tolerance of any level
    assert [k for _, _, k, _ in _episodes(_crossing([36300.0] * n, [37000.0] * n))] == [LossKind.LOSS]


def test_a_deviation_in_the_20_s_before_the_episode_counts() -> None:
    """FL370 holds 36,950 ft during the episode (t = 36 to 64 s) but was 350 ft off, above, 4 s before it began
    (no loss then, 1,350 ft apart): not height keeping."""
    n = 26
    high = [37000.0] * n
    low = [36000.0] * n
    high = [36950.0 if 9 <= i <= 16 else v for i, v in enumerate(high)]  # the episode: t = 36 to 64 s
    assert [k for _, _, k, _ in _episodes(_crossing(low, high))] == [LossKind.HEIGHT_KEEPING]
    high[8] = 37350.0  # t = 32 s
    got = loss_episodes(*_arrays(_crossing(low, high)))
    assert got.start_s.tolist() == [36.0] and got.kinds() == [LossKind.LOSS]


def test_levels_below_the_transition_altitude_are_qnh_altitudes() -> None:
    """With a QNH offset of 375 ft, 2,625 ft pressure altitude is the 3,000 ft level; above the transition
    altitude (5,000 ft) levels are flight levels whatever the offset; two aircraft holding 3,000 and 4,000 ft QNH
    that report 975 ft apart are height keeping, a true loss on the pressure grid."""
    qnh = Altimetry(qnh_offset_m=375.0 * FT)
    got = nearest_level_m(np.array([2625.0, 2700.0, 6990.0, 10025.0]) * FT, qnh) / FT
    assert np.allclose(got, [2625.0, 2625.0, 7000.0, 10000.0])
    n = 26
    flights = _crossing([2650.0] * n, [3625.0] * n, lat=49.0)
    arrays = _arrays(flights)
    assert loss_episodes(*arrays, altimetry=qnh).kinds() == [LossKind.HEIGHT_KEEPING]
    assert loss_episodes(*arrays).kinds() == [LossKind.LOSS]


def test_the_qnh_offset_is_estimated_only_from_a_clear_grid() -> None:
    level = np.ones(200, dtype=bool)
    grid = np.array([2625.0, 3625.0, 4625.0, 3600.0] * 50) * FT
    assert estimate_qnh_offset_m(grid, level) / FT == 375.0
    spread = np.linspace(1500.0, 4999.0, 200) * FT  # no grid
    assert estimate_qnh_offset_m(spread, level) == 0.0
    assert estimate_qnh_offset_m(grid[:99], level[:99]) == 0.0  # too few samples
