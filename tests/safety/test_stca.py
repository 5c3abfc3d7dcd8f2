"""STCA filters and exact boundaries: level pairs at every adjacent level pair, ground suppression, parameters per
party and per region."""

from __future__ import annotations

import numpy as np
from shapely.geometry import box

from commonsky.geo.aerodromes import Aerodromes
from commonsky.picture import Picture
from commonsky.safety.conflicts import detect_conflicts
from commonsky.safety.params import Protection, ProtectionPolicy, ZoneProtection
from commonsky.safety.stca import stca_states

FT = 0.3048
FPM = FT / 60.0


def test_level_pairs_exactly_1000_ft_apart_never_conflict_at_any_level() -> None:
    """Head-on pairs at FLn and FLn+10 for every n from 10 to 400 (the float flip of the issue: 37000 * 0.3048 -
    36000 * 0.3048 < 304.8), then the same pairs 975 ft apart, which all conflict."""
    for spacing_ft, expected in ((1000, 0), (975, 1)):
        conflicting = 0
        levels = range(1000, 40001, 1000)
        for ft in levels:
            p = Picture.from_arrays(
                ["a", "b"],
                [47.0, 47.0],
                [8.0, 8.2],
                [ft * FT, (ft + spacing_ft) * FT],
                [230.0, 230.0],
                [90.0, 270.0],
                [0.0, 0.0],
            )
            conflicting += len(detect_conflicts(p))
        assert conflicting == expected * len(levels)


def _states(policy: ProtectionPolicy, **over: object) -> object:
    n = 4
    values: dict[str, object] = {
        "lat": np.full(n, 47.0),
        "lon": np.array([8.0, 8.1, 8.2, 8.3]),
        "alt_m": np.array([1500.0, 1500.0, 10000.0, 10000.0]) * FT,
        "gs_ms": np.array([10.0, 120.0, 230.0, 230.0]),
        "vs_ms": np.zeros(n),
        "vs_filt_ms": np.array([0.0, 0.0, 300.0 * FPM, 600.0 * FPM]),
        "on_ground": np.array([False, False, False, False]),
    }
    values.update(over)
    return stca_states(policy, **values)  # type: ignore[arg-type]


def test_ground_and_level_filters_with_defaults() -> None:
    s = _states(ProtectionPolicy(), on_ground=np.array([False, True, False, False]))
    # Slow and low: on the surface; reported on the ground: out; the two en-route aircraft take part.
    assert s.eligible.tolist() == [False, False, True, True]  # type: ignore[attr-defined]
    # 300 ft/min filtered is inside the 400 ft/min dead band: level, predicted at its flight level; 600 is not.
    assert s.level.tolist()[2:] == [True, False]  # type: ignore[attr-defined]
    assert s.vs_pred_ms[2] == 0.0 and s.vs_pred_ms[3] == 600.0 * FPM  # type: ignore[attr-defined]


def test_filters_per_party_and_per_region() -> None:
    tight = Protection(level_band_ms=200.0 * FPM, surface_gs_ms=0.0)
    region = ZoneProtection(box(8.25, 46.0, 9.0, 48.0), Protection(level_band_ms=800.0 * FPM))
    policy = ProtectionPolicy(by_party={"police": tight}, zones=[region])
    s = _states(policy, party=np.array(["police", "", "police", ""]), gs_ms=np.array([10.0, 10.0, 230.0, 230.0]))
    # The party turns the surface rule off for its aircraft; its band is tighter; the region widens the band.
    assert s.eligible.tolist()[:2] == [True, False]  # type: ignore[attr-defined]
    assert s.level.tolist()[2:] == [False, True]  # type: ignore[attr-defined]


def test_surface_movements_are_slow_and_low_over_an_aerodrome() -> None:
    """A high aerodrome (Denver's elevation, 5,434 ft) and one at sea level 1 km across, 30 km apart: a slow
    aircraft at the high aerodrome's elevation is a surface movement (the sea-level rule took it for airborne); a
    slow one low away from both (a helicopter, 6 km off) is airborne (the sea-level rule took it for one on the
    ground); slow but 3,000 ft above an aerodrome is airborne; fast over the aerodrome is airborne."""
    aerodromes = Aerodromes(
        ident=np.array(["HIGH", "LOW"]),
        lat_deg=np.array([47.0, 47.27]),
        lon_deg=np.array([8.0, 8.0]),
        elevation_m=np.array([5434.0 * FT, np.nan]),  # the second's elevation unknown: taken as sea level
        radius_m=np.array([4_000.0, 1_000.0]),
    )
    # one degree of latitude is 111 km: 0.0054 deg = 600 m, 0.054 deg = 6 km
    lat = np.array([47.0054, 47.054, 47.0054, 47.0054, 47.2754, 47.2754])
    alt = np.array([5300.0, 800.0, 8500.0, 5300.0, 300.0, 2600.0]) * FT
    gs = np.array([10.0, 20.0, 10.0, 120.0, 10.0, 10.0])
    rates = {"vs_ms": np.zeros(6), "vs_filt_ms": np.zeros(6), "on_ground": np.zeros(6, dtype=bool)}
    lon = np.full(6, 8.0)
    policy = ProtectionPolicy()
    with_data = stca_states(policy, lat, lon, alt, gs, aerodromes=aerodromes, **rates)
    assert with_data.eligible.tolist() == [False, True, True, True, False, True]
    sea_level = stca_states(policy, lat, lon, alt, gs, **rates)
    assert sea_level.eligible.tolist() == [True, False, True, True, False, True]


def test_a_level_aircraft_is_predicted_at_the_ifr_level_it_holds_within_300_ft() -> None:
    """Level at 37,250 ft (250 ft off FL370) beside level FL380 head-on: no conflict, as the truth calls the pair
    height keeping; at 37,300 ft (a large height deviation) the aircraft is at FL373 and the pair conflicts."""
    for alt_ft, expected in ((37250.0, 0), (36750.0, 0), (37300.0, 1), (36700.0, 0)):
        s = stca_states(
            ProtectionPolicy(),
            lat=np.full(2, 47.0),
            lon=np.array([8.0, 8.2]),
            alt_m=np.array([alt_ft, 38000.0]) * FT,
            gs_ms=np.full(2, 230.0),
            vs_ms=np.zeros(2),
            vs_filt_ms=np.zeros(2),
            on_ground=np.zeros(2, dtype=bool),
        )
        p = Picture.from_arrays(
            ["a", "b"], [47.0, 47.0], [8.0, 8.2], s.alt_ref_m, [230.0, 230.0], [90.0, 270.0], s.vs_pred_ms
        )
        assert len(detect_conflicts(p)) == expected, alt_ft
