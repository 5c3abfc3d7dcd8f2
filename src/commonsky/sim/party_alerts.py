"""Alerts for the parties: what each party is told about its own aircraft and intents, and nothing more.

`PartyAlerts` compares successive `LiveSnapshot`s and returns, per party (by name), the alerts that rose or ended
since the previous one:

- ``conflict``: one of the party's aircraft is in (or predicted into) a loss of separation;
- ``incursion``: one of its aircraft is in, or predicted into, a binding zone;
- ``non-conforming``: one of its aircraft has left its intent (why, and which intent);
- ``unknown-near-intent``: an unidentified aircraft flies within ``near_m`` laterally (and ``alt_m``
  vertically, ``time_s`` in time) of one of its intents in effect (`NearPolicy`, the rule that also raises the
  map's UNKNOWN alert there, `commonsky.surveillance.concern`).

Disclosure follows the broker's rules (`docs/broker.md`, "What a party sees"): a party sees its own aircraft and
intents in full, zones in full (they are public), and of another party's aircraft only that it is there: the
conflict's timing and miss distance, never its id, callsign, address, party, intent or position (``where`` is the
recipient's own aircraft). An unidentified aircraft belongs to no party, so its position is given.

Stateful and NOT thread-safe: one per picture stream. Events are JSON-ready dicts, ``{"type": "alert", "action":
"raised" | "ended", "kind", "key", "time", ...}``; ``key`` names the alert for the party across raise and end.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import numpy as np

from commonsky.events import EventKind
from commonsky.geo.geodesy import LocalFrame
from commonsky.plans.intent import Intent
from commonsky.safety.alerts import AlertKind
from commonsky.sim.clock import iso_utc
from commonsky.sim.snapshot import LiveSnapshot
from commonsky.surveillance.concern import NearPolicy
from commonsky.surveillance.correlation import CorrelationKind, IntentIndex

Event = dict[str, Any]


class PartyAlertKind(StrEnum):
    """The party alert that has no counterpart on the live map: an unknown aircraft near a party's intent."""

    UNKNOWN_NEAR_INTENT = "unknown-near-intent"


class PartyAlerts:
    """Per-party alert events from successive snapshots (see module docstring). Not thread-safe."""

    def __init__(self, frame: LocalFrame, near: NearPolicy = NearPolicy()) -> None:
        self.frame = frame
        self.near = near
        self._up: dict[tuple[str, str], Event] = {}
        self._intents: tuple[Intent, ...] | None = None
        self._index: IntentIndex | None = None

    def step(self, snap: LiveSnapshot, intents: tuple[Intent, ...]) -> list[tuple[str, Event]]:
        """``(party name, event)`` for each alert that rose or ended since the previous call, raised last."""
        now = self._current(snap, intents)
        out: list[tuple[str, Event]] = []
        for (party, key), last in self._up.items():
            if (party, key) not in now:
                out.append((party, {**_identity(last), "action": EventKind.ENDED, "time": iso_utc(snap.time_s)}))
        for (party, key), event in now.items():
            if (party, key) not in self._up:
                out.append((party, {**event, "action": EventKind.RAISED}))
        self._up = now
        return out

    def _current(self, snap: LiveSnapshot, intents: tuple[Intent, ...]) -> dict[tuple[str, str], Event]:
        p = snap.picture
        rows = {str(tid): k for k, tid in enumerate(p.id.tolist())}
        time = iso_utc(snap.time_s)

        def own(track: str) -> dict[str, Any]:
            k = rows[track]
            return {
                "track": track,
                "callsign": str(snap.callsign[k]),
                "icao24": str(snap.icao24[k]),
                "intent": str(p.intent[k]),
                "lat": round(float(p.lat_deg[k]), 5),
                "lon": round(float(p.lon_deg[k]), 5),
                "alt_m": round(float(p.alt_m[k])),
            }

        now: dict[tuple[str, str], Event] = {}
        for alert in snap.alerts:
            a = alert.subjects[0]
            if a not in rows:
                continue
            if alert.kind is AlertKind.INCURSION:
                party = str(p.party[rows[a]])
                if party:
                    key = f"incursion:{a}:{alert.subjects[1]}"
                    now[(party, key)] = {
                        "type": "alert",
                        "kind": AlertKind.INCURSION,
                        "key": key,
                        "time": time,
                        "aircraft": own(a),
                        "zone": alert.subjects[1],
                        "inside": alert.actual_s is not None,
                        "predicted": iso_utc(alert.predicted_s),
                    }
                continue
            b = alert.subjects[1]
            if b not in rows:
                continue
            for mine, other in ((a, b), (b, a)):
                party = str(p.party[rows[mine]])
                if not party:
                    continue
                same = str(p.party[rows[other]]) == party
                key = f"conflict:{mine}:{alert.alert_id}"  # the alert's number, not the other's track id
                now[(party, key)] = {
                    "type": "alert",
                    "kind": AlertKind.CONFLICT,
                    "key": key,
                    "time": time,
                    "aircraft": own(mine),
                    "other": own(other) if same else {"party": None, "note": "another aircraft"},
                    "predicted": iso_utc(alert.predicted_s),
                    "tcpa_s": _round(alert.tcpa_s),
                    "dcpa_m": _round(alert.dcpa_m),
                    "in_violation": alert.actual_s is not None,
                }
        unknown: list[int] = []
        for ident in snap.identity_alerts:
            e = ident.event
            track = f"T{e.track_id}"
            if track not in rows:
                continue
            if e.kind == CorrelationKind.UNKNOWN:
                unknown.append(rows[track])
            elif e.party:
                key = f"non-conforming:{track}"
                now[(e.party, key)] = {
                    "type": "alert",
                    "kind": CorrelationKind.NON_CONFORMING,
                    "key": key,
                    "time": time,
                    "aircraft": own(track),
                    "intent": e.intent,
                    "reason": e.reason,
                }
        now.update(self._near_intents(snap, np.array(unknown, dtype=np.int64), intents, time))
        return now

    def _near_intents(
        self, snap: LiveSnapshot, rows: np.ndarray, intents: tuple[Intent, ...], time: str
    ) -> dict[tuple[str, str], Event]:
        if not len(rows) or not intents:
            return {}
        if intents != self._intents:
            self._index, self._intents = IntentIndex.build(intents, self.frame, self.near.tolerance()), intents
        index = self._index
        assert index is not None
        p = snap.picture
        east, north = self.frame.to_local(p.lat_deg[rows], p.lon_deg[rows])
        pos = np.column_stack([np.ravel(east), np.ravel(north), p.alt_m[rows]])
        ti, vi, alt_ok, time_ok, _ = index.pairs(pos, np.zeros_like(pos), snap.time_s)
        near = alt_ok & time_ok
        dist = index.distance_m(pos, ti[near], vi[near])
        out: dict[tuple[str, str], Event] = {}
        for t, v, d in zip(ti[near].tolist(), vi[near].tolist(), dist.tolist(), strict=True):
            k = int(rows[t])
            track, intent, party = str(p.id[k]), str(index.intent[v]), str(index.party[v])
            key = f"unknown-near-intent:{track}:{intent}"
            if (party, key) in out:
                continue
            out[(party, key)] = {
                "type": "alert",
                "kind": PartyAlertKind.UNKNOWN_NEAR_INTENT,
                "key": key,
                "time": time,
                "intent": intent,
                "distance_m": round(d),
                "unknown": {
                    "track": track,
                    "lat": round(float(p.lat_deg[k]), 5),
                    "lon": round(float(p.lon_deg[k]), 5),
                    "alt_m": round(float(p.alt_m[k])),
                    "gs_ms": round(float(p.gs_ms[k]), 1),
                    "trk_deg": round(float(p.trk_deg[k])),
                },
            }
        return out


def _identity(event: Event) -> Event:
    return {k: event[k] for k in ("type", "kind", "key")}


def _round(value: float) -> float | None:
    return round(value, 1) if np.isfinite(value) else None


__all__ = ["NearPolicy", "PartyAlerts"]
