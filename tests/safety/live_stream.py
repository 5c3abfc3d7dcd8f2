"""Recorded reports played to the live safety net as a tracker presents them: a picture every ``tick_s`` seconds
holding each aircraft's latest report of the last ``stale_s`` seconds, moved on along its track at its groundspeed
to the picture's time (altitude as reported; on the ground without one, 0: the receiver's altitude, as
`commonsky.surveillance.feeds.receiver` plots it), and its on-ground flag. The reports are those replay's input hygiene
keeps (`commonsky.safety.track_files.read_tracks`: groundspeed and track derived from the positions where missing
or stuck, as a tracker's velocity follows the positions); the safety net is the live run's
(`commonsky.sim.assembly.live_parts`' safety-net factory)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from commonsky.picture import Picture
from commonsky.safety.alerts import AlertEvent, AlertKind
from commonsky.safety.track_files import read_tracks
from commonsky.sim.assembly import live_parts
from commonsky.sim.run_config import RunConfig

M_PER_DEG = 111_195.0  # on the 6,371 km sphere

LiveAlert = tuple[tuple[str, str], float, float]
"""A conflict alert of the live net: (pair, sorted), raised, ended (inf: still up at the end)."""


def live_conflict_alerts(tracks_csv: Path, tick_s: float, stale_s: float = 30.0) -> list[LiveAlert]:
    """The conflict alerts the live safety net raises on the reports of ``tracks_csv`` (module docstring)."""
    tracks = read_tracks(tracks_csv)
    net = live_parts(RunConfig(tick_s=tick_s)).safety(())
    names, code = tracks.aircraft
    latest = np.full(names.shape[0], -1)
    up: dict[int, tuple[tuple[str, str], float]] = {}
    out: list[LiveAlert] = []

    def note(events: list[AlertEvent]) -> None:
        for event in events:
            alert = event.alert
            if alert.kind is not AlertKind.CONFLICT:
                continue
            pair = (min(alert.subjects), max(alert.subjects))
            if alert.ended_s is None:
                up.setdefault(alert.alert_id, (pair, alert.raised_s))
            else:
                up.pop(alert.alert_id, None)
                out.append((pair, alert.raised_s, alert.ended_s))

    times = tracks.time_s
    row, n_rows = 0, len(tracks)
    t = math.ceil(times[0] / tick_s) * tick_s if n_rows else 0.0
    while row < n_rows or (latest >= 0).any():
        while row < n_rows and times[row] <= t:
            latest[code[row]] = row
            row += 1
        live = latest[latest >= 0]
        live = live[(t - times[live] <= stale_s) & np.isfinite(tracks.gs_ms[live] + tracks.trk_deg[live])]
        live = live[np.isfinite(tracks.alt_m[live]) | tracks.on_ground[live]]  # on the ground: out of the STCA
        if live.shape[0] == 0:
            note(net.finish(t))
            latest[:] = -1
            if row >= n_rows:
                break
            t = math.ceil(times[row] / tick_s) * tick_s
            continue
        dt = t - times[live]
        trk = np.radians(tracks.trk_deg[live])
        run_m = tracks.gs_ms[live] * dt
        lat = tracks.lat_deg[live] + run_m * np.cos(trk) / M_PER_DEG
        lon = tracks.lon_deg[live] + run_m * np.sin(trk) / (M_PER_DEG * np.cos(np.radians(tracks.lat_deg[live])))
        picture = Picture.from_arrays(
            tracks.icao24[live],
            lat,
            lon,
            np.nan_to_num(tracks.alt_m[live]),
            tracks.gs_ms[live],
            tracks.trk_deg[live],
            np.zeros(live.shape[0]),
            time_s=float(t),
        )
        note(net.step(picture, tracks.on_ground[live]).events)
        t += tick_s
    note(net.finish(t))
    out += [(pair, raised, math.inf) for pair, raised in up.values()]
    return out
