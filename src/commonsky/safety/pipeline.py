"""`SafetyNet`: the per-cycle pipeline picture -> conflicts + zone incursions -> alert events.

Detection is pure (`detect_conflicts`, `detect_incursions`); the pipeline only adds the alert lifecycle. It is
NOT thread-safe (it owns an `AlertTracker`): run one per picture stream, from one thread.

Hysteresis on the condition, besides the tracker's cycle counts: a conflict alert that is up stays up while its
pair is still in conflict under protection enlarged by ``hold_margin`` (radius, half-height and look-ahead times
1 + margin), so a pair hovering at the edge of the protected zone does not make the alert flicker.

With ``rates`` (a `TrackRateFilter`, as the live run has), conflict alert is the STCA of replay
(`commonsky.safety.stca.stca_picture`): aircraft on the ground (the flag given to `step`, or slow and low over one
of ``aerodromes``; anywhere when None) take no part, a level aircraft (filtered rate inside the policy's dead band)
is predicted at its flight level (read from its mean tracked altitude over the rate window), the others with their
filtered rate, and pairs flying parallel runway operations raise nothing (`commonsky.safety.stca.parallel_pairs`, as
replay). An aircraft in a sustained turn (its rate from ``rates``, by ``turn``: `commonsky.safety.turns`) is also
predicted along its arc: a pair conflicts when the linear or the curved prediction does (a pair both find is the
linear one's row), before the parallel-runway filter, and the hold margin looks at the arc too, as replay's. With
``qnh`` (a `QnhEstimate`, as the live run has), the levels below the transition altitude are read on the QNH grid
the last pictures show, as replay reads them on the file's. Without ``rates``, the picture is checked as given
(straight lines).

With ``end_with_aircraft`` (the live run: a tracker never reuses a deleted track's id, so an aircraft that leaves
the picture does not come back under its id), an alert whose aircraft has left the picture ends at once, as the
correlation's alerts do, instead of outliving its aircraft by the end hysteresis (an alert naming a track the map
no longer has; it happened after the live loop skipped ahead under load and its tracks coasted out). Replay keeps
the hysteresis: there an aircraft is its address, and a gap in its reports is not its end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace

import numpy as np

from commonsky._typing import BoolArray, FloatArray, IndexArray
from commonsky.airspace.zone import Zone
from commonsky.geo.aerodromes import Aerodromes
from commonsky.picture.picture import Picture
from commonsky.safety.alerts import AlertEvent, AlertKind, AlertTracker, Key, Observation, observations
from commonsky.safety.conflicts import Conflicts, conflicts_from_geometry, detect_conflicts
from commonsky.safety.cpa import PairGeometry, pair_geometry
from commonsky.safety.height_keeping import LEVEL_RATE_MS, Altimetry
from commonsky.safety.incursion import Incursions, ZoneIndex, detect_incursions
from commonsky.safety.params import ProtectionArrays, ProtectionPolicy
from commonsky.safety.qnh import QnhEstimate
from commonsky.safety.stca import parallel_pairs, stca_picture
from commonsky.safety.track_rates import TrackRateFilter
from commonsky.safety.turn_pairs import turning_pairs
from commonsky.safety.turns import CurrentTurns, TurnRule, current_turns, curved_conflicts


@dataclass(frozen=True, eq=False)
class CycleResult:
    """Everything one cycle produced."""

    time_s: float
    conflicts: Conflicts
    incursions: Incursions
    events: list[AlertEvent]


@dataclass
class SafetyNet:
    """Conflict alert and zone incursion warning over successive pictures."""

    policy: ProtectionPolicy = field(default_factory=ProtectionPolicy)
    zones: Sequence[Zone] = ()
    tracker: AlertTracker = field(default_factory=AlertTracker)
    zone_lookahead_s: float = 300.0
    hold_margin: float = 0.2
    rates: TrackRateFilter | None = None
    end_with_aircraft: bool = False
    turn: TurnRule = field(default_factory=TurnRule)
    aerodromes: Aerodromes | None = None
    qnh: QnhEstimate | None = None

    def __post_init__(self) -> None:
        self._index = ZoneIndex.build(self.zones)

    def set_zones(self, zones: Sequence[Zone]) -> None:
        """Check the next pictures against ``zones`` (created, changed or withdrawn while live); the alerts up are
        kept, and one about a zone gone ends by the tracker's hysteresis."""
        self.zones = tuple(zones)
        self._index = ZoneIndex.build(self.zones)

    def step(self, picture: Picture, on_ground: BoolArray | None = None) -> CycleResult:
        """Detect on ``picture`` and advance the alert lifecycle to ``picture.time_s``. ``on_ground``: per
        aircraft, reported on the ground (read with ``rates`` only; default: none is)."""
        if self.rates is None:
            prot = self._protection(picture)
            checked, turn_dps = picture, np.zeros(len(picture))
            conflicts = detect_conflicts(picture, self.policy, protection=prot)
        else:
            checked, turn_dps, prot, conflicts = self._stca(picture, self.rates, on_ground)
        incursions = detect_incursions(picture, self._index, self.zone_lookahead_s)
        seen = observations(picture.time_s, conflicts, incursions, picture.lat_deg, picture.lon_deg)
        seen.update(self._held(checked, turn_dps, prot, seen))
        events = self._gone(picture) if self.end_with_aircraft else []
        events += self.tracker.update(picture.time_s, seen)
        return CycleResult(picture.time_s, conflicts, incursions, events)

    def _stca(
        self, picture: Picture, rates: TrackRateFilter, on_ground: BoolArray | None
    ) -> tuple[Picture, FloatArray, ProtectionArrays, Conflicts]:
        """The STCA picture of ``picture``, its aircraft's turn rates and protection, and its conflicts (positions
        in ``picture``)."""
        ground = np.zeros(len(picture), dtype=bool) if on_ground is None else np.asarray(on_ground, dtype=bool)
        r = rates.update(picture.time_s, picture.id, picture.alt_m, picture.trk_deg, self.turn, ground)
        altimetry = Altimetry()
        if self.qnh is not None:
            level = ~ground & (np.abs(r.vs_ms) < LEVEL_RATE_MS)  # NaN (no rate yet): not level
            altimetry = self.qnh.update(picture.time_s, r.mean_alt_m, level)
        checked, keep = stca_picture(picture, self.policy, r.vs_ms, ground, r.mean_alt_m, self.aerodromes, altimetry)
        prot = self._protection(checked)
        found = detect_conflicts(checked, self.policy, protection=prot)
        turn_dps = r.turn_dps[keep]
        found = self._with_curved(checked, turn_dps, prot, found)
        if len(found):
            found = _rows(found, ~parallel_pairs(checked, self.policy, found.i, found.j))
        return checked, turn_dps, prot, replace(found, i=keep[found.i], j=keep[found.j])

    def _protection(self, picture: Picture) -> ProtectionArrays:
        """The policy's protection for each aircraft of ``picture``, computed once a cycle: the linear and the
        curved predictions and the hold margin read it."""
        return self.policy.per_aircraft(picture.lat_deg, picture.lon_deg, picture.alt_m, picture.party)

    def _with_curved(
        self, picture: Picture, turn_dps: FloatArray, prot: ProtectionArrays, found: Conflicts
    ) -> Conflicts:
        """``found`` and the pairs with a turning aircraft that conflict on its arc only (module docstring)."""
        turning = turn_dps != 0.0
        n = len(picture)
        if not self.turn.enabled or n < 2 or not turning.any():
            return found
        motion = current_turns(picture, turn_dps)
        r, h, t = (float(a.max()) for a in prot)
        p, q = turning_pairs(np.zeros(n, dtype=np.int64), turning, motion, r, h, t)
        linear = np.minimum(found.i, found.j) * n + np.maximum(found.i, found.j)
        new = ~np.isin(p * n + q, linear)
        curved = self._curved(motion, prot, p[new], q[new], 1.0)
        if not curved.i.shape[0]:
            return found
        return _joined(found, conflicts_from_geometry(picture, curved, int(p.shape[0])))

    def _curved(
        self,
        motion: CurrentTurns,
        prot: ProtectionArrays,
        p: IndexArray,
        q: IndexArray,
        grow: float,
    ) -> PairGeometry:
        """The pairs (p, q) that conflict with their turning aircraft on its arc, under protection ``prot`` (per
        aircraft) times ``grow``."""
        r, h, t = (np.maximum(a[p], a[q]) * grow for a in prot)
        return curved_conflicts(motion, p, q, r, h, t, self.turn)

    def _held(
        self, picture: Picture, turn_dps: FloatArray, prot: ProtectionArrays, seen: dict[Key, Observation]
    ) -> dict[Key, Observation]:
        """Hold observations for conflict alerts that are up but not seen this cycle (see module docstring);
        ``turn_dps`` and ``prot``: the turn rate and the protection of each aircraft of ``picture``."""
        up = self.tracker.active
        missing = [a.subjects for a in up if a.kind is AlertKind.CONFLICT and (a.kind, *a.subjects) not in seen]
        if not missing or self.hold_margin <= 0.0 or len(picture) < 2:
            return {}
        # One dict of the picture's ids, not a sorted search of the whole picture per cycle.
        where = {name: k for k, name in enumerate(picture.id.tolist())}
        pairs = [(where[a], where[b]) for a, b in missing if a in where and b in where]
        if not pairs:
            return {}
        i, j = np.array([p[0] for p in pairs], dtype=np.intp), np.array([p[1] for p in pairs], dtype=np.intp)
        if self.rates is not None:  # the STCA picture: no hold for a pair the parallel-runway filter drops
            keep = ~parallel_pairs(picture, self.policy, i, j)
            i, j = i[keep], j[keep]
        grow = 1.0 + self.hold_margin
        r, h, t = (np.maximum(a[i], a[j]) * grow for a in prot)
        geo = pair_geometry(picture, i, j, r, h, t, conflicts_only=True)
        arc = (turn_dps[i] != 0.0) | (turn_dps[j] != 0.0)
        if self.turn.enabled and arc.any():  # as replay's hold margin: the arc too
            n = len(picture)
            rest = arc & ~np.isin(i * n + j, geo.i * n + geo.j)
            curved = self._curved(current_turns(picture, turn_dps), prot, i[rest], j[rest], grow)
            geo = PairGeometry.joined([geo, curved])
        return {
            (AlertKind.CONFLICT, str(picture.id[a]), str(picture.id[b])): Observation(
                predicted_s=picture.time_s + float(tin), in_violation=False, hold=True
            )
            for a, b, tin in zip(geo.i[geo.conflict], geo.j[geo.conflict], geo.tin_s[geo.conflict], strict=True)
        }

    def _gone(self, picture: Picture) -> list[AlertEvent]:
        """End the alerts up whose aircraft (both of a conflict, the first subject of an incursion) left the
        picture."""
        up = self.tracker.active
        if not up:
            return []
        ids = set(picture.id.tolist())
        gone = [
            (a.kind, *a.subjects)
            for a in up
            if a.subjects[0] not in ids or (a.kind is AlertKind.CONFLICT and a.subjects[1] not in ids)
        ]
        return self.tracker.end_now(picture.time_s, gone)

    def finish(self, time_s: float) -> list[AlertEvent]:
        """End the alerts still up."""
        return self.tracker.close(time_s)


def _joined(first: Conflicts, then: Conflicts) -> Conflicts:
    """The pairs of both, ordered by ids (ownship < intruder) as `conflicts_from_geometry` orders them."""
    arrays = {
        f.name: np.concatenate([getattr(first, f.name), getattr(then, f.name)])
        for f in fields(first)
        if f.name != "candidates"
    }
    order = np.lexsort((arrays["intruder_id"], arrays["ownship_id"]))
    return Conflicts(**{k: v[order] for k, v in arrays.items()}, candidates=first.candidates + then.candidates)


def _rows(found: Conflicts, keep: BoolArray) -> Conflicts:
    """``found`` with only the pairs ``keep`` selects."""
    arrays = {f.name: getattr(found, f.name)[keep] for f in fields(found) if f.name != "candidates"}
    return replace(found, **arrays)
