"""Loss episodes from reports, against a brute-force computation written here (per pair, per second, in feet)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from commonsky.errors import InputError
from commonsky.safety.losses import LOSS_COLUMNS, loss_episodes, write_losses_csv

FT = 0.3048
NM = 1852.0
R = 6371000.0


def _arc_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great circle from the angle between ECEF unit vectors (atan2 of cross and dot, not haversine)."""
    a = np.radians([lat1, lon1])
    b = np.radians([lat2, lon2])
    u = np.array([math.cos(a[0]) * math.cos(a[1]), math.cos(a[0]) * math.sin(a[1]), math.sin(a[0])])
    v = np.array([math.cos(b[0]) * math.cos(b[1]), math.cos(b[0]) * math.sin(b[1]), math.sin(b[0])])
    return R * math.atan2(float(np.linalg.norm(np.cross(u, v))), float(u @ v))


def _brute_force(
    flights: dict[str, list[tuple[float, float, float, float, bool]]], max_gap_s: float, radius_nm: float = 5.0
) -> list[tuple[str, str, int, int, float, float]]:
    """Episodes (a, b, start, end, min horizontal m, min vertical ft) from reports (t, lat, lon, alt_ft, ground)."""

    def position(reports: list[tuple[float, float, float, float, bool]], t: int) -> tuple[float, float, float] | None:
        for k, (t0, la0, lo0, ft0, g0) in enumerate(reports):
            if t0 == t and not g0:
                return la0, lo0, ft0
            if k + 1 < len(reports):
                t1, la1, lo1, ft1, g1 = reports[k + 1]
                if t0 < t < t1 and t1 - t0 <= max_gap_s and not g0 and not g1:
                    f = (t - t0) / (t1 - t0)
                    return la0 + f * (la1 - la0), lo0 + f * (lo1 - lo0), ft0 + f * (ft1 - ft0)
        return None

    names = sorted(flights)
    t_all = [r[0] for f in flights.values() for r in f]
    grid = range(math.ceil(min(t_all)), math.floor(max(t_all)) + 1)
    out = []
    for x, a in enumerate(names):
        for b in names[x + 1 :]:
            current: list[tuple[int, float, float]] = []
            for t in [*grid, None]:
                pa = position(flights[a], t) if t is not None else None
                pb = position(flights[b], t) if t is not None else None
                inside = False
                if pa is not None and pb is not None and t is not None:
                    dh = _arc_m(pa[0], pa[1], pb[0], pb[1])
                    dv_ft = abs(pa[2] - pb[2])
                    inside = dh < radius_nm * NM and dv_ft < 1000.0
                    if inside:
                        current.append((t, dh, dv_ft))
                if not inside and current:
                    out.append(
                        (a, b, current[0][0], current[-1][0], min(c[1] for c in current), min(c[2] for c in current))
                    )
                    current = []
    return out


def _as_arrays(
    flights: dict[str, list[tuple[float, float, float, float, bool]]],
) -> tuple[np.ndarray, ...]:
    rows = [(t, name, la, lo, ft * FT, g) for name, reps in flights.items() for (t, la, lo, ft, g) in reps]
    rng = np.random.default_rng(3)
    rows = [rows[k] for k in rng.permutation(len(rows))]  # any order
    t, ids, la, lo, alt, g = zip(*rows, strict=True)
    return np.array(t), np.array(ids), np.array(la), np.array(lo), np.array(alt), np.array(g)


def _random_flights(seed: int) -> dict[str, list[tuple[float, float, float, float, bool]]]:
    rng = np.random.default_rng(seed)
    flights = {}
    for n in range(10):
        t, lat, lon = float(rng.integers(0, 60)), 47.0 + rng.uniform(-0.15, 0.15), 8.0 + rng.uniform(-0.2, 0.2)
        ft = float(rng.choice([30000.0, 31000.0, 32000.0, 30500.0]))
        trk, kt = rng.uniform(0, 2 * math.pi), rng.uniform(150, 480)
        fpm = float(rng.choice([0.0, 0.0, 1500.0, -2000.0]))
        reps = []
        while t < 600:
            ground = bool(rng.random() < 0.03)
            reps.append((t, lat, lon, round(ft / 25.0) * 25.0, ground))
            dt = float(rng.choice([1.0, 2.0, 5.0, 7.5, 12.0, 45.0], p=[0.3, 0.3, 0.2, 0.1, 0.07, 0.03]))
            t += dt
            d = kt * NM / 3600.0 * dt
            lat += math.degrees(d * math.cos(trk) / R)
            lon += math.degrees(d * math.sin(trk) / (R * math.cos(math.radians(lat))))
            ft += fpm * dt / 60.0
        flights[f"ac{n:02d}"] = reps
    return flights


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_traffic_matches_brute_force(seed: int) -> None:
    flights = _random_flights(seed)
    expected = _brute_force(flights, max_gap_s=30.0)
    got = loss_episodes(*_as_arrays(flights), max_gap_s=30.0)
    assert len(expected) > 0
    assert [(a, b, s, e) for a, b, s, e, _, _ in expected] == list(
        zip(
            got.id_a.tolist(),
            got.id_b.tolist(),
            got.start_s.astype(int).tolist(),
            got.end_s.astype(int).tolist(),
            strict=True,
        )
    )
    assert got.min_dist_m == pytest.approx([x[4] for x in expected], abs=0.01)
    assert got.min_dalt_m == pytest.approx([x[5] * FT for x in expected], abs=1e-6)


def test_adjacent_levels_are_separated_at_every_flight_level() -> None:
    """Pairs exactly 1,000 ft apart, crossing overhead at every level pair from FL100 to FL410: never a loss;
    at 975 ft they all are."""
    for spacing_ft, expect in ((1000.0, 0), (975.0, 1)):
        flights = {}
        for fl in range(100, 410, 10):
            low, high = fl * 100.0, fl * 100.0 + spacing_ft
            flights[f"l{fl}"] = [(float(t), 47.0, 8.0 - 0.1 + 0.002 * t, low, False) for t in range(0, 101, 4)]
            flights[f"h{fl}"] = [(float(t), 47.0 - 0.1 + 0.002 * t, 8.0, high, False) for t in range(0, 101, 4)]
        got = loss_episodes(*_as_arrays(flights))
        pairs = set(zip(got.id_a.tolist(), got.id_b.tolist(), strict=True))
        same = {(f"h{fl}", f"l{fl}") for fl in range(100, 410, 10)}
        assert len(pairs & same) == expect * len(same)
        if expect:
            assert got.min_dalt_m[0] == pytest.approx(975.0 * FT)


def test_no_projection_past_the_last_report_or_across_gaps_or_on_the_ground() -> None:
    # A landed aircraft stops reporting on the runway; a departure passes the same point 20 s later.
    landed = [(float(t), 47.0, 8.0 + 0.001 * t, 200.0, False) for t in range(0, 61, 5)]
    departure = [(float(t), 47.0, 8.0 + 0.001 * (t - 20), 200.0, False) for t in range(40, 121, 5)]
    got = loss_episodes(*_as_arrays({"landed": landed, "dep": departure}))
    # Both are alive together in [40, 60] only, 0.02 degrees (1.5 km) apart: that is a loss, and only then.
    assert got.start_s.tolist() == [40.0] and got.end_s.tolist() == [60.0]
    on_ground = [(t, la, lo, ft, True) for t, la, lo, ft, _ in landed]
    assert len(loss_episodes(*_as_arrays({"landed": on_ground, "dep": departure}))) == 0
    # A 40 s gap in one flight splits the episode and nothing is interpolated inside the gap.
    gap = [r for r in departure if not 45 < r[0] < 90]
    dense = [(float(t), 47.0, 8.0 + 0.0005 * t, 200.0, False) for t in range(0, 121, 5)]
    got = loss_episodes(*_as_arrays({"dense": dense, "gap": gap}))
    assert list(zip(got.start_s.tolist(), got.end_s.tolist(), strict=True)) == [(40.0, 45.0), (90.0, 120.0)]


def test_a_time_partition_gives_the_same_samples() -> None:
    flights = _random_flights(7)
    arrays = _as_arrays(flights)
    whole = loss_episodes(*arrays)
    t = arrays[0]
    parts = []
    for lo, hi in ((-1e9, 250.0), (250.0, 1e9)):
        keep = (t >= lo - 30.0) & (t <= hi + 30.0)
        parts.append(loss_episodes(*(x[keep] for x in arrays), window_s=(lo, hi)))
    merged: dict[tuple[str, str], list[list[float]]] = {}
    for part in parts:
        for a, b, s, e in zip(part.id_a.tolist(), part.id_b.tolist(), part.start_s, part.end_s, strict=True):
            spans = merged.setdefault((a, b), [])
            if spans and spans[-1][1] + 1.0 == s:
                spans[-1][1] = float(e)
            else:
                spans.append([float(s), float(e)])
    flat = sorted((a, b, s, e) for (a, b), spans in merged.items() for s, e in spans)
    assert flat == sorted(zip(whole.id_a.tolist(), whole.id_b.tolist(), whole.start_s, whole.end_s, strict=True))


def test_bad_input_and_csv(tmp_path: object) -> None:
    with pytest.raises(InputError, match="radius_m"):
        loss_episodes([0.0], ["a"], [0.0], [0.0], [0.0], radius_m=0.0)
    assert len(loss_episodes([], [], [], [], [])) == 0
    nan_rows = loss_episodes([0.0, 0.0], ["a", "b"], [np.nan, 1.0], [0.0, 0.0], [0.0, 0.0])
    assert len(nan_rows) == 0
    from pathlib import Path

    flights = _random_flights(1)
    got = loss_episodes(*_as_arrays(flights))
    path = Path(str(tmp_path)) / "losses.csv"
    write_losses_csv(path, got)
    lines = path.read_text().splitlines()
    assert lines[0].split(",") == list(LOSS_COLUMNS) and len(lines) == len(got) + 1


@pytest.mark.parametrize("coarse", [1, 3, 20])
def test_the_coarse_block_does_not_change_the_answer(monkeypatch: pytest.MonkeyPatch, coarse: int) -> None:
    import commonsky.safety.loss_search as search

    arrays = _as_arrays(_random_flights(2))
    whole = loss_episodes(*arrays)
    monkeypatch.setattr(search, "COARSE", coarse)
    other = loss_episodes(*arrays)
    assert len(whole) > 0
    for name in ("id_a", "id_b", "start_s", "end_s", "min_dist_m", "samples"):
        assert (getattr(whole, name) == getattr(other, name)).all()


def test_flight_level_quantum_ignores_mode_s_steps_but_not_real_deviations() -> None:
    """FL370 reporting 36,975 ft now and then beside FL360: a loss on raw reports, none in flight levels; a real
    descent to 36,900 ft (FL369) is a loss either way."""
    from commonsky.safety.losses import FLIGHT_LEVEL_QUANTUM_M

    def pair(wobble_ft: float) -> dict[str, list[tuple[float, float, float, float, bool]]]:
        high = [
            (float(t), 47.0, 8.0 + 0.001 * t, 37000.0 - (wobble_ft if t % 10 == 0 else 0.0), False)
            for t in range(0, 61, 5)
        ]
        low = [(float(t), 47.0, 8.02 + 0.001 * t, 36000.0, False) for t in range(0, 61, 5)]
        return {"high": high, "low": low}

    for wobble_ft, raw_loss, level_loss in ((25.0, True, False), (50.0, True, False), (100.0, True, True)):
        arrays = _as_arrays(pair(wobble_ft))
        assert (len(loss_episodes(*arrays)) > 0) is raw_loss
        assert (len(loss_episodes(*arrays, alt_quantum_m=FLIGHT_LEVEL_QUANTUM_M)) > 0) is level_loss


def test_a_loss_that_begins_from_held_levels_is_marked() -> None:
    """In trail 2 NM apart at FL360 and FL370 for two minutes, then the upper one descends at 1,500 ft/min: the loss
    begins as it leaves FL370 and is marked. The upper one descending from FL390 all along instead: the loss
    begins as it passes FL370, not from a held level. Two aircraft at FL360 meeting head-on: not marked either."""
    two_nm_deg = math.degrees(2.0 * NM / (R * math.cos(math.radians(47.0))))

    def trail(start_ft: float, descent_from_s: float) -> dict[str, list[tuple[float, float, float, float, bool]]]:
        def high_ft(t: float) -> float:
            return max(start_ft - max(t - descent_from_s, 0.0) * 25.0, 36000.0)

        low = [(float(t), 47.0, 8.0 + 0.002 * t, 36000.0, False) for t in range(0, 301, 4)]
        high = [(float(t), 47.0, 8.0 + two_nm_deg + 0.002 * t, high_ft(t), False) for t in range(0, 301, 4)]
        return {"high": high, "low": low}

    got = loss_episodes(*_as_arrays(trail(37000.0, 120.0)))
    assert got.start_s.tolist() == [121.0] and got.from_held_levels.tolist() == [True]
    got = loss_episodes(*_as_arrays(trail(39000.0, 0.0)))
    assert got.start_s.tolist() == [81.0] and got.from_held_levels.tolist() == [False]
    head_on = {
        "a": [(float(t), 47.0, 7.9 + 0.001 * t, 36000.0, False) for t in range(0, 201, 4)],
        "b": [(float(t), 47.0, 8.1 - 0.001 * t, 36000.0, False) for t in range(0, 201, 4)],
    }
    got = loss_episodes(*_as_arrays(head_on))
    assert len(got) == 1 and got.from_held_levels.tolist() == [False]
