"""Partitions of an archive: one time block (an hour, or a divisor of it: ``block_s``) by one tile of lat/lon,
with halos, and who owns what.

A row (report) goes to the partition of its own block and tile, and also to every partition whose halo holds it:
in time, ``time_halo_s`` before and after the block (so that each grid time of the block has the reports around
it: `commonsky.safety.losses` needs ``max_gap_s``, and so that the `LossKind` of an episode, which looks back
`LEVEL_WINDOW_S` (rounded to whole steps) before its first grid time, has the reports around those grid times
too: the look-back plus ``max_gap_s``); in space, ``halo_m`` around the tile (the protected radius plus the
distance flown at `MAX_GS_MS` over the longer of two segments, 2 x ``max_gap_s``, or the look-back plus
``max_gap_s``, so that a partner within the radius of an owned sample, both reports around each of them, and
both aircraft's reports over the look-back are present).

Ownership: a grid sample belongs to the block of its time; a pair in loss at time t belongs to the tile holding
the sample of its first aircraft (smaller icao24) at t; an aircraft inside a zone to the tile holding its
sample. Every (pair or aircraft, time) is thus counted in exactly one partition, whatever the tile size or the
block.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from commonsky._typing import FloatArray, IntArray
from commonsky.archive.reports import MAX_GS_MS
from commonsky.earth import BLUESKY_EARTH_RADIUS_M
from commonsky.errors import InputError
from commonsky.safety.height_keeping import look_back_steps

HOUR_S = 3600.0
TILE_DIVISORS = (1, 2, 3, 4, 5, 6, 9, 10, 12, 15, 18, 20, 30, 36, 45, 60, 90, 180)


@dataclass(frozen=True)
class Tiling:
    """Tiles of ``tile_deg`` x ``tile_deg`` degrees (rows from 90 S, columns from 180 W) and one-hour blocks."""

    tile_deg: float
    halo_m: float
    time_halo_s: float
    block_s: float = HOUR_S

    def __post_init__(self) -> None:
        if self.tile_deg not in TILE_DIVISORS:
            raise InputError(
                f"tile size {self.tile_deg:g} deg: must divide 180 ({', '.join(str(d) for d in TILE_DIVISORS)})"
            )

    @classmethod
    def for_analysis(
        cls, tile_deg: float, radius_m: float, max_gap_s: float, block_s: float = HOUR_S, step_s: float = 1.0
    ) -> Tiling:
        """Halos for losses with grid ``step_s`` and gap ``max_gap_s`` (module docstring): with the defaults
        (1 s, 30 s) 61 s and the radius + 60 s at `MAX_GS_MS`, where the look-back of the `LossKind` (20 s + 30 s)
        fits inside the halo the losses need."""
        reach_s = max(2.0 * max_gap_s, look_back_steps(step_s) * step_s + max_gap_s)
        return cls(tile_deg, halo_m=radius_m + MAX_GS_MS * reach_s, time_halo_s=reach_s + 1.0, block_s=block_s)

    @property
    def rows(self) -> int:
        return round(180.0 / self.tile_deg)

    @property
    def cols(self) -> int:
        return round(360.0 / self.tile_deg)

    @property
    def tiles(self) -> int:
        return self.rows * self.cols

    def tile_of(self, lat: FloatArray, lon: FloatArray) -> IntArray:
        """Owning tile of each position."""
        row = np.clip(np.floor((lat + 90.0) / self.tile_deg), 0, self.rows - 1).astype(np.int64)
        col = np.floor((np.mod(lon + 180.0, 360.0)) / self.tile_deg).astype(np.int64) % self.cols
        return row * self.cols + col

    def box(self, tile: int) -> tuple[float, float, float, float]:
        """(west, south, east, north) of a tile, degrees."""
        row, col = divmod(tile, self.cols)
        return (
            col * self.tile_deg - 180.0,
            row * self.tile_deg - 90.0,
            (col + 1) * self.tile_deg - 180.0,
            (row + 1) * self.tile_deg - 90.0,
        )

    def keys(
        self, time_s: FloatArray, lat: FloatArray, lon: FloatArray, block: int | None = None
    ) -> tuple[npt.NDArray[np.intp], IntArray]:
        """Every (row index, partition key) pair: a row appears once per partition that needs it, rows in their
        order (so rows sorted by aircraft and time stay so within each partition).

        Key = block x tiles + tile, with block = floor(time / block_s); given ``block``, only the partitions
        of that block (the rows being in it or in its time halo). Rows clear of every edge (by more than the
        halos, the longitude halo taken at the poleward edge of the tile's row) get their own key at once; the
        others go through `_spread`."""
        n = time_s.shape[0]
        d, margin = self.tile_deg, 1e-7
        halo_lat = float(np.degrees(self.halo_m / BLUESKY_EARTH_RADIUS_M))
        y = (lat + 90.0) / d
        x = (lon + 180.0) / d
        row_f, col_f = np.floor(y), np.floor(x)
        fy, fx = (y - row_f) * d, (x - col_f) * d
        halo_lon = self._row_halo_lon(halo_lat)[np.clip(row_f, 0, self.rows - 1).astype(np.int64)] + margin
        clear = (fy > halo_lat + margin) & (d - fy > halo_lat + margin) & (fx > halo_lon) & (d - fx > halo_lon)
        if block is None:
            blocks = np.floor(time_s / self.block_s)
            into = time_s - blocks * self.block_s
            clear &= (into >= self.time_halo_s + margin) & (self.block_s - into > self.time_halo_s + margin)
            own = blocks * self.tiles + row_f * self.cols + col_f
        else:
            own = row_f * self.cols + col_f + float(block * self.tiles)
        near = np.flatnonzero(~clear)
        near_row, near_key = self._spread(time_s[near], lat[near], lon[near], block)
        copies = np.ones(n, dtype=np.int64)
        copies[near] = np.bincount(near_row, minlength=near.shape[0])
        first = np.cumsum(copies) - copies  # where each row's copies start in the output
        row = _repeat_index(first, int(copies.sum()))
        key = own.astype(np.int64)[row]  # right for the clear rows; the others are overwritten
        count = copies[near]
        k = np.arange(near_row.shape[0], dtype=np.int64) - (np.cumsum(count) - count)[near_row]
        key[first[near][near_row] + k] = near_key
        return row, key

    def _row_halo_lon(self, halo_lat: float) -> FloatArray:
        """Longitude halo (degrees) of each row of tiles: at its poleward edge plus the latitude halo (360 where
        that reaches a pole)."""
        south = np.arange(self.rows) * self.tile_deg - 90.0
        edge = np.maximum(np.abs(south), np.abs(south + self.tile_deg))
        cos_top = np.cos(np.radians(np.minimum(edge + halo_lat, 90.0)))
        out: FloatArray = np.where(cos_top > 1e-9, 1.05 * halo_lat / np.maximum(cos_top, 1e-9), 360.0)
        return out

    def _spread(
        self, time_s: FloatArray, lat: FloatArray, lon: FloatArray, block: int | None = None
    ) -> tuple[npt.NDArray[np.intp], IntArray]:
        """`keys` for any rows: every partition whose halo holds each row, row by row."""
        n = time_s.shape[0]
        if block is None:
            blocks = np.floor(time_s / self.block_s).astype(np.int64)
            into = time_s - blocks * self.block_s
            b_lo = blocks - (into < self.time_halo_s)
            b_hi = blocks + (self.block_s - into <= self.time_halo_s)
        else:
            b_lo = b_hi = np.full(n, block, dtype=np.int64)
        halo_lat = float(np.degrees(self.halo_m / BLUESKY_EARTH_RADIUS_M))
        r_lo = np.clip(np.floor((lat - halo_lat + 90.0) / self.tile_deg), 0, self.rows - 1).astype(np.int64)
        r_hi = np.clip(np.floor((lat + halo_lat + 90.0) / self.tile_deg), 0, self.rows - 1).astype(np.int64)
        top = np.minimum(np.abs(lat) + halo_lat, 90.0)
        cos_top = np.cos(np.radians(top))
        halo_lon = np.where(cos_top > 1e-9, 1.05 * halo_lat / np.maximum(cos_top, 1e-9), 360.0)  # 1.05: see pairs
        every = halo_lon >= 180.0
        c_lo = np.floor((lon - halo_lon + 180.0) / self.tile_deg).astype(np.int64)
        c_hi = np.floor((lon + halo_lon + 180.0) / self.tile_deg).astype(np.int64)
        c_lo = np.where(every, 0, c_lo)
        c_hi = np.where(every, self.cols - 1, np.minimum(c_hi, c_lo + self.cols - 1))
        nb, nr, nc = b_hi - b_lo + 1, r_hi - r_lo + 1, c_hi - c_lo + 1
        copies = nb * nr * nc
        first = np.cumsum(copies) - copies
        row = _repeat_index(first, int(copies.sum()))
        k = np.arange(row.shape[0], dtype=np.int64) - first[row]
        nr_r, nc_r = nr[row], nc[row]
        b = b_lo[row] + k // (nr_r * nc_r)
        rest = k % (nr_r * nc_r)
        r = r_lo[row] + rest // nc_r
        c = (c_lo[row] + rest % nc_r) % self.cols
        return row, b * self.tiles + r * self.cols + c

    def split_key(self, key: int) -> tuple[int, int]:
        """(block, tile) of a partition key."""
        block, tile = divmod(int(key), self.tiles)
        return block, tile


def _repeat_index(first: IntArray, total: int) -> npt.NDArray[np.intp]:
    """``np.repeat(np.arange(n), copies)`` from where each row's copies start (``first``: 0, then strictly
    increasing, as every row has at least one copy), by a cumulative sum: faster than ``np.repeat`` with counts."""
    marks = np.zeros(total, dtype=np.intp)
    marks[first[1:]] = 1
    out: npt.NDArray[np.intp] = np.cumsum(marks)
    return out
