"""Hand-built encounters whose CPA is known from plane geometry."""

from __future__ import annotations

import math

import numpy as np
import pytest

from commonsky.picture import Picture
from commonsky.safety.conflicts import Conflicts, detect_conflicts
from commonsky.safety.params import Protection, ProtectionPolicy

R_E = 6371000.0
R_PZ = 5 * 1852.0
H_PZ = 1000 * 0.3048


def _pic(*aircraft: tuple[float, float, float, float, float, float]) -> Picture:
    """aircraft = (lat, lon, alt_m, gs_ms, trk_deg, vs_ms); ids A, B, C ..."""
    cols = np.array(aircraft, dtype=float).T
    ids = [chr(ord("A") + k) for k in range(len(aircraft))]
    return Picture.from_arrays(ids, cols[0], cols[1], cols[2], cols[3], cols[4], cols[5])


def _only(c: Conflicts) -> int:
    assert len(c) == 1, f"expected one conflict, got {len(c)}"
    return 0


def test_head_on() -> None:
    c = detect_conflicts(_pic((50.0, 9.9, 10000, 230, 90, 0), (50.0, 10.1, 10000, 230, 270, 0)))
    k = _only(c)
    d = R_E * math.radians(0.2) * math.cos(math.radians(50.0))
    assert c.dist_m[k] == pytest.approx(d)
    assert c.tcpa_s[k] == pytest.approx(d / 460.0)
    assert c.dcpa_m[k] == pytest.approx(0.0, abs=1e-6)
    assert c.tin_s[k] == pytest.approx((d - R_PZ) / 460.0)
    assert not c.los[k]


def test_crossing_at_right_angles() -> None:
    # A flies north, B flies east; both reach (50N, 10E) after 100 s.
    a_lat = 50.0 - math.degrees(250.0 * 100 / R_E)
    b_lon = 10.0 - math.degrees(200.0 * 100 / (R_E * math.cos(math.radians(50.0))))
    c = detect_conflicts(_pic((a_lat, 10.0, 9000, 250, 0, 0), (50.0, b_lon, 9000, 200, 90, 0)))
    k = _only(c)
    assert c.tcpa_s[k] == pytest.approx(100.0, abs=0.5)
    assert c.dcpa_m[k] < 200.0


def test_overtaking_beyond_lookahead_cpa_but_entry_within() -> None:
    behind = 50.0 - math.degrees(20000.0 / R_E)
    c = detect_conflicts(_pic((behind, 10.0, 9000, 250, 0, 0), (50.0, 10.0, 9000, 200, 0, 0)))
    k = _only(c)
    assert c.tcpa_s[k] == pytest.approx(400.0, rel=1e-6)
    assert c.tin_s[k] == pytest.approx((20000.0 - R_PZ) / 50.0, rel=1e-6)
    slower = detect_conflicts(_pic((behind, 10.0, 9000, 220, 0, 0), (50.0, 10.0, 9000, 200, 0, 0)))
    assert len(slower) == 0  # entry after (20000 - 9260) / 20 = 537 s


def test_vertical_only_same_track_above() -> None:
    c = detect_conflicts(_pic((50.0, 10.0, 9600, 220, 45, -5.0), (50.0, 10.0, 9000, 220, 45, 0)))
    k = _only(c)
    assert c.tin_s[k] == pytest.approx((600.0 - H_PZ) / 5.0)
    assert not c.los[k]


def test_level_pairs_separated_vertically_never_conflict() -> None:
    assert len(detect_conflicts(_pic((50.0, 9.9, 10000, 230, 90, 0), (50.0, 10.1, 10400, 230, 270, 0)))) == 0


def test_diverging_pair_is_not_a_conflict_unless_in_loss() -> None:
    apart = detect_conflicts(_pic((50.0, 10.1, 10000, 230, 90, 0), (50.0, 9.9, 10000, 230, 270, 0)))
    assert len(apart) == 0
    close = detect_conflicts(_pic((50.0, 10.02, 10000, 230, 90, 0), (50.0, 9.98, 10000, 230, 270, 0)))
    k = _only(close)
    assert close.los[k] and close.tin_s[k] == 0.0 and close.tcpa_s[k] < 0.0


def test_loss_of_separation_with_zero_relative_velocity_is_reported() -> None:
    c = detect_conflicts(_pic((50.0, 10.0, 10000, 230, 90, 0), (50.02, 10.0, 10100, 230, 90, 0)))
    k = _only(c)
    assert c.los[k] and c.tin_s[k] == 0.0


def test_antimeridian_pair() -> None:
    c = detect_conflicts(_pic((0.0, 179.95, 10000, 230, 90, 0), (0.0, -179.95, 10000, 230, 270, 0)))
    k = _only(c)
    d = R_E * math.radians(0.1)
    assert c.dist_m[k] == pytest.approx(d)
    assert c.tcpa_s[k] == pytest.approx(d / 460.0)


def test_head_on_across_the_north_pole() -> None:
    # Both fly north on opposite meridians: they meet at the pole.
    c = detect_conflicts(_pic((89.95, 0.0, 10000, 200, 0, 0), (89.95, 180.0, 10000, 200, 0, 0)))
    k = _only(c)
    d = R_E * math.radians(0.1)
    assert c.dist_m[k] == pytest.approx(d, rel=1e-6)
    assert c.tcpa_s[k] == pytest.approx(d / 400.0, rel=1e-6)
    assert c.dcpa_m[k] < 1.0


def test_per_party_protection_takes_the_larger_of_the_pair() -> None:
    # 8 NM apart at CPA: a conflict only under the 10 NM protection of party "wide".
    lat_b = 50.0 + math.degrees(8 * 1852.0 / R_E)
    aircraft = [(50.0, 9.8, 10000, 230, 90, 0), (lat_b, 10.2, 10000, 230, 270, 0)]
    plain = Picture.from_arrays(["A", "B"], *np.array(aircraft).T)
    assert len(detect_conflicts(plain)) == 0
    mixed = Picture.from_arrays(["A", "B"], *np.array(aircraft).T, party=["wide", "narrow"])
    policy = ProtectionPolicy(by_party={"wide": Protection(radius_m=10 * 1852.0)})
    c = detect_conflicts(mixed, policy)
    k = _only(c)
    assert c.dcpa_m[k] == pytest.approx(8 * 1852.0, rel=1e-3)


def test_zone_specific_protection_applies_when_either_aircraft_is_inside() -> None:
    from shapely.geometry import box

    from commonsky.airspace.zone import Zone, ZoneKind
    from commonsky.safety.params import ZoneProtection
    from commonsky.units import parse_altitude

    lat_b = 50.0 + math.degrees(8 * 1852.0 / R_E)
    aircraft = np.array([(50.0, 9.8, 10000, 230, 90, 0), (lat_b, 10.2, 10000, 230, 270, 0)]).T
    picture = Picture.from_arrays(["A", "B"], *aircraft)
    wide = Protection(radius_m=10 * 1852.0)
    around_a = Zone(
        "TMA",
        ZoneKind.RESTRICTED,
        box(9.7, 49.9, 9.9, 50.1),
        floor=parse_altitude("FL100"),
        ceiling=parse_altitude("FL400"),
    )
    below = Zone("low", ZoneKind.RESTRICTED, box(9.7, 49.9, 9.9, 50.1), ceiling=parse_altitude("FL050"))
    assert len(detect_conflicts(picture, ProtectionPolicy(zones=[ZoneProtection.from_zone(below, wide)]))) == 0
    c = detect_conflicts(picture, ProtectionPolicy(zones=[ZoneProtection.from_zone(around_a, wide)]))
    assert len(c) == 1 and c.dcpa_m[0] == pytest.approx(8 * 1852.0, rel=1e-3)


def test_empty_and_single_aircraft_pictures() -> None:
    assert len(detect_conflicts(Picture.from_arrays([], [], [], [], [], [], []))) == 0
    assert len(detect_conflicts(_pic((50.0, 10.0, 10000, 230, 90, 0)))) == 0


def test_candidates_grow_linearly_at_constant_density() -> None:
    """Four times the aircraft on four times the area: about four times the candidate pairs, not sixteen."""
    rng = np.random.default_rng(5)

    def box(n: int, half_deg: float) -> Picture:
        lat = rng.uniform(-half_deg, half_deg, n)
        lon = rng.uniform(-half_deg, half_deg, n)
        return Picture.from_arrays(
            [f"P{k}" for k in range(n)],
            lat,
            lon,
            rng.uniform(3000, 12000, n),
            rng.uniform(100, 257, n),
            rng.uniform(0, 360, n),
            np.zeros(n),
        )

    small = detect_conflicts(box(1000, 2.0), slices=4).candidates
    large = detect_conflicts(box(4000, 4.0), slices=4).candidates
    assert 2.5 < large / small < 6.0
