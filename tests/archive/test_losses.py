"""`commonsky.archive.losses`: loss episodes from fragments, compared with a brute-force check written here on
traffic reporting every second (every pair at every second, haversine distance, episodes as runs of seconds,
each pair's kind known by construction); the same episodes whatever the ownership and windows cut them into;
and the merge of hand-made fragments."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from commonsky.archive.losses import FRAGMENT_COLUMNS, empty_losses, loss_fragments, merge_losses
from commonsky.archive.reports import Prepared, prepare

R, RADIUS_M, HALF_M, FT = 6371000.0, 9260.0, 304.8, 0.3048
DURATION_S = 300


def track(
    lat_m: float, lon_m: float, at_s: float, north_ms: float, east_ms: float, alt: np.ndarray
) -> list[tuple[float, ...]]:
    """One report a second, flying straight through (lat_m, lon_m) at ``at_s``."""
    t = np.arange(DURATION_S, dtype=np.float64)
    lat = lat_m + np.degrees(north_ms * (t - at_s) / R)
    lon = lon_m + np.degrees(east_ms * (t - at_s) / (R * math.cos(math.radians(lat_m))))
    return list(zip(t.tolist(), lat.tolist(), lon.tolist(), alt.tolist(), strict=True))


def traffic() -> tuple[dict[int, list[tuple[float, ...]]], dict[tuple[int, int], str]]:
    """Pairs far from one another, each crossing or weaving: (flights by address, the kind of each pair's
    episodes)."""
    level = np.full(DURATION_S, 1.0)
    t = np.arange(DURATION_S, dtype=np.float64)
    fl300, fl310 = 30000 * FT, 31000 * FT
    flights = {
        # each within 100 ft of its own level, 1,000 ft apart: height keeping
        0x400001: track(50.0, 8.0, 150.0, 0.0, 200.0, level * (fl300 + 30.0)),
        0x400002: track(50.01, 8.0, 150.0, 200.0, 0.0, level * (fl310 - 30.0)),
        # one level: a true loss
        0x400003: track(51.0, 8.0, 100.0, 0.0, 200.0, level * fl300),
        0x400004: track(51.0, 8.05, 100.0, -200.0, -20.0, level * fl300),
        # a climb through the other's level (at 150 s): a true loss
        0x400005: track(52.0, 8.0, 150.0, 0.0, 200.0, level * fl300),
        0x400006: track(52.0, 8.0, 150.0, 20.0, -200.0, fl300 - 900.0 + 6.0 * t),
        # weaving in and out of the radius: several episodes of one pair
        0x400007: track(53.0, 8.0, 0.0, 0.0, 220.0, level * fl300),
        0x400008: track(53.0, 8.0, 0.0, 0.0, 220.0, level * (fl300 + 100.0)),
        # close but 2,000 ft apart: no loss
        0x400009: track(54.0, 8.0, 0.0, 0.0, 200.0, level * fl300),
        0x40000A: track(54.0, 8.01, 0.0, 0.0, 200.0, level * (fl300 + 2000 * FT)),
    }
    weave = 9260.0 + 3000.0 * np.sin(2 * np.pi * t / 120.0)  # metres north of 0x400007
    flights[0x400008] = [
        (tt, la + math.degrees(w / R), lo, al) for (tt, la, lo, al), w in zip(flights[0x400008], weave, strict=True)
    ]
    kinds = {(1, 2): "height_keeping", (3, 4): "loss", (5, 6): "loss", (7, 8): "loss"}
    return flights, {(0x400000 + a, 0x400000 + b): k for (a, b), k in kinds.items()}


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R * math.asin(math.sqrt(h))


def brute_force() -> pd.DataFrame:
    flights, kinds = traffic()
    rows = []
    for a, b in itertools.combinations(sorted(flights), 2):
        run: list[tuple[float, float, float, float, float, float]] = []
        for ra, rb in itertools.chain(zip(flights[a], flights[b], strict=True), [(None, None)]):
            close = None
            if ra is not None and rb is not None:
                dist, dalt = haversine_m(ra[1], ra[2], rb[1], rb[2]), abs(ra[3] - rb[3])
                if dist < RADIUS_M and dalt < HALF_M - 1e-6:
                    close = (ra[0], dist, dalt, 0.5 * (ra[3] + rb[3]), 0.5 * (ra[1] + rb[1]), 0.5 * (ra[2] + rb[2]))
            if close is not None:
                run.append(close)
                continue
            if run:
                best = min(run, key=lambda s: (s[1], s[0]))  # smallest distance, the earliest on a tie
                rows.append(
                    {
                        "icao24_a": f"{a:06x}",
                        "icao24_b": f"{b:06x}",
                        "start_s": run[0][0],
                        "end_s": run[-1][0],
                        "duration_s": run[-1][0] - run[0][0],
                        "samples": len(run),
                        "min_dist_m": best[1],
                        "min_dalt_m": min(s[2] for s in run),
                        "alt_m": best[3],
                        "closest_s": best[0],
                        "lat": best[4],
                        "lon": best[5],
                        "kind": kinds[(a, b)],
                    }
                )
                run = []
    return pd.DataFrame(rows).sort_values(["start_s", "icao24_a", "icao24_b"], kind="stable").reset_index(drop=True)


def prepared() -> Prepared:
    flights, _ = traffic()
    rows = [(a, *r) for a, rs in flights.items() for r in rs]
    rng = np.random.default_rng(0)
    rng.shuffle(rows)  # type: ignore[arg-type]
    x = np.array(rows)
    return prepare(
        x[:, 1],
        x[:, 0].astype(np.int64),
        x[:, 2],
        x[:, 3],
        x[:, 4],
        np.zeros(len(rows), dtype=bool),
        step_s=1.0,
        max_gap_s=30.0,
    )


def every(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    return np.ones(lat.shape[0], dtype=bool)


def frame(tables: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    if not tables:
        return empty_losses()
    return pd.DataFrame({c: np.concatenate([t[c] for t in tables]) for c in FRAGMENT_COLUMNS})


def test_episodes_match_the_brute_force() -> None:
    want = brute_force()
    assert set(want["kind"]) == {"loss", "height_keeping"}
    assert (want.groupby(["icao24_a", "icao24_b"]).size() > 1).any()  # a pair with several episodes
    got = merge_losses(
        frame([loss_fragments(prepared(), every, RADIUS_M, HALF_M, 1.0, (-np.inf, np.inf))]), 1.0, HALF_M
    )
    assert list(got.columns) == list(want.columns)
    pd.testing.assert_frame_equal(got, want, check_dtype=False, rtol=1e-9, atol=1e-6)


@pytest.mark.parametrize(("cut_s", "cut_lon"), [(100.0, 8.0), (150.0, 8.1), (200.0, 8.3)])
def test_any_ownership_and_windows_give_the_same_episodes(cut_s: float, cut_lon: float) -> None:
    """Fragments cut at a time and at a longitude (each sample owned by one side, by its first aircraft's
    position) merge into the brute force's episodes."""
    p = prepared()
    whole = brute_force()

    def cut(windows: list[tuple[float, float]], owners: list[bool]) -> pd.DataFrame:
        tables = []
        for window in windows:
            for east in owners:

                def side(lat: np.ndarray, lon: np.ndarray, east: bool = east) -> np.ndarray:
                    return (lon >= cut_lon) == east

                tables.append(loss_fragments(p, side, RADIUS_M, HALF_M, 1.0, window))
        return frame([t for t in tables if t])

    by_time = cut([(-np.inf, cut_s), (cut_s, np.inf)], [False, True])
    by_owner = cut([(-np.inf, np.inf)], [False, True])
    assert len(by_owner) > len(whole) and len(by_time) > len(by_owner)  # some episodes were cut, each way
    for pieces in (by_time, by_owner):
        pd.testing.assert_frame_equal(merge_losses(pieces, 1.0, HALF_M), whole, check_dtype=False, rtol=1e-9, atol=1e-6)


def fragment(start: float, end: float, dist: float, level_a: float, level_b: float, level: bool) -> dict[str, object]:
    return {
        "icao24_a": 0xABC,
        "icao24_b": 0xDEF,
        "start_s": start,
        "end_s": end,
        "samples": int(end - start + 1),
        "min_dist_m": dist,
        "min_dalt_m": 200.0 + dist / 1000.0,
        "alt_m": dist,
        "closest_s": start,
        "lat": 1.0,
        "lon": 2.0,
        "level_a_m": level_a,
        "level_b_m": level_b,
        "level": level,
    }


def test_merge_of_hand_made_fragments() -> None:
    fl300, fl310 = 30000 * FT, 31000 * FT
    parts = pd.DataFrame(
        [
            fragment(20.0, 29.0, 900.0, fl300, fl310, True),  # touches the next: one episode, height keeping
            fragment(30.0, 35.0, 800.0, fl300, fl310, True),
            fragment(40.0, 45.0, 700.0, fl300, fl310, True),  # after a 4 s gap: a second episode, but ...
            fragment(46.0, 50.0, 750.0, fl300, np.nan, True),  # ... one part without a held level: a true loss
            fragment(60.0, 61.0, 500.0, fl300, fl310, False),  # not level: a true loss
            fragment(70.0, 71.0, 500.0, fl300, fl300, True),  # one level: a true loss
        ]
    )
    got = merge_losses(parts.sample(frac=1.0, random_state=1), 1.0, HALF_M)
    assert got["start_s"].tolist() == [20.0, 40.0, 60.0, 70.0]
    assert got["end_s"].tolist() == [35.0, 50.0, 61.0, 71.0]
    assert got["duration_s"].tolist() == [15.0, 10.0, 1.0, 1.0]
    assert got["samples"].tolist() == [16, 11, 2, 2]
    assert got["min_dist_m"].tolist() == [800.0, 700.0, 500.0, 500.0] and got["alt_m"].tolist()[:2] == [800.0, 700.0]
    assert got["min_dalt_m"].tolist() == [200.8, 200.7, 200.5, 200.5]
    assert got["kind"].tolist() == ["height_keeping", "loss", "loss", "loss"]
    assert set(got["icao24_a"]) == {"000abc"} and set(got["icao24_b"]) == {"000def"}
    empty = merge_losses(empty_losses(), 1.0, HALF_M)
    assert len(empty) == 0 and list(empty.columns) == list(got.columns)
