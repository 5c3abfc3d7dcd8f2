"""Replay recorded traffic through the safety net and measure how good its alerts were against the reports.

Alerts: pictures every ``step_s`` seconds (grid times ``k * step_s``), each aircraft's latest report no older
than ``stale_s`` dead-reckoned to the picture time, STCA filters applied (`commonsky.safety.stca`), conflicts of
all pictures found at once (`commonsky.safety.batch`), then the alert lifecycle (`AlertTracker`) picture by
picture, visiting only pictures where something is seen or an alert is up.

Truth: loss episodes from the reported positions in exact feet (`commonsky.safety.losses`), never from the pictures,
each of kind `LossKind.LOSS` (a true loss), `LossKind.HEIGHT_KEEPING` (level aircraft within 300 ft of flight levels
1,000 ft apart: separation by levels held) or `LossKind.PARALLEL_RUNWAYS` (parallel runway operations: separation by
the runways' spacing, `commonsky.safety.parallel_runways`). A loss is *warned* if an alert for its pair was raised
strictly before it began and was still up then (the warning time is the difference), otherwise *missed*; the warned
and missed counts and warning times are over the true losses (``warned_all`` counts every episode, for
transparency). A true loss that began less than ``first_sight_s`` (20 s) after the first report of either aircraft's
observed span (a pop-up: a departure first heard in the air, an aircraft entering coverage) is *not warnable*; they
are counted (``not_warnable``, and ``missed_at_first_sight`` of them missed) and the warned share is stated over all
true losses (``warned_share``) and over the warnable ones (``warned_share_warnable``). The other misses are split
into those that began from levels held at least the minimum apart (``missed_from_held_levels``: one aircraft left
its level towards the other, `LossEpisodes.from_held_levels`; nothing in surveillance data foretells it) and the
rest (``missed_other``). Kinds
`LossKind.HEIGHT_KEEPING` and `LossKind.PARALLEL_RUNWAYS` are counted apart, never dropped. A conflict alert is a
*nuisance* if no loss episode of its pair (of any kind) overlaps its life; alerts still up without a loss when the
data ends are counted apart (``unresolved_at_end``). Each nuisance alert gets a cause from the pair's vertical state
when it was raised (`NuisanceCause`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from commonsky._typing import FloatArray
from commonsky.airspace.zone import Zone
from commonsky.events import EventKind
from commonsky.geo.aerodromes import Aerodromes
from commonsky.picture.picture import Picture
from commonsky.safety.alerts import (
    ALERT_END_S,
    Alert,
    AlertEvent,
    AlertKind,
    AlertTracker,
    Key,
    Observation,
    cycles_in,
)
from commonsky.safety.batch import Frames, frames, geometry
from commonsky.safety.height_keeping import LEVEL_RATE_MS, Altimetry, LossKind, estimate_qnh_offset_m
from commonsky.safety.incursion import ZoneIndex, detect_incursions
from commonsky.safety.losses import MAX_GAP_S, LossEpisodes, loss_episodes
from commonsky.safety.parallel_runways import ParallelRule
from commonsky.safety.params import ProtectionPolicy
from commonsky.safety.stca import stca_policy
from commonsky.safety.tracks import RecordedTracks
from commonsky.safety.turns import TurnRule
from commonsky.units import FT_M

FIRST_SIGHT_S = 20.0
"""A true loss beginning less than this after the first report of one aircraft's observed span is not warnable:
the STCA's filtered rate (20 s) rests on fewer reports, and no alert a controller can act on is possible."""


class NuisanceCause(StrEnum):
    """The vertical state of a pair when a nuisance alert was raised."""

    BOTH_LEVEL = "both level"
    ONE_CLIMBING_OR_DESCENDING = "one climbing or descending"
    BOTH_CLIMBING_OR_DESCENDING = "both climbing or descending"


_CAUSES = (
    NuisanceCause.BOTH_LEVEL,
    NuisanceCause.ONE_CLIMBING_OR_DESCENDING,
    NuisanceCause.BOTH_CLIMBING_OR_DESCENDING,
)


@dataclass
class ReplayResult:
    """Alerts, events, loss episodes from the reports, and the summary of one replay."""

    alerts: list[Alert]
    events: list[AlertEvent]
    losses: LossEpisodes
    summary: dict[str, Any] = field(default_factory=dict)
    nuisance: dict[int, NuisanceCause] = field(default_factory=dict)


def replay(
    tracks: RecordedTracks,
    zones: Sequence[Zone] = (),
    policy: ProtectionPolicy | None = None,
    step_s: float = 5.0,
    stale_s: float = 30.0,
    tracker: AlertTracker | None = None,
    progress: Callable[[int, int], None] | None = None,
    hold_margin: float = 0.2,
    truth_gap_s: float = MAX_GAP_S,
    first_sight_s: float = FIRST_SIGHT_S,
    parallel: ParallelRule = ParallelRule(),
    turn: TurnRule = TurnRule(),
    aerodromes: Aerodromes | None = None,
) -> ReplayResult:
    """Run the safety net over ``tracks`` and judge it against the loss episodes of the reports.

    ``policy`` defaults to `commonsky.safety.stca.stca_policy` (5 NM, 1,000 ft, 120 s); ``first_sight_s``: a true
    loss beginning less than this after the first report of either aircraft's observed span is not warnable;
    ``parallel`` the truth's rule of parallel runway operations (the STCA's filter is the policy's own); ``turn``
    the STCA's turn prediction (`commonsky.safety.turns`); ``aerodromes`` where surface movements can be
    (`commonsky.safety.stca`; None: anywhere, at sea level)."""
    policy = policy or stca_policy()
    tracker = tracker or AlertTracker(end_cycles=cycles_in(ALERT_END_S, step_s))
    airborne = ~tracks.on_ground & np.isfinite(tracks.alt_m)
    level = airborne & (np.abs(tracks.vs_filt_ms) < LEVEL_RATE_MS)
    altimetry = Altimetry(estimate_qnh_offset_m(tracks.alt_m[level], np.ones(int(level.sum()), dtype=bool)))
    losses = loss_episodes(
        tracks.time_s[airborne],
        tracks.icao24[airborne],
        tracks.lat_deg[airborne],
        tracks.lon_deg[airborne],
        tracks.alt_m[airborne],
        radius_m=policy.default.radius_m,
        half_height_m=policy.default.half_height_m,
        max_gap_s=truth_gap_s,
        regions=policy.zones,
        parallel=parallel,
        altimetry=altimetry,
    )
    if len(tracks) == 0:
        return ReplayResult([], [], losses, _summary(tracks, [], [], losses, 0, {}))
    f = frames(tracks, policy, step_s, stale_s, altimetry, turn, aerodromes)
    seen, causes = _observations(f, tracks, policy, step_s, hold_margin, turn)
    zone_index = ZoneIndex.build(zones) if zones else None
    events: list[AlertEvent] = []
    steps = np.unique(f.k)
    ks = sorted(set(seen) | (set(steps.tolist()) if zone_index is not None else set()))
    last_k = int(steps[-1]) if steps.shape[0] else 0
    pos, done = 0, 0
    k = ks[0] if ks else last_k + 1
    while k <= last_k:
        obs = dict(seen.get(k, {}))
        if zone_index is not None:
            obs.update(_incursions(f, tracks, k, step_s, zone_index))
        events.extend(tracker.update(k * step_s, obs))
        done += 1
        if progress is not None and done % 500 == 0:
            progress(k - int(steps[0]), last_k - int(steps[0]))
        while pos < len(ks) and ks[pos] <= k:
            pos += 1
        if tracker.busy:
            k += 1
        elif pos < len(ks):
            k = ks[pos]
        else:
            break
    end_s = float(last_k * step_s)
    events.extend(tracker.close(end_s))
    alerts = sorted({e.alert.alert_id: e.alert for e in events}.values(), key=lambda a: a.alert_id)
    first = first_sight(tracks, losses, truth_gap_s)
    summary = _summary(tracks, alerts, events, losses, int(steps.shape[0]), {})
    quality, nuisance = _quality(alerts, losses, first, end_s, step_s, first_sight_s, causes)
    summary["quality"] = quality
    summary["qnh_offset_ft"] = round(altimetry.qnh_offset_m / FT_M, 1)
    if progress is not None:
        progress(1, 1)
    return ReplayResult(alerts, events, losses, summary, nuisance)


def _observations(
    f: Frames, tracks: RecordedTracks, policy: ProtectionPolicy, step_s: float, hold_margin: float, turn: TurnRule
) -> tuple[dict[int, dict[Key, Observation]], dict[tuple[int, str, str], NuisanceCause]]:
    """Per picture, the conflict observations (and hold observations within the hold margin); per (picture,
    pair), the pair's vertical state, kept for the nuisance causes."""
    grows = (1.0, 1.0 + hold_margin) if hold_margin > 0 else (1.0,)
    found = geometry(f, policy, grows, turn)
    out: dict[int, dict[Key, Observation]] = {}
    causes: dict[tuple[int, str, str], NuisanceCause] = {}
    for pass_no, geo in enumerate(found):
        hold = pass_no > 0
        ids_p = tracks.icao24[f.row[geo.i]].tolist()
        ids_q = tracks.icao24[f.row[geo.j]].tolist()
        moving = ((~f.level[geo.i]).astype(int) + (~f.level[geo.j]).astype(int)).tolist()
        for k, a, b, tin, tcpa, dcpa, los, lat, lon, mv in zip(
            f.k[geo.i].tolist(),
            ids_p,
            ids_q,
            geo.tin_s.tolist(),
            geo.tcpa_s.tolist(),
            geo.dcpa_m.tolist(),
            geo.los.tolist(),
            f.lat_deg[geo.i].tolist(),
            f.lon_deg[geo.i].tolist(),
            moving,
            strict=True,
        ):
            if a > b:
                a, b = b, a
            key = (AlertKind.CONFLICT, a, b)
            cycle = out.setdefault(k, {})
            if hold:
                if key not in cycle:
                    cycle[key] = Observation(predicted_s=k * step_s + tin, in_violation=False, hold=True)
                continue
            cycle[key] = Observation(
                predicted_s=k * step_s + tin, in_violation=los, tcpa_s=tcpa, dcpa_m=dcpa, lat=lat, lon=lon
            )
            causes[(k, a, b)] = _CAUSES[mv]
    return out, causes


def _incursions(f: Frames, tracks: RecordedTracks, k: int, step_s: float, index: ZoneIndex) -> dict[Key, Observation]:
    lo, hi = np.searchsorted(f.k, k, side="left"), np.searchsorted(f.k, k, side="right")
    if hi == lo:
        return {}
    rows = f.row[lo:hi]
    gs = np.hypot(f.vn_ms[lo:hi], f.ve_ms[lo:hi])
    picture = Picture.from_arrays(
        id=tracks.icao24[rows],
        lat_deg=f.lat_deg[lo:hi],
        lon_deg=f.lon_deg[lo:hi],
        alt_m=f.alt_m[lo:hi],
        gs_ms=gs,
        trk_deg=np.degrees(np.arctan2(f.ve_ms[lo:hi], f.vn_ms[lo:hi])),
        vs_ms=f.vs_ms[lo:hi],
        time_s=k * step_s,
    )
    inc = detect_incursions(picture, index, 300.0)
    return {
        (AlertKind.INCURSION, str(inc.aircraft_id[m]), str(inc.zone_name[m])): Observation(
            predicted_s=k * step_s + float(inc.time_to_entry_s[m]),
            in_violation=bool(inc.inside[m]),
            lat=float(inc.entry_lat[m]),
            lon=float(inc.entry_lon[m]),
        )
        for m in range(len(inc))
    }


def first_sight(tracks: RecordedTracks, losses: LossEpisodes, gap_s: float) -> FloatArray:
    """Per loss episode: the later of its two aircraft's first sight, the first report of the observed span
    (airborne reports at most ``gap_s`` apart, as the truth joins them) the episode began in."""
    airborne = ~tracks.on_ground & np.isfinite(tracks.alt_m)
    names, code = tracks.aircraft
    rows = np.flatnonzero(airborne)
    rows = rows[np.lexsort((tracks.time_s[rows], code[rows]))]
    c, t = code[rows], tracks.time_s[rows]
    new = np.ones(rows.shape[0], dtype=bool)
    new[1:] = (c[1:] != c[:-1]) | (t[1:] - t[:-1] > gap_s)
    start_c, start_t = c[new], t[new]
    t0 = float(t.min()) if t.shape[0] else 0.0
    width = float(t.max()) - t0 + 2.0 * gap_s + 1.0 if t.shape[0] else 1.0
    keys = start_c * width + (start_t - t0)  # sorted: spans by (aircraft, time)
    out = np.full(len(losses), -np.inf)
    for ids in (losses.id_a, losses.id_b):
        ac = np.searchsorted(names, ids)
        # the last span start of that aircraft at or before the episode's start
        idx = np.searchsorted(keys, ac * width + (losses.start_s - t0), side="right") - 1
        ok = (idx >= 0) & (start_c[np.maximum(idx, 0)] == ac)
        out = np.maximum(out, np.where(ok, start_t[np.maximum(idx, 0)], -np.inf))
    return out


def _quality(
    alerts: list[Alert],
    losses: LossEpisodes,
    first_seen: FloatArray,
    end_s: float,
    step_s: float,
    first_sight_s: float,
    causes: dict[tuple[int, str, str], NuisanceCause],
) -> tuple[dict[str, Any], dict[int, NuisanceCause]]:
    """Warned / missed losses and nuisance alerts (see the module docstring)."""
    by_pair: dict[tuple[str, str], list[Alert]] = {}
    for alert in alerts:
        if alert.kind is AlertKind.CONFLICT:
            by_pair.setdefault(alert.subjects, []).append(alert)
    spans: dict[tuple[str, str], list[tuple[float, float]]] = {}
    warnings: list[float] = []
    warnings_all: list[float] = []
    missed = unwarnable = from_levels = popups = warned_warnable = 0
    for a, b, start, stop, true_loss, held, seen in zip(
        losses.id_a.tolist(),
        losses.id_b.tolist(),
        losses.start_s.tolist(),
        losses.end_s.tolist(),
        losses.true_loss.tolist(),
        losses.from_held_levels.tolist(),
        first_seen.tolist(),
        strict=True,
    ):
        popup = start - seen < first_sight_s
        popups += true_loss and popup
        spans.setdefault((a, b), []).append((start, stop))
        raised = [
            al.raised_s
            for al in by_pair.get((a, b), [])
            if al.raised_s < start and (al.ended_s is None or al.ended_s >= start)
        ]
        if raised:
            warnings_all.append(start - min(raised))
            if true_loss:
                warnings.append(start - min(raised))
                warned_warnable += not popup
        elif true_loss:
            missed += 1
            unwarnable += popup
            from_levels += held and not popup
    nuisance: dict[int, NuisanceCause] = {}
    unresolved = 0
    for pair, pair_alerts in by_pair.items():
        for al in pair_alerts:
            end = al.ended_s if al.ended_s is not None else np.inf
            if any(s <= end and e >= al.raised_s for s, e in spans.get(pair, [])):
                continue
            if end >= end_s:
                unresolved += 1
                continue
            k = round(al.raised_s / step_s)
            nuisance[al.alert_id] = causes.get((k, pair[0], pair[1]), NuisanceCause.BOTH_LEVEL)
    w = np.array(warnings)
    dist: dict[str, float] = {}
    if w.size:
        levels = np.percentile(w, [0, 10, 50, 90, 100])
        dist = {n: round(float(v), 1) for n, v in zip(("min", "p10", "median", "p90", "max"), levels, strict=True)}
        dist["mean"] = round(float(w.mean()), 1)
    n_conf = sum(len(v) for v in by_pair.values())
    judged = n_conf - unresolved
    n_loss = len(losses)
    n_true = int(losses.true_loss.sum())
    warnable = n_true - popups
    counts = losses.counts()
    return {
        "los_events": n_loss,
        "height_keeping": counts[LossKind.HEIGHT_KEEPING.value],
        "parallel_runways": counts[LossKind.PARALLEL_RUNWAYS.value],
        "true_losses": n_true,
        "first_sight_s": first_sight_s,
        "not_warnable": popups,
        "warnable": warnable,
        "warned": len(warnings),
        "warned_share": round(len(warnings) / n_true, 3) if n_true else None,
        "warned_warnable": warned_warnable,
        "warned_share_warnable": round(warned_warnable / warnable, 3) if warnable else None,
        "warned_all": len(warnings_all),
        "warned_share_all": round(len(warnings_all) / n_loss, 3) if n_loss else None,
        "median_warning_all_s": round(float(np.median(warnings_all)), 1) if warnings_all else None,
        "missed": missed,
        "missed_at_first_sight": unwarnable,
        "missed_from_held_levels": from_levels,
        "missed_other": missed - unwarnable - from_levels,
        "conflict_alerts": n_conf,
        "nuisance_alerts": len(nuisance),
        "nuisance_by_cause": dict(Counter(c.value for c in nuisance.values())),
        "unresolved_at_end": unresolved,
        "nuisance_rate": round(len(nuisance) / judged, 3) if judged else 0.0,
        "nuisance_per_loss": round(len(nuisance) / n_loss, 3) if n_loss else 0.0,
        "warning_times_s": [round(float(x), 1) for x in w],
        "warning_time_s": dist,
    }, nuisance


def _summary(
    tracks: RecordedTracks,
    alerts: list[Alert],
    events: list[AlertEvent],
    losses: LossEpisodes,
    cycles: int,
    quality: dict[str, Any],
) -> dict[str, Any]:
    skipped = dict(sorted(tracks.skipped.items()))
    return {
        "rows_read": tracks.rows_read,
        "rows_used": len(tracks),
        "rows_skipped": sum(skipped.values()),
        "skipped": skipped,
        "derived": dict(sorted(tracks.derived.items())),
        "rows_reordered": tracks.reordered,
        "aircraft": int(tracks.aircraft[0].shape[0]) if len(tracks) else 0,
        "cycles": cycles,
        "alerts": {kind.value: sum(a.kind is kind for a in alerts) for kind in AlertKind},
        "events": {kind.value: sum(e.kind is kind for e in events) for kind in EventKind},
        "quality": quality or {"los_events": len(losses), **losses.counts()},
    }
