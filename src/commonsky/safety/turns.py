"""Turn prediction for conflict alert: an aircraft in a sustained turn is also predicted along its arc.

EUROCONTROL's STCA Specification (EUROCONTROL-SPEC-0125) leaves the prediction method to each implementation,
and its Guidance Material names, beside the linear prediction, the prediction of turning tracks along their turn
(a curved prediction at the current turn rate) as a way to warn conflicts that manoeuvres fly into. A straight
line drawn from an aircraft halfway through a turn points where it will not go, so it misses the conflicts the
turn is flying into, and only sees them when the turn is over. The parameter values below are this project's,
chosen on recorded traffic (docs/stca.md), not numbers from those documents.

Here (`TurnRule`):

- **sustained turn**: the track changed the same way at ``min_dps`` or more in both halves of the last
  ``window_s`` (`commonsky.safety.kinematics.sustained_turn_rate`; a turn begun less than about ``window_s``
  ago, track noise and heading corrections are not turns);
- **curved prediction**: along the circular arc at the turn rate, capped at ``max_dps`` (a standard-rate turn,
  3 deg/s: a rate read higher is noise or a short manoeuvre the aircraft will not keep up), for at most
  ``max_turn_deg`` of turn (a half turn: turns onto final, onto a new airway or in a holding pattern end
  before), then straight on; the groundspeed and the vertical prediction are the linear one's;
- **both predictions**: a pair conflicts when the linear prediction of both aircraft does
  (`commonsky.safety.cpa`) or the prediction with each turning aircraft on its arc does, over the same
  look-ahead and protection. The arc is checked every ``step_s`` seconds of the look-ahead, for the pairs with a
  turning aircraft that may come within the protection whatever their paths (`commonsky.safety.turn_pairs`).

Replay (`commonsky.safety.batch`) applies it to its dead-reckoned samples; the live safety net
(`commonsky.safety.pipeline.SafetyNet` with its `commonsky.safety.track_rates.TrackRateFilter`, which reads
the same turn rate from the picture stream) to each STCA picture, whose states are current (`current_turns`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from commonsky._typing import FloatArray, IntArray
from commonsky.earth import BLUESKY_EARTH_RADIUS_M
from commonsky.safety.cpa import BOUNDARY_TOL_M, Motion, PairGeometry

CHUNK_PAIRS = 20_000


@dataclass(frozen=True)
class TurnRule:
    """Parameters of the turn prediction (see the module docstring); ``enabled=False`` predicts straight only."""

    enabled: bool = True
    window_s: float = 20.0
    min_dps: float = 2.0
    max_dps: float = 3.0
    max_turn_deg: float = 180.0
    step_s: float = 2.0


class TurningMotion(Motion, Protocol):
    """A `Motion` whose aircraft also carry ``turn_dps`` (sustained turn rate, deg/s, positive right; 0 when
    not turning) and ``age_s`` (how old the report the position was dead-reckoned from is, s)."""

    @property
    def turn_dps(self) -> FloatArray: ...

    @property
    def age_s(self) -> FloatArray: ...


@dataclass(frozen=True, eq=False)
class CurrentTurns:
    """The `TurningMotion` of aircraft whose states are current (a live picture: ``age_s`` 0)."""

    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray
    vn_ms: FloatArray
    ve_ms: FloatArray
    vs_ms: FloatArray
    turn_dps: FloatArray
    age_s: FloatArray


def current_turns(motion: Motion, turn_dps: FloatArray) -> CurrentTurns:
    """``motion`` (e.g. a `commonsky.picture.Picture`) with each aircraft's turn rate ``turn_dps``, now."""
    m = motion
    return CurrentTurns(m.lat_deg, m.lon_deg, m.alt_m, m.vn_ms, m.ve_ms, m.vs_ms, turn_dps, np.zeros_like(turn_dps))


def displacement_m(
    gs_ms: FloatArray, trk_deg: FloatArray, turn_dps: FloatArray, time_s: FloatArray, max_turn_deg: float
) -> tuple[FloatArray, FloatArray]:
    """(east, north) metres flown in ``time_s`` from a report with groundspeed ``gs_ms`` and track ``trk_deg``,
    turning at ``turn_dps`` (0: straight) for at most ``max_turn_deg``, then straight on (arrays broadcast)."""
    psi0 = np.radians(trk_deg)
    rate = np.radians(turn_dps)
    turning = np.abs(rate) > 1e-9
    out = np.broadcast_shapes(np.shape(gs_ms), np.shape(trk_deg), np.shape(turn_dps), np.shape(time_s))
    shape = out or (1,)
    east = np.broadcast_to(gs_ms * time_s * np.sin(psi0), shape).astype(np.float64)
    north = np.broadcast_to(gs_ms * time_s * np.cos(psi0), shape).astype(np.float64)
    if not turning.any():
        return east.reshape(out), north.reshape(out)
    # the arc only where it turns (most paths are straight): each value as over the whole arrays
    at = np.nonzero(np.broadcast_to(turning, shape))
    gs, start, turn, t_s = (np.broadcast_to(a, shape)[at] for a in (gs_ms, psi0, rate, time_s))
    arc_s = np.minimum(t_s, np.radians(max_turn_deg) / np.abs(turn))
    end = start + turn * arc_s
    radius = gs / turn
    straight_s = t_s - arc_s
    east[at] = radius * (np.cos(start) - np.cos(end)) + gs * straight_s * np.sin(end)
    north[at] = radius * (np.sin(end) - np.sin(start)) + gs * straight_s * np.cos(end)
    return east.reshape(out), north.reshape(out)


def curved_conflicts(
    motion: TurningMotion,
    p: IntArray,
    q: IntArray,
    radius_m: FloatArray,
    half_height_m: FloatArray,
    lookahead_s: FloatArray,
    rule: TurnRule,
) -> PairGeometry:
    """The pairs (p, q) that conflict when each turning aircraft flies its arc (`displacement_m`, from its
    report: ``age_s`` back) and the others fly straight, checked every ``rule.step_s`` over each pair's
    look-ahead; per pair ``radius_m``, ``half_height_m``, ``lookahead_s``. Times are those of the first step
    in conflict (``tin_s``) and of the closest step (``tcpa_s``, ``dcpa_m``)."""
    # A pair whose vertical rates are equal keeps its altitude difference at every step: if that is not inside
    # the protection, no step is (`_curved_chunk`'s test, exactly), and the steps of its paths need no reckoning.
    dz = np.abs(motion.alt_m[p] - motion.alt_m[q])
    level = (motion.vs_ms[p] - motion.vs_ms[q] == 0.0) & ~(dz < half_height_m - BOUNDARY_TOL_M)
    if level.any():
        keep = ~level
        p, q, radius_m, half_height_m, lookahead_s = (a[keep] for a in (p, q, radius_m, half_height_m, lookahead_s))
    parts = [
        _curved_chunk(
            motion,
            p[s : s + CHUNK_PAIRS],
            q[s : s + CHUNK_PAIRS],
            radius_m[s : s + CHUNK_PAIRS],
            half_height_m[s : s + CHUNK_PAIRS],
            lookahead_s[s : s + CHUNK_PAIRS],
            rule,
        )
        for s in range(0, max(p.shape[0], 1), CHUNK_PAIRS)
    ]
    return PairGeometry.joined(parts)


def _curved_chunk(
    m: TurningMotion,
    p: IntArray,
    q: IntArray,
    radius_m: FloatArray,
    half_height_m: FloatArray,
    lookahead_s: FloatArray,
    rule: TurnRule,
) -> PairGeometry:
    cap = np.clip(m.turn_dps, -rule.max_dps, rule.max_dps)
    n_steps = math.floor(float(lookahead_s.max(initial=0.0)) / rule.step_s) + 1
    tau = np.arange(n_steps, dtype=np.float64)[None, :] * rule.step_s
    gs = np.hypot(m.vn_ms, m.ve_ms)
    trk = np.degrees(np.arctan2(m.ve_ms, m.vn_ms))

    # each sample's path once, however many pairs it is in
    u, back = np.unique(np.concatenate([p, q]), return_inverse=True)
    age = m.age_s[u][:, None]
    # from the report (age_s back), minus the straight dead reckoning to the picture the sample holds
    e1, n1 = displacement_m(gs[u][:, None], trk[u][:, None], cap[u][:, None], age + tau, rule.max_turn_deg)
    e0, n0 = displacement_m(gs[u][:, None], trk[u][:, None], np.zeros((u.shape[0], 1)), age, 0.0)
    east, north = e1 - e0, n1 - n0

    lat1, lat2 = np.radians(m.lat_deg[p]), np.radians(m.lat_deg[q])
    dlon = np.radians(np.mod(m.lon_deg[q] - m.lon_deg[p] + 180.0, 360.0) - 180.0)
    dx0 = BLUESKY_EARTH_RADIUS_M * dlon * np.cos(0.5 * (lat1 + lat2))
    dy0 = BLUESKY_EARTH_RADIUS_M * (lat2 - lat1)
    ep, np_ = east[back[: p.shape[0]]], north[back[: p.shape[0]]]
    eq, nq = east[back[p.shape[0] :]], north[back[p.shape[0] :]]
    dx = dx0[:, None] + eq - ep
    dy = dy0[:, None] + nq - np_
    dist = np.hypot(dx, dy)
    dalt = (m.alt_m[p] - m.alt_m[q])[:, None] + (m.vs_ms[p] - m.vs_ms[q])[:, None] * tau
    inside = (
        (dist < (radius_m - BOUNDARY_TOL_M)[:, None])
        & (np.abs(dalt) < (half_height_m - BOUNDARY_TOL_M)[:, None])
        & (tau <= lookahead_s[:, None])
    )
    hit = inside.any(axis=1)
    first = np.argmax(inside, axis=1)
    closest = np.argmin(np.where(tau <= lookahead_s[:, None], dist, np.inf), axis=1)
    rows = np.arange(p.shape[0])
    # the predicted loss lasts from the first step inside to the first step after it outside
    after = np.where(np.arange(n_steps)[None, :] > first[:, None], ~inside, False)
    last = np.where(after.any(axis=1), np.argmax(after, axis=1), n_steps)
    keep = np.flatnonzero(hit)
    return PairGeometry(
        i=p[keep],
        j=q[keep],
        tcpa_s=tau[0, closest[keep]],
        dcpa_m=dist[rows, closest][keep],
        dist_m=dist[keep, 0],
        qdr_deg=np.degrees(np.arctan2(dx0[keep], dy0[keep])),
        dalt_m=dalt[keep, 0],
        tin_s=tau[0, first[keep]],
        tout_s=last[keep] * rule.step_s,
        conflict=np.ones(keep.shape[0], dtype=bool),
        los=inside[keep, 0],
    )
