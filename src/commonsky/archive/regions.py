"""The region under each event: the bundled country it is over (ISO3), or ``SEA`` (high seas, no country)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import shapely

if TYPE_CHECKING:
    from commonsky.render.basemap import WorldLike

SEA = "sea"


def regions_of(lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64], world: WorldLike) -> npt.NDArray[np.object_]:
    """ISO3 code (``iso3`` of `WorldLike` countries) under each point; `SEA` where there is none."""
    countries = world.countries()
    out = np.full(lat.shape[0], SEA, dtype=object)
    if lat.shape[0] == 0 or not countries:
        return out
    tree = shapely.STRtree([c.geometry for c in countries])
    point, country = tree.query(shapely.points(lon, lat), predicate="within")
    first = np.unique(point, return_index=True)[1]
    out[point[first]] = np.array([countries[k].iso3 for k in country[first]], dtype=object)
    return out
