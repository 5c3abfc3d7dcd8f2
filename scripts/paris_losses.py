"""Per-episode analysis of the true losses of the Paris `quickstart` sample (issue 13, terminal area): for each
loss episode the two aircraft's altitude, filtered vertical rate, track, groundspeed, nearest Paris airport and
distance to it (reference points from the AIP France, rounded), the lateral offset of B from A's track line, the
track difference, how long each was observed before the loss began ("seen"), and the warning or alerts.

Usage: ``PYTHONPATH=src python scripts/paris_losses.py`` (needs ``.cache/traffic-samples``, see
scripts/traffic_samples.py). Analysis only: nothing in the product reads this.
"""

import math
import sys
from pathlib import Path

import numpy as np

from commonsky.safety.alerts import AlertKind
from commonsky.safety.replay import first_sight, replay
from commonsky.safety.stca import terminal_policy
from commonsky.safety.track_files import read_tracks
from commonsky.units import FPM_MS, FT_M, KT_MS, NM_M

P = Path(sys.argv[1] if len(sys.argv) > 1 else ".cache/traffic-samples/collections/quickstart.json.gz")
tr = read_tracks(P)
pol = terminal_policy()
res = replay(tr, policy=pol)
print(res.summary["quality"])
AP = {"LFPG": (49.0097, 2.5479, 392), "LFPO": (48.7233, 2.3794, 291), "LFPB": (48.9694, 2.4414, 218)}


def nearest_ap(lat, lon):
    best = None
    for n, (a, b, _elev_ft) in AP.items():
        d = math.hypot((lat - a) * 60, (lon - b) * 60 * math.cos(math.radians(a)))
        if best is None or d < best[1]:
            best = (n, d)
    return best


names, code = tr.aircraft
by = {}
for i, n in enumerate(names):
    m = np.flatnonzero(code == i)
    m = m[np.argsort(tr.time_s[m])]
    by[n] = m
air = ~tr.on_ground


def state(n, t):
    m = by[n]
    m = m[air[m]]
    j = np.searchsorted(tr.time_s[m], t, side="right") - 1
    j = max(j, 0)
    r = m[j]
    return r, float(tr.time_s[m[0]])


alerts = [a for a in res.alerts if a.kind is AlertKind.CONFLICT]
L = res.losses
span_start = first_sight(tr, res.losses, 30.0)
rows = []
kinds = [k.value for k in L.kinds()]
for x in range(len(L)):
    a, b, s, e = str(L.id_a[x]), str(L.id_b[x]), float(L.start_s[x]), float(L.end_s[x])
    up = [
        al.raised_s
        for al in alerts
        if al.subjects == (a, b) and al.raised_s < s and (al.ended_s is None or al.ended_s >= s)
    ]
    anyal = [al.raised_s - s for al in alerts if al.subjects == (a, b)]
    ra, fa = state(a, s)
    rb, fb = state(b, s)

    def d(r):
        return (
            tr.alt_m[r] / FT_M,
            tr.vs_filt_ms[r] / FPM_MS,
            tr.trk_deg[r],
            tr.gs_ms[r] / KT_MS,
            nearest_ap(tr.lat_deg[r], tr.lon_deg[r]),
        )

    A, B = d(ra), d(rb)
    # lateral offset of b from a's track line (NM), local ENU
    lat0 = tr.lat_deg[ra]
    k = math.cos(math.radians(lat0))
    dx = (tr.lon_deg[rb] - tr.lon_deg[ra]) * 60 * k
    dy = (tr.lat_deg[rb] - tr.lat_deg[ra]) * 60
    th = math.radians(tr.trk_deg[ra])
    cross = dx * math.cos(th) - dy * math.sin(th)
    dtrk = (B[2] - A[2] + 180) % 360 - 180
    rows.append(
        (
            x,
            a,
            b,
            s,
            e - s,
            A,
            B,
            cross,
            dtrk,
            s - fa,
            s - fb,
            (s - min(up)) if up else None,
            anyal,
            L.min_dist_m[x] / NM_M,
            L.min_dalt_m[x] / FT_M,
        )
    )
for r in rows:
    x, a, b, s, dur, A, B, cross, dtrk, fa, fb, w, anyal, md, mv = r
    who = f"{x:2d} {a}/{b} dur{dur:4.0f}"
    sa = f"A {A[0]:6.0f}ft {A[1]:6.0f}fpm {A[2]:5.0f}° {A[3]:4.0f}kt {A[4][0]} {A[4][1]:4.1f}NM"
    sb = f"B {B[0]:6.0f}ft {B[1]:6.0f}fpm {B[2]:5.0f}° {B[3]:4.0f}kt {B[4][0]} {B[4][1]:4.1f}NM"
    geo = f"off {cross:5.2f}NM dtrk {dtrk:5.0f} | seen {fa:5.0f} {fb:5.0f} span {s - span_start[x]:5.0f} | warn {w}"
    rest = f"minD {md:.2f}NM minV {mv:.0f}ft al {[round(v) for v in anyal]} {kinds[x]}"
    print(" | ".join((who, sa, sb, geo, rest)))
