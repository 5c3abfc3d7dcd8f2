"""Who is that track? Party and intent of each track, from its ADS-B identity or the filed intent it flies in.

Two rules, in order:

1. a track with an ADS-B address that a filed flight declared gets that flight's party and intent (the
   authority knows each filed flight's transponder address);
2. otherwise, a track inside an active intent volume (footprint, time window, altitude block widened by
   ``margin_m``: radar heights from elevation are coarse, so 1.5 km by default) is given that intent's party and
   intent; the first matching intent in filing order wins. One aircraft flies one intent: when several tracks
   match the same intent this way, only the one nearest the intent's planned position (``planned``) keeps it,
   so an unknown aircraft crossing a filed route is not taken for the aircraft that filed it.

Anything else is unknown (party ""). Pure and thread-safe once built; vectorised over tracks, one shapely
``contains_xy`` per active volume.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely

from commonsky.plans.intent import Intent
from commonsky.surveillance.sensors.types import F64


@dataclass(frozen=True, eq=False)
class Identifier:
    """Matches tracks to parties and intents. Build with `Identifier.build`."""

    icao24: np.ndarray  # sorted declared addresses
    icao_party: np.ndarray
    icao_intent: np.ndarray
    vol_intent: np.ndarray
    vol_party: np.ndarray
    vol_geometry: np.ndarray  # prepared lon/lat footprints
    vol_floor_m: F64
    vol_ceiling_m: F64
    vol_start_s: F64
    vol_end_s: F64
    margin_m: float
    planned: Mapping[str, Callable[[float], tuple[float, float]]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        intents: Sequence[Intent],
        declared: Mapping[str, tuple[str, str]],
        planned: Mapping[str, Callable[[float], tuple[float, float]]] | None = None,
        margin_m: float = 1500.0,
    ) -> Identifier:
        """``declared`` maps ADS-B addresses to the (party, intent id) of the flights that declared them;
        ``planned`` maps intent ids to their planned (lat, lon) at a time (Unix s), for the one-aircraft rule."""
        pairs = sorted((k, v) for k, v in declared.items() if k)
        vols = [(i, v) for i in intents for v in i.volumes]
        geoms = np.array([v.footprint for _, v in vols], dtype=object)
        shapely.prepare(geoms)
        return cls(
            icao24=np.array([k for k, _ in pairs], dtype=str),
            icao_party=np.array([v[0] for _, v in pairs], dtype=str),
            icao_intent=np.array([v[1] for _, v in pairs], dtype=str),
            vol_intent=np.array([i.id for i, _ in vols], dtype=str),
            vol_party=np.array([i.party for i, _ in vols], dtype=str),
            vol_geometry=geoms,
            vol_floor_m=np.array([v.band.floor.value_m for _, v in vols], dtype=float),
            vol_ceiling_m=np.array([v.band.ceiling.value_m for _, v in vols], dtype=float),
            vol_start_s=np.array([v.window.start_s for _, v in vols], dtype=float),
            vol_end_s=np.array([v.window.end_s for _, v in vols], dtype=float),
            margin_m=margin_m,
            planned=dict(planned or {}),
        )

    def identify(self, t_s: float, lat: F64, lon: F64, alt_m: F64, icao24: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(party, intent)`` string arrays for N tracks ("" where unknown)."""
        n = len(lat)
        party = np.full(n, "", dtype=object)
        intent = np.full(n, "", dtype=object)
        todo = np.ones(n, dtype=bool)
        if len(self.icao24) and n:
            pos = np.clip(np.searchsorted(self.icao24, icao24), 0, len(self.icao24) - 1)
            hit = (self.icao24[pos] == icao24) & (icao24 != "")
            party[hit], intent[hit] = self.icao_party[pos[hit]], self.icao_intent[pos[hit]]
            todo &= ~hit
        live = np.flatnonzero((self.vol_start_s <= t_s) & (t_s <= self.vol_end_s))
        for v in live:
            if not todo.any():
                break
            rows = np.flatnonzero(todo)
            alt = alt_m[rows]
            ok = (alt >= self.vol_floor_m[v] - self.margin_m) & (alt <= self.vol_ceiling_m[v] + self.margin_m)
            rows = rows[ok]
            inside = rows[shapely.contains_xy(self.vol_geometry[v], lon[rows], lat[rows])]
            party[inside], intent[inside] = self.vol_party[v], self.vol_intent[v]
            todo[inside] = False
        by_volume = ~todo & (np.asarray(intent != "") & ~self._declared_hit(icao24))
        ids, counts = np.unique(intent[by_volume].astype(str), return_counts=True)
        for shared in ids[counts > 1]:
            rows = np.flatnonzero(by_volume & (intent == shared))
            where = self.planned.get(str(shared))
            best = rows[0]
            if where is not None:
                plat, plon = where(t_s)
                dlon = (lon[rows] - plon) * np.cos(np.radians(plat))
                best = rows[int(np.argmin(np.hypot(lat[rows] - plat, dlon)))]
            others = rows[rows != best]
            party[others], intent[others] = "", ""
        return party.astype(str), intent.astype(str)

    def _declared_hit(self, icao24: np.ndarray) -> np.ndarray:
        if not len(self.icao24) or not len(icao24):
            return np.zeros(len(icao24), dtype=bool)
        pos = np.clip(np.searchsorted(self.icao24, icao24), 0, len(self.icao24) - 1)
        return np.asarray((self.icao24[pos] == icao24) & (icao24 != ""), dtype=bool)


__all__ = ["Identifier"]
