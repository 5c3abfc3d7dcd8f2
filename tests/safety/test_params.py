"""Protection per aircraft: default, then the party's entry, then raised by every zone the aircraft is inside
(element-wise max), checked aircraft by aircraft here with shapely's point-in-polygon; the STCA filters take the
last zone's values; bad values are refused with the field named."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from commonsky.errors import InputError
from commonsky.safety.params import Protection, ProtectionPolicy, ZoneProtection
from commonsky.units import FT_M, NM_M


def _policy() -> ProtectionPolicy:
    wide = ZoneProtection(shapely.box(44.0, 33.0, 46.0, 35.0), Protection(8 * NM_M, 500 * FT_M, 200.0), 0.0, 9000.0)
    tall = ZoneProtection(
        shapely.box(45.0, 34.0, 47.0, 36.0), Protection(3 * NM_M, 2000 * FT_M, 120.0, 1.0, 2.0, 3.0, 4.0)
    )
    return ProtectionPolicy(by_party={"usaf": Protection(6 * NM_M, 1000 * FT_M, 400.0)}, zones=(wide, tall))


def test_per_aircraft_values_follow_party_then_zones() -> None:
    policy = _policy()
    rng = np.random.default_rng(2)
    n = 400
    lat, lon = rng.uniform(32.5, 36.5, n), rng.uniform(43.5, 47.5, n)
    alt = rng.uniform(0.0, 12_000.0, n)
    party = rng.choice(np.array(["usaf", "iqaf", ""]), n)
    radius, height, look = policy.per_aircraft(lat, lon, alt, party)
    for k in range(n):
        base = policy.by_party.get(str(party[k]), policy.default)
        want = [base.radius_m, base.half_height_m, base.lookahead_s]
        for zone in policy.zones:
            if zone.geometry.contains(shapely.Point(lon[k], lat[k])) and zone.floor_m <= alt[k] <= zone.ceiling_m:
                p = zone.protection
                want = [max(want[0], p.radius_m), max(want[1], p.half_height_m), max(want[2], p.lookahead_s)]
        assert [radius[k], height[k], look[k]] == want, k
    assert len(set(zip(radius.tolist(), height.tolist(), look.tolist(), strict=True))) >= 5  # every rule occurs


def test_stca_filters_take_the_last_zone() -> None:
    policy = _policy()
    lat, lon, alt = np.array([34.5, 33.5, 35.5]), np.array([45.5, 44.5, 46.5]), np.array([1000.0, 1000.0, 20000.0])
    band, gs, surface, parallel = policy.filters_per_aircraft(lat, lon, alt, np.array(["", "usaf", ""]))
    assert (band[0], gs[0], surface[0], parallel[0]) == (1.0, 2.0, 3.0, 4.0)  # inside both: the later zone's
    d = Protection()
    assert (band[1], gs[1], surface[1], parallel[1]) == (
        d.level_band_ms,
        d.surface_gs_ms,
        d.surface_alt_m,
        d.parallel_ceiling_m,
    )
    assert (band[2], gs[2], surface[2], parallel[2]) == (1.0, 2.0, 3.0, 4.0)  # the tall zone has no ceiling


@pytest.mark.parametrize(
    ("field", "value"),
    [("radius_m", 0.0), ("half_height_m", -1.0), ("lookahead_s", float("nan")), ("surface_gs_ms", -1.0)],
)
def test_bad_values_are_refused(field: str, value: float) -> None:
    with pytest.raises(InputError, match=field):
        Protection(**{field: value})


def test_parse_reads_units_and_bare_feet() -> None:
    p = Protection.parse("5NM", "1000", "5min")
    assert (p.radius_m, p.half_height_m, p.lookahead_s) == pytest.approx((5 * 1852.0, 1000 * 0.3048, 300.0))
