"""Feed records: a state vector's row follows the CSV columns by name, and the SI columns convert with the
international foot and knot (written here: 0.3048 m, 1852 m per hour), unknowns as NaN."""

from __future__ import annotations

import math

import pytest

from commonsky.surveillance.feeds.records import STATE_COLUMNS, StateVector, states_to_si


def test_row_follows_the_columns() -> None:
    state = StateVector(1.5, "abc123", 33.7, 44.6, "IAW123", 35000.0, 450.0, 90.0, -500.0, "7000", False)
    row = dict(zip(STATE_COLUMNS, state.row(), strict=True))
    assert row == {
        "timestamp": 1.5,
        "icao24": "abc123",
        "callsign": "IAW123",
        "latitude": 33.7,
        "longitude": 44.6,
        "altitude": 35000.0,
        "groundspeed": 450.0,
        "track": 90.0,
        "vertical_rate": -500.0,
        "squawk": "7000",
        "onground": False,
    }


def test_si_columns() -> None:
    states = [
        StateVector(
            10.0,
            "abc123",
            33.7,
            44.6,
            altitude_ft=35000.0,
            groundspeed_kt=450.0,
            track_deg=90.0,
            vertical_rate_fpm=-500.0,
        ),
        StateVector(11.0, "def456", -1.0, 179.0),
    ]
    si = states_to_si(states)
    assert si["icao24"].tolist() == ["abc123", "def456"] and si["t_s"].tolist() == [10.0, 11.0]
    assert (si["lat_deg"].tolist(), si["lon_deg"].tolist()) == ([33.7, -1.0], [44.6, 179.0])
    assert si["alt_m"][0] == pytest.approx(35000.0 * 0.3048)
    assert si["gs_ms"][0] == pytest.approx(450.0 * 1852.0 / 3600.0)
    assert si["vs_ms"][0] == pytest.approx(-500.0 * 0.3048 / 60.0)
    assert si["trk_deg"][0] == 90.0
    assert all(math.isnan(si[k][1]) for k in ("alt_m", "gs_ms", "trk_deg", "vs_ms"))
    assert all(len(v) == 0 for v in states_to_si([]).values())
