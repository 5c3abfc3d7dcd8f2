"""The replay loop as it was before issue 13 (commit ed7b36a), kept as the baseline "today" is measured against.

One picture every ``step_s`` from each aircraft's latest report, dead-reckoned with the reported vertical rate,
every aircraft taking part (on the ground too), `SafetyNet` per picture (300 s look-ahead): its cost follows the
steps. Shared by `benchmarks/bench_replay.py` and `tests/safety/test_real_traffic.py` (loaded by path there).
"""

from __future__ import annotations

import numpy as np

from commonsky.earth import BLUESKY_EARTH_RADIUS_M
from commonsky.picture.picture import Picture
from commonsky.safety.alerts import Alert, AlertEvent, AlertTracker
from commonsky.safety.params import ProtectionPolicy
from commonsky.safety.pipeline import SafetyNet
from commonsky.safety.tracks import RecordedTracks


def picture_at(tracks: RecordedTracks, last_row: np.ndarray, time_s: float, stale_s: float) -> Picture:
    """The picture at ``time_s`` from the latest row per aircraft (``last_row``, -1 = none), dead-reckoned."""
    rows = last_row[last_row >= 0]
    rows = rows[time_s - tracks.time_s[rows] <= stale_s]
    rows = rows[np.isfinite(tracks.alt_m[rows])]  # the old reader dropped rows without an altitude
    dt = time_s - tracks.time_s[rows]
    trk = np.radians(tracks.trk_deg[rows])
    lat = tracks.lat_deg[rows] + np.degrees(tracks.gs_ms[rows] * np.cos(trk) * dt / BLUESKY_EARTH_RADIUS_M)
    coslat = np.maximum(np.cos(np.radians(tracks.lat_deg[rows])), 1e-6)
    lon = tracks.lon_deg[rows] + np.degrees(tracks.gs_ms[rows] * np.sin(trk) * dt / (BLUESKY_EARTH_RADIUS_M * coslat))
    return Picture.from_arrays(
        id=tracks.icao24[rows],
        lat_deg=np.clip(lat, -90.0, 90.0),
        lon_deg=lon,
        alt_m=tracks.alt_m[rows] + tracks.vs_ms[rows] * dt,
        gs_ms=tracks.gs_ms[rows],
        trk_deg=tracks.trk_deg[rows],
        vs_ms=tracks.vs_ms[rows],
        time_s=time_s,
    )


def legacy_replay(tracks: RecordedTracks, step_s: float = 5.0, stale_s: float = 30.0) -> list[Alert]:
    """The conflict alerts the pre-issue-13 replay raised on ``tracks`` (default protection: 5 NM, 1,000 ft,
    300 s; 3 cycles to end; hold margin 0.2)."""
    net = SafetyNet(policy=ProtectionPolicy(), zones=(), tracker=AlertTracker(), hold_margin=0.2)
    if len(tracks) == 0:
        return []
    _, codes = np.unique(tracks.icao24, return_inverse=True)
    last_row = np.full(int(codes.max()) + 1, -1, dtype=np.int64)
    start, stop = float(tracks.time_s[0]), float(tracks.time_s[-1])
    times = start + step_s * np.arange(int(np.floor((stop - start) / step_s)) + 1)
    events: list[AlertEvent] = []
    pointer = 0
    for t in times:
        end = int(np.searchsorted(tracks.time_s, t, side="right"))
        rows = np.arange(pointer, end)
        np.maximum.at(last_row, codes[rows], rows)
        pointer = end
        events.extend(net.step(picture_at(tracks, last_row, float(t), stale_s)).events)
    events.extend(net.finish(float(times[-1])))
    return sorted({e.alert.alert_id: e.alert for e in events}.values(), key=lambda a: a.alert_id)
