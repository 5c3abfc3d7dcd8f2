"""What is stored near a box, as the strategic engine sees it: live intents (through the prefilter grid), zones and
the DSS's operational intent references. The broker judges against it and the resolution search
(`service.resolution`) searches it, over a wider box.

Thread-safe: one `Surroundings` serves every request thread (its caches lock; sessions are the caller's).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from commonsky.airspace.volume import AltitudeModel, Volume
from commonsky.airspace.zone import Zone
from commonsky.plans.intent import Intent, IntentState
from commonsky.service.cache import VersionCache
from commonsky.service.engine import Bounds, build_engine, to_intent, volumes_from_json, zone_from_feature
from commonsky.service.models import IntentRow, ZoneRow
from commonsky.service.rows import near_intent_params, near_intents, near_zones, overlap_params
from commonsky.strategic.engine import StrategicEngine

ACTIVATED = 1_000_000  # the engine's priority for an activated intent: above every filed priority


class Surroundings:
    """The rows near a box and the engine over them; parsed volumes and zones cached by (id, version)."""

    def __init__(self, model: AltitudeModel) -> None:
        self.model = model
        self._volumes: VersionCache[tuple[Volume, ...]] = VersionCache()
        self._zones: VersionCache[tuple[Zone, tuple[Volume, ...]]] = VersionCache(1_000)

    def intent_volumes(self, row: IntentRow) -> tuple[Volume, ...]:
        return self._volumes.get(("i", row.id, row.version), lambda: volumes_from_json(row.volumes))

    def zone_of(self, row: ZoneRow) -> tuple[Zone, tuple[Volume, ...]]:
        return self._zones.get((row.id, row.version), lambda: zone_from_feature(row.feature))

    def intents(self, session: Session, own_id: str, box: Bounds, margin_m: float) -> Sequence[IntentRow]:
        """Live intents other than ``own_id`` whose envelope meets ``box``: through the grid, unless ``box`` is
        itself too wide for it (then a range scan)."""
        listed, params = near_intent_params(own_id, box, margin_m)
        return session.scalars(near_intents(listed), params).all()

    def zones(self, session: Session, box: Bounds, margin_m: float) -> Sequence[ZoneRow]:
        """Zones whose envelope meets ``box``, its altitude band widened by ``margin_m``."""
        return session.scalars(near_zones(), overlap_params(box, margin_m)).all()

    def engine(
        self, intents: Sequence[IntentRow], zones: Sequence[ZoneRow], references: Sequence[Intent] = ()
    ) -> StrategicEngine:
        """The engine over these rows; activated intents rank above every priority (they are never preempted), and
        so do the DSS's operational intent ``references`` (`dss.world.obstacles`)."""
        ranked = [
            to_intent(
                r.id, r.party_id, self.intent_volumes(r), ACTIVATED if r.state == IntentState.ACTIVATED else r.priority
            )
            for r in intents
        ]
        return build_engine(self.model, [(r.id, self.zone_of(r)[0]) for r in zones], ranked + list(references))
