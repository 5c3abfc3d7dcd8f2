"""When the live loop falls behind and skips ahead (`LivePipeline.catch_up`, as `LiveRunner` does beyond
``max_lag_s``), tracks coast over the gap: a gap shorter than the coasting time deletes none of them (the last scan
of every source is fused), and after a longer one, the tracks left without a plot for longer than the coasting time
are deleted and their conflict alerts end at once (a deleted track's id never returns), so the map never lists a
conflict between aircraft it no longer shows (the cause of the flaky "zoom to an alert" in
tests/web/test_browser.py: on a loaded machine the run at 20x fell behind, skipped, and lost its tracks while their
alert stayed up for its 45 s end hysteresis)."""

from __future__ import annotations

from pathlib import Path

from commonsky.events import EventKind
from commonsky.safety.alerts import AlertKind
from commonsky.sim.assembly import pipeline_from_scenario
from commonsky.sim.run_config import RunConfig
from commonsky.sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
T0633 = 1_417_501_980.0  # 2014-12-02T06:33:00Z
GAP_S = 60.0  # longer than the tracks' coasting (RunConfig.tracker_coast_s, 40 s) plus a radar scan: all deleted


def test_a_skip_shorter_than_coasting_keeps_every_track() -> None:
    pipeline = pipeline_from_scenario(load_scenario(ROOT / "scenarios" / "diyala-2014.yaml"), RunConfig())
    pipeline.reset(T0633)
    before = set(pipeline.run_until(T0633 + 200.0).picture.id.tolist())
    gap_s = pipeline.config.tracker_coast_s - 5.0  # the runner skips beyond max_lag_s (30 s): 30-35 s behind
    after = set(pipeline.catch_up(pipeline.time_s + gap_s).picture.id.tolist())
    assert len(before) >= 10 and before <= after


def test_a_conflict_alert_ends_with_its_track_after_a_skip() -> None:
    pipeline = pipeline_from_scenario(load_scenario(ROOT / "scenarios" / "diyala-2014.yaml"), RunConfig())
    assert pipeline.config.tracker_coast_s < GAP_S
    pipeline.reset(T0633)
    snap = pipeline.step(T0633)
    while not any(a.kind is AlertKind.CONFLICT for a in snap.alerts) and snap.time_s < T0633 + 900.0:
        snap = pipeline.step(snap.time_s + 1.0)
    before = [a for a in snap.alerts if a.kind is AlertKind.CONFLICT]
    assert before, "the scenario's first conflict"
    now = snap.time_s + GAP_S
    after = pipeline.catch_up(now)  # what the runner does when it is too far behind
    shown = set(after.picture.id.tolist())
    lost = [a for a in before if not set(a.subjects) <= shown]
    assert lost, "the gap deletes a track of the conflict (else this test shows nothing)"
    ended = {e.alert.alert_id for e in after.events if e.kind is EventKind.ENDED and e.time_s == now}
    assert {a.alert_id for a in lost} <= ended
    for _ in range(10):  # and from then on, every alert's aircraft are on the picture
        for alert in after.alerts:
            aircraft = alert.subjects if alert.kind is AlertKind.CONFLICT else alert.subjects[:1]
            assert set(aircraft) <= set(after.picture.id.tolist()), alert
        after = pipeline.step(after.time_s + 1.0)
