"""The pruned detector finds exactly the pairs an all-pairs search finds (brute force lives only here)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonsky.picture import Picture
from commonsky.safety.conflicts import detect_conflicts
from commonsky.safety.cpa import pair_geometry
from commonsky.safety.params import Protection, ProtectionPolicy


def brute_force(picture: Picture, policy: ProtectionPolicy) -> set[tuple[str, str]]:
    """Every pair i < j through the same CPA kernel: O(N^2), for tests only."""
    r, h, t = policy.per_aircraft(picture.lat_deg, picture.lon_deg, picture.alt_m, picture.party)
    i, j = np.triu_indices(len(picture), k=1)
    geo = pair_geometry(picture, i, j, np.maximum(r[i], r[j]), np.maximum(h[i], h[j]), np.maximum(t[i], t[j]))
    return {
        tuple(sorted((str(picture.id[a]), str(picture.id[b]))))
        for a, b in zip(geo.i[geo.conflict], geo.j[geo.conflict], strict=True)
    }


def scenario(seed: int, n: int, lat0: float, lon0: float, size_km: float, max_gs: float) -> Picture:
    rng = np.random.default_rng(seed)
    dlat = size_km / 111.2
    lat = np.clip(lat0 + rng.uniform(-dlat, dlat, n), -89.99, 89.99)
    lon = lon0 + rng.uniform(-dlat, dlat, n) / max(np.cos(np.radians(lat0)), 0.02)
    alt = rng.uniform(8000.0, 11000.0, n)
    vs = np.where(rng.random(n) < 0.4, rng.uniform(-25.0, 25.0, n), 0.0)
    return Picture.from_arrays(
        [f"X{k:03d}" for k in range(n)],
        lat,
        lon,
        alt,
        rng.uniform(0.0, max_gs, n),
        rng.uniform(0.0, 360.0, n),
        vs,
        party=rng.choice(["a", "b", "c"], n),
    )


POLICY = ProtectionPolicy(by_party={"b": Protection(radius_m=12000.0, half_height_m=450.0, lookahead_s=420.0)})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(2, 60),
    lat0=st.floats(-69.0, 69.0),
    lon0=st.sampled_from([-179.9, -120.0, 0.0, 10.0, 179.9]),
    size_km=st.sampled_from([30.0, 120.0, 300.0]),
    max_gs=st.sampled_from([150.0, 300.0, 600.0]),
)
def test_pruned_equals_brute_force(seed: int, n: int, lat0: float, lon0: float, size_km: float, max_gs: float) -> None:
    picture = scenario(seed, n, lat0, lon0, size_km, max_gs)
    for policy in (ProtectionPolicy(), POLICY):
        got = detect_conflicts(picture, policy)
        assert set(zip(got.ownship_id.tolist(), got.intruder_id.tolist(), strict=True)) == brute_force(picture, policy)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(2, 50),
    lat0=st.sampled_from([-88.0, -75.0, 72.0, 80.0, 89.5]),
    lon0=st.floats(-180.0, 180.0),
)
def test_pruned_equals_brute_force_near_the_poles(seed: int, n: int, lat0: float, lon0: float) -> None:
    picture = scenario(seed, n, lat0, lon0, 100.0, 300.0)
    got = detect_conflicts(picture)
    assert set(zip(got.ownship_id.tolist(), got.intruder_id.tolist(), strict=True)) == brute_force(
        picture, ProtectionPolicy()
    )


def test_denser_scenario_equals_brute_force() -> None:
    picture = scenario(42, 700, 50.0, 10.0, 250.0, 260.0)
    got = detect_conflicts(picture)
    expected = brute_force(picture, ProtectionPolicy())
    assert len(expected) > 20
    assert set(zip(got.ownship_id.tolist(), got.intruder_id.tolist(), strict=True)) == expected
    assert got.candidates < 700 * 699 // 2 // 5  # pruning actually prunes
