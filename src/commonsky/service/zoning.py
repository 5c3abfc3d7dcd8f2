"""Zones: the authority writes them (one at a time: a zone change locks the whole sky), everyone reads them.

A new or changed zone does not reject accepted intents by itself: the parties whose live intents it now binds
are told (``zone.affects`` events) and the count comes back as ``affected``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Hashable, Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import select

from commonsky.airspace.volume import Volume
from commonsky.errors import NotFoundError
from commonsky.service import audit
from commonsky.service.auth import Party, Role
from commonsky.service.broker import Broker, new_version
from commonsky.service.engine import bounds, find_conflicts, overlap_json, prefilter_margin_m, zone_from_feature
from commonsky.service.errors import StaleVersionError
from commonsky.service.models import IntentRow, PartyRow, ZoneRow
from commonsky.service.rows import overlap_params, overlaps
from commonsky.service.views import LIVE, ZoneView


def zone_view(row: ZoneRow, affected: int = 0) -> ZoneView:
    return ZoneView(row.id, row.version, row.feature, affected)


class ZoneKeeper:
    """Zone writes and reads on top of a `Broker` (sharing its database, settings, cache and notifier)."""

    def __init__(self, broker: Broker) -> None:
        self.broker = broker
        self.db = broker.db

    def create(self, party: Party, feature: dict[str, Any]) -> ZoneView:
        self.broker.require(party, Role.AUTHORITY)
        zone, volumes = zone_from_feature(feature)
        normal = zone.to_feature()
        box = bounds(volumes, self.broker.model)
        row = ZoneRow(
            id=str(uuid.uuid4()),
            name=zone.name,
            kind=zone.kind.value,
            binding=zone.binding,
            feature=normal,
            version=new_version(),
            updated_s=time.time(),
            **box.columns(),
        )
        with self.db.write() as session:
            self.db.lock_region(session, None)
            session.add(row)
            session.flush()
            audit.append(
                self.db, session, party.name, "create", "zone", row.id, {"version": row.version, "feature": normal}
            )
        return zone_view(row, self._tell_affected(row, volumes))

    def update(self, party: Party, zone_id: str, version: str, feature: dict[str, Any]) -> ZoneView:
        self.broker.require(party, Role.AUTHORITY)
        zone, volumes = zone_from_feature(feature)
        normal = zone.to_feature()
        box = bounds(volumes, self.broker.model)
        with self.db.write() as session:
            self.db.lock_region(session, None)
            row = self._current(session, zone_id, version)
            row.name, row.kind, row.binding, row.feature = zone.name, zone.kind.value, zone.binding, normal
            for name, value in box.columns().items():
                setattr(row, name, value)
            row.version, row.updated_s = new_version(), time.time()
            session.flush()
            audit.append(
                self.db, session, party.name, "update", "zone", row.id, {"version": row.version, "feature": normal}
            )
        return zone_view(row, self._tell_affected(row, volumes))

    def delete(self, party: Party, zone_id: str, version: str) -> None:
        self.broker.require(party, Role.AUTHORITY)
        with self.db.write() as session:
            self.db.lock_region(session, None)
            row = self._current(session, zone_id, version)
            session.delete(row)
            session.flush()
            audit.append(self.db, session, party.name, "delete", "zone", zone_id, {"version": None, "deleted": True})

    def get(self, zone_id: str) -> ZoneView:
        with self.db.read() as session:
            row = session.get(ZoneRow, zone_id)
        if row is None:
            raise NotFoundError(f"no zone {zone_id}")
        return zone_view(row)

    def list(self, limit: int, offset: int) -> list[ZoneView]:
        with self.db.read() as session:
            rows = session.scalars(select(ZoneRow).order_by(ZoneRow.name, ZoneRow.id).limit(limit).offset(offset))
            return [zone_view(r) for r in rows.all()]

    def _current(self, session: Any, zone_id: str, version: str) -> ZoneRow:
        row = session.get(ZoneRow, zone_id)
        if row is None:
            raise NotFoundError(f"no zone {zone_id}")
        if row.version != version:
            changed = ["feature"]
            raise StaleVersionError(
                f"zone {zone_id} changed since version {version}", row.version, changed, asdict(zone_view(row))
            )
        assert isinstance(row, ZoneRow)
        return row

    def _tell_affected(self, row: ZoneRow, volumes: Sequence[Volume]) -> int:
        """Tell the parties whose live intents this zone now binds; how many intents that is."""
        zone, _ = self.broker.zone_of(row)
        box = bounds(volumes, self.broker.model)
        near = overlap_params(box, prefilter_margin_m(self.broker.model))
        with self.db.read() as session:
            found = session.execute(
                select(IntentRow, PartyRow.name)
                .join(PartyRow, PartyRow.id == IntentRow.party_id)
                .where(IntentRow.state.in_(LIVE), *overlaps(IntentRow)),
                near,
            ).all()
        if not zone.binding or not found:
            return 0
        rows = {r.id: (r, name) for r, name in found if not zone.applies_to or name in zone.applies_to}
        others: dict[Hashable, Sequence[Volume]] = {rid: self.broker.intent_volumes(r) for rid, (r, _) in rows.items()}
        hits = find_conflicts(volumes, others, self.broker.model)
        told: set[Hashable] = set()
        for hit in hits:
            if hit.owner in told:
                continue
            told.add(hit.owner)
            intent, _ = rows[str(hit.owner)]
            self.broker.tell(
                intent.party_id,
                {
                    "type": "zone.affects",
                    "intent_id": intent.id,
                    "zone_id": row.id,
                    "zone_name": row.name,
                    **overlap_json(hit.overlap),
                },
            )
        return len(told)
