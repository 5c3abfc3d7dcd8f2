"""Aerodromes: the bundled OurAirports list against published values, lookups against a brute-force geodesic
oracle (pyproj), and the surface radius rule."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pyproj import Geod

from commonsky.geo.aerodromes import (
    DEFAULT_RADIUS_M,
    HELIPORT_RADIUS_M,
    RUNWAY_MARGIN_M,
    Aerodromes,
    aerodrome_radius_m,
    load_aerodromes,
)

WGS84 = Geod(ellps="WGS84")
FT = 0.3048


def test_the_bundled_list_holds_the_world_s_aerodromes_with_their_published_elevations() -> None:
    a = load_aerodromes()
    assert len(a) > 60_000 and len(set(a.ident.tolist())) == len(a)
    # Elevations published in the AIPs (ft): Paris-CDG 392, Denver 5,434, Zurich 1,416, Heathrow 83, La Paz 13,325.
    published = {"LFPG": 392, "KDEN": 5434, "LSZH": 1416, "EGLL": 83, "SLLP": 13325}
    for ident, elevation_ft in published.items():
        k = int(np.flatnonzero(a.ident == ident)[0])
        assert abs(a.elevation_m[k] / FT - elevation_ft) <= 50.0, ident  # OurAirports: El Alto 13,355
        # a large aerodrome's surface reaches beyond its longest runway's half-length
        assert a.radius_m[k] > 2_000.0, ident
    # each aerodrome is on its own surface, and says so with its own elevation (or one of a neighbour it shares)
    on, _ = a.at(a.lat_deg[::97], a.lon_deg[::97])
    assert on.all()
    # the middle of the Atlantic is no aerodrome
    on, elevation = a.at(np.array([40.0, -10.0]), np.array([-40.0, -20.0]))
    assert not on.any() and np.isnan(elevation).all()


def _oracle(a: Aerodromes, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(on, elevation, ambiguous) by the geodesic distance to every aerodrome; ambiguous where a distance is within
    1 m of a radius or two covering aerodromes are within 1 m of the same distance."""
    on = np.zeros(lat.shape[0], dtype=bool)
    elevation = np.full(lat.shape[0], np.nan)
    ambiguous = np.zeros(lat.shape[0], dtype=bool)
    for k in range(lat.shape[0]):
        _, _, d = WGS84.inv(np.full(len(a), lon[k]), np.full(len(a), lat[k]), a.lon_deg, a.lat_deg)
        d = np.asarray(d)
        ambiguous[k] = bool(np.any(np.abs(d - a.radius_m) < 1.0))
        covering = np.flatnonzero(d <= a.radius_m)
        if covering.shape[0]:
            on[k] = True
            near = covering[np.argsort(d[covering])]
            elevation[k] = a.elevation_m[near[0]]
            ambiguous[k] |= near.shape[0] > 1 and d[near[1]] - d[near[0]] < 1.0
    return on, elevation, ambiguous


def test_lookups_equal_a_brute_force_search_over_every_aerodrome() -> None:
    """Dense clusters of small aerodromes around large ones (more than a nearest-k search would look at), some
    without an elevation; positions anywhere around them."""
    rng = np.random.default_rng(7)
    big = 12
    lat = np.concatenate([rng.uniform(45.0, 46.0, big), 45.5 + rng.normal(0, 0.05, 400)])
    lon = np.concatenate([rng.uniform(7.0, 8.5, big), 7.7 + rng.normal(0, 0.07, 400)])
    radius = np.concatenate([rng.uniform(2_500.0, 9_000.0, big), rng.uniform(300.0, 2_000.0, 400)])
    elevation = rng.uniform(0.0, 2_000.0, lat.shape[0])
    elevation[rng.random(lat.shape[0]) < 0.1] = np.nan
    a = Aerodromes(
        ident=np.array([f"A{k}" for k in range(lat.shape[0])]),
        lat_deg=lat,
        lon_deg=lon,
        elevation_m=elevation,
        radius_m=radius,
    )
    qlat = np.concatenate([rng.uniform(44.9, 46.1, 600), 45.5 + rng.normal(0, 0.05, 600)])
    qlon = np.concatenate([rng.uniform(6.9, 8.6, 600), 7.7 + rng.normal(0, 0.07, 600)])
    on, got = a.at(qlat, qlon)
    want_on, want, ambiguous = _oracle(a, qlat, qlon)
    clear = ~ambiguous
    assert clear.sum() > 1_100 and 0.2 < want_on[clear].mean() < 0.9
    assert (on[clear] == want_on[clear]).all()
    np.testing.assert_array_equal(got[clear], want[clear])  # NaN where off, or where the elevation is unknown


def test_empty_lookups() -> None:
    a = load_aerodromes()
    on, elevation = a.at(np.zeros(0), np.zeros(0))
    assert on.shape == (0,) and elevation.shape == (0,)
    # near aerodromes but on none: Paris, 2.2 km south of Orly's reference point is on it, 8 km is not
    k = int(np.flatnonzero(a.ident == "LFPO")[0])
    lat = a.lat_deg[k] - np.array([8_000.0, 2_200.0]) / 111_200.0
    on, elevation = a.at(lat[:1], np.full(1, a.lon_deg[k]))
    assert on.tolist() == [False] and np.isnan(elevation).all()
    on, elevation = a.at(lat, np.full(2, a.lon_deg[k]))
    assert on.tolist() == [False, True] and elevation[1] == a.elevation_m[k]


def test_the_surface_radius_reaches_the_farthest_runway_end() -> None:
    lat, lon = 49.0, 2.5
    _, _, far = WGS84.inv(lon, lat, 2.56, 49.01)
    assert aerodrome_radius_m(lat, lon, False, [(49.0, 2.49), (49.01, 2.56)], [3_000.0]) == pytest.approx(
        far + RUNWAY_MARGIN_M, abs=0.01
    )
    # an end 40 km away is a data error: the longest runway is used instead
    assert aerodrome_radius_m(lat, lon, False, [(49.36, 2.5)], [3_000.0]) == 3_000.0 + 0.5 * RUNWAY_MARGIN_M
    assert aerodrome_radius_m(lat, lon, False, [(math.nan, math.nan)], [2_000.0, 900.0]) == 2_500.0
    assert aerodrome_radius_m(lat, lon, True, [], []) == HELIPORT_RADIUS_M
    assert aerodrome_radius_m(lat, lon, False, [], [math.nan, 0.0]) == DEFAULT_RADIUS_M
