"""`StateBatch`: state vectors handed between processes as one buffer read back as they were, and the picture's
reductions over it compared with plain loops over the same states."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from commonsky.errors import InputError
from commonsky.surveillance.feeds.batch import STATE_DTYPE, StateBatch
from commonsky.surveillance.feeds.records import StateVector


def _states(n: int, seed: int = 7) -> list[StateVector]:
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        icao = f"{0x400000 + int(rng.integers(0, 12)):06x}"
        known = rng.random(6) < 0.7
        out.append(
            StateVector(
                timestamp_s=1.7e9 + float(rng.integers(0, 20)) * 0.5,  # ties happen
                icao24=icao,
                latitude_deg=float(rng.uniform(-80, 80)),
                longitude_deg=float(rng.uniform(-180, 180)),
                callsign=f"CS{k % 97:04d}" if known[0] else None,
                altitude_ft=float(rng.integers(-10, 450) * 100) if known[1] else None,
                groundspeed_kt=float(rng.uniform(0, 600)) if known[2] else None,
                track_deg=float(rng.uniform(0, 360)) if known[3] else None,
                vertical_rate_fpm=float(rng.integers(-64, 64) * 64) if known[4] else None,
                squawk=f"{int(rng.integers(0, 0o7777)):04o}" if known[5] else None,
                onground=[None, True, False][int(rng.integers(0, 3))],
            )
        )
    return out


def test_a_batch_reads_back_the_states_it_was_made_of() -> None:
    states = _states(500)
    batch = StateBatch.from_states(states)
    assert list(batch) == states
    again = StateBatch.from_bytes(batch.to_bytes())
    assert list(again) == states and len(again) == 500
    assert list(pickle.loads(pickle.dumps(batch))) == states  # what a pipe to the parent process does
    assert len(batch.to_bytes()) == 500 * STATE_DTYPE.itemsize
    assert list(StateBatch.concat([batch[:100], batch[100:]])) == states
    assert list(StateBatch.empty()) == [] and list(StateBatch.from_states([])) == []


def test_columns_hold_the_values_with_nan_for_unknown() -> None:
    states = _states(50)
    batch = StateBatch.from_states(states)
    alt = batch.column("altitude_ft")
    for s, a in zip(states, alt, strict=True):
        assert np.isnan(a) if s.altitude_ft is None else a == s.altitude_ft
    assert batch.text("icao24").tolist() == [s.icao24 for s in states]
    assert batch.text("callsign").tolist() == [s.callsign or "" for s in states]


def test_latest_placed_is_the_newest_of_each_aircraft_in_first_seen_order() -> None:
    states = _states(400, seed=3)
    latest: dict[str, StateVector] = {}
    for s in states:  # an independent reduction: first-seen order, a later report wins a tie
        placed = s.altitude_ft is not None or s.onground is True
        if placed and (s.icao24 not in latest or s.timestamp_s >= latest[s.icao24].timestamp_s):
            latest[s.icao24] = s
    assert list(StateBatch.from_states(states).latest_placed()) == list(latest.values())


def test_last_squawk_and_ground_flag_per_aircraft() -> None:
    states = _states(300, seed=5)
    squawk: dict[str, str] = {}
    ground: dict[str, bool] = {}
    for s in states:
        if s.squawk:
            squawk[s.icao24] = s.squawk
        if s.onground is not None:
            ground[s.icao24] = s.onground
    batch = StateBatch.from_states(states)
    assert batch.last_known("squawk") == squawk and batch.last_ground() == ground


def test_bytes_that_are_not_whole_records_are_refused() -> None:
    with pytest.raises(InputError, match="not whole state records"):
        StateBatch.from_bytes(b"\x00" * (STATE_DTYPE.itemsize + 1))
    with pytest.raises(InputError, match="STATE_DTYPE"):
        StateBatch(np.zeros(3, dtype=float))  # type: ignore[arg-type]
