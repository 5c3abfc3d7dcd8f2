"""Per-aircraft kinematics from reports: spikes, forward-filled values, velocities and a filtered vertical rate.

Every function takes rows sorted by aircraft (``code``) then time, and looks only backwards in time (causal), as a
safety net in service can: a row's derived values use that row and older ones of the same aircraft, never later
ones (except the spike tests, which need the next report to tell a spike from a turn and so run on recorded data
only).
"""

from __future__ import annotations

import numpy as np

from commonsky._typing import BoolArray, FloatArray, IntArray
from commonsky.earth import BLUESKY_EARTH_RADIUS_M


def _step_m(lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(north, east) metres from point 1 to point 2 (flat earth at the mean latitude: rows are seconds apart)."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dlon = np.radians(np.mod(lon2 - lon1 + 180.0, 360.0) - 180.0)
    return BLUESKY_EARTH_RADIUS_M * (phi2 - phi1), BLUESKY_EARTH_RADIUS_M * dlon * np.cos(0.5 * (phi1 + phi2))


def spikes(code: IntArray, t: FloatArray, value_step: FloatArray, limit_per_s: float) -> BoolArray:
    """Rows whose step from the previous row AND to the next row both exceed ``limit_per_s`` (a one-row spike).

    ``value_step[k]`` is the size of the step from row k to row k + 1 (any unit); time steps under 1 s count as
    1 s (timestamps are often rounded to seconds). The last row of an aircraft is a spike if its step in is.
    """
    n = code.shape[0]
    if n < 2:
        return np.zeros(n, dtype=bool)
    same = code[1:] == code[:-1]
    dt = np.maximum(t[1:] - t[:-1], 1.0)
    fast = same & (value_step / dt > limit_per_s)
    before = np.concatenate([[False], fast])
    after = np.concatenate([fast, [False]])
    has_next = np.concatenate([same, [False]])
    out: BoolArray = before & (after | ~has_next)
    return out


def position_steps_m(lat: FloatArray, lon: FloatArray) -> FloatArray:
    """Distance (m) from each row to the next one."""
    north, east = _step_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    return np.asarray(np.hypot(north, east), dtype=np.float64)


def repeated(code: IntArray, *columns: FloatArray) -> BoolArray:
    """Rows whose ``columns`` all equal the previous row's of the same aircraft (a forward-filled value)."""
    out = np.zeros(code.shape[0], dtype=bool)
    if code.shape[0] < 2:
        return out
    same = code[1:] == code[:-1]
    for column in columns:
        same &= column[1:] == column[:-1]
    out[1:] = same
    return out


def stale_since_change(code: IntArray, t: FloatArray, unchanged: BoolArray) -> FloatArray:
    """Seconds since the value last changed (``unchanged`` marks rows equal to the previous one)."""
    changed_at = np.where(unchanged, -np.inf, t)
    # A new aircraft always starts a change.
    first = np.ones(code.shape[0], dtype=bool)
    first[1:] = code[1:] != code[:-1]
    changed_at = np.where(first, t, changed_at)
    return np.asarray(t - np.maximum.accumulate(changed_at), dtype=np.float64)


def _back_index(code: IntArray, t: FloatArray, lag_s: float) -> IntArray:
    """For each row, the latest row of the same aircraft at least ``lag_s`` older; else the previous row of the
    same aircraft; else the row itself."""
    n = code.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    span = float(t.max() - t.min()) + 10.0 * lag_s + 10.0
    key = code.astype(np.float64) * span + (t - t.min())
    j = np.searchsorted(key, key - lag_s, side="right") - 1
    prev = np.arange(n) - 1
    ok = (j >= 0) & (code[np.maximum(j, 0)] == code)
    prev_ok = (prev >= 0) & (code[np.maximum(prev, 0)] == code)
    out = np.where(ok, j, np.where(prev_ok, prev, np.arange(n)))
    return np.asarray(out, dtype=np.int64)


def velocity_from_positions(
    code: IntArray, t: FloatArray, lat: FloatArray, lon: FloatArray, lag_s: float = 5.0, max_dt_s: float = 60.0
) -> tuple[FloatArray, FloatArray]:
    """Groundspeed (m/s) and track (degrees) from the position ``lag_s`` or more earlier (causal); NaN for an
    aircraft's first row or after a gap longer than ``max_dt_s``."""
    j = _back_index(code, t, lag_s)
    dt = t - t[j]
    north, east = _step_m(lat[j], lon[j], lat, lon)
    ok = (dt > 0.0) & (dt <= max_dt_s)
    safe = np.where(ok, dt, 1.0)
    gs = np.where(ok, np.hypot(north, east) / safe, np.nan)
    trk = np.where(ok, np.mod(np.degrees(np.arctan2(east, north)), 360.0), np.nan)
    return np.asarray(gs, dtype=np.float64), np.asarray(trk, dtype=np.float64)


def filtered_vertical_rate(
    code: IntArray, t: FloatArray, alt_m: FloatArray, window_s: float = 20.0, max_dt_s: float = 60.0
) -> FloatArray:
    """Vertical rate (m/s) as the altitude slope over the last ``window_s`` or more (causal); NaN where no older
    report of the aircraft lies within ``max_dt_s``. Over 20 s the 25 ft quantisation of Mode S altitudes is
    worth 75 ft/min at most, well inside a level-flight dead band."""
    j = _back_index(code, t, window_s)
    dt = t - t[j]
    ok = (dt > 0.0) & (dt <= max_dt_s) & np.isfinite(alt_m) & np.isfinite(alt_m[j])
    rate = np.where(ok, (alt_m - alt_m[j]) / np.where(ok, dt, 1.0), np.nan)
    return np.asarray(rate, dtype=np.float64)


def recent_share(
    code: IntArray, t: FloatArray, flag: BoolArray, judged: BoolArray, window_s: float, min_count: int = 1
) -> FloatArray:
    """Per row, the share of the aircraft's ``judged`` rows in the last ``window_s`` (the row itself included, the
    row ``window_s`` or more older excluded; causal) that are ``flag``ged; NaN where fewer than ``min_count`` are
    judged."""
    n = code.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.float64)
    j = _back_index(code, t, window_s)
    seen = np.concatenate([[0], np.cumsum(judged.astype(np.int64))])  # seen[k]: judged rows before row k
    hits = np.concatenate([[0], np.cumsum((flag & judged).astype(np.int64))])
    first = np.searchsorted(code, code)  # rows are sorted by aircraft: its first row
    start = np.where(t[j] <= t - window_s, j + 1, first)  # after the row window_s older, else the first row
    k = np.arange(n) + 1
    count, hit = seen[k] - seen[start], hits[k] - hits[start]
    share = np.where(count >= max(min_count, 1), hit / np.maximum(count, 1), np.nan)
    return np.asarray(share, dtype=np.float64)


def sustained_turn_rate(
    code: IntArray, t: FloatArray, trk_deg: FloatArray, window_s: float = 20.0, min_dps: float = 1.0
) -> FloatArray:
    """Rate of a sustained turn (deg/s, positive to the right), 0 where the aircraft is not in one (causal).

    The track change over the last ``window_s`` or more (at most twice that), split at the report
    ``window_s / 2`` back: a turn is sustained when both halves turn the same way at ``min_dps`` or more (a
    turn begun less than about ``window_s`` ago, track noise or a heading correction are not). The rate is the
    whole window's."""
    j = _back_index(code, t, window_s)
    h = _back_index(code, t, 0.5 * window_s)
    dt, dt1, dt2 = t - t[j], t[h] - t[j], t - t[h]
    ok = (dt >= window_s) & (dt <= 2.0 * window_s) & (dt1 > 0.0) & (dt2 > 0.0)
    first = np.mod(trk_deg[h] - trk_deg[j] + 180.0, 360.0) - 180.0
    second = np.mod(trk_deg - trk_deg[h] + 180.0, 360.0) - 180.0
    r1 = first / np.where(ok, dt1, 1.0)
    r2 = second / np.where(ok, dt2, 1.0)
    sustained = ok & (np.minimum(np.abs(r1), np.abs(r2)) >= min_dps) & (r1 * r2 > 0.0)
    rate = (first + second) / np.where(ok, dt, 1.0)
    return np.asarray(np.where(sustained, rate, 0.0), dtype=np.float64)
