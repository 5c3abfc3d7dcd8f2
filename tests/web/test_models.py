"""The live API's values (`web.models`), from real snapshots of the Diyala pipeline stepped here: trails grouped
per current track oldest first (against a plain loop over the frames), the picture as columns of the same length
matching the picture, alerts in their documented order and shape, and the stream message bounded as documented."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest

from commonsky.sim.pipeline import LiveSnapshot
from commonsky.sim.runner import LiveRunner
from commonsky.web.models import (
    MAX_ALERTS_STREAMED,
    AlertOut,
    all_alerts,
    stream_message,
    tracks_columns,
    trails_by_track,
    view_out,
)

T0633 = 1_417_501_980.0  # 2014-12-02T06:33:00Z


@pytest.fixture(scope="module")
def snapshots(diyala: Any) -> list[LiveSnapshot]:
    from commonsky.sim.run_config import RunConfig
    from commonsky.sim.runner import make_runner

    runner: LiveRunner = make_runner(diyala, RunConfig(), speed=20.0, start_s=T0633)
    pipeline = runner.pipeline
    tick = pipeline.config.tick_s
    out = []
    for k in range(1, 90):
        out.append(pipeline.step(pipeline.time_s + tick))
        if k % 30 == 0:
            assert out[-1].picture.id.size > 0
    return out


def test_trails_are_grouped_per_current_track_oldest_first(snapshots: list[LiveSnapshot]) -> None:
    for snap in snapshots[::15]:
        expected: dict[str, list[tuple[float, float]]] = {}
        for frame in snap.trails:
            for track, lon, lat in zip(
                frame.track.tolist(), frame.lon_deg.tolist(), frame.lat_deg.tolist(), strict=True
            ):
                expected.setdefault(str(track), []).append((round(lon, 5), round(lat, 5)))
        current = {str(t) for t in snap.picture.id.tolist()}
        expected = {k: v for k, v in expected.items() if k in current}
        got = trails_by_track(snap)
        assert got.keys() == expected.keys()
        for key, points in got.items():
            assert np.allclose(points, expected[key], atol=1e-9)
    assert any(trails_by_track(s) for s in snapshots)


def test_the_picture_as_columns(snapshots: list[LiveSnapshot]) -> None:
    snap = snapshots[-1]
    columns = tracks_columns(snap)
    n = snap.picture.id.size
    assert n > 0 and all(len(values) == n for values in columns.values())
    assert columns["id"] == snap.picture.id.tolist()
    assert np.allclose(columns["lat"], snap.picture.lat_deg, atol=5e-6)
    assert np.allclose(columns["alt_m"], snap.picture.alt_m, atol=0.5)


def test_alerts_in_order_and_shape(snapshots: list[LiveSnapshot]) -> None:
    snap = max(snapshots, key=lambda s: len(s.alerts) + len(s.identity_alerts) + len(s.coverage_alerts))
    alerts = all_alerts(snap)
    assert len(alerts) == len(snap.alerts) + len(snap.identity_alerts) + len(snap.coverage_alerts) > 0
    for alert in alerts:
        AlertOut.model_validate(alert)
    kinds = ["coverage" if a["kind"] == "coverage-loss" else a["kind"] for a in alerts]
    coverage = kinds.count("coverage")
    assert kinds[:coverage] == ["coverage"] * coverage
    safety = alerts[coverage : coverage + len(snap.alerts)]
    assert [a["predicted_s"] for a in safety] == sorted(a["predicted_s"] for a in safety)
    identity = alerts[coverage + len(snap.alerts) :]
    assert [a["raised_s"] for a in identity] == sorted(a["raised_s"] for a in identity)


def test_the_stream_message_is_bounded_json(snapshots: list[LiveSnapshot]) -> None:
    for snap in snapshots[::20]:
        message = json.loads(json.dumps(stream_message(snap)))
        assert message["alert_count"] == len(all_alerts(snap)) and len(message["alerts"]) <= MAX_ALERTS_STREAMED
        assert len(message["events"]) <= 10 and message["time_s"] == snap.time_s
        assert len(message["tracks"]["id"]) == snap.picture.id.size


def test_a_view_is_rounded_to_ten_metres() -> None:
    view = view_out((44.123456, 33.987654, 46.00004, math.pi * 11))
    assert (view.west, view.south, view.east, view.north) == (44.1235, 33.9877, 46.0, 34.5575)
