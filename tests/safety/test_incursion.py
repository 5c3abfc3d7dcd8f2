"""Zone incursion warnings: predicted entry, already inside, altitude band, validity, parties, advisory zones."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest
import shapely
from shapely.geometry import box

from commonsky.airspace.zone import Zone, ZoneKind
from commonsky.picture import Picture
from commonsky.safety.incursion import ZoneIndex, detect_incursions
from commonsky.units import parse_altitude

R_E = 6371000.0
T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC).timestamp()


def _zone(**kw: object) -> Zone:
    args: dict = {
        "name": "Z",
        "kind": ZoneKind.RESTRICTED,
        "geometry": box(10.0, 50.0, 10.5, 50.5),
        "floor": parse_altitude("FL100"),
        "ceiling": parse_altitude("FL300"),
    }
    args.update(kw)
    return Zone(**args)


def _pic(lon: list[float], alt: list[float], trk: list[float], party: list[str] | None = None) -> Picture:
    n = len(lon)
    return Picture.from_arrays(
        [f"A{k}" for k in range(n)], [50.25] * n, lon, alt, [200.0] * n, trk, [0.0] * n, party=party, time_s=T0
    )


def test_entry_time_and_inside() -> None:
    index = ZoneIndex.build([_zone()])
    p = _pic([9.5, 10.2, 9.5, 9.5], [6000, 6000, 12000, 6000], [90, 90, 90, 270])
    r = detect_incursions(p, index)
    assert r.aircraft_id.tolist() == ["A0", "A1"]  # A2 above the ceiling, A3 flies away
    expected = R_E * math.radians(0.5) * math.cos(math.radians(50.25)) / 200.0
    assert r.time_to_entry_s[0] == pytest.approx(expected, abs=1.0)
    assert not r.inside[0] and r.inside[1] and r.time_to_entry_s[1] == 0.0
    assert r.entry_lon[0] == pytest.approx(10.0, abs=0.01)


def test_entry_beyond_lookahead_is_not_warned() -> None:
    index = ZoneIndex.build([_zone()])
    p = _pic([9.0], [6000], [90])  # about 356 s away
    assert len(detect_incursions(p, index, lookahead_s=300.0)) == 0
    assert len(detect_incursions(p, index, lookahead_s=400.0)) == 1


def test_climb_into_the_band() -> None:
    index = ZoneIndex.build([_zone()])
    p = Picture.from_arrays(["C"], [50.25], [10.25], [2000.0], [100.0], [0.0], [10.0], time_s=T0)
    r = detect_incursions(p, index)
    assert r.time_to_entry_s[0] == pytest.approx((parse_altitude("FL100").value_m - 2000.0) / 10.0, abs=0.5)


def test_validity_window_party_and_advisory() -> None:
    later = _zone(name="later", valid_from=datetime(2025, 6, 1, 12, 1, tzinfo=UTC))
    red_only = _zone(name="red only", applies_to=("red",))
    advisory = _zone(name="advice", kind=ZoneKind.ADVISORY, binding=False)
    index = ZoneIndex.build([later, red_only, advisory])
    assert len(index) == 2
    p = _pic([10.2, 10.2], [6000, 6000], [90, 90], party=["red", "blue"])
    r = detect_incursions(p, index)
    pairs = sorted(zip(r.aircraft_id.tolist(), r.zone_name.tolist(), r.time_to_entry_s.tolist(), strict=True))
    assert pairs == [
        ("A0", "later", pytest.approx(60.0, abs=0.5)),
        ("A0", "red only", 0.0),
        ("A1", "later", pytest.approx(60.0, abs=0.5)),
    ]


def test_no_zones_or_no_aircraft() -> None:
    assert len(detect_incursions(_pic([9.5], [6000], [90]), ZoneIndex.build([]))) == 0
    empty = Picture.from_arrays([], [], [], [], [], [], [])
    assert len(detect_incursions(empty, ZoneIndex.build([_zone()]))) == 0


def test_many_aircraft_vectorised() -> None:
    rng = np.random.default_rng(3)
    n = 5000
    p = Picture.from_arrays(
        [f"R{k}" for k in range(n)],
        rng.uniform(48, 52, n),
        rng.uniform(8, 12, n),
        rng.uniform(2000, 12000, n),
        rng.uniform(100, 250, n),
        rng.uniform(0, 360, n),
        np.zeros(n),
        time_s=T0,
    )
    r = detect_incursions(p, ZoneIndex.build([_zone()]))
    inside = (p.lon_deg >= 10.0) & (p.lon_deg <= 10.5) & (p.lat_deg >= 50.0) & (p.lat_deg <= 50.5)
    inside &= (p.alt_m >= parse_altitude("FL100").value_m) & (p.alt_m <= parse_altitude("FL300").value_m)
    assert set(r.aircraft_id[r.inside].tolist()) == set(p.id[inside].tolist())
    assert (r.time_to_entry_s[~r.inside] > 0).all() and (r.time_to_entry_s <= 300.0).all()


def test_random_zones_match_a_fine_sampled_search() -> None:
    """Against 1 s sampling: the same (aircraft, zone) warnings, entry times within one refined step, except
    for passes shorter than one 5 s step (documented: corners thinner than a step can be missed)."""
    from shapely.geometry import Polygon

    from commonsky.safety.incursion import predict_positions

    rng = np.random.default_rng(11)
    zones = []
    for k in range(12):
        lat0, lon0 = rng.uniform(45, 55), rng.uniform(0, 20)
        angles = np.sort(rng.uniform(0, 2 * np.pi, 7))
        radii = rng.uniform(0.1, 0.6, 7)
        ring = [
            (lon0 + r * np.cos(a) / np.cos(np.radians(lat0)), lat0 + r * np.sin(a))
            for a, r in zip(angles, radii, strict=True)
        ]
        zones.append(
            _zone(
                name=f"Z{k}",
                geometry=Polygon(ring),
                floor=parse_altitude(f"FL{rng.integers(0, 200):03d}"),
                ceiling=parse_altitude("FL350"),
            )
        )
    index = ZoneIndex.build(zones)
    n = 1500
    p = Picture.from_arrays(
        [f"R{k}" for k in range(n)],
        rng.uniform(44, 56, n),
        rng.uniform(-1, 21, n),
        rng.uniform(1000, 11000, n),
        rng.uniform(100, 250, n),
        rng.uniform(0, 360, n),
        rng.uniform(-15, 15, n),
        time_s=T0,
    )
    got = detect_incursions(p, index)
    found = {(int(a), int(z)): t for a, z, t in zip(got.aircraft, got.zone, got.time_to_entry_s, strict=True)}
    times = np.arange(0.0, 300.0 + 1e-9, 1.0)
    ac = np.repeat(np.arange(n), times.shape[0])
    lat, lon, alt = predict_positions(p, ac, np.tile(times, n))
    expected: dict[tuple[int, int], tuple[float, float]] = {}
    for z, zone in enumerate(index.zones):
        inside = (alt >= zone.floor.value_m) & (alt <= zone.ceiling.value_m)
        inside[inside] = shapely.contains_xy(zone.geometry, lon[inside], lat[inside])
        grid = inside.reshape(n, times.shape[0])
        for a in np.flatnonzero(grid.any(axis=1)):
            expected[(int(a), z)] = (float(times[np.argmax(grid[a])]), float(grid[a].sum()))
    assert len(expected) > 20
    for key, (t_entry, duration) in expected.items():
        if key in found:
            assert t_entry - 1.0 - 5.0 / 16 <= found[key] <= t_entry + 5.0 / 16
        else:
            assert duration < 5.0, f"missed {key}: inside for {duration} s from {t_entry} s"
    assert set(found) <= set(expected)
