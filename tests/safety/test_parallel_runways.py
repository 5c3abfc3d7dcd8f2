"""Parallel runway operations at the rule's boundaries, on reports built here: two aircraft side by side on
east-west finals (ICAO Doc 9643: centre lines at least 1,035 m apart), in the truth and in the STCA."""

from __future__ import annotations

import math

import numpy as np
import pytest

from commonsky.safety.alerts import AlertKind
from commonsky.safety.height_keeping import LossKind
from commonsky.safety.losses import loss_episodes
from commonsky.safety.parallel_runways import ParallelRule, cross_track_m
from commonsky.safety.params import Protection, ProtectionPolicy
from commonsky.safety.replay import replay
from commonsky.safety.tracks import tracks_from_columns

FT = 0.3048
T0 = 1_700_000_000.0
LAT = 49.0
M_PER_DEG = 6_371_000.0 * math.pi / 180.0


def _finals(
    offset_m: float, top_ft: float = 3000.0, rate_fpm: float = -800.0, converge_deg: float = 0.0
) -> dict[str, np.ndarray]:
    """Two aircraft flying east at 75 m/s (with the groundspeed, track and vertical rate ADS-B reports carry), one
    report every 4 s for 120 s, ``offset_m`` apart north-south (the
    northern one converging by ``converge_deg``), both at ``top_ft`` then changing level at ``rate_fpm``, the
    northern one 300 ft above."""
    t = np.arange(0.0, 121.0, 4.0)
    east_m = 75.0 * t
    rows = []
    for name, north_m, above_ft, conv in (("south", 0.0, 0.0, 0.0), ("north", offset_m, 300.0, converge_deg)):
        lat = LAT + (north_m - east_m * math.tan(math.radians(conv))) / M_PER_DEG
        lon = 2.0 + east_m / (M_PER_DEG * math.cos(math.radians(LAT)))
        alt = top_ft + above_ft + rate_fpm * t / 60.0
        trk = 90.0 + conv
        rows += [(T0 + ti, name, la, lo, al, trk) for ti, la, lo, al in zip(t, lat, lon, alt, strict=True)]
    cols = list(zip(*rows, strict=True))
    n = len(rows)
    return {
        "timestamp": np.array(cols[0]),
        "icao24": np.array(cols[1]),
        "latitude": np.array(cols[2]),
        "longitude": np.array(cols[3]),
        "altitude": np.array(cols[4]),
        "groundspeed": np.full(n, 75.0 / 0.514444),
        "track": np.array(cols[5]),
        "vertical_rate": np.full(n, rate_fpm),
    }


def _kinds(table: dict[str, np.ndarray], rule: ParallelRule = ParallelRule()) -> list[LossKind]:
    got = loss_episodes(
        table["timestamp"],
        table["icao24"],
        table["latitude"],
        table["longitude"],
        table["altitude"] * FT,
        parallel=rule,
    )
    return got.kinds()


def _alerts(table: dict[str, np.ndarray]) -> int:
    result = replay(tracks_from_columns(table))
    return sum(a.kind is AlertKind.CONFLICT for a in result.alerts)


def test_cross_track_distance() -> None:
    lat = np.array([LAT])
    lon = np.array([2.0])
    north = np.array([LAT + 1035.0 / M_PER_DEG])
    assert cross_track_m(lat, lon, np.array([90.0]), north, lon)[0] == pytest.approx(1035.0, abs=0.01)
    assert cross_track_m(lat, lon, np.array([0.0]), north, lon)[0] == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(("offset_m", "kind"), [(1100.0, LossKind.PARALLEL_RUNWAYS), (1000.0, LossKind.LOSS)])
def test_spacing_is_1035_m(offset_m: float, kind: LossKind) -> None:
    """Descending side by side: separated by the runways at 1,100 m, a loss at 1,000 m (too close for
    independent approaches)."""
    table = _finals(offset_m)
    assert _kinds(table) == [kind]
    assert (_alerts(table) == 0) is (kind is LossKind.PARALLEL_RUNWAYS)


def test_departures_and_segregated_operations() -> None:
    assert _kinds(_finals(1100.0, top_ft=1000.0, rate_fpm=1500.0)) == [LossKind.PARALLEL_RUNWAYS]


@pytest.mark.parametrize(
    "table",
    [
        _finals(1100.0, rate_fpm=0.0),  # both level: not on final
        _finals(1100.0, top_ft=8000.0),  # above the 5,000 ft ceiling
        _finals(1100.0, converge_deg=8.0),  # converging: one joins the other's final
    ],
    ids=["both level", "above the ceiling", "converging"],
)
def test_outside_the_rule_is_a_loss_and_alerts(table: dict[str, np.ndarray]) -> None:
    assert _kinds(table) == [LossKind.LOSS]
    assert _alerts(table) > 0


def test_the_filter_switches_off() -> None:
    """Ceiling 0: the STCA alerts (the truth's classification does not follow the STCA's setting), and a truth
    rule with ceiling 0 keeps the episode a true loss."""
    table = _finals(1100.0)
    assert _kinds(table, ParallelRule(ceiling_m=0.0)) == [LossKind.LOSS]
    off = ProtectionPolicy(default=Protection(lookahead_s=120.0, parallel_ceiling_m=0.0))
    result = replay(tracks_from_columns(table), policy=off)
    assert sum(a.kind is AlertKind.CONFLICT for a in result.alerts) > 0
    assert (result.summary["quality"]["parallel_runways"], result.summary["quality"]["true_losses"]) == (1, 0)
