"""The curved prediction computes only the arcs of turning aircraft and skips the pairs that keep an altitude
difference outside the protection: the old functions are copied here as the oracle, and both give the same bits
on random aircraft and pairs (straight and turning, NaN rates and ages, old reports, several look-aheads, more
pairs than a chunk)."""

from __future__ import annotations

import math
from dataclasses import fields

import numpy as np

from commonsky.safety.cpa import BOUNDARY_TOL_M, PairGeometry
from commonsky.safety.turns import CHUNK_PAIRS, TurnRule, curved_conflicts, displacement_m

from .conftest import TurningSamples

R_M = 6371000.0  # the product's Earth radius (BlueSky's), as the old functions used it


def _old_displacement_m(
    gs_ms: np.ndarray, trk_deg: np.ndarray, turn_dps: np.ndarray, time_s: np.ndarray, max_turn_deg: float
) -> tuple[np.ndarray, np.ndarray]:
    """`displacement_m` before (commit 41ec586), verbatim."""
    psi0 = np.radians(trk_deg)
    rate = np.radians(turn_dps)
    turning = np.abs(rate) > 1e-9
    safe = np.where(turning, rate, 1.0)
    arc_s = np.minimum(time_s, np.radians(max_turn_deg) / np.abs(safe))
    psi1 = psi0 + rate * arc_s
    radius = gs_ms / safe
    straight_s = time_s - arc_s
    east_turn = radius * (np.cos(psi0) - np.cos(psi1)) + gs_ms * straight_s * np.sin(psi1)
    north_turn = radius * (np.sin(psi1) - np.sin(psi0)) + gs_ms * straight_s * np.cos(psi1)
    east = np.where(turning, east_turn, gs_ms * time_s * np.sin(psi0))
    north = np.where(turning, north_turn, gs_ms * time_s * np.cos(psi0))
    return np.asarray(east, dtype=np.float64), np.asarray(north, dtype=np.float64)


def _old_curved_conflicts(
    m: TurningSamples, p: np.ndarray, q: np.ndarray, r: np.ndarray, h: np.ndarray, t: np.ndarray, rule: TurnRule
) -> PairGeometry:
    """`curved_conflicts` before (commit 41ec586), its chunks inlined, verbatim apart from names."""
    parts = [
        _old_chunk(
            m,
            p[s : s + CHUNK_PAIRS],
            q[s : s + CHUNK_PAIRS],
            r[s : s + CHUNK_PAIRS],
            h[s : s + CHUNK_PAIRS],
            t[s : s + CHUNK_PAIRS],
            rule,
        )
        for s in range(0, max(p.shape[0], 1), CHUNK_PAIRS)
    ]
    return PairGeometry.joined(parts)


def _old_chunk(
    m: TurningSamples,
    p: np.ndarray,
    q: np.ndarray,
    radius_m: np.ndarray,
    half_height_m: np.ndarray,
    lookahead_s: np.ndarray,
    rule: TurnRule,
) -> PairGeometry:
    cap = np.clip(m.turn_dps, -rule.max_dps, rule.max_dps)
    n_steps = math.floor(float(lookahead_s.max(initial=0.0)) / rule.step_s) + 1
    tau = np.arange(n_steps, dtype=np.float64)[None, :] * rule.step_s
    gs = np.hypot(m.vn_ms, m.ve_ms)
    trk = np.degrees(np.arctan2(m.ve_ms, m.vn_ms))
    u, back = np.unique(np.concatenate([p, q]), return_inverse=True)
    age = m.age_s[u][:, None]
    e1, n1 = _old_displacement_m(gs[u][:, None], trk[u][:, None], cap[u][:, None], age + tau, rule.max_turn_deg)
    e0, n0 = _old_displacement_m(gs[u][:, None], trk[u][:, None], np.zeros((u.shape[0], 1)), age, 0.0)
    east, north = e1 - e0, n1 - n0
    lat1, lat2 = np.radians(m.lat_deg[p]), np.radians(m.lat_deg[q])
    dlon = np.radians(np.mod(m.lon_deg[q] - m.lon_deg[p] + 180.0, 360.0) - 180.0)
    dx0 = R_M * dlon * np.cos(0.5 * (lat1 + lat2))
    dy0 = R_M * (lat2 - lat1)
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


def _bits(a: np.ndarray) -> tuple[str, tuple[int, ...], bytes]:
    return a.dtype.str, a.shape, np.ascontiguousarray(a).tobytes()


def _aircraft(rng: np.random.Generator, n: int) -> TurningSamples:
    """Around one place, at 1,000 ft levels (and between), level (vertical rate exactly 0) or not."""
    gs, trk = rng.uniform(0.0, 260.0, n), rng.uniform(0.0, 360.0, n)
    vs = np.where(rng.random(n) < 0.6, 0.0, rng.choice([-10.0, -2.5, 2.5, 10.0], n))
    turn = np.where(rng.random(n) < 0.3, rng.uniform(-5.0, 5.0, n), 0.0)
    turn = np.where(rng.random(n) < 0.03, rng.choice([1e-12, np.nan, -3.0], n), turn)
    return TurningSamples(
        47.0 + rng.uniform(-0.3, 0.3, n),
        np.mod(180.0 + rng.uniform(-0.4, 0.4, n) + 180.0, 360.0) - 180.0,
        np.where(rng.random(n) < 0.8, rng.integers(5, 12, n) * 304.8, rng.uniform(1500.0, 3700.0, n)),
        gs * np.cos(np.radians(trk)),
        gs * np.sin(np.radians(trk)),
        np.where(rng.random(n) < 0.03, np.nan, vs),
        turn,
        np.where(rng.random(n) < 0.5, 0.0, np.where(rng.random(n) < 0.05, np.nan, rng.uniform(0.0, 40.0, n))),
    )


def test_the_curved_prediction_gives_the_same_bits_as_before() -> None:
    rng = np.random.default_rng(13)
    hits = 0
    for draw in range(40):
        n = int(rng.integers(2, 300))
        s = _aircraft(rng, n)
        m = 45_000 if draw == 0 else int(rng.integers(0, 4000))  # the first: more pairs than a chunk
        p, q = rng.integers(0, n, m), rng.integers(0, n, m)
        rule = TurnRule(max_dps=float(rng.choice([3.0, 6.0])), max_turn_deg=float(rng.choice([90.0, 180.0])))
        r = rng.choice([9260.0, 5556.0], m)
        h = rng.choice([304.8, 182.88], m)
        t = rng.choice([120.0, 60.0, 37.0], m)
        want = _old_curved_conflicts(s, p, q, r, h, t, rule)
        got = curved_conflicts(s, p, q, r, h, t, rule)
        for f in fields(PairGeometry):
            assert _bits(getattr(got, f.name)) == _bits(getattr(want, f.name)), f.name
        hits += want.i.shape[0]
    assert hits > 2_000


def test_the_arc_gives_the_same_bits_as_before_in_every_shape() -> None:
    rng = np.random.default_rng(17)
    for shapes in (((), (), (), ()), ((50,),) * 4, ((50, 1), (50, 1), (50, 1), (1, 31)), ((7,), (), (7,), ())):
        gs, trk, turn, t = (rng.uniform(lo, hi, sh) for (lo, hi), sh in zip(BOUNDS, shapes, strict=True))
        gs = np.where(rng.random(shapes[0]) < 0.1, np.nan, gs)
        turn = np.where(rng.random(shapes[2]) < 0.4, 0.0, turn)
        for cap in (180.0, 45.0, 0.0):
            got, want = displacement_m(gs, trk, turn, t, cap), _old_displacement_m(gs, trk, turn, t, cap)
            assert _bits(got[0]) == _bits(want[0]) and _bits(got[1]) == _bits(want[1])


BOUNDS = ((0.0, 300.0), (-30.0, 400.0), (-6.0, 6.0), (0.0, 500.0))  # gs m/s, track deg, turn deg/s, time s
