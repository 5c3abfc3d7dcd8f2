"""Judging outside the write lock: what a verdict was judged against, so that it can be re-validated under it.

A decision's heavy part (building the engine over the stored intents near the candidate and intersecting them) is
run first on one read snapshot, holding no lock; the write then takes its lock and re-runs only the prefilter's
ids and versions (`basis`). Every change to an intent or a zone gives it a new version, and the verdict is a pure
function of the candidate and the rows the prefilter returned, so an equal basis means the verdict still holds; a
different one means it is judged again, under the lock. A small filing thus waits for the *commits* of wide
filings elsewhere (on SQLite every write shares one lock), never for their judging. Only heavy requests are judged
first (`Broker.submit`'s ``judge_first``): for a small one, judging twice would cost more than it saves.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from functools import cache
from typing import Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session

from commonsky.service.engine import Bounds
from commonsky.service.models import IntentRow, ZoneRow
from commonsky.service.rows import near_intent_params, near_intents, near_zones, overlap_params

V = TypeVar("V")
Basis = frozenset[tuple[str, Hashable, str]]


@dataclass(frozen=True)
class Prejudged(Generic[V]):
    """A verdict judged without a lock, and the basis it was judged on."""

    verdict: V
    basis: Basis


@cache
def _intent_versions(listed: bool) -> Select[str, str]:
    return near_intents(listed).with_only_columns(IntentRow.id, IntentRow.version)


@cache
def _zone_versions() -> Select[str, str]:
    return near_zones().with_only_columns(ZoneRow.id, ZoneRow.version)


def basis(session: Session, own_id: str, box: Bounds, margin_m: float) -> Basis:
    """Ids and versions of the live intents (other than ``own_id``) and zones the broker's prefilter finds near
    ``box`` (the same statements, with the same parameters, as `Surroundings.intents` and `Surroundings.zones`)."""
    listed, params = near_intent_params(own_id, box, margin_m)
    intents = session.execute(_intent_versions(listed), params).all()
    zones = session.execute(_zone_versions(), overlap_params(box, margin_m)).all()
    return frozenset([("intent", i, v) for i, v in intents] + [("zone", i, v) for i, v in zones])
