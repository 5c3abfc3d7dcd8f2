"""The strategic deconfliction engine: an intent against accepted intents and zones, before flight.

Rules (ASTM F3548-style priorities):

- a binding zone that applies to the intent's party rejects it; an advisory zone that applies gives a warning;
  a zone that does not apply to the party is ignored;
- an accepted intent of equal or higher priority that the new one would conflict with rejects it (equal priority:
  first come, first served);
- an accepted intent of lower priority does not stop a higher-priority one: the result lists it as superseded
  (its owner must be notified and replan).

A conflict is an exact 4D intersection: lateral overlap of more than ~1 m² (footprints that only touch do not
conflict), a common time, and overlapping altitude bands. A rejected intent comes with resolutions: the earliest
free time slot and the nearest free altitude block, each verified by re-running the check.

>>> from commonsky.airspace.volume import AltitudeBand, CircleShape, TimeWindow, Volume
>>> from commonsky.units import parse_altitude as alt
>>> def orbit(name, party, priority, lat):
...     band = AltitudeBand(alt("FL180"), alt("FL220"))
...     return Intent(name, party, (Volume(CircleShape((lat, 44.9), 15_000.0), band, TimeWindow(0.0, 3600.0)),),
...                   priority=priority)
>>> engine = StrategicEngine()
>>> engine.submit(orbit("isr", "coalition", 30, 34.0)).verdict.value
'accepted'
>>> result = engine.submit(orbit("patrol", "iran", 30, 34.1))
>>> result.verdict.value, [(c.other, c.effect.value) for c in result.conflicts]
('rejected', [('isr', 'blocks')])
>>> [r.summary for r in result.resolutions]
['delay 1 h 00 min, reserved from 01:00Z', 'climb 4,000 ft: FL220-FL260']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from commonsky.airspace.index import Hit, VolumeIndex
from commonsky.airspace.volume import DAY_S, Volume
from commonsky.airspace.zone import Zone
from commonsky.airspace.zone_volume import zone_applies, zone_volumes
from commonsky.plans.intent import Intent, IntentState
from commonsky.strategic.policy import Policy
from commonsky.strategic.result import CheckResult, Conflict, ConflictPart, Effect, OtherKind, Resolution, Verdict


def _clear_time(other: Volume, last_overlap_start_s: float) -> float:
    """When the other volume's activity that contains the overlap ends (daily windows: that day's window)."""
    if not other.daily:
        return other.window.end_s
    pieces = other.active_intervals(last_overlap_start_s, last_overlap_start_s + 2 * DAY_S)
    return pieces[0][1] if pieces else other.window.end_s


class StrategicEngine:
    """Accepted intents and zones in indexes, and the check. Stateful, not thread-safe: one writer at a time."""

    def __init__(
        self,
        zones: Iterable[Zone] = (),
        policy: Policy | None = None,
        *,
        cell_deg: float = 0.5,
        bucket_s: float = 3600.0,
        max_buckets: int = 24,
    ) -> None:
        self.policy = policy or Policy()
        self._intents: dict[str, Intent] = {}
        self._index = VolumeIndex(self.policy.altitude, cell_deg=cell_deg, bucket_s=bucket_s, max_buckets=max_buckets)
        self._zones: list[Zone] = []
        self._zone_index = VolumeIndex(self.policy.altitude, cell_deg=1.0)
        for zone in zones:
            self.add_zone(zone)

    # state ---------------------------------------------------------------------------------------------------
    @property
    def intents(self) -> Mapping[str, Intent]:
        return dict(self._intents)

    @property
    def zones(self) -> tuple[Zone, ...]:
        return tuple(self._zones)

    def add_zone(self, zone: Zone) -> None:
        self._zone_index.insert(len(self._zones), zone_volumes(zone))
        self._zones.append(zone)

    def store(self, intent: Intent) -> Intent:
        """Store ``intent`` as accepted without checking it (loading a trusted state, benchmarks).

        A proposed intent becomes accepted; an ended or rejected one holds no airspace, so it is removed instead.
        """
        if intent.state in (IntentState.ENDED, IntentState.REJECTED):
            self.remove(intent.id)
            return intent
        stored = intent.with_state(IntentState.ACCEPTED) if intent.state is IntentState.PROPOSED else intent
        self._intents[intent.id] = stored
        self._index.insert(intent.id, intent.volumes)
        return stored

    def remove(self, intent_id: str) -> None:
        """Forget an intent (ended, withdrawn or replanned); unknown ids are ignored."""
        self._intents.pop(intent_id, None)
        self._index.remove(intent_id)

    # checks --------------------------------------------------------------------------------------------------
    def conflicts(self, intent: Intent, *, use_index: bool = True) -> tuple[Conflict, ...]:
        """Every conflict of ``intent`` with stored intents (other than itself) and applicable zones."""
        by_intent: dict[str, list[ConflictPart]] = {}
        by_zone: dict[int, list[ConflictPart]] = {}
        for i, volume in enumerate(intent.volumes):
            for hit in self._index.hits(volume, use_index=use_index):
                if hit.owner != intent.id:
                    by_intent.setdefault(str(hit.owner), []).append(self._part(i, hit))
            for hit in self._zone_index.hits(volume):
                zone_no = int(hit.owner)  # type: ignore[call-overload]
                if zone_applies(self._zones[zone_no], intent.party):
                    by_zone.setdefault(zone_no, []).append(self._part(i, hit))
        out = []
        for zone_no, parts in by_zone.items():
            zone = self._zones[zone_no]
            effect = Effect.BLOCKS if zone.binding else Effect.ADVISORY
            out.append(Conflict(OtherKind.ZONE, zone.name, effect, tuple(parts)))
        for other_id, parts in by_intent.items():
            other = self._intents[other_id]
            effect = Effect.BLOCKS if other.priority >= intent.priority else Effect.SUPERSEDES
            out.append(Conflict(OtherKind.INTENT, other_id, effect, tuple(parts), other.party, other.priority))
        return tuple(out)

    @staticmethod
    def _part(own_volume: int, hit: Hit) -> ConflictPart:
        last_start = hit.overlap.intervals[-1][0]
        return ConflictPart(own_volume, hit.overlap, hit.volume, _clear_time(hit.volume, last_start))

    def blocking(self, intent: Intent) -> tuple[Conflict, ...]:
        return tuple(c for c in self.conflicts(intent) if c.effect is Effect.BLOCKS)

    def check(self, intent: Intent, *, resolve: bool = True, use_index: bool = True) -> CheckResult:
        """Accept or reject ``intent`` (nothing is stored); rejected intents get verified resolutions."""
        conflicts = self.conflicts(intent, use_index=use_index)
        if not any(c.effect is Effect.BLOCKS for c in conflicts):
            return CheckResult(intent, Verdict.ACCEPTED, conflicts)
        resolutions: tuple[Resolution, ...] = ()
        if resolve:
            from commonsky.strategic.resolve import resolutions_for

            resolutions = resolutions_for(self, intent, conflicts)
        return CheckResult(intent, Verdict.REJECTED, conflicts, resolutions)

    def submit(self, intent: Intent, *, resolve: bool = True) -> CheckResult:
        """Check ``intent`` and store it when accepted: what a broker does with one filing."""
        result = self.check(intent, resolve=resolve)
        if result.accepted:
            self.store(intent)
        return result


def check(
    intent: Intent, accepted: Sequence[Intent], zones: Sequence[Zone] = (), policy: Policy | None = None
) -> CheckResult:
    """One-shot check of ``intent`` against ``accepted`` intents and ``zones`` (builds the indexes each call)."""
    engine = StrategicEngine(zones, policy)
    for other in accepted:
        engine.store(other)
    return engine.check(intent)
