"""`LiveSnapshot`: read-only columns, alert keys that never collide across kinds, and the status line's counts
(checked against counts made here)."""

from __future__ import annotations

import calendar
import itertools

import numpy as np
import pytest
from shapely.geometry import Point

from commonsky.events import EventKind
from commonsky.picture.picture import Picture
from commonsky.safety.alerts import Alert, AlertKind
from commonsky.sim.clock import ClockState
from commonsky.sim.snapshot import COVERAGE_KEY_BASE, CoverageAlert, IdentityAlert, LiveSnapshot
from commonsky.surveillance.correlation import CorrelationEvent, CorrelationKind
from commonsky.surveillance.health import CoverageLossEvent

T = float(calendar.timegm((2014, 12, 2, 6, 41, 10)))


def _identity(track_id: int, kind: CorrelationKind) -> IdentityAlert:
    event = CorrelationEvent(T, kind, EventKind.RAISED, track_id, "", "", "", "", "", 33.0, 44.0, 100.0)
    return IdentityAlert(event, T)


def _coverage(sensor_id: int) -> CoverageAlert:
    event = CoverageLossEvent(T, EventKind.RAISED, sensor_id, f"s{sensor_id}", "silent", T - 30.0, Point(44, 33))
    return CoverageAlert(event, 33.0, 44.0)


def _snapshot(
    alerts: tuple[Alert, ...], identity: tuple[IdentityAlert, ...], coverage: tuple[CoverageAlert, ...]
) -> LiveSnapshot:
    picture = Picture.from_arrays(
        ["T1", "T2", "T3"],
        [33.0, 33.1, 33.2],
        [44.0, 44.1, 44.2],
        [300.0] * 3,
        [50.0] * 3,
        [0.0] * 3,
        [0.0] * 3,
        party=["police", "", ""],
        time_s=T,
    )
    return LiveSnapshot(
        seq=4,
        clock=ClockState(T, 10.0, False, T - 600.0, T + 600.0),
        picture=picture,
        callsign=np.array(["POL01", "", ""]),
        label=np.array(["POL01", "UNKNOWN", "UNKNOWN"]),
        alerts=alerts,
        events=(),
        trails=(),
        n_truth=4,
        n_plots=9,
        work_ms=3.14,
        identity_alerts=identity,
        coverage_alerts=coverage,
    )


def test_alert_keys_never_collide() -> None:
    identity = [_identity(t, k) for t, k in itertools.product(range(500), CorrelationKind)]
    coverage = [_coverage(s) for s in range(64)]
    keys = [a.key for a in identity] + [c.key for c in coverage]
    assert len(set(keys)) == len(keys) == 1000 + 64
    assert max(keys) < 0  # safety-net alert ids count from 1
    assert max(c.key for c in coverage) == COVERAGE_KEY_BASE < min(a.key for a in identity)
    assert _identity(7, CorrelationKind.UNKNOWN).key == _identity(7, CorrelationKind.UNKNOWN).key  # stable


def test_the_status_line_counts_what_is_up() -> None:
    alerts = (
        Alert(1, AlertKind.CONFLICT, ("T1", "T2"), T, T, T + 60.0),
        Alert(2, AlertKind.CONFLICT, ("T1", "T3"), T, T, T + 90.0),
        Alert(3, AlertKind.INCURSION, ("T2", "Camp"), T, T, T + 30.0),
    )
    identity = (_identity(2, CorrelationKind.UNKNOWN), _identity(3, CorrelationKind.UNKNOWN))
    line = _snapshot(alerts, identity, (_coverage(1),)).summary()
    counts = {"conflict": 2, "incursion": 1, "unknown": 2, "coverage-loss": 1}
    split = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    assert line == f"2014-12-02T06:41:10Z x10  tracks 3 (truth 4, unknown 2)  alerts 6 ({split})  tick 3.1 ms"
    quiet = _snapshot((), (), ()).summary()
    assert quiet.endswith("alerts 0  tick 3.1 ms")


def test_columns_are_read_only() -> None:
    snap = _snapshot((), (), ())
    assert snap.time_s == T
    for column in (snap.callsign, snap.label, snap.sources, snap.icao24, snap.squawk, snap.status, snap.on_ground):
        with pytest.raises(ValueError, match="read-only"):
            column[...] = column
