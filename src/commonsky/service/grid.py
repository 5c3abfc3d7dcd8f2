"""The prefilter grid: each intent is listed under the (0.5 degree cell, UTC day) keys its bounds cover, so the
broker reads only the intents near a new one instead of scanning a range of the whole table.

The keys only narrow the candidates (a hash collision merely adds some), the engine decides exactly. An intent
covering more than `MAX_KEYS` keys is listed once under `WIDE`, which every query includes. The grid constants are
part of the stored data: changing them needs a migration that rebuilds ``intent_cells``.
"""

from __future__ import annotations

import math

from commonsky.service.engine import Bounds

CELL_DEG = 0.5
DAY_S = 86_400.0
MAX_KEYS = 512
WIDE = -1


def grid_keys(box: Bounds) -> list[int]:
    """The sorted keys of ``box`` (or ``[WIDE]`` when it covers more than `MAX_KEYS`)."""
    if not all(math.isfinite(v) for v in (box.min_lon, box.min_lat, box.max_lon, box.max_lat, box.t0_s, box.t1_s)):
        return [WIDE]
    ix0, ix1 = math.floor(box.min_lon / CELL_DEG), math.floor(box.max_lon / CELL_DEG)
    iy0, iy1 = math.floor(box.min_lat / CELL_DEG), math.floor(box.max_lat / CELL_DEG)
    d0, d1 = math.floor(box.t0_s / DAY_S), math.floor(box.t1_s / DAY_S)
    if (ix1 - ix0 + 1) * (iy1 - iy0 + 1) * (d1 - d0 + 1) > MAX_KEYS:
        return [WIDE]
    return sorted(
        {
            ((ix + 1000) * 1000 + (iy + 500)) * 2**24 + (day & 0xFFFFFF)
            for ix in range(ix0, ix1 + 1)
            for iy in range(iy0, iy1 + 1)
            for day in range(d0, d1 + 1)
        }
    )
