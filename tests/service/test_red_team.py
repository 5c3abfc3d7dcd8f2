"""Red team: an operator with the whole default probe budget of a day tries to map another party's hidden route.

Operator A files a route (a 5 km wide, ~110 km long corridor with three turns, as a GeoJSON polygon) and a second,
small intent nearby. Operator B knows roughly where and when A flies (a 1.2 x 0.8 degree region, the morning, the
level band) and the published cost model, and uses every endpoint it can reach: dry runs, filings, the 409 of a
filing with an empty key, ``GET /conflicts``, the time each answer takes. It maps the region at one level with one
wide dry run, finds A's priority by bisection, watches for A's writes, then spends the rest of its budget on yes/no
probes of cell quadrants and eighths, one shape in each of many cells per request. Its best reconstruction of A's
route must be no better than the disclosure grid allows: a Hausdorff distance to the true footprint of at least
half a cell. The test prints what else B inferred (A's priority, state, intent count, write times) and the cost.
(With 2.5 times the default budget the same prober gets to 3.5 km: the budget is what holds the bound.)

The Hausdorff distance is computed here, independently of the product: both regions are projected to a local
kilometre frame, their boundaries sampled every 100 m, and each sample's distance to the other region taken.
"""

from __future__ import annotations

import math
import statistics
import time
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

from commonsky.service.examples import polygon
from commonsky.service.settings import ServiceSettings

KM_PER_DEG = 111.32
LAT0 = 33.8  # the local frame's reference latitude
ROUTE = [(44.63, 33.62), (44.87, 33.71), (45.02, 33.88), (45.31, 33.95), (45.46, 34.12)]  # lon, lat
HALF_WIDTH_KM = 2.5
REGION = (44.45, 33.45, 45.65, 34.25)  # what B knows: A flies somewhere in here
MORNING = ("2014-12-01T06:00:00Z", "2014-12-01T08:00:00Z")
CELL_FLOOR = 100.0  # what B reads in docs/broker.md: a request costs at least this per grid cell it meets


def _km(geometry: BaseGeometry) -> BaseGeometry:
    scale = math.cos(math.radians(LAT0)) * KM_PER_DEG
    return shapely.transform(geometry, lambda xy: xy * np.array([scale, KM_PER_DEG]))


def _deg(geometry: BaseGeometry) -> BaseGeometry:
    scale = math.cos(math.radians(LAT0)) * KM_PER_DEG
    return shapely.transform(geometry, lambda xy: xy / np.array([scale, KM_PER_DEG]))


def hausdorff_km(a: BaseGeometry, b: BaseGeometry) -> float:
    """Hausdorff distance between two lon/lat regions, km: the sup over each region of the distance to the other is
    reached on its boundary, sampled every 100 m."""
    ka, kb = _km(a), _km(b)

    def one_way(x: BaseGeometry, y: BaseGeometry) -> float:
        points = shapely.get_coordinates(shapely.segmentize(x.boundary, 0.1))
        return float(shapely.distance(shapely.points(points), y).max())

    return max(one_way(ka, kb), one_way(kb, ka))


def _true_route() -> Polygon:
    line = shapely.LineString(ROUTE)
    footprint = _deg(_km(line).buffer(HALF_WIDTH_KM, quad_segs=4))
    assert isinstance(footprint, Polygon)
    return footprint


def _volume(geometry: BaseGeometry, floor: str, ceiling: str, start: str, end: str) -> dict[str, Any]:
    return polygon(mapping(geometry), floor, ceiling, start, end)


class Adversary:
    """Operator B: every request it makes, what each cost, and how long each took."""

    def __init__(self, client: Any, headers: dict[str, str]) -> None:
        self.client, self.headers = client, headers
        self.requests = 0
        self.refused = 0
        self.hit_s: list[float] = []
        self.miss_s: list[float] = []

    def budget_left(self) -> float | None:
        answer = self.client.get("/grants/me", headers=self.headers)
        return float(answer.json()["budget_left"]) if answer.status_code == 200 else None

    def check(self, geometry: BaseGeometry, priority: int = 0, floor: str = "FL120", ceiling: str = "FL121") -> Any:
        """A dry run over ``geometry`` at a thin level, through the morning; None once the budget refuses."""
        body = {"volumes": [_volume(geometry, floor, ceiling, *MORNING)], "priority": priority}
        began = time.perf_counter()
        answer = self.client.post("/intents/check", json=body, headers=self.headers, params={"resolve": "false"})
        took = time.perf_counter() - began
        self.requests += 1
        if answer.status_code in (413, 429):
            self.refused += 1
            return None
        if answer.status_code == 403:  # above B's grant
            return {"forbidden": True, "accepted": False, "conflicts": []}
        assert answer.status_code == 200, answer.text
        found = answer.json()
        intents = [c for c in found["conflicts"] if c["with"] == "intent"]
        (self.hit_s if intents else self.miss_s).append(took)
        return found


def _cells_of(where: BaseGeometry, cell_deg: float) -> list[tuple[int, int]]:
    """The grid cells whose centre lies in ``where`` (B's reading of a coarse answer)."""
    if where.is_empty:
        return []
    x0, y0, x1, y1 = where.bounds
    out = []
    for ix in range(math.floor(x0 / cell_deg), math.floor(x1 / cell_deg) + 1):
        for iy in range(math.floor(y0 / cell_deg), math.floor(y1 / cell_deg) + 1):
            centre = shapely.Point((ix + 0.5) * cell_deg, (iy + 0.5) * cell_deg)
            if where.buffer(1e-9).contains(centre):
                out.append((ix, iy))
    return out


def _box(ix: float, iy: float, size: float) -> Polygon:
    return shapely.box(ix * size, iy * size, (ix + 1) * size, (iy + 1) * size)


def test_a_day_of_probing_maps_no_route_finer_than_the_grid(make_client: Any, sqlite_url: str) -> None:
    overrides: dict[str, object] = {}
    if "probe_budget_units" in ServiceSettings.model_fields:  # the service's own default, not the tests' one
        overrides["probe_budget_units"] = ServiceSettings.model_fields["probe_budget_units"].default
    client, party = make_client(sqlite_url, **overrides)
    a, b = party("hidden", "operator"), party("prober", "operator")
    route = _true_route()
    step = {"volumes": [_volume(route, "FL100", "FL140", "2014-12-01T06:10:00Z", "2014-12-01T07:40:00Z")]}
    first = client.post("/intents", json={**step, "priority": 30}, headers=a.headers)
    assert first.status_code == 201 and first.json()["accepted"], first.text
    second = shapely.box(45.20, 33.55, 45.26, 33.60)
    body = {"volumes": [_volume(second, "FL100", "FL140", "2014-12-01T06:30:00Z", "2014-12-01T07:00:00Z")]}
    assert client.post("/intents", json={**body, "priority": 30}, headers=a.headers).status_code == 201

    grid = client.get("/policy/disclosure", headers=b.headers)
    cell_deg = float(grid.json()["cell_deg"]) if grid.status_code == 200 else 0.1
    bob = Adversary(client, b.headers)
    budget_at_start = bob.budget_left()

    # 1. one wide dry run over the whole region at one level maps it; the 409 of a blind filing says the same
    region = shapely.box(*REGION)
    mapped = bob.check(region)
    assert mapped is not None
    seen = [shape(c["where"]) for c in mapped["conflicts"] if c["with"] == "intent"]
    # A's intents are merged in every answer: B keeps the largest connected part, its best guess of the route
    parts = list(getattr(shapely.union_all(seen), "geoms", [shapely.union_all(seen)]))
    coarse = max(parts, key=lambda g: g.area)
    cells = _cells_of(coarse, cell_deg)
    views_per_answer = len([c for c in mapped["conflicts"] if c["with"] == "intent"])

    # the 409 of a filing with an empty key, over one mapped cell: the same coarse view as a dry run
    probe_cell = _box(*cells[0], cell_deg) if cells else region
    blind = client.post(
        "/intents",
        json={"volumes": [_volume(probe_cell, "FL120", "FL121", *MORNING)], "key": []},
        headers=b.headers,
    )
    bob.requests += 1
    if blind.status_code == 409:
        blind_where = [shape(c["where"]) for c in blind.json()["missing"] if c["with"] == "intent"]
        assert all(shapely.equals(w, probe_cell) or w.area < probe_cell.area + 1e-9 for w in blind_where)

    # 2. A's priority: dry runs over one mapped cell at rising priority (accepted = A's intent is below it)
    priority_lo, priority_hi, capped = 0, 101, False
    while priority_hi - priority_lo > 1:
        mid = (priority_lo + priority_hi) // 2
        answer = bob.check(probe_cell, priority=mid)
        if answer is None:
            break
        capped |= "forbidden" in answer
        priority_lo, priority_hi = (priority_lo, mid) if answer["accepted"] else (mid, priority_hi)

    # 3. write times: A raises its ceiling by 500 ft, far above B's level; does B's view (or its OVN) change?
    ovns_before = sorted(c["ovn"] for c in mapped["conflicts"])
    before_cell = bob.check(probe_cell)
    ovns_cell = sorted(c["ovn"] for c in before_cell["conflicts"]) if before_cell is not None else []
    current = client.get("/intents", headers=a.headers).json()[0]
    moved = client.put(
        f"/intents/{current['id']}",
        json={
            "volumes": [_volume(route, "FL100", "FL145", "2014-12-01T06:10:00Z", "2014-12-01T07:40:00Z")],
            "version": current["version"],
            "priority": 30,
            "key": [],
        },
        headers=a.headers,
    )
    assert moved.status_code == 200, moved.text
    again = bob.check(probe_cell)
    write_seen = again is not None and sorted(c["ovn"] for c in again["conflicts"]) != ovns_cell
    listed = client.get("/conflicts", headers=b.headers).json()  # free: B's own (rejected) filings, if any

    # 4. the rest of the budget: yes/no probes of each mapped cell's quadrants, then of the hit quadrants' quadrants.
    # An answer tells, for each cell, whether B's own shape there conflicts: so B probes one shape in each of many
    # cells at once (one MultiPolygon volume), as many cells a request as its budget pays for.
    def refine(boxes: list[Polygon]) -> tuple[list[Polygon], list[Polygon], list[Polygon]]:
        """(the boxes that conflict, those that do not, those B could not pay to probe)."""
        pending, hits, misses = list(boxes), [], []
        while pending:
            batch, used = [], set()
            for q in pending:
                cell = (math.floor(q.centroid.x / cell_deg), math.floor(q.centroid.y / cell_deg))
                if cell not in used:
                    batch.append(q)
                    used.add(cell)
            left = bob.budget_left()
            batch = batch[: int(left // CELL_FLOOR) if left is not None else len(batch)]
            answer = (
                bob.check(shapely.MultiPolygon([q.buffer(-1e-5, join_style="mitre") for q in batch])) if batch else None
            )
            if answer is None:
                break
            where = shapely.union_all([shape(c["where"]) for c in answer["conflicts"] if c["with"] == "intent"])
            for q in batch:
                pending.remove(q)
                (hits if shapely.intersection(q, where).area > 1e-12 else misses).append(q)
        return hits, misses, pending

    half = cell_deg / 2
    quadrants = [_box(2 * ix + dx, 2 * iy + dy, half) for ix, iy in cells for dx in (0, 1) for dy in (0, 1)]
    hit_quadrants, missed, unprobed = refine(quadrants)
    unprobed_cells = {(math.floor(q.centroid.x / cell_deg), math.floor(q.centroid.y / cell_deg)) for q in unprobed}
    refined = [c for c in cells if c not in unprobed_cells]
    unrefined = [_box(ix, iy, cell_deg) for ix, iy in sorted(unprobed_cells)]
    subs = []
    for q in hit_quadrants:
        x0, y0, _, _ = q.bounds
        ix, iy = round(x0 / (half / 2)), round(y0 / (half / 2))
        subs += [_box(ix + dx, iy + dy, half / 2) for dx in (0, 1) for dy in (0, 1)]
    hit_subs, missed_subs, unprobed_subs = refine(subs)
    finest = hit_subs + [q for q in hit_quadrants if any(shapely.within(s, q) for s in unprobed_subs)] + unrefined

    # B's reconstructions; the best one counts
    candidates = {"the coarse answer": coarse}
    excluded = shapely.difference(coarse, shapely.union_all(missed + missed_subs))
    candidates["the coarse answer less what missed"] = excluded
    if hit_quadrants or unrefined:
        candidates["the quadrants hit, and unrefined cells"] = shapely.union_all(hit_quadrants + unrefined)
    # a corridor of the true width (B is told it) through the centres of what it found, west to east as mapped
    for name, boxes in (
        ("cells", [_box(ix, iy, cell_deg) for ix, iy in cells]),
        ("quadrants hit", hit_quadrants + unrefined),
        ("finest hits", finest),
    ):
        centres = sorted((c.x, c.y) for c in (g.centroid for g in boxes))
        if centres:
            line = shapely.LineString(centres) if len(centres) > 1 else shapely.Point(centres[0])
            candidates[f"a 5 km corridor through the {name}' centres"] = _deg(_km(line).buffer(HALF_WIDTH_KM))
    scores = {name: hausdorff_km(g, route) for name, g in candidates.items()}
    best_name = min(scores, key=lambda n: scores[n])
    cell_km = cell_deg * KM_PER_DEG * math.cos(math.radians(LAT0))  # the cell's shorter side (east-west)
    budget_at_end = bob.budget_left()
    spent = "unknown" if budget_at_start is None or budget_at_end is None else f"{budget_at_start - budget_at_end:,.0f}"
    hit_ms = statistics.median(bob.hit_s) * 1000 if bob.hit_s else math.nan
    miss_ms = statistics.median(bob.miss_s) * 1000 if bob.miss_s else math.nan
    print(
        f"\nred team: {bob.requests} requests ({bob.refused} refused by the budget), budget spent {spent} of "
        f"{budget_at_start if budget_at_start is not None else 'unknown'} units; {len(cells)} cells mapped, "
        f"{len(refined)} refined to quadrants, {len(subs) - len(unprobed_subs)} of {len(subs)} eighths probed\n"
        + "".join(f"  reconstruction from {n}: Hausdorff {s:.2f} km\n" for n, s in scores.items())
        + f"  best: {best_name}, {scores[best_name]:.2f} km; half a cell is {cell_km / 2:.2f} km\n"
        f"  priority of A: in [{priority_lo}, {priority_hi}) as far as B can tell (truth 30; B's grant "
        f"{'capped' if capped else 'did not cap'} the search)\n"
        f"  state of A: not shown (answers name {sorted({c['reason'] for c in mapped['conflicts']})})\n"
        f"  count of A's intents: {views_per_answer} view(s) per answer for 2 intents; OVNs "
        f"{len(set(ovns_before))} distinct\n"
        f"  A's write that the grid does not show (ceiling +500 ft) seen by B: {write_seen}; "
        f"B's /conflicts lists {len(listed)}\n"
        f"  timing: median {hit_ms:.1f} ms with a conflict, {miss_ms:.1f} ms without "
        f"({len(bob.hit_s)} and {len(bob.miss_s)} answers)"
    )
    assert scores[best_name] >= cell_km / 2, f"B mapped A's route to {scores[best_name]:.2f} km ({best_name})"
    assert not write_seen, "B saw when A wrote, although nothing the grid shows changed"
