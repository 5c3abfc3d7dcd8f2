"""Replay recorded traffic through the safety net and measure how good its alerts were.

Pictures are built every ``step_s`` seconds from each aircraft's latest report no older than ``stale_s``,
dead-reckoned to the picture time. True losses of separation are those the same pictures show (inside both
radius and half-height). Quality, for conflict alerts: a LoS is *warned* if an alert for that pair was raised
strictly before the LoS began (its warning time is the difference), otherwise *missed*; an alert is a
*nuisance* if its pair never lost separation between its raise and its end. Losses that began in the first
picture holding both aircraft are counted apart (``missed_at_first_sight``), and so are alerts still up without
a loss when the data ends (``unresolved_at_end``, not nuisance). Truth is sampled at picture times: a grazing
loss shorter than one step can fall between pictures, and its alert then counts as nuisance.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from commonsky.airspace.zone import Zone
from commonsky.picture.picture import EARTH_RADIUS_M, Picture
from commonsky.safety.alerts import Alert, AlertEvent, AlertKind, AlertTracker, EventKind
from commonsky.safety.params import ProtectionPolicy
from commonsky.safety.pipeline import SafetyNet
from commonsky.safety.tracks import Tracks


@dataclass
class ReplayResult:
    """Alerts, events, true losses of separation, and the summary of one replay."""

    alerts: list[Alert]
    events: list[AlertEvent]
    los_events: list[tuple[str, str, float, float]]  # ownship, intruder, start, end
    summary: dict[str, Any] = field(default_factory=dict)


def picture_at(tracks: Tracks, last_row: np.ndarray, time_s: float, stale_s: float) -> Picture:
    """The picture at ``time_s`` from the latest row per aircraft (``last_row``, -1 = none), dead-reckoned."""
    rows = last_row[last_row >= 0]
    rows = rows[time_s - tracks.time_s[rows] <= stale_s]
    dt = time_s - tracks.time_s[rows]
    trk = np.radians(tracks.trk_deg[rows])
    lat = tracks.lat[rows] + np.degrees(tracks.gs_ms[rows] * np.cos(trk) * dt / EARTH_RADIUS_M)
    coslat = np.maximum(np.cos(np.radians(tracks.lat[rows])), 1e-6)
    lon = tracks.lon[rows] + np.degrees(tracks.gs_ms[rows] * np.sin(trk) * dt / (EARTH_RADIUS_M * coslat))
    return Picture.from_arrays(
        id=tracks.icao24[rows],
        lat=np.clip(lat, -90.0, 90.0),
        lon=lon,
        alt_m=tracks.alt_m[rows] + tracks.vs_ms[rows] * dt,
        gs_ms=tracks.gs_ms[rows],
        trk_deg=tracks.trk_deg[rows],
        vs_ms=tracks.vs_ms[rows],
        time_s=time_s,
    )


def replay(
    tracks: Tracks,
    zones: Sequence[Zone] = (),
    policy: ProtectionPolicy | None = None,
    step_s: float = 5.0,
    stale_s: float = 30.0,
    tracker: AlertTracker | None = None,
    progress: Callable[[int, int], None] | None = None,
    hold_margin: float = 0.2,
) -> ReplayResult:
    """Run the safety net over ``tracks`` every ``step_s`` seconds; ``progress(done, total)`` after each cycle."""
    net = SafetyNet(
        policy=policy or ProtectionPolicy(), zones=zones, tracker=tracker or AlertTracker(), hold_margin=hold_margin
    )
    if len(tracks) == 0:
        return ReplayResult([], [], [], _summary(tracks, [], [], [], 0, 0.0))
    names, codes = np.unique(tracks.icao24, return_inverse=True)
    last_row = np.full(int(codes.max()) + 1, -1, dtype=np.int64)
    start, stop = float(tracks.time_s[0]), float(tracks.time_s[-1])
    times = start + step_s * np.arange(int(np.floor((stop - start) / step_s)) + 1)
    events: list[AlertEvent] = []
    los_frames: dict[tuple[str, str], list[float]] = {}
    pointer = 0
    import time as clock

    busy = 0.0
    for k, t in enumerate(times):
        end = int(np.searchsorted(tracks.time_s, t, side="right"))
        rows = np.arange(pointer, end)
        np.maximum.at(last_row, codes[rows], rows)
        pointer = end
        picture = picture_at(tracks, last_row, float(t), stale_s)
        began = clock.perf_counter()
        cycle = net.step(picture)
        busy += clock.perf_counter() - began
        events.extend(cycle.events)
        c = cycle.conflicts
        for m in np.flatnonzero(c.los):
            los_frames.setdefault((str(c.ownship_id[m]), str(c.intruder_id[m])), []).append(float(t))
        if progress is not None:
            progress(k + 1, times.shape[0])
    events.extend(net.finish(float(times[-1])))
    alerts = sorted({e.alert.alert_id: e.alert for e in events}.values(), key=lambda a: a.alert_id)
    los_events = _los_events(los_frames, step_s)
    first_report = np.full(names.shape[0], np.inf)
    np.minimum.at(first_report, codes, tracks.time_s)
    first_frame = times[np.minimum(np.searchsorted(times, first_report, side="left"), times.shape[0] - 1)]
    first_seen = dict(zip(names.tolist(), first_frame.tolist(), strict=True))
    summary = _summary(tracks, alerts, events, los_events, times.shape[0], busy)
    summary["quality"] = _quality(alerts, los_events, first_seen, float(times[-1]))
    return ReplayResult(alerts, events, los_events, summary)


def _los_events(frames: dict[tuple[str, str], list[float]], step_s: float) -> list[tuple[str, str, float, float]]:
    out = []
    for (a, b), ts in sorted(frames.items()):
        first = last = ts[0]
        for t in ts[1:]:
            if t - last > 1.5 * step_s:
                out.append((a, b, first, last))
                first = t
            last = t
        out.append((a, b, first, last))
    return out


def _quality(
    alerts: list[Alert],
    los_events: list[tuple[str, str, float, float]],
    first_seen: dict[str, float] | None = None,
    end_s: float = np.inf,
) -> dict[str, Any]:
    """Warned / missed losses and nuisance alerts (see module docstring).

    ``missed_at_first_sight``: missed losses that began in the first picture holding both aircraft (no system
    could have warned of them). ``unresolved_at_end``: alerts still up, without a loss, when the data ended; they
    are not counted as nuisance (the data cannot tell).
    """
    first_seen = first_seen or {}
    by_pair: dict[tuple[str, str], list[Alert]] = {}
    for alert in alerts:
        if alert.kind is AlertKind.CONFLICT:
            by_pair.setdefault(alert.subjects, []).append(alert)
    spans: dict[tuple[str, str], list[tuple[float, float]]] = {}
    warnings, missed, unwarnable = [], 0, 0
    for a, b, start, stop in los_events:
        spans.setdefault((a, b), []).append((start, stop))
        raised = [
            al.raised_s
            for al in by_pair.get((a, b), [])
            if al.raised_s < start and (al.ended_s is None or al.ended_s >= start)
        ]
        if raised:
            warnings.append(start - min(raised))
        else:
            missed += 1
            unwarnable += start <= max(first_seen.get(a, -np.inf), first_seen.get(b, -np.inf))
    nuisance = unresolved = 0
    for pair, pair_alerts in by_pair.items():
        for al in pair_alerts:
            end = al.ended_s if al.ended_s is not None else np.inf
            if any(s <= end and e >= al.raised_s for s, e in spans.get(pair, [])):
                continue
            if end >= end_s:
                unresolved += 1
            else:
                nuisance += 1
    w = np.array(warnings)
    dist = {}
    if w.size:
        levels = np.percentile(w, [0, 10, 50, 90, 100])
        dist = {
            name: round(float(v), 1) for name, v in zip(("min", "p10", "median", "p90", "max"), levels, strict=True)
        }
        dist["mean"] = round(float(w.mean()), 1)
    n_conf = sum(len(v) for v in by_pair.values())
    judged = n_conf - unresolved
    return {
        "los_events": len(los_events),
        "warned": len(warnings),
        "missed": missed,
        "missed_at_first_sight": unwarnable,
        "conflict_alerts": n_conf,
        "nuisance_alerts": nuisance,
        "unresolved_at_end": unresolved,
        "nuisance_rate": round(nuisance / judged, 3) if judged else 0.0,
        "warning_time_s": dist,
    }


def _summary(
    tracks: Tracks,
    alerts: list[Alert],
    events: list[AlertEvent],
    los_events: list[tuple[str, str, float, float]],
    cycles: int,
    busy_s: float,
) -> dict[str, Any]:
    skipped = dict(sorted(tracks.skipped.items()))
    return {
        "rows_read": tracks.rows_read,
        "rows_used": len(tracks),
        "rows_skipped": sum(skipped.values()),
        "skipped": skipped,
        "rows_reordered": tracks.reordered,
        "vertical_rate_missing_as_zero": tracks.vertical_rate_missing,
        "aircraft": int(np.unique(tracks.icao24).shape[0]) if len(tracks) else 0,
        "cycles": cycles,
        "detection_s_per_cycle": round(busy_s / cycles, 5) if cycles else 0.0,
        "alerts": {kind.value: sum(a.kind is kind for a in alerts) for kind in AlertKind},
        "events": {kind.value: sum(e.kind is kind for e in events) for kind in EventKind},
        "quality": _quality(alerts, los_events),
    }


def _num(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def _alert_row(alert: Alert) -> dict[str, Any]:
    return {
        "alert_id": alert.alert_id,
        "kind": alert.kind.value,
        "subject": alert.subjects[0],
        "other": alert.subjects[1],
        "raised_s": alert.raised_s,
        "ended_s": alert.ended_s,
        "predicted_s": _num(alert.predicted_s),
        "actual_s": alert.actual_s,
        "warning_time_s": _num(round(alert.warning_time_s, 3)),
        "tcpa_s": _num(alert.tcpa_s),
        "dcpa_m": _num(alert.dcpa_m),
        "lat": _num(alert.lat),
        "lon": _num(alert.lon),
    }


def write_outputs(result: ReplayResult, out_dir: Path | str) -> list[Path]:
    """Write alerts.csv, events.csv, alerts.geojson, events.geojson and summary.json into ``out_dir``."""
    import csv

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    alert_rows = [_alert_row(a) for a in result.alerts]
    event_rows = [{"event": e.kind.value, "time_s": e.time_s, **_alert_row(e.alert)} for e in result.events]
    written = []
    for name, rows, header in (
        ("alerts.csv", alert_rows, list(_alert_row(_blank()).keys())),
        ("events.csv", event_rows, ["event", "time_s", *_alert_row(_blank()).keys()]),
    ):
        with open(out / name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows)
        written.append(out / name)
    for name, rows in (("alerts.geojson", alert_rows), ("events.geojson", event_rows)):
        features = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                "properties": {k: v for k, v in r.items() if k not in ("lat", "lon")},
            }
            for r in rows
            if r["lat"] is not None and r["lon"] is not None
        ]
        (out / name).write_text(json.dumps({"type": "FeatureCollection", "features": features}, default=_json))
        written.append(out / name)
    (out / "summary.json").write_text(json.dumps(result.summary, indent=2, default=_json))
    written.append(out / "summary.json")
    return written


def _blank() -> Alert:
    return Alert(0, AlertKind.CONFLICT, ("", ""), 0.0, 0.0, 0.0)


def _json(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
