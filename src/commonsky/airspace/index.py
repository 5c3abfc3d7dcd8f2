"""A spatial x temporal index of 4D volumes with incremental insert and remove.

Layout: a lon/lat grid of ``cell_deg`` cells; each cell maps time buckets of ``bucket_s`` seconds to the set of
volume slots active in them. Windows longer than ``max_buckets`` buckets (or open-ended, like most zones) go to one
"long" bucket of the cell. Per-slot attributes (time envelope, altitude limits) sit in numpy arrays, so after the
grid lookup the time and altitude tests run in bulk; only survivors meet shapely's exact predicates (prepared
geometry, vectorised), and only real intersections are computed. Memory: a constant number of entries per volume
for regional shapes and bounded windows, so linear in N. Footprints that cross the antimeridian are indexed part by
part (each part's own bounding box), so they never smear across the globe.

Not thread-safe: a single writer (the broker serialises accepts) or external locking.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from commonsky.airspace.volume import MIN_OVERLAP_DEG2, AltitudeModel, Overlap, Volume, common_intervals
from commonsky.units import AltitudeRef

_REF_CODE = {AltitudeRef.AMSL: 0, AltitudeRef.STD: 1, AltitudeRef.AGL: 2}
_LONG = -1  # the bucket of long or open-ended windows


@dataclass(frozen=True)
class Hit:
    """One stored volume met by a query volume: its owner, its position in the owner's list, and the overlap."""

    owner: Hashable
    volume_index: int
    volume: Volume
    overlap: Overlap


class VolumeIndex:
    """Grid x time-bucket index of volumes grouped by owner (an intent id, a zone number)."""

    def __init__(
        self,
        model: AltitudeModel | None = None,
        *,
        cell_deg: float = 0.5,
        bucket_s: float = 3600.0,
        max_buckets: int = 24,
    ) -> None:
        self.model = model or AltitudeModel()
        self.cell_deg = cell_deg
        self.bucket_s = bucket_s
        self.max_buckets = max_buckets
        self._cells: dict[tuple[int, int], dict[int, list[int]]] = {}  # lists: a set costs 4x the memory
        self._owner_slots: dict[Hashable, list[int]] = {}
        self._free: list[int] = []
        self._size = 0
        self._capacity = 0
        self._owner: list[Hashable] = []
        self._vindex: list[int] = []
        self._volumes: list[Volume | None] = []
        # per-slot columns (grown by doubling): time envelope (s), altitude limits (m) and references, footprints
        self._t0: np.ndarray = np.empty(0, dtype=float)
        self._t1: np.ndarray = np.empty(0, dtype=float)
        self._floor_m: np.ndarray = np.empty(0, dtype=float)
        self._ceil_m: np.ndarray = np.empty(0, dtype=float)
        self._floor_ref: np.ndarray = np.empty(0, dtype=np.int8)
        self._ceil_ref: np.ndarray = np.empty(0, dtype=np.int8)
        self._alive: np.ndarray = np.empty(0, dtype=bool)
        self._fp: np.ndarray = np.empty(0, dtype=object)
        self._grow(64)

    # storage -------------------------------------------------------------------------------------------------
    def _grow(self, capacity: int) -> None:
        def extend(old: np.ndarray, fill: object) -> np.ndarray:
            new = np.full(capacity, fill, dtype=old.dtype)
            new[: old.size] = old
            return new

        self._t0 = extend(self._t0, np.inf)
        self._t1 = extend(self._t1, -np.inf)
        self._floor_m = extend(self._floor_m, np.inf)
        self._ceil_m = extend(self._ceil_m, -np.inf)
        self._floor_ref = extend(self._floor_ref, 0)
        self._ceil_ref = extend(self._ceil_ref, 0)
        self._alive = extend(self._alive, False)
        self._fp = extend(self._fp, None)
        self._capacity = capacity

    def __len__(self) -> int:
        """Number of owners stored."""
        return len(self._owner_slots)

    def __contains__(self, owner: Hashable) -> bool:
        return owner in self._owner_slots

    @property
    def volume_count(self) -> int:
        return self._size

    def owners(self) -> Iterator[Hashable]:
        return iter(self._owner_slots)

    def volumes_of(self, owner: Hashable) -> list[Volume]:
        return [v for s in self._owner_slots[owner] if (v := self._volumes[s]) is not None]

    # keys ----------------------------------------------------------------------------------------------------
    def _cells_of(self, footprint: BaseGeometry) -> set[tuple[int, int]]:
        cells: set[tuple[int, int]] = set()
        for part in shapely.get_parts(footprint):
            minx, miny, maxx, maxy = part.bounds
            ix0, ix1 = math.floor(minx / self.cell_deg), math.floor(maxx / self.cell_deg)
            iy0, iy1 = math.floor(miny / self.cell_deg), math.floor(maxy / self.cell_deg)
            cells.update((ix, iy) for ix in range(ix0, ix1 + 1) for iy in range(iy0, iy1 + 1))
        return cells

    def _buckets_of(self, start_s: float, end_s: float) -> list[int]:
        if not (math.isfinite(start_s) and math.isfinite(end_s)):
            return [_LONG]
        b0, b1 = math.floor(start_s / self.bucket_s), math.floor(end_s / self.bucket_s)
        return [_LONG] if b1 - b0 + 1 > self.max_buckets else list(range(b0, b1 + 1))

    # writes --------------------------------------------------------------------------------------------------
    def insert(self, owner: Hashable, volumes: Sequence[Volume]) -> None:
        """Store ``volumes`` under ``owner`` (replacing what it had)."""
        if owner in self._owner_slots:
            self.remove(owner)
        slots = []
        for i, volume in enumerate(volumes):
            slot = self._free.pop() if self._free else self._new_slot()
            self._store(slot, owner, i, volume)
            slots.append(slot)
        self._owner_slots[owner] = slots

    def _new_slot(self) -> int:
        slot = len(self._volumes)
        if slot >= self._capacity:
            self._grow(2 * self._capacity)
        self._owner.append(None)
        self._vindex.append(-1)
        self._volumes.append(None)
        return slot

    def _store(self, slot: int, owner: Hashable, i: int, volume: Volume) -> None:
        model, band = self.model, volume.band
        self._owner[slot], self._vindex[slot], self._volumes[slot] = owner, i, volume
        self._t0[slot], self._t1[slot] = volume.window.start_s, volume.window.end_s
        self._floor_m[slot], self._ceil_m[slot] = model.floor_m(band.floor), model.ceiling_m(band.ceiling)
        self._floor_ref[slot], self._ceil_ref[slot] = _REF_CODE[band.floor.ref], _REF_CODE[band.ceiling.ref]
        self._alive[slot] = True
        footprint = volume.footprint
        self._fp[slot] = footprint
        wanted = self._buckets_of(volume.window.start_s, volume.window.end_s)
        for cell in self._cells_of(footprint):
            buckets = self._cells.setdefault(cell, {})
            for b in wanted:
                members = buckets.get(b)
                if members is None:
                    buckets[b] = [slot]
                else:
                    members.append(slot)
        self._size += 1

    def remove(self, owner: Hashable) -> None:
        """Forget ``owner`` and its volumes; unknown owners are ignored."""
        for slot in self._owner_slots.pop(owner, []):
            volume = self._volumes[slot]
            assert volume is not None
            wanted = self._buckets_of(volume.window.start_s, volume.window.end_s)
            for cell in self._cells_of(self._fp[slot]):  # the keys it was stored under, recomputed
                buckets = self._cells[cell]
                for b in wanted:
                    members = buckets[b]
                    members.remove(slot)
                    if not members:
                        del buckets[b]
                if not buckets:
                    del self._cells[cell]
            self._alive[slot] = False
            self._fp[slot] = None
            self._volumes[slot] = None
            self._owner[slot] = None
            self._free.append(slot)
            self._size -= 1

    # reads ---------------------------------------------------------------------------------------------------
    def candidates(self, volume: Volume) -> np.ndarray:
        """Slots whose cell, time envelope and altitude band may meet ``volume`` (no geometry test yet)."""
        wanted = self._buckets_of(volume.window.start_s, volume.window.end_s)
        found: set[int] = set()
        for cell in self._cells_of(volume.footprint):
            buckets = self._cells.get(cell)
            if not buckets:
                continue
            if wanted == [_LONG]:
                for members in buckets.values():
                    found.update(members)
                continue
            for b in (*wanted, _LONG):
                if b in buckets:
                    found.update(buckets[b])
        if not found:
            return np.empty(0, dtype=np.int64)
        slots = np.fromiter(found, dtype=np.int64, count=len(found))
        kept: np.ndarray = slots[self._envelope_mask(slots, volume)]
        return kept

    def _envelope_mask(self, slots: np.ndarray, volume: Volume) -> np.ndarray:
        model, band = self.model, volume.band
        margin = model.mixed_ref_margin_m
        q_floor, q_ceil = model.floor_m(band.floor), model.ceiling_m(band.ceiling)
        q_floor_ref, q_ceil_ref = _REF_CODE[band.floor.ref], _REF_CODE[band.ceiling.ref]
        below = self._floor_m[slots] < q_ceil + margin * (self._floor_ref[slots] != q_ceil_ref)
        above = q_floor < self._ceil_m[slots] + margin * (self._ceil_ref[slots] != q_floor_ref)
        timely = (self._t0[slots] < volume.window.end_s) & (self._t1[slots] > volume.window.start_s)
        mask: np.ndarray = self._alive[slots] & below & above & timely
        return mask

    def all_slots(self, volume: Volume) -> np.ndarray:
        """Every live slot passing the envelope test: the no-index path (benchmarks, cross-checks)."""
        slots = np.flatnonzero(self._alive[: len(self._volumes)])
        kept: np.ndarray = slots[self._envelope_mask(slots, volume)]
        return kept

    def hits(self, volume: Volume, *, use_index: bool = True) -> list[Hit]:
        """Every stored volume that really meets ``volume``: area > ~1 m², common time, common altitudes."""
        slots = self.candidates(volume) if use_index else self.all_slots(volume)
        if slots.size == 0:
            return []
        query = volume.footprint
        shapely.prepare(query)
        slots = slots[shapely.intersects(query, self._fp[slots])]
        if slots.size == 0:
            return []
        pieces = shapely.intersection(self._fp[slots], query)
        keep = shapely.area(pieces) > MIN_OVERLAP_DEG2
        out = []
        for slot, piece in zip(slots[keep].tolist(), pieces[keep], strict=True):
            other = self._volumes[slot]
            assert other is not None
            intervals = common_intervals(volume, other)
            alts = self.model.overlap_m(volume.band, other.band)
            if intervals and alts is not None:
                out.append(
                    Hit(
                        self._owner[slot], self._vindex[slot], other, Overlap(piece, tuple(intervals), alts[0], alts[1])
                    )
                )
        return out
