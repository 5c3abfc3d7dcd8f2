"""Pydantic models of the live picture API (they document the routes in OpenAPI) and snapshot -> model code.

Units: times are Unix seconds (``*_s``) with an ISO 8601 UTC twin (``*_iso``); positions WGS84 degrees; altitude
metres; speeds m/s; track degrees true. Values that do not exist (no tcpa for a zone incursion) are null.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field

from commonsky.safety.alerts import Alert, AlertEvent
from commonsky.sim.clock import MAX_SPEED, ClockState, iso_utc
from commonsky.sim.run_config import RunConfig
from commonsky.sim.snapshot import CoverageAlert, IdentityAlert, LiveSnapshot
from commonsky.units import FPM_MS, FT_M, KT_MS, NM_M

MAX_ALERTS_STREAMED = 300
"""The WebSocket carries at most this many alerts (the soonest predicted first); `/api/picture/alerts` has all."""


class ClockOut(BaseModel):
    """The scenario clock."""

    time_s: float = Field(description="simulated time, Unix seconds")
    time_iso: str
    speed: float = Field(description="x real time")
    paused: bool
    start_s: float
    end_s: float
    start_iso: str
    end_iso: str
    finished: bool


class SpeedIn(BaseModel):
    speed: float = Field(gt=0, le=MAX_SPEED, description="new rate, x real time", examples=[10])


class JumpIn(BaseModel):
    time: str = Field(
        description="ISO 8601 UTC time (2014-12-02T06:30:00Z) or Unix seconds, inside the scenario",
        examples=["2014-12-02T06:30:00Z"],
    )


class TrackOut(BaseModel):
    """One confirmed track of the live picture."""

    id: str
    lat: float
    lon: float
    alt_m: float
    gs_ms: float
    trk_deg: float
    vs_ms: float
    party: str = Field(description='operating party, "" when unknown')
    intent: str = Field(description='matched intent id, ""  when none')
    callsign: str
    label: str = Field(description="callsign, else party, else UNKNOWN")
    icao24: str = Field(default="", description='ADS-B address (hex), "" when none')
    sources: str = Field(default="", description="names of the sensors and receivers whose reports updated it")
    squawk: str = Field(default="", description='Mode A code heard by a real receiver, "" when none')
    status: str = Field(
        default="",
        description="correlation: matched, pending, unknown (nobody claims it; alerted only near a filed intent, a "
        "binding zone or in the area of responsibility), outside or non-conforming",
    )
    on_ground: bool = Field(default=False, description="a real receiver last heard it report on the ground")
    trail: list[tuple[float, float]] = Field(default_factory=list, description="earlier [lon, lat], oldest first")


class TracksOut(BaseModel):
    seq: int
    time_s: float
    time_iso: str
    count: int
    tracks: list[TrackOut]


class AlertOut(BaseModel):
    """An alert that is up. Safety nets: a predicted ``conflict`` between two tracks (subjects: both track ids),
    a zone ``incursion`` (track id, zone name). Correlation: an ``unknown`` aircraft (track id, ""; raised only near
    a live intent or a binding zone, or in the area of responsibility, the ``reason`` says which) or a
    ``non-conforming`` one (track id, its intent), with ``reason``; their ids are negative."""

    alert_id: int
    kind: Literal["conflict", "incursion", "unknown", "non-conforming", "coverage-loss"]
    subjects: tuple[str, str]
    raised_s: float
    updated_s: float
    predicted_s: float = Field(description="predicted time of loss of separation / zone entry")
    actual_s: float | None
    ended_s: float | None
    warning_time_s: float
    tcpa_s: float | None
    dcpa_m: float | None
    lat: float | None
    lon: float | None
    reason: str = ""


class EventOut(BaseModel):
    kind: Literal["raised", "updated", "ended"]
    time_s: float
    alert: AlertOut


class AlertsOut(BaseModel):
    seq: int
    time_s: float
    time_iso: str
    count: int
    alerts: list[AlertOut]
    events: list[EventOut] = Field(description="recent alert events, newest last")


class SensorOut(BaseModel):
    name: str
    kind: str
    lat: float
    lon: float
    range_km: float


class UnitsOut(BaseModel):
    """Metres (or m/s) in one display unit: the map divides an SI value by these (`commonsky.units`)."""

    ft_m: float = Field(default=FT_M, description="metres in a foot")
    kt_ms: float = Field(default=KT_MS, description="m/s in a knot")
    nm_m: float = Field(default=NM_M, description="metres in a nautical mile")
    fpm_ms: float = Field(default=FPM_MS, description="m/s in a foot per minute")


class TrailOut(BaseModel):
    """How the map keeps trails: a point every ``step_s`` simulated seconds, ``points`` of them (the run's own)."""

    step_s: float
    points: int


class ViewOut(BaseModel):
    """What the map frames when it opens: the scenario's intents and zones, or the receivers' reach (degrees)."""

    west: float
    south: float
    east: float
    north: float


class StatusOut(BaseModel):
    """What the run is doing, and what the map needs to draw it (units, trails, initial view)."""

    scenario: str
    seq: int
    clock: ClockOut
    tracks: int
    truth: int
    alerts: int
    plots_last_tick: int
    work_ms: float = Field(description="wall time of the last tick's pipeline work, ms")
    sensors: list[SensorOut]
    units: UnitsOut = Field(default_factory=UnitsOut)
    trail: TrailOut
    view: ViewOut


class FeatureCollectionOut(BaseModel):
    """A GeoJSON FeatureCollection (lon/lat degrees)."""

    type: Literal["FeatureCollection"]
    features: list[dict[str, Any]]


def _num(x: float, digits: int = 2) -> float | None:
    return round(x, digits) if math.isfinite(x) else None


def clock_out(state: ClockState) -> ClockOut:
    return ClockOut(
        time_s=state.time_s,
        time_iso=state.iso,
        speed=state.speed,
        paused=state.paused,
        start_s=state.start_s,
        end_s=state.end_s,
        start_iso=iso_utc(state.start_s),
        end_iso=iso_utc(state.end_s),
        finished=state.finished,
    )


def trail_out(config: RunConfig) -> TrailOut:
    return TrailOut(step_s=config.trail_step_s, points=config.trail_len)


def view_out(bbox: tuple[float, float, float, float]) -> ViewOut:
    """``bbox`` (west, south, east, north), degrees, rounded to 1e-4 (~10 m)."""
    west, south, east, north = (round(x, 4) for x in bbox)
    return ViewOut(west=west, south=south, east=east, north=north)


def alert_dict(a: Alert) -> dict[str, Any]:
    """An alert as plain JSON values (the `AlertOut` shape)."""
    return {
        "alert_id": a.alert_id,
        "kind": a.kind.value,
        "subjects": list(a.subjects),
        "raised_s": a.raised_s,
        "updated_s": a.updated_s,
        "predicted_s": a.predicted_s,
        "actual_s": a.actual_s,
        "ended_s": a.ended_s,
        "warning_time_s": _num(a.warning_time_s, 1),
        "tcpa_s": _num(a.tcpa_s, 1),
        "dcpa_m": _num(a.dcpa_m, 0),
        "lat": _num(a.lat, 5),
        "lon": _num(a.lon, 5),
    }


def identity_alert_dict(a: IdentityAlert) -> dict[str, Any]:
    """A correlation alert in the `AlertOut` shape (predicted = actual = raised: the condition already holds)."""
    e = a.event
    return {
        "alert_id": a.key,
        "kind": e.kind,
        "subjects": [f"T{e.track_id}", e.intent],
        "raised_s": a.raised_s,
        "updated_s": e.t_s,
        "predicted_s": a.raised_s,
        "actual_s": a.raised_s,
        "ended_s": None,
        "warning_time_s": 0.0,
        "tcpa_s": None,
        "dcpa_m": None,
        "lat": _num(e.lat, 5),
        "lon": _num(e.lon, 5),
        "reason": e.reason,
    }


def coverage_alert_dict(a: CoverageAlert) -> dict[str, Any]:
    """A sensor health (coverage-loss) alert in the `AlertOut` shape: subjects (sensor name, ""), at the sensor."""
    e = a.event
    return {
        "alert_id": a.key,
        "kind": "coverage-loss",
        "subjects": [e.name, ""],
        "raised_s": e.t_s,
        "updated_s": e.t_s,
        "predicted_s": e.t_s,
        "actual_s": e.t_s,
        "ended_s": None,
        "warning_time_s": 0.0,
        "tcpa_s": None,
        "dcpa_m": None,
        "lat": _num(a.lat, 5),
        "lon": _num(a.lon, 5),
        "reason": e.message,
    }


def all_alerts(snap: LiveSnapshot) -> list[dict[str, Any]]:
    """Coverage-loss alerts (a blind sensor explains what follows), safety-net alerts (soonest predicted first),
    then correlation alerts (oldest first), as `AlertOut` dicts."""
    safety = sorted(snap.alerts, key=lambda a: (a.predicted_s, a.alert_id))
    identity = sorted(snap.identity_alerts, key=lambda a: (a.raised_s, a.key))
    coverage = [coverage_alert_dict(a) for a in sorted(snap.coverage_alerts, key=lambda a: a.key, reverse=True)]
    return coverage + [alert_dict(a) for a in safety] + [identity_alert_dict(a) for a in identity]


def event_dict(e: AlertEvent) -> dict[str, Any]:
    return {"kind": e.kind.value, "time_s": e.time_s, "alert": alert_dict(e.alert)}


def trails_by_track(snap: LiveSnapshot) -> dict[str, list[tuple[float, float]]]:
    """Earlier positions of each current track, oldest first (vectorised grouping of the trail frames)."""
    if not snap.trails:
        return {}
    ids = np.concatenate([f.track for f in snap.trails])
    lon = np.concatenate([f.lon_deg for f in snap.trails])
    lat = np.concatenate([f.lat_deg for f in snap.trails])
    order = np.argsort(ids, kind="stable")  # stable: frames stay oldest first within a track
    ids, lon, lat = ids[order], np.round(lon[order], 5), np.round(lat[order], 5)
    keys, starts = np.unique(ids, return_index=True)
    bounds = [*starts.tolist(), len(ids)]
    current = set(snap.picture.id.tolist())
    return {
        str(k): list(zip(lon[a:b].tolist(), lat[a:b].tolist(), strict=True))
        for k, a, b in zip(keys, bounds[:-1], bounds[1:], strict=True)
        if str(k) in current
    }


def tracks_columns(snap: LiveSnapshot) -> dict[str, list[Any]]:
    """The picture as columns (compact JSON for the WebSocket)."""
    p = snap.picture
    return {
        "id": p.id.tolist(),
        "lat": np.round(p.lat_deg, 5).tolist(),
        "lon": np.round(p.lon_deg, 5).tolist(),
        "alt_m": np.round(p.alt_m).tolist(),
        "gs_ms": np.round(p.gs_ms, 1).tolist(),
        "trk_deg": np.round(p.trk_deg).tolist(),
        "vs_ms": np.round(p.vs_ms, 1).tolist(),
        "party": p.party.tolist(),
        "intent": p.intent.tolist(),
        "callsign": snap.callsign.tolist(),
        "label": snap.label.tolist(),
        "icao24": snap.icao24.tolist(),
        "sources": snap.sources.tolist(),
        "squawk": snap.squawk.tolist(),
        "status": snap.status.tolist(),
        "on_ground": snap.on_ground.tolist(),
    }


def stream_message(snap: LiveSnapshot) -> dict[str, Any]:
    """The WebSocket message for one snapshot (see `commonsky.web.api` for its shape)."""
    alerts = all_alerts(snap)
    return {
        "type": "picture",
        "seq": snap.seq,
        "time_s": snap.time_s,
        "time_iso": iso_utc(snap.time_s),
        "clock": clock_out(snap.clock).model_dump(),
        "tracks": tracks_columns(snap),
        "alerts": alerts[:MAX_ALERTS_STREAMED],
        "alert_count": len(alerts),
        "events": [event_dict(e) for e in snap.events[-10:]],
        "stats": {"work_ms": round(snap.work_ms, 2), "truth": snap.n_truth, "plots": snap.n_plots},
        "plan_version": snap.plan_version,
    }
