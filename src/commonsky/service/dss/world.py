"""One world: the DSS's operational intent references and the broker's intents see each other.

A USS is a party. From the broker's side (`obstacles`), every live F3548 reference (Accepted, Activated,
Nonconforming, Contingent) near a decision is an intent of the party ``dss:<manager>`` for the strategic engine.
F3548 references carry no priority (it lives in the details the USS keeps), and the broker cannot preempt them
(only their USS can change them), so they rank as an activated intent does: above every filed priority. A broker
intent that meets one is refused ("another party's intent", merged with every other intent conflict of that own
volume, as the disclosure policy shows it: never the USS, the reference or its state).

From the DSS's side (`World.missing`), a PUT in a keyed state (Accepted, Activated) that meets live broker intents
(accepted, activated) must name, in its ``key``, the OVN of the broker's *view* of them: one synthetic
``OperationalIntentReference`` per own volume that conflicts, built by the disclosure policy for the viewer
``dss:<manager>``: its id and OVN are derived from what the view discloses, its times are the view's (the
conflicting part of the USS's own volume, widened to whole grid steps), its manager is ``commonsky``, its state is
always ``Accepted`` and its ``uss_base_url`` the authority's neutral endpoint. No owner, priority, state, count or
geometry of the broker's intents is in it. As F3548 has it, the DSS checks that the writer *knows* of what it
meets; with the key, the write is stored (deconfliction is the USS's), and then the broker refuses anything new
that meets it and shows the owners of the intents it meets the conflict in ``GET /conflicts``.

Both sides decide under the same region locks (`Database.lock_region`), so neither can slip past the other.
Altitudes: F3548 heights above the WGS84 ellipsoid are compared with the broker's AMSL metres as they are (the
geoid's undulation, within about 100 m, is not applied), the same way in both directions.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from commonsky.airspace.volume import AltitudeBand, AltitudeModel, PolygonShape, TimeWindow, Volume
from commonsky.plans.intent import Intent, IntentState
from commonsky.service.budget import Budgets, OverBudgetError, cost_units
from commonsky.service.disclosure import DisclosurePolicy, Obstacle, coarse_view
from commonsky.service.dss.errors import DssError
from commonsky.service.dss.geometry import Extent, time_json, to_us
from commonsky.service.dss.records import NULL_SUBSCRIPTION, cell_keys, driver
from commonsky.service.dss.records import WIDE as DSS_WIDE
from commonsky.service.engine import Bounds, find_conflicts, to_intent
from commonsky.service.errors import TooLargeError
from commonsky.service.grid import WIDE, grid_keys
from commonsky.service.models import IntentRow
from commonsky.service.rows import near_intents, overlap_params
from commonsky.service.views import ObstacleKind
from commonsky.units import Altitude

LIVE_STATES = ("Accepted", "Activated", "Nonconforming", "Contingent")
RANK = 1_000_000  # a reference's engine priority: above every filed priority, as an activated intent's
MANAGER = "commonsky"  # the manager of the broker's synthetic references
NEUTRAL_URL = "https://commonsky.invalid/uss"  # default neutral endpoint: the broker's intents have no USS
PARTY_PREFIX = "dss:"
_NAMESPACE = uuid.UUID("6f1c9a52-3a8e-4d55-9a27-6b0f8f3d2c10")
_FAR_US = 2**62
_THIN = 1e-3  # a zero-thickness band or window becomes this thick (m, s): the engine needs floor < ceiling
_LIVE_SQL = ", ".join(f"'{s}'" for s in LIVE_STATES)
_NEAR = (
    "SELECT id, manager, ovn, volumes FROM dss_operational_intents WHERE state IN (" + _LIVE_SQL + ")"
    " AND max_lat >= %(min_lat)s AND min_lat <= %(max_lat)s AND max_lon >= %(min_lon)s AND min_lon <= %(max_lon)s"
    " AND t1_us >= %(t0_us)s AND t0_us <= %(t1_us)s AND alt_hi_m >= %(alt_lo_m)s AND alt_lo_m <= %(alt_hi_m)s"
)


def party_of(manager: str) -> str:
    """The broker-side party id of a USS (never shown to another party)."""
    return PARTY_PREFIX + manager


def engine_volumes(extent: Extent) -> tuple[Volume, ...]:
    """F3548 volumes as the strategic engine's (W84 metres taken as AMSL, µs as s)."""
    out = []
    for v in extent.volumes:
        hi = v.alt_hi_m if v.alt_hi_m > v.alt_lo_m else v.alt_lo_m + _THIN
        t0_s, t1_s = v.t0_us / 1e6, v.t1_us / 1e6
        band = AltitudeBand(Altitude(v.alt_lo_m), Altitude(hi))
        out.append(Volume(PolygonShape(v.shape), band, TimeWindow(t0_s, t1_s if t1_s > t0_s else t0_s + _THIN)))
    return tuple(out)


def _us(seconds: float, up: bool) -> int:
    if not math.isfinite(seconds):
        return _FAR_US if seconds > 0 else -_FAR_US
    return math.ceil(seconds * 1e6) if up else math.floor(seconds * 1e6)


def near_references(session: Session, box: Bounds, margin_m: float) -> list[Any]:
    """Rows (id, manager, ovn, volumes) of the live references whose envelope meets ``box`` (degrees, metres, s)."""
    params = {
        "min_lon": box.min_lon,
        "min_lat": box.min_lat,
        "max_lon": box.max_lon,
        "max_lat": box.max_lat,
        "alt_lo_m": box.alt_lo_m - margin_m,
        "alt_hi_m": box.alt_hi_m + margin_m,
        "t0_us": _us(box.t0_s, up=False),
        "t1_us": _us(box.t1_s, up=True),
    }
    sql = _NEAR
    keys = cell_keys(box.box)
    if keys != [DSS_WIDE]:
        listed = ", ".join(str(k) for k in [*keys, DSS_WIDE])  # integers made here: safe to inline
        sql += f" AND id IN (SELECT id FROM dss_cells WHERE kind = 'dss_operational_intents' AND key IN ({listed}))"
    return list(driver(session, sql, params))


def obstacles(session: Session, box: Bounds, margin_m: float) -> list[Intent]:
    """The live references near ``box`` as the engine's intents: id ``dss:<id>``, party ``dss:<manager>``,
    ranked above every filed priority."""
    return [
        to_intent(PARTY_PREFIX + row.id, party_of(row.manager), engine_volumes(_extent(row)), RANK)
        for row in near_references(session, box, margin_m)
    ]


def basis(session: Session, box: Bounds, margin_m: float) -> frozenset[tuple[str, str, str]]:
    """Ids and OVNs of the references `obstacles` would see (every write of a reference changes its OVN)."""
    return frozenset(("dss", row.id, row.ovn) for row in near_references(session, box, margin_m))


def live_intents(session: Session, start_s: float, end_s: float) -> list[Intent]:
    """The live references overlapping ``[start_s, end_s]`` as intents of their USS party, for the live picture
    (`service.plan_feed`): Activated, Nonconforming and Contingent ones are airborne (``activated``)."""
    sql = (
        "SELECT id, manager, state, t0_us, volumes FROM dss_operational_intents WHERE state IN (" + _LIVE_SQL + ")"
        " AND t1_us >= %(t0_us)s AND t0_us <= %(t1_us)s ORDER BY t0_us, id"
    )
    rows = driver(session, sql, {"t0_us": _us(start_s, up=False), "t1_us": _us(end_s, up=True)})
    return [
        Intent(
            id=PARTY_PREFIX + row.id,
            party=party_of(row.manager),
            volumes=engine_volumes(_extent(row)),
            priority=RANK,
            state=IntentState.ACCEPTED if row.state == "Accepted" else IntentState.ACTIVATED,
            filed_s=row.t0_us / 1e6,
        )
        for row in rows
    ]


def change_mark(session: Session) -> tuple[int, ...]:
    """A cheap mark that moves with every write of an operational intent reference (every write bumps its
    version or adds or removes a row; the sums of its times tell a delete-and-recreate apart)."""
    sql = (
        "SELECT count(*), coalesce(sum(version), 0), coalesce(sum(t0_us / 1000), 0), coalesce(sum(t1_us / 1000), 0)"
        " FROM dss_operational_intents"
    )
    return tuple(int(v) for v in driver(session, sql).one())


def _extent(row: Any) -> Extent:
    return Extent.from_json(json.loads(row.volumes))


@dataclass(frozen=True)
class World:
    """The broker's side of the DSS key check: ``policy`` is the authority's disclosure grid (read per call, with
    the caller's session),
    ``volumes_of`` the broker's volumes of an intent row (its cache), ``base_url`` the neutral endpoint named in
    the synthetic references."""

    model: AltitudeModel
    policy: Callable[[Session], DisclosurePolicy]
    volumes_of: Callable[[IntentRow], tuple[Volume, ...]]
    margin_m: float
    base_url: str = NEUTRAL_URL
    budgets: Budgets | None = None  # the broker's probe budgets: a USS's writes are charged as a broker filing
    daily_units: float = 0.0  # a USS's daily probe budget (the authority's default, settings.probe_budget_units)

    def charge(self, session: Session, manager: str, extent: Extent) -> None:
        """Charge USS ``manager`` for writing ``extent`` what a broker filing of the same volumes costs, from the
        broker's budgets: else 429 with the true ``Retry-After`` (413 when a whole day cannot pay). Every write
        is charged, so the key check cannot be used to bisect for broker intents without limit."""
        if self.budgets is None:
            return
        cost = cost_units(engine_volumes(extent), self.policy(session), self.model)
        try:
            self.budgets.charge(party_of(manager), self.daily_units, cost)
        except OverBudgetError as error:
            headers = {"Retry-After": str(error.retry_after_s)}
            raise DssError(429, str(error), headers=headers) from None
        except TooLargeError as error:
            raise DssError(413, str(error)) from None

    def missing(self, session: Session, manager: str, own_id: str, extent: Extent, key: Iterable[str]) -> list[Any]:
        """The synthetic references of the live broker intents ``extent`` meets whose OVN ``key`` misses."""
        known = set(key)
        return [ref for ref in self.references(session, manager, own_id, extent) if ref["ovn"] not in known]

    def references(self, session: Session, manager: str, own_id: str, extent: Extent) -> list[dict[str, Any]]:
        """One F3548 ``OperationalIntentReference`` per own volume of ``extent`` that meets live broker intents,
        as the disclosure policy lets USS ``manager`` see it."""
        own = engine_volumes(extent)
        box = Bounds(*extent.box, extent.alt_lo_m, extent.alt_hi_m, extent.t0_us / 1e6, extent.t1_us / 1e6)
        keys = grid_keys(box)
        params: dict[str, Any] = {"own": "", **overlap_params(box, self.margin_m)}
        if keys == [WIDE]:
            rows = session.scalars(near_intents(listed=False), params).all()
        else:
            rows = session.scalars(near_intents(listed=True), {**params, "keys": [*keys, WIDE]}).all()
        if not rows:
            return []
        found = find_conflicts(own, {r.id: self.volumes_of(r) for r in rows}, self.model)
        by_volume: dict[int, list[Any]] = {}
        for hit in found:
            by_volume.setdefault(hit.own_index, []).append(hit.overlap)
        policy = self.policy(session)  # read on this connection: a writer never waits for a second one
        viewer = party_of(manager)
        obstacle = Obstacle(ObstacleKind.INTENT)
        out = []
        for index, overlaps in sorted(by_volume.items()):
            view = coarse_view(policy, self.model, viewer, own_id, index, own[index], obstacle, True, overlaps)
            out.append(
                {
                    "id": str(uuid.uuid5(_NAMESPACE, view.ovn)),
                    "manager": MANAGER,
                    "uss_availability": "Normal",
                    "version": 1,
                    "state": "Accepted",
                    "ovn": view.ovn,
                    "time_start": time_json(_iso_us(view.start, extent.t0_us)),
                    "time_end": time_json(_iso_us(view.end, extent.t1_us)),
                    "uss_base_url": self.base_url,
                    "subscription_id": NULL_SUBSCRIPTION,
                }
            )
        return out


def _iso_us(text: str | None, default_us: int) -> int:
    if text is None:
        return default_us
    return to_us(datetime.fromisoformat(text.replace("Z", "+00:00")))
