"""Row helpers (`service.rows`): the prefilter's parameters (through the grid for a narrow box, a range scan for a
wide or open one; bands widened by the margin), box covering and union against corner-by-corner brute force, and
the owner's view of a stored intent."""

from __future__ import annotations

import json
import math
import random

from commonsky.plans.intent import IntentState
from commonsky.service.engine import Bounds, iso
from commonsky.service.grid import MAX_KEYS, WIDE, grid_keys
from commonsky.service.models import IntentRow
from commonsky.service.rows import audit_change, covers, intent_view, near_intent_params, row_bounds, union

T0 = 1_417_413_600.0  # 2014-12-01T06:00:00Z


def test_a_narrow_box_goes_through_the_grid_and_a_wide_one_scans() -> None:
    narrow = Bounds(45.1, 33.1, 45.7, 33.4, 3_000.0, 6_000.0, T0, T0 + 7_200.0)
    listed, params = near_intent_params("me", narrow, 61.0)
    assert listed and params["keys"] == [*grid_keys(narrow), WIDE] and WIDE not in grid_keys(narrow)
    assert (params["own"], params["alt_lo"], params["alt_hi"]) == ("me", 3_000.0 - 61.0, 6_000.0 + 61.0)
    cells = (math.floor(45.7 / 0.5) - math.floor(45.1 / 0.5) + 1) * (
        math.floor(33.4 / 0.5) - math.floor(33.1 / 0.5) + 1
    )
    assert len(params["keys"]) == cells + 1  # one day
    days = MAX_KEYS + 1  # one cell over more days than the grid lists
    wide = Bounds(45.1, 33.1, 45.2, 33.2, 0.0, 1.0, T0, T0 + days * 86_400.0)
    open_ended = Bounds(45.1, 33.1, 45.2, 33.2, 0.0, 1.0, T0, math.inf)
    for box in (wide, open_ended):
        listed, params = near_intent_params("me", box, 0.0)
        assert not listed and "keys" not in params


def _corners(b: tuple[float, float, float, float]) -> list[tuple[float, float]]:
    return [(b[0], b[1]), (b[2], b[1]), (b[2], b[3]), (b[0], b[3])]


def _inside(b: tuple[float, float, float, float], p: tuple[float, float]) -> bool:
    return b[0] <= p[0] <= b[2] and b[1] <= p[1] <= b[3]


def test_covers_and_union_against_corners() -> None:
    rng = random.Random(5)
    for _ in range(500):
        a, b = ([sorted(rng.uniform(0, 10) for _ in range(2)) for _ in range(2)] for _ in range(2))
        box_a = (a[0][0], a[1][0], a[0][1], a[1][1])
        box_b = (b[0][0], b[1][0], b[0][1], b[1][1])
        assert covers(box_a, box_b) == all(_inside(box_a, p) for p in _corners(box_b))
        joined = union(box_a, box_b)
        assert covers(joined, box_a) and covers(joined, box_b)
        assert all(any(math.isclose(j, c) for c in (box_a[k], box_b[k])) for k, j in enumerate(joined))
        assert union(box_a, None) == box_a


def test_the_owner_s_view_and_the_stored_envelope() -> None:
    volumes = [{"shape": {"type": "circle"}, "floor": "FL100"}]
    row = IntentRow(
        id="i1",
        party_id="p1",
        priority=7,
        state="activated",
        version="v1",
        note="",
        volumes=volumes,
        created_s=T0,
        updated_s=T0 + 90.0,
        min_lon=45.0,
        min_lat=33.0,
        max_lon=45.5,
        max_lat=33.5,
        alt_lo_m=3_048.0,
        alt_hi_m=6_096.0,
        t0_s=T0,
        t1_s=T0 + 7_200.0,
    )
    view = intent_view(row, "iqaf")
    assert (view.id, view.party, view.priority, view.state, view.volumes) == (
        "i1",
        "iqaf",
        7,
        IntentState.ACTIVATED,
        volumes,
    )
    assert (view.created, view.updated) == ("2014-12-01T06:00:00Z", iso(T0 + 90.0))
    assert row_bounds(row) == Bounds(45.0, 33.0, 45.5, 33.5, 3_048.0, 6_096.0, T0, T0 + 7_200.0)


def test_an_audit_change_is_an_object_or_nothing() -> None:
    assert audit_change(json.dumps({"version": "v2"})) == {"version": "v2"}
    assert audit_change("[1, 2]") == {} and audit_change('"text"') == {}
