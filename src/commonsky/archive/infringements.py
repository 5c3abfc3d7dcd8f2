"""Zone infringements: an aircraft's grid samples inside a binding zone (laterally, inside its altitude band, in
its validity window), as episode fragments per (aircraft, zone) that merge like loss fragments.

``entered`` is true when the aircraft was observed (outside) one grid step before the episode: a real entry;
false when it was already inside at its first position in the data (or after a gap).

Depth: ``depth_m`` is the largest horizontal distance inside the zone's outline over the episode, measured in an
equirectangular frame at the zone's centre (good to about 1 % for zones a few hundred km across);
``vertical_depth_m`` the largest distance inside the altitude band (the nearer of floor and ceiling, AGL limits
over terrain at 0 m, as `commonsky.safety.incursion` reads them). Parties are not known in an archive: every
binding zone binds every aircraft.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from commonsky._typing import BoolArray, FloatArray, IntArray
from commonsky.airspace.zone import Zone
from commonsky.archive.losses import Columns
from commonsky.archive.reports import Samples, wrap_deg
from commonsky.archive.schema import hex_ids
from commonsky.earth import BLUESKY_EARTH_RADIUS_M

if TYPE_CHECKING:
    import pandas as pd

ZONE_COLUMNS = (
    "icao24",
    "zone",
    "entered",
    "start_s",
    "end_s",
    "samples",
    "depth_m",
    "vertical_depth_m",
    "entry_lat",
    "entry_lon",
    "entry_alt_m",
    "deepest_lat",
    "deepest_lon",
)


@dataclass(frozen=True, eq=False)
class ZoneSet:
    """Binding zones with their outlines in their own planar frames (metres) and limits as arrays."""

    names: tuple[str, ...]
    geometries: tuple[BaseGeometry, ...]
    planar: tuple[BaseGeometry, ...]
    centre: FloatArray  # (n, 2) lat, lon
    floor_m: FloatArray
    ceiling_m: FloatArray
    valid_from_s: FloatArray
    valid_to_s: FloatArray

    @classmethod
    def build(cls, zones: Sequence[Zone]) -> ZoneSet:
        binding = [z for z in zones if z.binding]
        centres = np.array([[z.geometry.centroid.y, z.geometry.centroid.x] for z in binding]).reshape(-1, 2)
        planar = tuple(
            shapely.transform(z.geometry, lambda xy, c=c: _to_plane(xy[:, 1], xy[:, 0], c[0], c[1]))
            for z, c in zip(binding, centres, strict=True)
        )
        return cls(
            names=tuple(z.name for z in binding),
            geometries=tuple(z.geometry for z in binding),
            planar=planar,
            centre=centres,
            floor_m=np.array([z.floor.value_m for z in binding]),
            ceiling_m=np.array([z.ceiling.value_m for z in binding]),
            valid_from_s=np.array([z.valid_from.timestamp() if z.valid_from else -np.inf for z in binding]),
            valid_to_s=np.array([z.valid_to.timestamp() if z.valid_to else np.inf for z in binding]),
        )

    def __len__(self) -> int:
        return len(self.names)


def _to_plane(lat: FloatArray, lon: FloatArray, lat0: float, lon0: float) -> FloatArray:
    x = np.radians(wrap_deg(lon - lon0)) * BLUESKY_EARTH_RADIUS_M * np.cos(np.radians(lat0))
    y = np.radians(lat - lat0) * BLUESKY_EARTH_RADIUS_M
    return np.column_stack([x, y])


def zone_fragments(
    samples: Samples,
    owned: BoolArray,
    zones: ZoneSet,
    step_s: float,
    observed: Callable[[IntArray, IntArray], BoolArray],
) -> list[Columns]:
    """Fragments of infringement episodes from the owned samples (columns `ZONE_COLUMNS`), one table a zone.
    ``observed(code, tk)``: whether the aircraft has a position at grid index tk (for ``entered``)."""
    parts = []
    for z in range(len(zones)):
        geom = zones.geometries[z]
        w, s, e, n = geom.bounds
        t = samples.tk * step_s
        cand = owned & (samples.lat_deg >= s) & (samples.lat_deg <= n) & (samples.lon_deg >= w) & (samples.lon_deg <= e)
        cand &= (samples.alt_m >= zones.floor_m[z]) & (samples.alt_m <= zones.ceiling_m[z])
        cand &= (t >= zones.valid_from_s[z]) & (t < zones.valid_to_s[z])
        idx = np.flatnonzero(cand)
        if idx.size == 0:
            continue
        inside = np.asarray(shapely.contains_xy(geom, samples.lon_deg[idx], samples.lat_deg[idx]), dtype=bool)
        idx = idx[inside]
        if idx.size == 0:
            continue
        xy = _to_plane(samples.lat_deg[idx], samples.lon_deg[idx], *zones.centre[z])
        depth = shapely.distance(shapely.points(xy), zones.planar[z].boundary)
        vdepth = np.minimum(samples.alt_m[idx] - zones.floor_m[z], zones.ceiling_m[z] - samples.alt_m[idx])
        parts.append(_runs(samples, idx, zones.names[z], np.asarray(depth, dtype=np.float64), vdepth, step_s, observed))
    return parts


def _runs(
    samples: Samples,
    idx: np.ndarray,
    name: str,
    depth: FloatArray,
    vdepth: FloatArray,
    step_s: float,
    observed: Callable[[IntArray, IntArray], BoolArray],
) -> Columns:
    code, tk = samples.code[idx], samples.tk[idx]
    order = np.lexsort((tk, code))
    idx, code, tk, depth, vdepth = idx[order], code[order], tk[order], depth[order], vdepth[order]
    new = np.ones(idx.shape[0], dtype=bool)
    new[1:] = (code[1:] != code[:-1]) | (tk[1:] - tk[:-1] > 1)
    run = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:], idx.shape[0]) - 1
    deep = np.lexsort((tk, -depth, run))
    deep = deep[np.flatnonzero(np.diff(np.append(-1, run[deep])))]
    vmax = np.maximum.reduceat(vdepth, starts)
    return {
        "icao24": samples.names[code[starts]],
        "zone": np.full(starts.shape[0], name, dtype=object),
        "entered": observed(code[starts], tk[starts] - 1),  # seen, outside, one step before
        "start_s": tk[starts] * step_s,
        "end_s": tk[ends] * step_s,
        "samples": (ends - starts + 1).astype(np.int64),
        "depth_m": depth[deep],
        "vertical_depth_m": vmax,
        "entry_lat": samples.lat_deg[idx[starts]],
        "entry_lon": samples.lon_deg[idx[starts]],
        "entry_alt_m": samples.alt_m[idx[starts]],
        "deepest_lat": samples.lat_deg[idx[deep]],
        "deepest_lon": samples.lon_deg[idx[deep]],
    }


def empty_zones() -> pd.DataFrame:
    """No fragment (integer addresses)."""
    import pandas as pd

    kinds = {"icao24": np.int64, "samples": np.int64, "zone": object, "entered": bool}
    return pd.DataFrame({c: np.zeros(0, dtype=kinds.get(c, np.float64)) for c in ZONE_COLUMNS})


def merge_zones(fragments: pd.DataFrame, step_s: float) -> pd.DataFrame:
    """Infringement episodes from fragments of any partitioning (fragments of one aircraft and zone that touch
    are joined; entry from the first, deepest point from the deepest, earliest on a tie)."""
    if len(fragments) == 0:
        frame = empty_zones().astype({"icao24": object})
        frame.insert(4, "duration_s", frame["end_s"])
        return frame
    frame = fragments.sort_values(["icao24", "zone", "start_s"], kind="stable").reset_index(drop=True)
    ac, zone = frame["icao24"].to_numpy(), frame["zone"].to_numpy()
    start, end = frame["start_s"].to_numpy(), frame["end_s"].to_numpy()
    new = np.ones(len(frame), dtype=bool)
    new[1:] = (ac[1:] != ac[:-1]) | (zone[1:] != zone[:-1]) | (start[1:] - end[:-1] > 1.5 * step_s)
    frame["episode"] = np.cumsum(new) - 1
    grouped = frame.groupby("episode")
    out = frame.drop_duplicates("episode").set_index("episode")  # the first fragment: entry
    deepest = frame.sort_values(["episode", "depth_m", "start_s"], ascending=[True, False, True], kind="stable")
    deepest = deepest.drop_duplicates("episode").set_index("episode")
    out["end_s"] = grouped["end_s"].max()
    out["samples"] = grouped["samples"].sum()
    out["vertical_depth_m"] = grouped["vertical_depth_m"].max()
    for c in ("depth_m", "deepest_lat", "deepest_lon"):
        out[c] = deepest[c]
    out = out.reset_index(drop=True)[list(ZONE_COLUMNS)]
    out.insert(4, "duration_s", out["end_s"] - out["start_s"])
    out = out.sort_values(["start_s", "icao24", "zone"], kind="stable").reset_index(drop=True)
    out["icao24"] = hex_ids(out["icao24"].to_numpy())
    return out
