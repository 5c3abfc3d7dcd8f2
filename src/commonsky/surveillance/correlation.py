"""Correlation: which filed intent (or known ADS-B identity) each track is, and whether it keeps to its intent.

Rules, applied to every confirmed track at once:

1. **Identity.** A track whose ADS-B address (icao24), else callsign, is registered by the authority gets that
   registration's party and, if one is given, intent. It is then checked against that intent's volumes: inside one
   of them (footprint widened by ``lateral_tol_m``, altitude block by ``vertical_tol_m``, time window by
   ``time_tol_s``) and, on a route leg, flying the leg's way (heading within ``max_heading_dev_deg`` of the leg's
   course when faster than ``min_speed_ms``). If not, it is *outside* its intent -- never re-matched to another.
2. **Volume.** A track without a registered intent is matched to an intent whose volume it is in by the same test;
   when several fit, the one whose (unwidened) footprint is nearest wins, then the first filed. A registered party
   without an intent keeps its party and takes the intent only from that party's volumes.
3. Anything else is **unknown**.

`correlate` is that instantaneous answer (pure, thread-safe). `Correlator` adds hysteresis and alerts: a track is
unknown for ``unknown_after_scans`` evaluations in a row before it is shown as unknown, and must be matched for
``clear_after_scans`` before it is not. An unknown track raises an "unknown" alert only where a `Concern` says it
matters (`commonsky.surveillance.concern`: near a filed intent or a binding zone, or in the area of
responsibility; without a `Concern`, everywhere), and the alert ends when it is matched or has been of no
concern for ``clear_after_scans`` evaluations; a registered track must be outside its intent for
``nonconforming_after_s`` seconds before a "non-conforming" alert, and back inside for ``clear_after_s`` before it
ends. Alerts are events: raised, updated (reason, intent or identity changed) and ended.

Footprints are projected into the tracks' `LocalFrame` once and indexed in a shapely STRtree; tracks are tested in
one query. Altitudes are compared on one scale (`AltitudeModel`: AGL limits over the policy's ground range).
Known limitation: an unidentified aircraft inside someone else's volume, flying its way, is taken for that flight.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

import numpy as np
import shapely
from numpy.typing import NDArray

from commonsky._typing import BoolArray, FloatArray, IntArray, StrArray
from commonsky.airspace.volume import AltitudeModel, CorridorShape
from commonsky.events import EventKind
from commonsky.geo.geodesy import LocalFrame
from commonsky.plans.intent import Intent
from commonsky.surveillance.tracking.tracks import LiveTracks

LEG_MIN_SPEED_MS = 20.0  # a corridor flown slower than this end to end is an orbit (racetrack), not a route leg


class TrackStatus(StrEnum):
    """A track's correlation status (the ``status`` column of `Correlation`)."""

    MATCHED = "matched"
    UNKNOWN = "unknown"
    OUTSIDE = "outside"
    PENDING = "pending"
    NON_CONFORMING = "non-conforming"


class CorrelationKind(StrEnum):
    """The alerts of the correlation: an aircraft nobody claims, or one outside its intent."""

    UNKNOWN = "unknown"
    NON_CONFORMING = "non-conforming"


BY_IDENTITY, BY_VOLUME = "identity", "volume"


@dataclass(frozen=True)
class Tolerance:
    """How far outside its volumes a track may be and still conform. Metres, seconds, degrees, m/s."""

    lateral_m: float = 926.0
    vertical_m: float = 100.0
    time_s: float = 60.0
    max_heading_dev_deg: float = 60.0
    min_speed_ms: float = 30.0


@dataclass(frozen=True, eq=False)
class IdentityRegistry:
    """ADS-B identities the authority knows (sorted keys): icao24 (lower case) and callsign (upper case) ->
    party and intent id ("" for a party's aircraft with no intent)."""

    icao24: StrArray
    icao_party: StrArray
    icao_intent: StrArray
    callsign: StrArray
    call_party: StrArray
    call_intent: StrArray

    @classmethod
    def build(
        cls, icao24: Mapping[str, tuple[str, str]] | None = None, callsign: Mapping[str, tuple[str, str]] | None = None
    ) -> IdentityRegistry:
        """From ``{icao24: (party, intent_id)}`` and ``{callsign: (party, intent_id)}``."""
        icao = sorted((k.strip().lower(), v) for k, v in (icao24 or {}).items() if k.strip())
        call = sorted((k.strip().upper(), v) for k, v in (callsign or {}).items() if k.strip())
        return cls(
            np.array([k for k, _ in icao], dtype=str),
            np.array([v[0] for _, v in icao], dtype=str),
            np.array([v[1] for _, v in icao], dtype=str),
            np.array([k for k, _ in call], dtype=str),
            np.array([v[0] for _, v in call], dtype=str),
            np.array([v[1] for _, v in call], dtype=str),
        )

    def lookup(self, icao24: StrArray, callsign: StrArray) -> tuple[BoolArray, StrArray, StrArray]:
        """``(found, party, intent)`` for N tracks: by icao24 first, then by callsign."""
        n = len(icao24)
        found = np.zeros(n, dtype=bool)
        party = np.full(n, "", dtype=np.result_type(self.icao_party, self.call_party, "<U1"))
        intent = np.full(n, "", dtype=np.result_type(self.icao_intent, self.call_intent, "<U1"))
        for keys, parties, intents, values in (
            (self.icao24, self.icao_party, self.icao_intent, np.char.lower(np.asarray(icao24, dtype=str))),
            (self.callsign, self.call_party, self.call_intent, np.char.upper(np.char.strip(np.asarray(callsign, str)))),
        ):
            if not len(keys) or not n:
                continue
            pos = np.clip(np.searchsorted(keys, values), 0, len(keys) - 1)
            hit = ~found & (keys[pos] == values) & (values != "")
            party[hit], intent[hit], found[hit] = parties[pos[hit]], intents[pos[hit]], True
        return found, party, intent


@dataclass(frozen=True, eq=False)
class IntentIndex:
    """Every volume of the filed intents in one frame: widened footprints in an STRtree, parallel arrays."""

    frame: LocalFrame
    tol: Tolerance
    tree: shapely.STRtree
    footprint: NDArray[np.object_]  # (V,) unwidened local footprints
    intent: StrArray
    party: StrArray
    floor_m: FloatArray
    ceiling_m: FloatArray
    start_s: FloatArray
    end_s: FloatArray
    is_leg: BoolArray
    course: FloatArray  # (V, 2) unit vector of a leg's course in the frame (zeros for orbits)
    intent_order: IntArray  # filing order of each volume's intent

    @classmethod
    def build(
        cls,
        intents: Sequence[Intent],
        frame: LocalFrame,
        tol: Tolerance = Tolerance(),
        model: AltitudeModel | None = None,
    ) -> IntentIndex:
        model = model or AltitudeModel()
        vols = [(k, i, v) for k, i in enumerate(intents) for v in i.volumes]
        local = [frame.project(shapely.segmentize(v.footprint, 0.02)) for _, _, v in vols]
        course = np.zeros((len(vols), 2))
        is_leg = np.zeros(len(vols), dtype=bool)
        for j, (_, _, v) in enumerate(vols):
            if isinstance(v.shape, CorridorShape):
                x, y = frame.to_local(*np.array([v.shape.points[0], v.shape.points[-1]], dtype=float).T)
                d = np.array([x[1] - x[0], y[1] - y[0]])
                length, duration = float(np.hypot(*d)), v.window.end_s - v.window.start_s
                if length > 0 and math.isfinite(duration) and length / duration >= LEG_MIN_SPEED_MS:
                    is_leg[j], course[j] = True, d / length
        footprints = np.array([*local, shapely.Point()], dtype=object)[:-1]
        widened = shapely.buffer(footprints, tol.lateral_m)
        shapely.prepare(widened)
        return cls(
            frame=frame,
            tol=tol,
            tree=shapely.STRtree(widened),
            footprint=footprints,
            intent=np.array([i.id for _, i, _ in vols], dtype=str),
            party=np.array([i.party for _, i, _ in vols], dtype=str),
            floor_m=np.array([model.floor_m(v.band.floor) for _, _, v in vols], dtype=float),
            ceiling_m=np.array([model.ceiling_m(v.band.ceiling) for _, _, v in vols], dtype=float),
            start_s=np.array([v.window.start_s for _, _, v in vols], dtype=float),
            end_s=np.array([v.window.end_s for _, _, v in vols], dtype=float),
            is_leg=is_leg,
            course=course,
            intent_order=np.array([k for k, _, _ in vols], dtype=np.int64),
        )

    def pairs(
        self, pos_m: FloatArray, vel_ms: FloatArray, t_s: float
    ) -> tuple[IntArray, IntArray, BoolArray, BoolArray, BoolArray]:
        """Track/volume pairs laterally within tolerance: ``(track, volume, alt_ok, time_ok, heading_ok)``.
        Bounding boxes from the tree, then the exact test on the prepared widened footprints, pair by pair."""
        ti, vi = self.tree.query(shapely.points(pos_m[:, :2]))
        inside = shapely.intersects_xy(self.tree.geometries[vi], pos_m[ti, 0], pos_m[ti, 1])
        ti, vi = ti[inside].astype(np.int64), vi[inside].astype(np.int64)
        t = self.tol
        alt = pos_m[ti, 2]
        alt_ok = (alt >= self.floor_m[vi] - t.vertical_m) & (alt <= self.ceiling_m[vi] + t.vertical_m)
        time_ok = (t_s >= self.start_s[vi] - t.time_s) & (t_s <= self.end_s[vi] + t.time_s)
        v = vel_ms[ti, :2]
        speed = np.hypot(v[:, 0], v[:, 1])
        cos = np.einsum("ij,ij->i", v, self.course[vi]) / np.maximum(speed, 1e-9)
        heading_ok = (
            ~self.is_leg[vi] | (speed < t.min_speed_ms) | (cos >= math.cos(math.radians(t.max_heading_dev_deg)))
        )
        return ti, vi, alt_ok, time_ok, heading_ok

    def distance_m(self, pos_m: FloatArray, ti: IntArray, vi: IntArray) -> FloatArray:
        """Ground distance (m) of tracks ``ti`` to the unwidened footprints ``vi`` (0 inside), pair by pair."""
        if not len(ti):
            return np.zeros(0)
        return np.asarray(shapely.distance(shapely.points(pos_m[ti, :2]), self.footprint[vi]), dtype=float)


@dataclass(frozen=True)
class Correlation:
    """One evaluation of N tracks at ``t_s``: ``status`` (matched, unknown, outside), ``intent``/``party`` ("" if
    none), ``basis`` (identity, volume or ""), ``reason`` why a track is outside its intent ("" otherwise)."""

    t_s: float
    track_id: IntArray
    status: StrArray
    intent: StrArray
    party: StrArray
    basis: StrArray
    reason: StrArray

    def __len__(self) -> int:
        return len(self.track_id)


def correlate(tracks: LiveTracks, index: IntentIndex, registry: IdentityRegistry) -> Correlation:
    """The instantaneous correlation of every row of ``tracks`` (see the module docstring)."""
    n = len(tracks)
    t_s = tracks.t_s
    found, party, intent = registry.lookup(tracks.icao24, tracks.callsign)
    ti, vi, alt_ok, time_ok, heading_ok = index.pairs(tracks.pos_m, tracks.vel_ms, t_s)
    full = alt_ok & time_ok & heading_ok
    status = np.full(n, TrackStatus.UNKNOWN, dtype="<U14")
    basis = np.full(n, "", dtype="<U8")
    reason = np.full(n, "", dtype="<U40")
    party = party.astype(np.result_type(party, index.party))
    intent = intent.astype(np.result_type(intent, index.intent))
    # 1. registered intent: conforming if any of that intent's volumes fits fully
    has_intent = found & (intent != "")
    own = index.intent[vi] == intent[ti]
    conforming = np.zeros(n, dtype=bool)
    np.logical_or.at(conforming, ti[own & full], True)
    status[has_intent] = np.where(conforming[has_intent], TrackStatus.MATCHED, TrackStatus.OUTSIDE)
    basis[found] = BY_IDENTITY
    status[found & ~has_intent] = (
        TrackStatus.MATCHED
    )  # a known party's aircraft with no intent: identified, not alerted
    off = has_intent & ~conforming
    reason[off] = _reasons(n, ti[own], alt_ok[own], time_ok[own], heading_ok[own])[off]
    reason[off & ~np.isin(intent, index.intent)] = "its intent is not on file"
    # 2. volume match for tracks without a registered intent (a registered party only matches its own volumes)
    free = ~has_intent
    ok = full & free[ti] & (~found[ti] | (index.party[vi] == party[ti]))
    if ok.any():
        dist = index.distance_m(tracks.pos_m, ti[ok], vi[ok])
        order = np.lexsort((index.intent_order[vi[ok]], dist, ti[ok]))
        first = np.unique(ti[ok][order], return_index=True)[1]
        rows, vols = ti[ok][order][first], vi[ok][order][first]
        intent[rows], party[rows], status[rows] = index.intent[vols], index.party[vols], TrackStatus.MATCHED
        basis[rows] = np.where(found[rows], BY_IDENTITY, BY_VOLUME)
    return Correlation(t_s, tracks.track_id.copy(), status, intent, party, basis, reason)


def _reasons(n: int, ti: IntArray, alt_ok: BoolArray, time_ok: BoolArray, heading_ok: BoolArray) -> StrArray:
    """Why each track is outside its own intent, from its laterally fitting own-volume pairs."""
    lateral = np.zeros(n, dtype=bool)
    lateral[ti] = True
    in_time = np.zeros(n, dtype=bool)
    np.logical_or.at(in_time, ti[time_ok], True)
    in_block = np.zeros(n, dtype=bool)
    np.logical_or.at(in_block, ti[time_ok & alt_ok], True)
    out = np.full(n, "outside its lateral volume", dtype="<U40")
    out[lateral & ~in_time] = "outside its time window"
    out[lateral & in_time & ~in_block] = "left its altitude block"
    out[lateral & in_block] = "heading inconsistent with its route"
    return out


# ---- alerts with hysteresis ---------------------------------------------------------------------------------


class Concern(Protocol):
    """Where an unknown aircraft matters (`commonsky.surveillance.concern.ConcernArea`)."""

    def reasons(self, pos_m: FloatArray, t_s: float) -> StrArray:
        """Per position (local frame, metres) at ``t_s``: why an unknown aircraft there is of concern, or ""."""
        ...


UNKNOWN_REASON = "no intent and no known identity"


@dataclass(frozen=True)
class AlertPolicy:
    """Hysteresis of the alerts (evaluations and seconds)."""

    unknown_after_scans: int = 3
    clear_after_scans: int = 2
    nonconforming_after_s: float = 20.0
    clear_after_s: float = 10.0


@dataclass(frozen=True)
class CorrelationEvent:
    """An alert's life: which alert (``kind``) and what happened to it (``action``)."""

    t_s: float
    kind: CorrelationKind
    action: EventKind
    track_id: int
    intent: str
    party: str
    reason: str
    icao24: str
    callsign: str
    lat: float
    lon: float
    alt_m: float


@dataclass
class _State:
    """Per-track memory, one row per track id (sorted)."""

    track_id: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    unknown_run: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    known_run: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    outside_since: FloatArray = field(default_factory=lambda: np.zeros(0))
    inside_since: FloatArray = field(default_factory=lambda: np.zeros(0))
    unknown_on: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # shown as unknown
    alert_on: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # its "unknown" alert is up
    calm_run: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # scans of no concern in a row
    nonconf_on: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    sig_unknown: StrArray = field(default_factory=lambda: np.zeros(0, dtype=str))  # identity at the last unknown event
    sig_nonconf: StrArray = field(
        default_factory=lambda: np.zeros(0, dtype=str)
    )  # intent, reason, identity at the last


class Correlator:
    """Correlation of successive track snapshots with alert hysteresis. Stateful, not thread-safe: one per
    picture loop. Only confirmed tracks are considered; a track that disappears ends its alerts. ``concern``: where
    an unknown track raises an alert (None: everywhere)."""

    def __init__(
        self,
        index: IntentIndex,
        registry: IdentityRegistry,
        policy: AlertPolicy = AlertPolicy(),
        concern: Concern | None = None,
    ) -> None:
        self.index = index
        self.registry = registry
        self.policy = policy
        self.concern = concern
        self._s = _State()
        self._last: dict[int, CorrelationEvent] = {}

    @property
    def active(self) -> tuple[CorrelationEvent, ...]:
        """The alerts currently raised (their latest event)."""
        return tuple(self._last.values())

    def replan(self, index: IntentIndex, registry: IdentityRegistry, concern: Concern | None = None) -> None:
        """Correlate against new intents and identities (and alert unknowns where ``concern`` says) from the next
        step on (intents filed, ended or changed while live), keeping each track's alert state: an alert that no
        longer holds ends by its hysteresis."""
        self.index = index
        self.registry = registry
        self.concern = concern

    def step(self, tracks: LiveTracks) -> tuple[Correlation, tuple[CorrelationEvent, ...]]:
        """Correlate the confirmed tracks of a snapshot; return the correlation with the alert status applied
        (``non-conforming`` once the alert is on, ``unknown`` once it has been unknown for ``unknown_after_scans``
        -- whether or not it is of concern, so alerted --, else ``pending``) and the events of this step."""
        live = tracks.confirmed_only()
        corr = correlate(live, self.index, self.registry)
        p, t, old = self.policy, live.t_s, self._s
        pos = np.clip(np.searchsorted(old.track_id, live.track_id), 0, max(len(old.track_id) - 1, 0))
        seen = (old.track_id[pos] == live.track_id) if len(old.track_id) else np.zeros(len(live), dtype=bool)

        def carry(col: np.ndarray, default: float | bool | str) -> np.ndarray:
            base = np.full(len(live), default, dtype=col.dtype)
            if len(col):
                base[seen] = col[pos[seen]]
            return base

        unknown = corr.status == TrackStatus.UNKNOWN
        outside = corr.status == TrackStatus.OUTSIDE
        unknown_run = np.where(unknown, carry(old.unknown_run, 0) + 1, 0)
        known_run = np.where(unknown, 0, carry(old.known_run, 0) + 1)
        out_since, in_since = carry(old.outside_since, np.nan), carry(old.inside_since, np.nan)
        outside_since = np.where(outside, np.where(np.isnan(out_since), t, out_since), np.nan)
        inside_since = np.where(outside, np.nan, np.where(np.isnan(in_since), t, in_since))
        was_unknown, was_nonconf = carry(old.unknown_on, False), carry(old.nonconf_on, False)
        unknown_on = np.where(was_unknown, known_run < p.clear_after_scans, unknown_run >= p.unknown_after_scans)
        of_concern, where = self._concern(live, unknown_on)
        calm_run = np.where(of_concern, 0, carry(old.calm_run, 0) + 1)
        was_alert = carry(old.alert_on, False)
        alert_on = unknown_on & np.where(was_alert, calm_run < p.clear_after_scans, of_concern)
        cleared = ~outside & (t - inside_since >= p.clear_after_s)
        nonconf_on = np.where(was_nonconf, ~cleared, outside & (t - outside_since >= p.nonconforming_after_s))
        who = np.char.add(np.char.add(live.icao24.astype(str), "|"), live.callsign.astype(str))
        sig_u = np.char.add(np.char.add(who, "|"), where)
        sig_n = np.char.add(np.char.add(np.char.add(corr.intent, "|"), np.char.add(corr.reason, "|")), who)
        last_u, last_n = carry(old.sig_unknown, "").astype(str), carry(old.sig_nonconf, "").astype(str)
        upd_u = was_alert & alert_on & unknown & of_concern & (sig_u != last_u)
        upd_n = was_nonconf & nonconf_on & outside & (sig_n != last_n)
        why = np.where(
            alert_on,
            np.where(where == "", UNKNOWN_REASON, np.char.add(UNKNOWN_REASON + ", ", where)),
            np.where(unknown_on, "left the area of concern", "matched"),
        )
        events = self._events(live, corr, why, (was_alert, alert_on, upd_u), (was_nonconf, nonconf_on, upd_n))
        events += self._dropped(np.setdiff1d(old.track_id, live.track_id), t)
        last_u = np.where(alert_on, np.where(upd_u | ~was_alert, sig_u, last_u), "")
        last_n = np.where(nonconf_on, np.where(upd_n | ~was_nonconf, sig_n, last_n), "")
        order = np.argsort(live.track_id, kind="stable")
        cols = (
            live.track_id,
            unknown_run,
            known_run,
            outside_since,
            inside_since,
            unknown_on,
            alert_on,
            calm_run,
            nonconf_on,
            last_u,
            last_n,
        )
        self._s = _State(*(np.asarray(col)[order] for col in cols))
        status = corr.status.copy()
        status[(outside & ~nonconf_on) | (unknown & ~unknown_on)] = TrackStatus.PENDING
        status[nonconf_on] = TrackStatus.NON_CONFORMING
        shown = Correlation(corr.t_s, corr.track_id, status, corr.intent, corr.party, corr.basis, corr.reason)
        return shown, tuple(events)

    def _concern(self, live: LiveTracks, unknown: BoolArray) -> tuple[BoolArray, StrArray]:
        """Per track, whether it is an ``unknown`` one of concern, and why ("" when not, or without a `Concern`:
        everywhere, no reason needed). Only the unknown tracks are tested (most of a busy picture is known)."""
        if self.concern is None:
            return unknown.copy(), np.full(len(live), "", dtype="<U1")
        rows = np.flatnonzero(unknown)
        found = np.asarray(self.concern.reasons(live.pos_m[rows], live.t_s), dtype=str)
        where = np.full(len(live), "", dtype=found.dtype if len(found) else "<U1")
        where[rows] = found
        return where != "", where

    def _events(
        self,
        live: LiveTracks,
        corr: Correlation,
        why: StrArray,
        unknown: tuple[BoolArray, BoolArray, BoolArray],
        nonconf: tuple[BoolArray, BoolArray, BoolArray],
    ) -> list[CorrelationEvent]:
        """Events of the rows whose alerts start, end or change: each kind is ``(was_on, is_on, updated)``."""
        events: list[CorrelationEvent] = []
        rows = np.flatnonzero((unknown[0] != unknown[1]) | (nonconf[0] != nonconf[1]) | unknown[2] | nonconf[2])
        if not len(rows):
            return events
        lat, lon = live.take(rows).geodetic(self.index.frame)
        alt = live.pos_m[rows, 2]
        for k, row in enumerate(rows):
            tid = int(live.track_id[row])
            for kind, (was_on, is_on, updated) in (
                (CorrelationKind.UNKNOWN, unknown),
                (CorrelationKind.NON_CONFORMING, nonconf),
            ):
                was, now = bool(was_on[row]), bool(is_on[row])
                if was == now and not updated[row]:
                    continue
                action = (
                    EventKind.RAISED if now and not was else EventKind.ENDED if was and not now else EventKind.UPDATED
                )
                reason = str(corr.reason[row]) if kind is CorrelationKind.NON_CONFORMING else str(why[row])
                if action is EventKind.ENDED and kind is CorrelationKind.NON_CONFORMING:
                    reason = "conforming again"
                event = CorrelationEvent(
                    live.t_s,
                    kind,
                    action,
                    tid,
                    str(corr.intent[row]),
                    str(corr.party[row]),
                    reason,
                    str(live.icao24[row]),
                    str(live.callsign[row]),
                    float(lat[k]),
                    float(lon[k]),
                    float(alt[k]),
                )
                events.append(event)
                key = tid * 2 + (kind is CorrelationKind.NON_CONFORMING)
                if action is EventKind.ENDED:
                    self._last.pop(key, None)
                else:
                    self._last[key] = event
        return events

    def _dropped(self, gone: IntArray, t_s: float) -> list[CorrelationEvent]:
        out = []
        for tid in gone.tolist():
            for key in (tid * 2, tid * 2 + 1):
                last = self._last.pop(key, None)
                if last is not None:
                    out.append(
                        CorrelationEvent(
                            t_s,
                            last.kind,
                            EventKind.ENDED,
                            tid,
                            last.intent,
                            last.party,
                            "track dropped",
                            last.icao24,
                            last.callsign,
                            last.lat,
                            last.lon,
                            last.alt_m,
                        )
                    )
        return out


__all__ = [
    "AlertPolicy",
    "Correlation",
    "CorrelationEvent",
    "Correlator",
    "IdentityRegistry",
    "IntentIndex",
    "Tolerance",
    "correlate",
]
