"""Judging a proposal: the strategic engine over what is near it (`service.surroundings`), its conflicts grouped
by own volume and obstacle and shown as the disclosure policy lets the caller see them (`service.disclosure`), and
the lower-priority intents it would preempt. Also judging outside the write lock (`service.prejudge`) and the
views a preempted party is shown.

Thread-safe: one `Judge` serves every request thread; each call works in the session it is given (or its own).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session

from commonsky.airspace.volume import Overlap, Volume
from commonsky.plans.intent import Intent
from commonsky.service.auth import Party
from commonsky.service.db import Database
from commonsky.service.disclosure import Obstacle, coarse_view
from commonsky.service.dss import world
from commonsky.service.engine import Bounds, prefilter_margin_m, to_intent
from commonsky.service.grants import Grants
from commonsky.service.models import IntentRow
from commonsky.service.prejudge import Basis, Prejudged, basis
from commonsky.service.surroundings import Surroundings
from commonsky.service.views import ConflictView, ObstacleKind
from commonsky.strategic.result import ConflictPart, Effect, OtherKind


@dataclass
class Verdict:
    """What a proposal meets: its conflicts as the caller may see them, whether any blocks it, and the
    lower-priority accepted intents (rows and conflicting parts) it would preempt."""

    candidate: Intent | None = None
    conflicts: list[ConflictView] = field(default_factory=list)
    blocking: bool = False
    preempt: dict[str, IntentRow] = field(default_factory=dict)
    preempt_parts: dict[str, list[ConflictPart]] = field(default_factory=dict)


@dataclass
class _Group:
    """The exact overlaps of one own volume with one obstacle, before coarsening."""

    obstacle: Obstacle
    blocking: bool = False
    overlaps: list[Overlap] = field(default_factory=list)


class Judge:
    """Judges proposals against ``db`` through ``surroundings``, disclosing by ``grants``' policy."""

    def __init__(self, db: Database, surroundings: Surroundings, grants: Grants) -> None:
        self.db = db
        self.surroundings = surroundings
        self.grants = grants

    def judge(
        self, session: Session, party: Party, own_id: str, volumes: Sequence[Volume], box: Bounds, priority: int
    ) -> Verdict:
        """Run the strategic engine on the rows the SQL prefilter finds near ``box``; the conflicts come out as the
        disclosure policy lets ``party`` see them (`disclose`)."""
        margin = prefilter_margin_m(self.surroundings.model)
        intents = self.surroundings.intents(session, own_id, box, margin)
        zones = self.surroundings.zones(session, box, margin)
        candidate = to_intent(own_id, party.name, tuple(volumes), priority)
        engine = self.surroundings.engine(intents, zones, world.obstacles(session, box, margin))
        by_id = {r.id: r for r in intents}
        zone_rows = {r.id: r for r in zones}
        verdict = Verdict(candidate=candidate)
        groups: dict[tuple[int, str], _Group] = {}
        for conflict in engine.check(candidate, resolve=False).conflicts:
            blocks = conflict.effect is Effect.BLOCKS
            if conflict.kind is OtherKind.ZONE:
                zone = zone_rows[conflict.other]
                kind = ObstacleKind.BINDING_ZONE if blocks else ObstacleKind.ADVISORY_ZONE
                obstacle = Obstacle(kind, zone.id, zone.name, zone.version)
            else:
                obstacle = Obstacle(ObstacleKind.INTENT)
                if not blocks:
                    verdict.preempt[conflict.other] = by_id[conflict.other]
                    verdict.preempt_parts[conflict.other] = list(conflict.parts)
            verdict.blocking |= blocks
            for part in conflict.parts:
                group = groups.setdefault((part.own_volume, obstacle.zone_id or ""), _Group(obstacle))
                group.blocking |= blocks
                group.overlaps.append(part.overlap)
        verdict.conflicts = self.disclose(session, party.id, own_id, volumes, groups)
        return verdict

    def disclose(
        self,
        session: Session,
        viewer_id: str,
        own_id: str,
        volumes: Sequence[Volume],
        groups: dict[tuple[int, str], _Group],
    ) -> list[ConflictView]:
        """The views of ``groups`` (own volume x obstacle) that the disclosure policy lets party ``viewer_id``
        see."""
        policy, model = self.grants.disclosure(session), self.surroundings.model
        return [
            coarse_view(policy, model, viewer_id, own_id, index, volumes[index], g.obstacle, g.blocking, g.overlaps)
            for (index, _), g in sorted(groups.items())
        ]

    def prejudge(
        self, party: Party, own_id: str, volumes: Sequence[Volume], box: Bounds, priority: int
    ) -> Prejudged[Verdict]:
        """Judge on one read snapshot, holding no lock, and keep what the verdict was judged against."""
        with self.db.snapshot() as session:
            seen = self.basis(session, own_id, box)
            return Prejudged(self.judge(session, party, own_id, volumes, box, priority), seen)

    def basis(self, session: Session, own_id: str, box: Bounds) -> Basis:
        """What a verdict depends on besides its candidate: the prefilter's ids and versions, and the disclosure
        policy its conflicts were coarsened with (the authority may change it between the two), and the ids and
        OVNs of the DSS's references near it (`dss.world.basis`)."""
        margin = prefilter_margin_m(self.surroundings.model)
        seen = basis(session, own_id, box, margin) | world.basis(session, box, margin)
        return seen | {("disclosure", self.grants.disclosure(session), "")}

    def judge_locked(
        self,
        session: Session,
        pre: Prejudged[Verdict] | None,
        party: Party,
        own_id: str,
        volumes: Sequence[Volume],
        box: Bounds,
        priority: int,
    ) -> Verdict:
        """Under the write lock: ``pre``'s verdict if nothing it was judged against has changed, else judge now.
        The rows to preempt are loaded into this session (the write refreshes and changes them)."""
        if pre is not None and self.basis(session, own_id, box) == pre.basis:
            held = {other_id: session.get(IntentRow, other_id) for other_id in pre.verdict.preempt}
            if all(row is not None for row in held.values()):
                return replace(pre.verdict, preempt={k: v for k, v in held.items() if v is not None})
        return self.judge(session, party, own_id, volumes, box, priority)

    def victim_views(self, session: Session, row: IntentRow, parts: Sequence[ConflictPart]) -> list[ConflictView]:
        """The preempted intent's own conflicting parts, as the disclosure policy lets its owner see them."""
        volumes = self.surroundings.intent_volumes(row)
        groups: dict[tuple[int, str], _Group] = {}
        for part in parts:
            index = volumes.index(part.other_volume) if part.other_volume in volumes else 0
            group = groups.setdefault((index, ""), _Group(Obstacle(ObstacleKind.INTENT), blocking=True))
            group.overlaps.append(part.overlap)
        return self.disclose(session, row.party_id, row.id, volumes, groups)
