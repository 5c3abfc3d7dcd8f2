"""Encounters built from the real flights of the `traffic` package's ``switzerland`` and ``quickstart`` samples:
shifted by exactly the time and level asked, meeting where and when they were built to, each in its own slot."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from commonsky.safety.encounters import EncounterKind, beside, encounter_set, flight, ground_set, lift_off, shifted
from commonsky.safety.track_files import read_json_records

from .conftest import haversine_m

pytestmark = pytest.mark.slow

R_M = 6371000.0
SLOT_S = 3600.0
BASE_S = 1_600_000_000.0


@pytest.fixture(scope="module")
def swiss(samples: Path) -> dict[str, np.ndarray]:
    return read_json_records(samples / "collections" / "switzerland.json.gz")


def test_shifted_moves_a_real_flight_by_exactly_the_time_and_level_asked(swiss: dict[str, np.ndarray]) -> None:
    ids, counts = np.unique(swiss["icao24"].astype(str), return_counts=True)
    name = str(ids[np.argmax(counts)])
    f = flight(swiss, name)
    before = {k: np.array(v, copy=True) for k, v in f.items()}
    ground = np.arange(f["timestamp"].shape[0]) % 7 == 0  # some rows flagged on the ground
    f["onground"] = ground
    out = shifted(f, "new001", dt_s=123.5, dalt_ft=-1700.0)
    t = f["timestamp"].astype(float)
    alt = f["altitude"].astype(float)
    assert (np.diff(t) >= 0).all() and t.shape[0] == counts.max() > 100
    assert (out["timestamp"] == t + 123.5).all()
    assert (out["altitude"][~ground] == alt[~ground] - 1700.0).all()
    assert (out["altitude"][ground] == alt[ground]).all()
    assert (out["icao24"] == "new001").all()
    for column in ("latitude", "longitude", "callsign", "groundspeed"):
        assert (out[column] == f[column]).all()
    for column, values in before.items():  # the input is left as it was
        assert (f[column] == values).all()


def test_encounters_meet_at_the_levels_they_were_built_for(swiss: dict[str, np.ndarray]) -> None:
    """At the two flights' closest reports (found here by haversine over every pair of reports, ignoring time),
    the reports are within a few seconds of each other and the altitudes as the kind says."""
    table, made = encounter_set(swiss, per_kind=2, slot_s=SLOT_S)
    assert {e.kind for e in made} == set(EncounterKind)
    ids = table["icao24"]
    for n, e in enumerate(made):
        a, b = flight(table, e.level_id), flight(table, e.other_id)
        dist = haversine_m(
            a["latitude"][:, None], a["longitude"][:, None], b["latitude"][None, :], b["longitude"][None, :], R_M
        )
        i, j = np.unravel_index(int(np.nanargmin(dist)), dist.shape)
        assert dist[i, j] < 300.0, e
        assert abs(a["timestamp"][i] - b["timestamp"][j]) <= 15.0, e
        gap_ft = b["altitude"][j] - a["altitude"][i]
        want_ft = 1000.0 if e.kind is EncounterKind.ADJACENT_LEVELS else 0.0
        assert abs(gap_ft - want_ft) <= 200.0, (e, gap_ft)
        mine = (ids == e.level_id) | (ids == e.other_id)
        slot = BASE_S + n * SLOT_S
        assert (np.abs(table["timestamp"][mine] - slot) <= SLOT_S / 4 + 15.0).all(), e
    assert np.unique(ids).shape[0] == 2 * len(made)


def test_a_ground_movement_sits_beside_each_lift_off(samples: Path) -> None:
    paris = read_json_records(samples / "collections" / "quickstart.json.gz")
    table, pairs = ground_set(paris, count=3, slot_s=SLOT_S, east_m=300.0)
    assert len(pairs) == 3
    for n, (dep_id, mover_id) in enumerate(pairs):
        dep, mover = flight(table, dep_id), flight(table, mover_id)
        assert mover["onground"].all() and mover["timestamp"].shape[0] > 0
        # Departure n lifts off at the start of slot n; the mover's report then is 300 m east of it, level with it.
        i = int(np.argmin(np.abs(dep["timestamp"] - (BASE_S + n * SLOT_S))))
        assert not dep["onground"][i] and dep["onground"][i - 1]
        j = int(np.flatnonzero(mover["timestamp"] == dep["timestamp"][i])[0])
        d = haversine_m(
            dep["latitude"][i : i + 1],
            dep["longitude"][i : i + 1],
            mover["latitude"][j : j + 1],
            mover["longitude"][j : j + 1],
            R_M,
        )
        assert d[0] == pytest.approx(300.0, abs=1.0)
        assert mover["longitude"][j] > dep["longitude"][i] and mover["latitude"][j] == pytest.approx(dep["latitude"][i])
        assert mover["altitude"][j] == dep["altitude"][i]
        assert lift_off(dep) == i


def test_beside_puts_one_report_east_of_another() -> None:
    t = np.arange(0.0, 50.0, 5.0)
    mover = {
        "timestamp": t,
        "icao24": np.full(t.shape, "m"),
        "latitude": 49.0 + 0.0001 * t,
        "longitude": np.full(t.shape, 2.5),
        "altitude": np.full(t.shape, 300.0),
    }
    target = {
        "timestamp": 1000.0 + t,
        "icao24": np.full(t.shape, "t"),
        "latitude": np.full(t.shape, 48.7),
        "longitude": 2.3 + 0.001 * t,
        "altitude": np.full(t.shape, 350.0),
    }
    out = beside(mover, 4, target, 6, "new", 250.0)
    assert out["timestamp"][4] == target["timestamp"][6] and (np.diff(out["timestamp"]) == 5.0).all()
    d = haversine_m(out["latitude"][4:5], out["longitude"][4:5], target["latitude"][6:7], target["longitude"][6:7], R_M)
    assert d[0] == pytest.approx(250.0, rel=1e-4)
    assert out["latitude"][4] == pytest.approx(48.7) and out["longitude"][4] > target["longitude"][6]
    assert (out["altitude"] == 350.0).all() and out["onground"].all()
    assert math.isclose(
        float(out["latitude"][0] - out["latitude"][4]), float(mover["latitude"][0] - mover["latitude"][4])
    )
