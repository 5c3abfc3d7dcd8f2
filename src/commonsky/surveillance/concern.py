"""Where an unidentified aircraft concerns the coordination: the rule behind the "unknown" alert.

A receiver over a busy area hears hundreds of aircraft nobody filed with the authority; each is shown as unknown
(its track status), but an UNKNOWN *alert* is raised only where the aircraft matters to what the authority
coordinates. An unknown aircraft is of concern when it is

1. **near a live filed intent**: within ``near_m`` of one of the intent's volumes laterally, ``alt_m`` of its
   altitude block and ``time_s`` of its time window (the same test, with the same `NearPolicy`, as the party
   alert "unknown aircraft near its intent", `commonsky.sim.party_alerts`);
2. **near a binding zone**: within the same distances of a binding zone's footprint, altitude band and validity
   window (advisory zones bind nobody; a zone binding only some parties counts, since nobody knows whose the
   aircraft is);
3. **inside an area of responsibility**: when the run configures one (zones in the zone format, their bands and
   windows included, not widened), anywhere inside it.

Elsewhere the aircraft is traffic the authority does not coordinate: shown, never alerted.
`ConcernArea.reasons` is a pure function of positions and time (thread-safe once built); footprints are projected
into the tracks' `LocalFrame` once and indexed in a shapely STRtree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from commonsky._typing import FloatArray, StrArray
from commonsky.airspace.volume import AltitudeModel
from commonsky.airspace.zone import Zone
from commonsky.geo.geodesy import LocalFrame
from commonsky.plans.intent import Intent
from commonsky.surveillance.correlation import IntentIndex, Tolerance


@dataclass(frozen=True)
class NearPolicy:
    """When an unidentified aircraft is "near" an intent's volume or a binding zone: within ``near_m`` of its
    footprint, ``alt_m`` of its altitude band and ``time_s`` of its time window (metres, seconds)."""

    near_m: float = 10_000.0
    alt_m: float = 600.0
    time_s: float = 300.0

    def tolerance(self) -> Tolerance:
        """The correlation tolerance that tests "near" on an `IntentIndex`."""
        return Tolerance(lateral_m=self.near_m, vertical_m=self.alt_m, time_s=self.time_s)


@dataclass(frozen=True, eq=False)
class _Areas:
    """Zones (binding, widened; areas of responsibility as they are) in the frame: an STRtree, parallel arrays."""

    tree: shapely.STRtree
    label: StrArray
    floor_m: FloatArray
    ceiling_m: FloatArray
    start_s: FloatArray
    end_s: FloatArray

    @classmethod
    def build(cls, zones: Sequence[tuple[Zone, float, float, float, str]], frame: LocalFrame) -> _Areas:
        """From ``(zone, lateral margin m, vertical margin m, time margin s, label)`` rows."""
        model = AltitudeModel()
        local = [frame.project(shapely.segmentize(z.geometry, 0.02)) for z, *_ in zones]
        geometries: NDArray[np.object_] = np.array([*local, shapely.Point()], dtype=object)[:-1]
        widened = shapely.buffer(geometries, np.array([m for _, m, *_ in zones], dtype=float))
        shapely.prepare(widened)

        def when(z: Zone, start: bool) -> float:
            moment = z.valid_from if start else z.valid_to
            return (-np.inf if start else np.inf) if moment is None else moment.timestamp()

        return cls(
            tree=shapely.STRtree(widened),
            label=np.array([label for *_, label in zones], dtype=str),
            floor_m=np.array([model.floor_m(z.floor) - v for z, _, v, _, _ in zones], dtype=float),
            ceiling_m=np.array([model.ceiling_m(z.ceiling) + v for z, _, v, _, _ in zones], dtype=float),
            start_s=np.array([when(z, True) - s for z, _, _, s, _ in zones], dtype=float),
            end_s=np.array([when(z, False) + s for z, _, _, s, _ in zones], dtype=float),
        )

    def first_hit(self, pos_m: FloatArray, t_s: float) -> StrArray:
        """Per position, the label of the first area it is in ("" when none)."""
        out = np.full(len(pos_m), "", dtype=np.result_type(self.label, "<U1"))
        if not len(pos_m) or not len(self.label):
            return out
        ti, ai = self.tree.query(shapely.points(pos_m[:, :2]))  # bounding boxes, then the prepared shapes
        inside = shapely.intersects_xy(self.tree.geometries[ai], pos_m[ti, 0], pos_m[ti, 1])
        ti, ai = ti[inside], ai[inside]
        alt = pos_m[ti, 2]
        ok = (alt >= self.floor_m[ai]) & (alt <= self.ceiling_m[ai])
        ok &= (t_s >= self.start_s[ai]) & (t_s <= self.end_s[ai])
        ti, ai = ti[ok], ai[ok]
        order = np.lexsort((ai, ti))
        rows, first = np.unique(ti[order], return_index=True)
        out[rows] = self.label[ai[order][first]]
        return out


@dataclass(frozen=True, eq=False)
class ConcernArea:
    """Where an unknown aircraft raises an alert (see the module docstring)."""

    near: NearPolicy
    intents: IntentIndex
    areas: _Areas

    @classmethod
    def build(
        cls,
        intents: Sequence[Intent],
        zones: Sequence[Zone],
        frame: LocalFrame,
        near: NearPolicy = NearPolicy(),
        responsibility: Sequence[Zone] = (),
    ) -> ConcernArea:
        """The intents in effect and the zones (only binding ones count) of a plan, and the run's areas of
        responsibility, in ``frame``."""
        rows = [(z, near.near_m, near.alt_m, near.time_s, f"near zone {z.name!r}") for z in zones if z.binding]
        rows += [(z, 0.0, 0.0, 0.0, f"in the area of responsibility {z.name!r}") for z in responsibility]
        return cls(near, IntentIndex.build(intents, frame, near.tolerance()), _Areas.build(rows, frame))

    def reasons(self, pos_m: FloatArray, t_s: float) -> StrArray:
        """Per position (local frame, metres: east, north, altitude) at ``t_s``: why an unknown aircraft there is of
        concern (``near intent X``, ``near zone 'Y'``, ``in the area of responsibility 'Z'``), "" when it is not.
        An intent nearby is named first (the most specific), then a zone, then the area."""
        pos_m = np.asarray(pos_m, dtype=float).reshape(-1, 3)
        out = self.areas.first_hit(pos_m, t_s).astype(object)
        if len(pos_m) and len(self.intents.intent):
            ti, vi, alt_ok, time_ok, _ = self.intents.pairs(pos_m, np.zeros_like(pos_m), t_s)
            near = alt_ok & time_ok
            ti, vi = ti[near], vi[near]
            order = np.lexsort((self.intents.intent_order[vi], ti))
            rows, first = np.unique(ti[order], return_index=True)
            out[rows] = np.char.add("near intent ", self.intents.intent[vi[order][first]])
        return np.asarray(out.astype(str), dtype=str)


__all__ = ["ConcernArea", "NearPolicy"]
