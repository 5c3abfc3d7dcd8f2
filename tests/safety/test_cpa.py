"""`pair_geometry` against computations written here: the closest approach found by a numerical minimiser in
BlueSky's flat frame, the loss of separation found by sampling time, and the symmetries the kernel must have."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from commonsky.safety.cpa import PairGeometry, pair_geometry

R_SPHERE_M = 6_371_000.0  # BlueSky's sphere, as the module docstring specifies
RADIUS_M, HALF_HEIGHT_M, LOOKAHEAD_S = 9260.0, 304.8, 300.0


def _pairs(seed: int, n: int = 120) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    lat = np.repeat(rng.uniform(-60.0, 60.0, n), 2) + rng.normal(0.0, 0.2, 2 * n)
    lon = np.repeat(rng.uniform(-180.0, 180.0, n), 2) + rng.normal(0.0, 0.25, 2 * n)
    gs = rng.uniform(60.0, 260.0, 2 * n)
    trk = np.radians(rng.uniform(0.0, 360.0, 2 * n))
    return {
        "lat": lat,
        "lon": lon,
        "alt_m": 9000.0 + rng.normal(0.0, 400.0, 2 * n),
        "vn_ms": gs * np.cos(trk),
        "ve_ms": gs * np.sin(trk),
        "vs_ms": np.where(rng.random(2 * n) < 0.5, 0.0, rng.normal(0.0, 8.0, 2 * n)),
        "i": np.arange(0, 2 * n, 2),
        "j": np.arange(1, 2 * n, 2),
    }


@dataclass(frozen=True)
class _Motion:
    """The aircraft as the kernel reads them (its `Motion` protocol)."""

    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray
    vn_ms: np.ndarray
    ve_ms: np.ndarray
    vs_ms: np.ndarray


def _geometry(s: dict[str, np.ndarray]) -> PairGeometry:
    motion = _Motion(s["lat"], s["lon"], s["alt_m"], s["vn_ms"], s["ve_ms"], s["vs_ms"])
    return pair_geometry(motion, s["i"], s["j"], RADIUS_M, HALF_HEIGHT_M, LOOKAHEAD_S)


def _relative(s: dict[str, np.ndarray], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Position of j seen from i (east, north metres) and its velocity, in BlueSky's flat frame."""
    i, j = s["i"][k], s["j"][k]
    dlon = (s["lon"][j] - s["lon"][i] + 180.0) % 360.0 - 180.0
    mean_lat = np.radians(0.5 * (s["lat"][i] + s["lat"][j]))
    r0 = np.array(
        [R_SPHERE_M * np.cos(mean_lat) * np.radians(dlon), R_SPHERE_M * np.radians(s["lat"][j] - s["lat"][i])]
    )
    v = np.array([s["ve_ms"][j] - s["ve_ms"][i], s["vn_ms"][j] - s["vn_ms"][i]])
    return r0, v


@pytest.mark.parametrize("seed", [1, 2])
def test_closest_approach_matches_a_numerical_minimiser(seed: int) -> None:
    s = _pairs(seed)
    g = _geometry(s)
    for k in range(len(s["i"])):
        r0, v = _relative(s, k)
        found = minimize_scalar(lambda t, r0=r0, v=v: float(np.sum((r0 + v * t) ** 2)), bracket=(-1e4, 1e4), tol=1e-12)
        assert g.tcpa_s[k] == pytest.approx(found.x, abs=1e-3)
        assert g.dcpa_m[k] == pytest.approx(np.sqrt(found.fun), abs=1e-3)
        assert g.dist_m[k] == pytest.approx(np.hypot(*r0), rel=1e-9)
        assert g.dalt_m[k] == pytest.approx(s["alt_m"][s["i"][k]] - s["alt_m"][s["j"][k]])


@pytest.mark.parametrize("seed", [3, 4])
def test_conflict_flag_matches_sampled_loss_of_separation(seed: int) -> None:
    s = _pairs(seed, n=300)
    g = _geometry(s)
    t = np.linspace(0.0, LOOKAHEAD_S, 30_001)
    decided = 0
    for k in range(len(s["i"])):
        r0, v = _relative(s, k)
        i, j = s["i"][k], s["j"][k]
        horizontal = np.hypot(r0[0] + v[0] * t, r0[1] + v[1] * t) / RADIUS_M
        vertical = np.abs(s["alt_m"][i] - s["alt_m"][j] + (s["vs_ms"][i] - s["vs_ms"][j]) * t) / HALF_HEIGHT_M
        margin = float(np.maximum(horizontal, vertical).min())
        if abs(margin - 1.0) < 1e-3:
            continue  # grazing the boundary: sampling cannot decide
        decided += 1
        assert bool(g.conflict[k]) == (margin < 1.0), k
    assert decided > 250 and g.conflict.any() and not g.conflict.all()


def test_swapping_the_aircraft_changes_only_the_bearing() -> None:
    s = _pairs(5)
    g = _geometry(s)
    swapped = _geometry({**s, "i": s["j"], "j": s["i"]})
    for name in ("tcpa_s", "dcpa_m", "dist_m", "tin_s", "tout_s"):
        np.testing.assert_allclose(getattr(swapped, name), getattr(g, name), rtol=1e-9, atol=1e-6)
    np.testing.assert_array_equal(swapped.conflict, g.conflict)
    np.testing.assert_allclose(swapped.dalt_m, -g.dalt_m)
    np.testing.assert_allclose((swapped.qdr_deg - g.qdr_deg) % 360.0, 180.0, atol=1e-6)


def test_a_rotation_about_the_pole_changes_nothing_even_across_the_antimeridian() -> None:
    s = _pairs(6)
    s["lon"] = s["lon"] - np.repeat(s["lon"][::2], 2)  # every pair near longitude 0
    g = _geometry(s)
    assert g.conflict.any()
    for shift in (179.95, -179.95, 90.0):
        moved = _geometry({**s, "lon": (s["lon"] + shift + 180.0) % 360.0 - 180.0})
        np.testing.assert_allclose(moved.tcpa_s, g.tcpa_s, rtol=1e-7, atol=1e-6)
        np.testing.assert_allclose(moved.dcpa_m, g.dcpa_m, rtol=1e-7, atol=1e-4)
        np.testing.assert_array_equal(moved.conflict, g.conflict)


def test_pairs_selected_and_joined_are_those_computed_apart() -> None:
    """`select` and `joined` keep every array of a pair together: the geometry of some pairs, or of two groups
    of pairs one after the other, is what `pair_geometry` computes for those pairs alone."""
    s = _pairs(3)
    whole = _geometry(s)
    odd = np.arange(whole.i.shape[0]) % 2 == 1
    first, second = ({**s, "i": s["i"][m], "j": s["j"][m]} for m in (~odd, odd))
    for got, expected in (
        (whole.select(odd), _geometry(second)),
        (whole.select(np.flatnonzero(~odd)), _geometry(first)),
    ):
        assert all(np.array_equal(getattr(got, f), getattr(expected, f)) for f in vars(expected))
    joined = PairGeometry.joined([_geometry(first), _geometry(second)])
    order = np.concatenate([np.flatnonzero(~odd), np.flatnonzero(odd)])
    assert all(np.array_equal(getattr(joined, f), getattr(whole, f)[order]) for f in vars(whole))
