"""Separation minima per region in the truth: a terminal area at 3 NM inside en-route airspace at 5 NM."""

from __future__ import annotations

import math

import numpy as np
from shapely.geometry import box

from commonsky.safety.losses import loss_episodes
from commonsky.safety.params import Protection, ProtectionPolicy, ZoneProtection
from commonsky.safety.replay import replay
from commonsky.safety.tracks import tracks_from_columns

FT = 0.3048
NM = 1852.0
R = 6371000.0
LAT = 47.0
EN_ROUTE_EAST_OF = 8.5  # en-route airspace (5 NM) east of 8.5 E, from FL245 up; the terminal area (3 NM) elsewhere


def _dlon(nm: float) -> float:
    """Degrees of longitude for ``nm`` at 48 N, the middle of the rows (within 4 % from 47 N to 49.2 N)."""
    return math.degrees(nm * NM / (R * math.cos(math.radians(48.0))))


def _pair(
    name: str, lon_a: float, lon_b: float, ft: float, row: int
) -> dict[str, list[tuple[float, float, float, float]]]:
    """Two aircraft flying north side by side (same speed, 0.002 degrees a second), reports every 4 s for 100 s;
    each ``row`` 0.5 degrees (30 NM) north of the previous, so pairs never meet each other."""
    lat = LAT + 0.5 * row
    return {
        f"{name}_a": [(4.0 * i, lat + 0.008 * i, lon_a, ft) for i in range(26)],
        f"{name}_b": [(4.0 * i, lat + 0.008 * i, lon_b, ft) for i in range(26)],
    }


def _flights() -> dict[str, list[tuple[float, float, float, float]]]:
    east = EN_ROUTE_EAST_OF + 0.5
    west = EN_ROUTE_EAST_OF - 1.0
    return {
        **_pair("enroute4", east, east + _dlon(4.0), 33000.0, 0),  # 4 NM inside en-route: a loss (< 5 NM)
        **_pair("tma4", west, west + _dlon(4.0), 33000.0, 1),  # 4 NM in the terminal area: separated (>= 3 NM)
        **_pair("tma2", west, west + _dlon(2.0), 33000.0, 2),  # 2 NM in the terminal area: a loss
        **_pair("across4", EN_ROUTE_EAST_OF - _dlon(2.0), EN_ROUTE_EAST_OF + _dlon(2.0), 33000.0, 3),  # larger: loss
        **_pair("low4", east, east + _dlon(4.0), 10000.0, 4),  # under the en-route band's floor: terminal, separated
    }


def _region() -> ZoneProtection:
    return ZoneProtection(box(EN_ROUTE_EAST_OF, 40.0, 20.0, 55.0), Protection(radius_m=5 * NM), 24500 * FT, 66000 * FT)


def test_each_pair_is_judged_by_the_minimum_of_its_region() -> None:
    rows = [(t, name, la, lo, ft * FT) for name, reps in _flights().items() for t, la, lo, ft in reps]
    t, ids, la, lo, alt = (np.array(c) for c in zip(*rows, strict=True))
    got = loss_episodes(t, ids, la, lo, alt, radius_m=3 * NM, regions=[_region()])
    spans = sorted(zip(got.id_a.tolist(), got.id_b.tolist(), got.start_s.tolist(), got.end_s.tolist(), strict=True))
    assert spans == [
        ("across4_a", "across4_b", 0.0, 100.0),
        ("enroute4_a", "enroute4_b", 0.0, 100.0),
        ("tma2_a", "tma2_b", 0.0, 100.0),
    ]
    # without regions, one minimum for all: 3 NM everywhere, or 5 NM everywhere
    assert len(loss_episodes(t, ids, la, lo, alt, radius_m=3 * NM)) == 1
    assert len(loss_episodes(t, ids, la, lo, alt, radius_m=5 * NM)) == 5


def test_replay_judges_with_the_policy_regions() -> None:
    rows = [(t, name, la, lo, ft) for name, reps in _flights().items() for t, la, lo, ft in reps]
    t, ids, la, lo, ft = zip(*rows, strict=True)
    table = {
        "timestamp": np.array(t) + 1_700_000_000.0,
        "icao24": np.array(ids),
        "latitude": np.array(la),
        "longitude": np.array(lo),
        "altitude": np.array(ft),
    }
    policy = ProtectionPolicy(default=Protection(radius_m=3 * NM, lookahead_s=120.0), zones=[_region()])
    result = replay(tracks_from_columns(table), policy=policy)
    assert sorted(result.losses.id_a.tolist()) == ["across4_a", "enroute4_a", "tma2_a"]
