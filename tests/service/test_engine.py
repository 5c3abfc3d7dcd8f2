"""The seam between stored rows and the strategic engine (`service.engine`): volumes read from the API form (all
three shapes, both circle centre forms) with one-line errors naming the field, vertices counted as F3548 counts
them, the envelope of a set of volumes against one computed here, the exact conflicts found against a brute-force
pairwise check, and ISO times."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest
from shapely.geometry import box as rectangle

from commonsky.airspace.volume import AltitudeModel, Volume, overlap
from commonsky.errors import InputError
from commonsky.service.engine import (
    bounds,
    count_vertices,
    find_conflicts,
    iso,
    overlap_json,
    prefilter_margin_m,
    volume_from_json,
    volumes_from_json,
)
from commonsky.service.examples import box, circle
from commonsky.units import FT_M

MODEL = AltitudeModel()
T0 = 1_417_413_600.0  # 2014-12-01T06:00:00Z


def _corridor(points: list[list[float]], half_width_m: float = 2_000.0) -> dict[str, Any]:
    return circle(0.0, 0.0) | {"shape": {"type": "corridor", "points": points, "half_width_m": half_width_m}}


def test_the_three_shapes_and_both_centre_forms_are_read() -> None:
    square = volume_from_json(box(45.0, 33.0, 45.5, 33.5, "FL100", "FL200"))
    assert square.footprint.equals(rectangle(45.0, 33.0, 45.5, 33.5))
    assert (square.band.floor.value_m, square.band.ceiling.value_m) == pytest.approx((10_000 * FT_M, 20_000 * FT_M))
    assert (square.window.start_s, square.window.end_s) == (T0, T0 + 7_200.0)
    point = volume_from_json(circle(33.5, 45.0, 9_000.0))
    pair = volume_from_json(
        circle(33.5, 45.0, 9_000.0) | {"shape": {"type": "circle", "centre": [33.5, 45.0], "radius_m": 9_000.0}}
    )
    assert (
        point.footprint.equals(pair.footprint)
        and point.footprint.centroid.distance(rectangle(45, 33.5, 45, 33.5)) < 1e-3
    )
    lane = volume_from_json(_corridor([[33.0, 45.0], [33.5, 45.5]]))
    assert lane.footprint.contains(rectangle(45.25, 33.25, 45.25, 33.25).centroid)
    daily = volume_from_json(box(45.0, 33.0, 45.5, 33.5) | {"daily": [[21_600.0, 25_200.0]]})
    assert daily.active_intervals(T0 - 86_400.0, T0 + 86_400.0) == [(T0, T0 + 3_600.0)]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"shape": "round"}, "volumes[2].shape: expected an object"),
        (box(45, 33, 46, 34) | {"shape": {"type": "hexagon"}}, "volumes[2].shape.type: unknown shape 'hexagon'"),
        (box(45, 33, 46, 34) | {"floor": "FL1x0"}, "volumes[2]: "),
        (box(45, 33, 46, 34) | {"start": "tomorrow"}, "volumes[2].start"),
        (
            {k: v for k, v in box(45, 33, 46, 34).items() if k != "end"},
            "volumes[2]: malformed volume (KeyError: 'end')",
        ),
        (
            circle(33.5, 45.0) | {"shape": {"type": "circle", "centre": {"coordinates": [1]}, "radius_m": 1.0}},
            "volumes[2]: malformed volume",
        ),
    ],
)
def test_bad_volumes_are_one_line_naming_where(item: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError) as refused:
        volumes_from_json([box(45, 33, 46, 34), box(45, 33, 46, 34), item])
    assert str(refused.value).startswith(message) and "\n" not in str(refused.value)


def test_vertices_are_counted_as_f3548_counts_them() -> None:
    ring = [[45.0 + 0.01 * i, 33.0 + 0.001 * i * i] for i in range(20)] + [[45.0, 33.0]]
    polygon = box(0, 0, 1, 1) | {"shape": {"type": "polygon", "geometry": {"type": "Polygon", "coordinates": [ring]}}}
    multi_rings = [[[[0, 0], [1, 0], [1, 1], [0, 0]]], [[[2, 2], [3, 2], [3, 3], [2, 3], [2, 2]]]]
    multi = box(0, 0, 1, 1) | {
        "shape": {"type": "polygon", "geometry": {"type": "MultiPolygon", "coordinates": multi_rings}}
    }
    lane = _corridor([[33.0, 45.0], [33.1, 45.1], [33.2, 45.0]])
    assert count_vertices([polygon, multi, lane, circle(33.0, 45.0)]) == 21 + (4 + 5) + 3 + 1


def test_bounds_are_the_envelope_of_the_volumes() -> None:
    rng = random.Random(1)
    items = []
    for _ in range(6):
        lon, lat, fl = rng.uniform(40, 50), rng.uniform(30, 35), rng.randrange(10, 300)
        start = f"2014-12-0{rng.randrange(1, 9)}T{rng.randrange(0, 12):02d}:00:00Z"
        items.append(
            box(
                lon,
                lat,
                lon + rng.uniform(0.1, 1),
                lat + rng.uniform(0.1, 1),
                f"FL{fl}",
                f"FL{fl + 20}",
                start,
                "2014-12-09T00:00:00Z",
            )
        )
    volumes = volumes_from_json(items)
    envelope = bounds(volumes, MODEL)
    feet = [(int(i["floor"][2:]) * 100, int(i["ceiling"][2:]) * 100) for i in items]
    corners = [c for i in items for c in i["shape"]["geometry"]["coordinates"][0]]
    assert envelope.box == (
        min(c[0] for c in corners),
        min(c[1] for c in corners),
        max(c[0] for c in corners),
        max(c[1] for c in corners),
    )
    assert (envelope.alt_lo_m, envelope.alt_hi_m) == pytest.approx(
        (min(f for f, _ in feet) * FT_M, max(c for _, c in feet) * FT_M)
    )
    assert envelope.t0_s == min(v.window.start_s for v in volumes) and envelope.t1_s == T0 + 8 * 86_400.0 - 6 * 3_600.0
    assert prefilter_margin_m(MODEL) > MODEL.mixed_ref_margin_m


def test_conflicts_found_are_the_pairwise_overlaps() -> None:
    rng = random.Random(2)

    def draw() -> Volume:
        lon, lat, fl = rng.uniform(45, 45.6), rng.uniform(33, 33.6), rng.randrange(50, 250)
        return volume_from_json(box(lon, lat, lon + 0.2, lat + 0.2, f"FL{fl}", f"FL{fl + 30}"))

    others = {f"o{i}": [draw() for _ in range(rng.randrange(1, 3))] for i in range(15)}
    candidate = [draw(), draw()]
    found = {(f.own_index, f.owner, f.other_index) for f in find_conflicts(candidate, others, MODEL)}
    expected = {
        (i, owner, j)
        for i, mine in enumerate(candidate)
        for owner, theirs in others.items()
        for j, other in enumerate(theirs)
        if overlap(mine, other, MODEL) is not None
    }
    assert found == expected and expected
    assert find_conflicts(candidate, {}, MODEL) == []


def test_times_and_overlaps_as_json() -> None:
    assert (iso(T0), iso(T0 + 0.25), iso(math.inf)) == ("2014-12-01T06:00:00Z", "2014-12-01T06:00:00.250000Z", None)
    a = volume_from_json(box(45.0, 33.0, 45.5, 33.5, "FL100", "UNL"))
    b = volume_from_json(box(45.2, 33.2, 45.7, 33.7, "FL150", "UNL", start="2014-12-01T07:00:00Z"))
    found = overlap(a, b, MODEL)
    assert found is not None
    written = overlap_json(found)
    assert (written["start"], written["end"], written["alt_hi_m"]) == (
        "2014-12-01T07:00:00Z",
        "2014-12-01T08:00:00Z",
        None,
    )
    assert written["alt_lo_m"] == pytest.approx(15_000 * FT_M) and set(written) == {
        "where",
        "start",
        "end",
        "intervals",
        "alt_lo_m",
        "alt_hi_m",
    }
