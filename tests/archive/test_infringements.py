"""`commonsky.archive.infringements`: zone infringement episodes compared with a brute force written here
(every sample tested against each box by plain comparisons, depth to the nearest edge in an equirectangular
frame at the box centre, runs of seconds), the same episodes whatever the ownership cuts them into, and the
merge of hand-made fragments."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from commonsky.airspace.zone import Zone, ZoneKind
from commonsky.archive.infringements import ZoneSet, empty_zones, merge_zones, zone_fragments
from commonsky.archive.reports import Samples
from commonsky.units import Altitude

R = 6371000.0
# name, (west, south, east, north), floor m, ceiling m, valid from s, valid to s
BOXES = [
    ("low box", (8.0, 50.0, 8.5, 50.3), 0.0, 3000.0, None, None),
    ("timed box", (8.2, 49.9, 9.0, 50.2), 1000.0, 12000.0, 60.0, 150.0),
]


def zones() -> list[Zone]:
    out = [
        Zone(
            name,
            ZoneKind.RESTRICTED,
            box(*b),
            floor=Altitude(lo),
            ceiling=Altitude(hi),
            valid_from=None if t0 is None else datetime.fromtimestamp(t0, UTC),
            valid_to=None if t1 is None else datetime.fromtimestamp(t1, UTC),
        )
        for name, b, lo, hi, t0, t1 in BOXES
    ]
    return [*out, Zone("advice", ZoneKind.RESTRICTED, box(0.0, 0.0, 20.0, 60.0), binding=False)]


def samples(seed: int = 3) -> tuple[Samples, set[tuple[int, int]]]:
    """Twelve aircraft crossing the boxes at one second a sample, some starting inside, some with gaps, some
    climbing through the floors; and the (code, second) pairs that exist."""
    rng = np.random.default_rng(seed)
    rows = []
    for code in range(12):
        lat0, lon0 = rng.uniform(49.95, 50.25), rng.uniform(7.9, 8.6)
        east, north = rng.uniform(-0.004, 0.006), rng.uniform(-0.002, 0.002)
        alt0, climb = rng.choice([500.0, 2500.0, 5000.0]), rng.choice([0.0, 15.0, -10.0])
        gap = range(0) if code % 3 else range(int(rng.integers(20, 120)), int(rng.integers(121, 160)))
        for t in range(200):
            if t in gap or rng.random() < 0.05:
                continue
            rows.append((t, code, lat0 + north * t, lon0 + east * t, alt0 + climb * t))
    x = np.array(rows)
    names = 0x500000 + 7 * np.arange(12, dtype=np.int64)
    s = Samples(names, x[:, 0].astype(np.int64), x[:, 1].astype(np.int64), x[:, 2], x[:, 3], x[:, 4])
    return s, {(int(c), int(t)) for t, c in zip(s.tk, s.code, strict=True)}


def depth_m(lat: float, lon: float, b: tuple[float, float, float, float]) -> float:
    w, s, e, n = b
    k, coslat = math.radians(1.0) * R, math.cos(math.radians(0.5 * (s + n)))
    return min((lat - s) * k, (n - lat) * k, (lon - w) * k * coslat, (e - lon) * k * coslat)


def brute_force(s: Samples, seen: set[tuple[int, int]]) -> pd.DataFrame:
    rows = []
    for name, (w, so, e, n), lo, hi, t0, t1 in BOXES:
        for code in range(len(s.names)):
            mine = sorted(
                (int(t), la, ln, al)
                for t, c, la, ln, al in zip(s.tk, s.code, s.lat_deg, s.lon_deg, s.alt_m, strict=True)
                if c == code
            )
            inside = [
                x
                for x in mine
                if w < x[2] < e and so < x[1] < n and lo <= x[3] <= hi and (t0 is None or t0 <= x[0] < t1)
            ]
            runs: list[list[tuple[int, float, float, float]]] = []
            for x in inside:
                if runs and x[0] == runs[-1][-1][0] + 1:
                    runs[-1].append(x)
                else:
                    runs.append([x])
            for run in runs:
                deep = max(run, key=lambda x: (depth_m(x[1], x[2], (w, so, e, n)), -x[0]))
                rows.append(
                    {
                        "icao24": f"{int(s.names[code]):06x}",
                        "zone": name,
                        "entered": (code, run[0][0] - 1) in seen,
                        "start_s": float(run[0][0]),
                        "duration_s": float(run[-1][0] - run[0][0]),
                        "end_s": float(run[-1][0]),
                        "samples": len(run),
                        "depth_m": depth_m(deep[1], deep[2], (w, so, e, n)),
                        "vertical_depth_m": max(min(x[3] - lo, hi - x[3]) for x in run),
                        "entry_lat": run[0][1],
                        "entry_lon": run[0][2],
                        "entry_alt_m": run[0][3],
                        "deepest_lat": deep[1],
                        "deepest_lon": deep[2],
                    }
                )
    return pd.DataFrame(rows).sort_values(["start_s", "icao24", "zone"], kind="stable").reset_index(drop=True)


def observer(seen: set[tuple[int, int]]) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    def observed(code: np.ndarray, tk: np.ndarray) -> np.ndarray:
        return np.array([(int(c), int(t)) in seen for c, t in zip(code, tk, strict=True)], dtype=bool)

    return observed


def fragments(tables: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    if not tables:
        return empty_zones()
    return pd.concat([pd.DataFrame(t) for t in tables], ignore_index=True)


def test_zone_set_keeps_the_binding_zones_and_their_limits() -> None:
    zs = ZoneSet.build(zones())
    assert zs.names == ("low box", "timed box") and len(zs) == 2
    assert zs.floor_m.tolist() == [0.0, 1000.0] and zs.ceiling_m.tolist() == [3000.0, 12000.0]
    assert zs.valid_from_s.tolist() == [-np.inf, 60.0] and zs.valid_to_s.tolist() == [np.inf, 150.0]
    np.testing.assert_allclose(zs.centre, [[50.15, 8.25], [50.05, 8.6]], atol=1e-12)
    w, s, e, n = BOXES[0][1]  # the planar outline: the box in metres about its centre
    half_x = math.radians(0.5 * (e - w)) * R * math.cos(math.radians(0.5 * (s + n)))
    np.testing.assert_allclose(
        zs.planar[0].bounds, [-half_x, -math.radians(0.15) * R, half_x, math.radians(0.15) * R], rtol=1e-9
    )


def test_episodes_match_the_brute_force() -> None:
    s, seen = samples()
    want = brute_force(s, seen)
    assert len(want) >= 8 and want["entered"].any() and not want["entered"].all()
    assert set(want["zone"]) == {"low box", "timed box"}
    parts = zone_fragments(s, np.ones(len(s), dtype=bool), ZoneSet.build(zones()), 1.0, observer(seen))
    got = merge_zones(fragments(parts), 1.0)
    assert list(got.columns) == list(want.columns)
    pd.testing.assert_frame_equal(got, want, check_dtype=False, rtol=1e-3, atol=1e-6)  # depths: to 0.1 %


@pytest.mark.parametrize("cut", [50, 100, 130])
def test_owned_samples_in_pieces_merge_into_the_same_episodes(cut: int) -> None:
    """Samples owned alternately in slices of ``cut`` seconds and by odd or even longitude hundredths."""
    s, seen = samples()
    zs, observed = ZoneSet.build(zones()), observer(seen)
    whole = merge_zones(fragments(zone_fragments(s, np.ones(len(s), dtype=bool), zs, 1.0, observed)), 1.0)
    slices = (s.tk // cut) % 2 == 0
    odd = np.floor(s.lon_deg * 100).astype(np.int64) % 2 == 1
    for owned in (slices, odd):
        parts = zone_fragments(s, owned, zs, 1.0, observed) + zone_fragments(s, ~owned, zs, 1.0, observed)
        assert sum(len(p["start_s"]) for p in parts) > len(whole)  # episodes were cut
        pd.testing.assert_frame_equal(merge_zones(fragments(parts), 1.0), whole)


def zone_row(ac: int, start: float, end: float, depth: float, entered: bool) -> dict[str, object]:
    return {
        "icao24": ac,
        "zone": "z",
        "entered": entered,
        "start_s": start,
        "end_s": end,
        "samples": int(end - start + 1),
        "depth_m": depth,
        "vertical_depth_m": depth / 10.0,
        "entry_lat": start,
        "entry_lon": -start,
        "entry_alt_m": 1.0,
        "deepest_lat": depth,
        "deepest_lon": -depth,
    }


def test_merge_of_hand_made_fragments() -> None:
    parts = pd.DataFrame(
        [
            zone_row(0xA, 10.0, 19.0, 50.0, True),  # touches the next: one episode, entered, deepest in the second
            zone_row(0xA, 20.0, 25.0, 80.0, False),
            zone_row(0xA, 28.0, 30.0, 80.0, False),  # after a gap: its own episode
            zone_row(0xB, 5.0, 6.0, 10.0, False),
            zone_row(0xB, 7.0, 7.0, 10.0, True),  # a tie in depth: the earliest is the deepest point
        ]
    )
    got = merge_zones(parts.sample(frac=1.0, random_state=2), 1.0)
    assert got["icao24"].tolist() == ["00000b", "00000a", "00000a"]
    assert got["start_s"].tolist() == [5.0, 10.0, 28.0] and got["end_s"].tolist() == [7.0, 25.0, 30.0]
    assert got["duration_s"].tolist() == [2.0, 15.0, 2.0] and got["samples"].tolist() == [3, 16, 3]
    assert got["entered"].tolist() == [False, True, False] and got["entry_lat"].tolist() == [5.0, 10.0, 28.0]
    assert got["depth_m"].tolist() == [10.0, 80.0, 80.0] and got["vertical_depth_m"].tolist() == [1.0, 8.0, 8.0]
    assert got["deepest_lat"].tolist() == [10.0, 80.0, 80.0]
    empty = merge_zones(empty_zones(), 1.0)
    assert len(empty) == 0 and list(empty.columns) == list(got.columns)
