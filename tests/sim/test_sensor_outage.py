"""A radar silenced by its scenario ``outages:``: the live run raises a coverage-loss alert naming it, the tracks
only it fed coast and drop, and the alert ends once the radar reports again (sim/runner.py + surveillance/health.py).

Two helicopters fly 175 km apart, each seen by one radar of 80 km range (no overlap): the Diyala radar is silent
from 06:40 to 06:50Z; the Kut radar keeps working.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from commonsky.sim.assembly import pipeline_from_scenario
from commonsky.sim.pipeline import LivePipeline
from commonsky.sim.run_config import RunConfig
from commonsky.sim.scenario import load_scenario
from commonsky.sim.snapshot import COVERAGE_KEY_BASE, LiveSnapshot

T0630 = 1_417_501_800.0  # 2014-12-02T06:30:00Z
OUT_S, BACK_S = T0630 + 600.0, T0630 + 1200.0  # the outage: 06:40-06:50Z
SCAN_S = 10.0

SCENARIO = """\
scenario: {name: Outage test, start: 2014-12-02T00:00:00Z, end: 2014-12-03T00:00:00Z}
policy: {ground_min: 0m, ground_max: 300m}
parties:
  - {name: authority, kind: state, role: authority}
  - {name: iraq-army, kind: military, priority: 40}
intents:
  - id: helo-diyala
    party: iraq-army
    label: Mi-17, Taji - Baqubah - Muqdadiyah - Baqubah
    filed: 2014-12-02T05:00:00Z
    route:
      speed: 100kt
      waypoints:
        - {at: [33.52, 44.26], alt: 1500ft AGL, time: 2014-12-02T06:30:00Z, name: Taji}
        - {at: Baqubah, alt: 1500ft AGL}
        - {at: Muqdadiyah, alt: 1500ft AGL}
        - {at: Baqubah, alt: 1500ft AGL}
  - id: helo-kut
    party: iraq-army
    label: Mi-17 near Kut
    filed: 2014-12-02T05:00:00Z
    route:
      speed: 100kt
      waypoints:
        - {at: [32.45, 45.55], alt: 1500ft AGL, time: 2014-12-02T06:30:00Z}
        - {at: [32.75, 46.05], alt: 1500ft AGL}
        - {at: [32.45, 45.55], alt: 1500ft AGL}
sensors:
  - name: Diyala PSR
    kind: radar
    at: [33.75, 44.64]
    alt: 30m
    range: 80km
    scan: 10s
    outages: [{start: 2014-12-02T06:40:00Z, end: 2014-12-02T06:50:00Z}]
  - {name: Kut PSR, kind: radar, at: [32.50, 45.82], alt: 30m, range: 80km, scan: 10s}
"""


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> LivePipeline:
    path: Path = tmp_path_factory.mktemp("outage") / "outage.yaml"
    path.write_text(SCENARIO)
    return pipeline_from_scenario(load_scenario(path), RunConfig(unknowns=0))


@pytest.fixture(scope="module")
def run(pipeline: LivePipeline) -> list[LiveSnapshot]:
    """One snapshot per simulated second, 06:30-07:00Z."""
    pipeline.reset(T0630)
    snaps: list[LiveSnapshot] = []
    pipeline.run_until(T0630 + 1800.0, snaps.append)
    return snaps


def at(snaps: list[LiveSnapshot], t_s: float) -> LiveSnapshot:
    return next(s for s in snaps if s.time_s >= t_s)


def test_the_silent_radar_raises_a_coverage_loss_alert_that_ends_when_it_returns(run: list[LiveSnapshot]) -> None:
    events = run[-1].coverage_events
    assert [(e.action, e.name) for e in events] == [("raised", "Diyala PSR"), ("ended", "Diyala PSR")]
    raised, ended = events
    # "No reports" for silent_after_periods (3) scans: raised within 3-4 scans of the last scan before 06:40.
    assert OUT_S < raised.t_s <= OUT_S + 4 * SCAN_S and raised.silent_since_s < OUT_S
    assert "no reports" in raised.reason and "Diyala PSR" in raised.message
    assert 15_000 < raised.area_km2 < 80_000  # an 80 km radar: at most pi * 80^2 = 20,100 km², horizon allowing
    assert BACK_S <= ended.t_s <= BACK_S + 2 * SCAN_S
    up = [s for s in run if s.coverage_alerts]
    assert up[0].time_s == raised.t_s and up[-1].time_s < ended.t_s
    alert = up[0].coverage_alerts[0]
    assert alert.event.name == "Diyala PSR" and alert.key == COVERAGE_KEY_BASE - alert.event.sensor_id
    assert (alert.lat, alert.lon) == (33.75, 44.64)
    assert "coverage-loss 1" in up[0].summary()
    assert not at(run, OUT_S - 1.0).coverage_alerts and not run[-1].coverage_alerts


def test_tracks_fed_only_by_the_silent_radar_coast_then_drop(run: list[LiveSnapshot]) -> None:
    raised = run[-1].coverage_events[0]
    assert len(raised.orphan_track_ids) == 1, "the alert names the one track only the silent radar fed"
    assert "1 track(s) fed only by it are coasting" in raised.message
    orphan = f"T{raised.orphan_track_ids[0]}"
    before = at(run, OUT_S - 1.0)
    assert orphan in before.picture.id.tolist() and len(before.picture) == 2
    # Coasting: still in the picture when the alert rises, but no longer updated by any sensor.
    assert orphan in at(run, raised.t_s).picture.id.tolist()
    gone = [s.time_s for s in run if OUT_S < s.time_s < BACK_S and orphan not in s.picture.id.tolist()]
    assert gone, "the coasting track was never dropped during the outage"
    assert all(orphan not in s.picture.id.tolist() for s in run if gone[0] <= s.time_s < BACK_S)
    # The Kut helicopter, seen by the other radar, stays tracked throughout.
    during = [s for s in run if OUT_S < s.time_s < BACK_S]
    assert all(len(s.picture) >= 1 for s in during)
    # After the radar returns, the Diyala helicopter is tracked again (a new track).
    after = at(run, BACK_S + 120.0)
    assert len(after.picture) == 2 and orphan not in after.picture.id.tolist()


def test_the_web_page_lists_the_coverage_loss_alert(run: list[LiveSnapshot]) -> None:
    """The live stream carries it in the alert list, in the API's alert shape, first (it explains the rest)."""
    from commonsky.web.models import AlertOut, stream_message

    snap = next(s for s in run if s.coverage_alerts)
    msg = stream_message(snap)
    first = AlertOut(**msg["alerts"][0])
    assert first.kind == "coverage-loss" and first.subjects == ("Diyala PSR", "")
    assert "Diyala PSR silent since" in first.reason and first.lat == 33.75
    assert msg["alert_count"] == len(snap.alerts) + len(snap.identity_alerts) + 1
    ids = [a["alert_id"] for a in msg["alerts"]]
    assert len(set(ids)) == len(ids)


def test_a_jump_into_the_outage_raises_the_alert_afresh(pipeline: LivePipeline, run: list[LiveSnapshot]) -> None:
    """After a jump in time the monitor starts again: a sensor silent at the new time is called so within 3 scans,
    and the one that works is not."""
    start = OUT_S + 120.0
    pipeline.reset(start)
    snap = pipeline.run_until(start + 5 * SCAN_S)
    assert [(e.action, e.name) for e in snap.coverage_events] == [("raised", "Diyala PSR")]
    assert start + 3 * SCAN_S <= snap.coverage_events[0].t_s <= start + 4 * SCAN_S
    assert [a.event.name for a in snap.coverage_alerts] == ["Diyala PSR"]
