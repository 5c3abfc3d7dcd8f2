"""The work of one partition: its reports (with halo) -> owned loss and infringement fragments and counts.

Pure: a function of the rows and the settings, run on a Dask worker (or in-process for the single-partition
reference). Peak memory is a small multiple of the partition's rows (about 400 bytes a row: the frame, the
sorted copies and the grid samples) plus its candidate pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from commonsky._typing import BoolArray, IntArray
from commonsky.archive.infringements import ZoneSet, empty_zones, zone_fragments
from commonsky.archive.losses import Columns, empty_losses, loss_fragments
from commonsky.archive.partition import Tiling
from commonsky.archive.reports import prepare, run_samples
from commonsky.earth import BLUESKY_EARTH_RADIUS_M

if TYPE_CHECKING:
    import pandas as pd

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Settings:
    """What every partition needs: protection (m), grid step and gap (s), the analysis window (UNIX s, from
    inclusive, to exclusive), an optional (west, south, east, north) box, the tiling and the zones. Altitudes
    are taken as reported (exact feet), as in the replay's truth."""

    radius_m: float
    half_height_m: float
    step_s: float
    max_gap_s: float
    window_s: tuple[float, float]
    bbox: BBox | None
    tiling: Tiling
    zones: ZoneSet


@dataclass(frozen=True)
class BlockResult:
    """Fragments and counts of one partition (or of several, concatenated)."""

    losses: pd.DataFrame
    zones: pd.DataFrame
    reports: int  # rows owned (in the window, the box and the partition's own hour and tile)
    samples: int  # grid samples owned, tested against the zones (0 without zones)
    fast_segments: int
    partitions: int = 0  # (block, tile) partitions analysed


def in_bbox(lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64], bbox: BBox | None) -> BoolArray:
    """Inside (west, south, east, north); west > east crosses the antimeridian."""
    if bbox is None:
        return np.ones(lat.shape[0], dtype=bool)
    w, s, e, n = bbox
    lat_ok = (lat >= s) & (lat <= n)
    lon_ok = ((lon >= w) & (lon <= e)) if w <= e else ((lon >= w) | (lon <= e))
    out: BoolArray = lat_ok & lon_ok
    return out


@dataclass(frozen=True)
class Rows:
    """Normalised reports as arrays (see `commonsky.archive.schema.REPORT_COLUMNS`)."""

    time_s: npt.NDArray[np.float64]
    icao24: npt.NDArray[np.int64]
    lat_deg: npt.NDArray[np.float64]
    lon_deg: npt.NDArray[np.float64]
    alt_m: npt.NDArray[np.float64]
    on_ground: BoolArray

    @classmethod
    def of(cls, frame: pd.DataFrame) -> Rows:
        return cls(
            frame["time_s"].to_numpy(dtype=np.float64),
            frame["icao24"].to_numpy(dtype=np.int64),
            frame["lat"].to_numpy(dtype=np.float64),
            frame["lon"].to_numpy(dtype=np.float64),
            frame["alt_m"].to_numpy(dtype=np.float64),
            frame["on_ground"].to_numpy(dtype=bool),
        )

    def columns(self) -> dict[str, npt.NDArray[np.generic]]:
        """The arrays under their frame names (`REPORT_COLUMNS`), the inverse of `of`."""
        return {
            "time_s": self.time_s,
            "icao24": self.icao24,
            "lat": self.lat_deg,
            "lon": self.lon_deg,
            "alt_m": self.alt_m,
            "on_ground": self.on_ground,
        }

    def __len__(self) -> int:
        return int(self.time_s.shape[0])

    def part(self, start: int, stop: int) -> Rows:
        """Rows start to stop (views, no copy)."""
        return self._select(slice(start, stop))

    def take(self, rows: npt.NDArray[np.intp]) -> Rows:
        return self._select(rows)

    def _select(self, index: slice | npt.NDArray[np.intp]) -> Rows:
        return Rows(
            self.time_s[index],
            self.icao24[index],
            self.lat_deg[index],
            self.lon_deg[index],
            self.alt_m[index],
            self.on_ground[index],
        )


@dataclass(frozen=True)
class Fragments:
    """Fragment tables of one partition, as named arrays."""

    losses: list[Columns]
    zones: list[Columns]
    reports: int
    samples: int
    fast_segments: int


def analyse_block(reports: Rows, key: int | None, settings: Settings) -> Fragments:
    """Owned fragments of partition ``key`` (None: everything is owned, the single-partition reference)."""
    if key is None:
        window, tile = settings.window_s, None
    else:
        block, tile = settings.tiling.split_key(key)
        block_s = settings.tiling.block_s
        window = (max(block * block_s, settings.window_s[0]), min((block + 1) * block_s, settings.window_s[1]))
    prepared = prepare(
        reports.time_s,
        reports.icao24,
        reports.lat_deg,
        reports.lon_deg,
        reports.alt_m,
        reports.on_ground,
        step_s=settings.step_s,
        max_gap_s=settings.max_gap_s,
    )
    tiling = settings.tiling

    def owns(lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64]) -> BoolArray:
        inside = in_bbox(lat, lon, settings.bbox)
        return inside if tile is None else inside & (tiling.tile_of(lat, lon) == tile)

    losses = loss_fragments(prepared, owns, settings.radius_m, settings.half_height_m, settings.step_s, window)
    zones: list[Columns] = []
    samples = 0
    if len(settings.zones):
        grid = run_samples(prepared, settings.step_s, window)
        owned = owns(grid.lat_deg, grid.lon_deg)
        r = prepared.reports

        def observed(code: npt.NDArray[np.int64], tk: npt.NDArray[np.int64]) -> BoolArray:
            return np.zeros(code.shape[0], dtype=bool) if r is None else r.positions_at(code, tk, settings.step_s)[0]

        zones = zone_fragments(grid, owned, settings.zones, settings.step_s, observed)
        samples = int(np.count_nonzero(owned))
    mine = owns(reports.lat_deg, reports.lon_deg) & (reports.time_s >= window[0]) & (reports.time_s < window[1])
    return Fragments([losses] if losses else [], zones, int(np.count_nonzero(mine)), samples, prepared.fast_segments)


def _frame(tables: list[Columns], empty: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    if not tables:
        return empty
    return pd.DataFrame({c: np.concatenate([t[c] for t in tables]) for c in empty.columns})


def collect(parts: list[Fragments]) -> BlockResult:
    """One result from the fragments of several partitions (frames built once)."""
    return BlockResult(
        _frame([t for p in parts for t in p.losses], empty_losses()),
        _frame([t for p in parts for t in p.zones], empty_zones()),
        sum(p.reports for p in parts),
        sum(p.samples for p in parts),
        sum(p.fast_segments for p in parts),
        len(parts),
    )


def usable(rows: Rows, settings: Settings) -> BoolArray:
    """Rows worth keying: an address, a finite position on the globe, a time the window (with its halo) needs,
    and (with a box) a latitude its halo reaches."""
    tiling = settings.tiling
    t, lat, lon = rows.time_s, rows.lat_deg, rows.lon_deg
    keep = (rows.icao24 >= 0) & np.isfinite(t) & np.isfinite(lat) & np.isfinite(lon)
    keep &= (np.abs(lat) <= 90.0) & (np.abs(lon) <= 180.0)
    keep &= (t >= settings.window_s[0] - tiling.time_halo_s) & (t < settings.window_s[1] + tiling.time_halo_s)
    if settings.bbox is not None:
        halo_lat = float(np.degrees(tiling.halo_m / BLUESKY_EARTH_RADIUS_M))
        keep &= (lat >= settings.bbox[1] - halo_lat) & (lat <= settings.bbox[3] + halo_lat)
    out: BoolArray = keep
    return out


def _by_key(key: IntArray) -> tuple[npt.NDArray[np.intp], IntArray, IntArray]:
    """(stable order grouping equal keys, the distinct keys, where each starts in that order)."""
    if key.shape[0] == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    low = int(key.min())
    counts = np.bincount(key - low) if int(key.max()) - low < 1 << 24 else None
    if counts is None:  # keys spread wide: a comparison sort
        order = np.argsort(key, kind="stable")
        keys, starts = np.unique(key[order], return_index=True)
        return order, keys, starts.astype(np.int64)
    present = np.flatnonzero(counts)
    rank = np.cumsum(counts > 0) - 1
    kind = np.uint16 if present.shape[0] <= 1 << 16 else np.int64  # uint16: numpy's radix sort
    order = np.argsort(rank[key - low].astype(kind), kind="stable")
    sizes = counts[present]
    return order, present + low, np.cumsum(sizes) - sizes


def _analyse_sorted(reports: Rows, keys: IntArray, starts: IntArray, settings: Settings) -> BlockResult:
    """Partitions ``keys`` whose reports are ``reports[starts[i]:starts[i + 1]]``."""
    stops = np.append(starts[1:], len(reports))[: starts.shape[0]]  # none for a partition with no row
    parts = [
        analyse_block(reports.part(int(a), int(b)), int(k), settings)
        for k, a, b in zip(keys, starts, stops, strict=True)
    ]
    return collect(parts)


def analyse_blocks(frame: pd.DataFrame, settings: Settings) -> BlockResult:
    """Every partition present in ``frame`` (a shuffled Dask partition: whole partitions, by ``key``)."""
    order, keys, starts = _by_key(frame["key"].to_numpy(dtype=np.int64))
    return _analyse_sorted(Rows.of(frame).take(order), keys, starts, settings)


def analyse_rows(reports: Rows, settings: Settings, block: int) -> BlockResult:
    """Every partition of time block ``block`` (index of ``settings.tiling.block_s``) from reports holding
    the block and its time halo (in any order; reports of other times are ignored).

    The reports are put in (aircraft, time) order once, before they are keyed: each partition then receives
    them in that order, and `commonsky.archive.reports.prepare` need not sort them again."""
    keep = np.flatnonzero(usable(reports, settings))
    keep = keep[np.lexsort((reports.time_s[keep], reports.icao24[keep]))]
    row, key = settings.tiling.keys(reports.time_s[keep], reports.lat_deg[keep], reports.lon_deg[keep], block)
    order, keys, starts = _by_key(key)
    return _analyse_sorted(reports.take(keep[row[order]]), keys, starts, settings)
