"""The disclosure policy: what a party may learn of the rest of the sky, and nothing sharper than its grid.

The authority owns it (stored in ``disclosure_policy``; `PUT /policy/disclosure`). Every conflict the broker shows
a party (answers, 409s, ``GET /conflicts``, notifications) is built here, from the engine's exact overlaps, as:

- only the part of the party's *own* volume that conflicts, coarsened to the grid: the lon/lat cells the exact
  overlaps meet (clipped to the own volume, which the party knows anyway), their times widened to whole steps and
  their altitudes to whole bands (clipped to the own volume's window and band);
- the obstacle's kind (another party's intent, a binding or an advisory zone), never its priority, state, owner or
  how many intents there are: every intent conflict of one own volume is merged into one view;
- an OVN per viewer and view, computed from what the view discloses and nothing else, so the area key still works
  (F3548) but an OVN changes only when the coarse view changes, never when an intent merely gets a new version.

Resolutions are searched with everything the broker knows (`service.resolution`), then rounded with this policy so
that they say no more than the grid: delays to whole steps, level changes to whole bands (and verified again).

>>> policy = DisclosurePolicy()
>>> policy.snap_interval(610.0, 1210.0)
(600.0, 1500.0)
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from commonsky.airspace.volume import AltitudeModel, Overlap, Volume
from commonsky.errors import InputError
from commonsky.service.area_key import ovn
from commonsky.service.engine import iso
from commonsky.service.views import ConflictView, ObstacleKind
from commonsky.strategic.result import OtherKind
from commonsky.units import FT_M

MAX_GRID_CELLS = 250_000  # a coarsening over more cells than this is refused (the size limits keep far below it)


@dataclass(frozen=True)
class DisclosurePolicy:
    """The disclosure grid: lon/lat cells of ``cell_deg`` degrees (0.1 deg = 11.1 km N-S, 9.3 km E-W at 33 N),
    ``step_s`` time steps on the Unix epoch, ``band_ft`` altitude bands from 0 (1,000 ft: 304.8 m)."""

    cell_deg: float = 0.1
    step_s: float = 300.0
    band_ft: float = 1_000.0

    def __post_init__(self) -> None:
        if not (0.01 <= self.cell_deg <= 10.0):
            raise InputError(f"cell_deg {self.cell_deg}: use 0.01 to 10 degrees")
        if not (60.0 <= self.step_s <= 86_400.0):
            raise InputError(f"step_s {self.step_s}: use 60 to 86,400 s")
        if not (100.0 <= self.band_ft <= 10_000.0):
            raise InputError(f"band_ft {self.band_ft}: use 100 to 10,000 ft")

    @property
    def band_m(self) -> float:
        return self.band_ft * FT_M

    def snap_interval(self, start_s: float, end_s: float) -> tuple[float, float]:
        """[start, end) widened to whole steps."""
        return (_floor(start_s, self.step_s), _ceil(end_s, self.step_s))

    def snap_band(self, lo_m: float, hi_m: float) -> tuple[float, float]:
        """[lo, hi] widened to whole bands."""
        return (_floor(lo_m, self.band_m), _ceil(hi_m, self.band_m))

    def cells(self, geometry: BaseGeometry) -> list[tuple[int, int]]:
        """The grid cells (ix, iy) whose interior ``geometry`` meets, sorted."""
        if geometry.is_empty:
            return []
        min_lon, min_lat, max_lon, max_lat = geometry.bounds
        ix = np.arange(math.floor(min_lon / self.cell_deg), math.floor(max_lon / self.cell_deg) + 1)
        iy = np.arange(math.floor(min_lat / self.cell_deg), math.floor(max_lat / self.cell_deg) + 1)
        if ix.size * iy.size > MAX_GRID_CELLS:
            raise InputError(f"an overlap over {ix.size * iy.size} disclosure cells: too large to disclose")
        mx, my = np.meshgrid(ix, iy, indexing="ij")
        gx, gy = mx.ravel(), my.ravel()
        boxes = shapely.box(gx * self.cell_deg, gy * self.cell_deg, (gx + 1) * self.cell_deg, (gy + 1) * self.cell_deg)
        shapely.prepare(geometry)
        hit = shapely.intersects(geometry, boxes)
        if hit.any():  # touching a cell along its edge is not meeting it: the interiors must meet
            hit[hit] = shapely.relate_pattern(geometry, boxes[hit], "T********")
        return sorted((int(x), int(y)) for x, y in zip(gx[hit], gy[hit], strict=True))

    def cell_union(self, cells: Iterable[tuple[int, int]]) -> BaseGeometry:
        d = self.cell_deg
        return shapely.union_all([shapely.box(x * d, y * d, (x + 1) * d, (y + 1) * d) for x, y in cells])


@dataclass(frozen=True)
class Obstacle:
    """What a party may know of what is in its way: its kind, and for a (public) zone its id, name and version."""

    kind: ObstacleKind
    zone_id: str | None = None
    zone_name: str | None = None
    zone_version: str | None = None


def coarse_view(
    policy: DisclosurePolicy,
    model: AltitudeModel,
    viewer_id: str,
    own_id: str,
    own_index: int,
    own: Volume,
    obstacle: Obstacle,
    blocking: bool,
    overlaps: Sequence[Overlap],
) -> ConflictView:
    """One view: the exact ``overlaps`` of own volume ``own`` with one obstacle (all of another party's intents
    merged), as the policy lets ``viewer_id`` see them."""
    cells = policy.cells(shapely.union_all([o.geometry for o in overlaps]))
    where = shapely.intersection(own.footprint, policy.cell_union(cells))
    lo_s, hi_s = own.window.start_s, own.window.end_s
    spans = sorted(policy.snap_interval(a, b) for o in overlaps for a, b in o.intervals)
    intervals = [(max(a, lo_s), min(b, hi_s)) for a, b in _merge(spans)]
    floor_m, ceiling_m = model.floor_m(own.band.floor), model.ceiling_m(own.band.ceiling)
    alt_lo, alt_hi = policy.snap_band(min(o.alt_lo_m for o in overlaps), max(o.alt_hi_m for o in overlaps))
    alt_lo, alt_hi = max(alt_lo, floor_m), min(alt_hi, ceiling_m)
    shown = {
        "volume": own_index,
        "kind": obstacle.kind.value,
        "zone": obstacle.zone_id,
        "cells": cells,
        "grid": [policy.cell_deg, policy.step_s, policy.band_ft],
        "intervals": intervals,
        "alt": [alt_lo, alt_hi],
        "blocking": blocking,
    }
    digest = hashlib.sha256(json.dumps(shown, sort_keys=True, default=str).encode()).hexdigest()
    if obstacle.zone_id is not None:
        seen = ovn(viewer_id, "zone", obstacle.zone_id, f"{obstacle.zone_version}:{digest}")
    else:
        seen = ovn(viewer_id, "intents", f"{own_index}", digest)
    return ConflictView(
        intent_id=own_id,
        volume_index=own_index,
        with_=OtherKind.INTENT if obstacle.kind is ObstacleKind.INTENT else OtherKind.ZONE,
        zone_id=obstacle.zone_id,
        zone_name=obstacle.zone_name,
        blocking=blocking,
        reason=obstacle.kind,
        ovn=seen,
        where=mapping(where),
        start=iso(intervals[0][0]) if intervals else None,
        end=iso(intervals[-1][1]) if intervals else None,
        intervals=tuple((iso(a), iso(b)) for a, b in intervals),
        alt_lo_m=alt_lo if math.isfinite(alt_lo) else None,
        alt_hi_m=alt_hi if math.isfinite(alt_hi) else None,
    )


def _merge(spans: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in spans:
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _floor(value: float, step: float) -> float:
    return math.floor(value / step) * step if math.isfinite(value) else value


def _ceil(value: float, step: float) -> float:
    return math.ceil(value / step) * step if math.isfinite(value) else value
