"""Plot sources other than the simulated sensors plug into the live pipeline: a hand-written receiver source feeds
the tracker, tracks name their sources, and a source that falls silent raises the coverage-loss alert."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
import shapely

from commonsky.errors import InputError
from commonsky.geo.geodesy import LocalFrame
from commonsky.sim.assembly import live_parts
from commonsky.sim.clock import parse_time_s
from commonsky.sim.pipeline import LivePipeline, LivePlan
from commonsky.sim.run_config import RunConfig
from commonsky.sim.sources import PlotSource
from commonsky.surveillance.correlation import IdentityRegistry
from commonsky.surveillance.health import WatchedSensor
from commonsky.surveillance.sensor_config import SensorSpec
from commonsky.surveillance.sensors.adsb import AdsbReceiver
from commonsky.surveillance.sensors.platform import FixedSite
from commonsky.surveillance.sensors.types import Plots

T0 = 1_417_501_800.0
FRAME = LocalFrame(33.5, 44.5)
SPEED_MS = 200.0


class ScriptedReceiver:
    """A receiver that hears one aircraft flying east at 10 km altitude, once a second, except while ``dead``
    (its link is down: no batch at all) -- what a real feed source does, without the network."""

    def __init__(self, sensor_id: int, name: str, dead: tuple[float, float] = (math.inf, math.inf)) -> None:
        self.sensor = AdsbReceiver(sensor_id, FixedSite(0.0, 0.0, 50.0), max_range_m=400_000.0)
        self.spec = SensorSpec(sensor_id, name, "adsb", FRAME.lat0, FRAME.lon0, 50.0, 400_000.0, 1.0, 0.0)
        disc = shapely.Point(FRAME.lon0, FRAME.lat0).buffer(3.0)
        self.watched = WatchedSensor(self.sensor, name, 1.0, disc)
        self.lat, self.lon = FRAME.lat0, FRAME.lon0
        self.dead = dead
        self._next_s = -math.inf

    def restart(self, t_s: float) -> None:
        self._next_s = t_s

    def poll(self, t_s: float) -> list[Plots]:
        out = []
        t = math.ceil(self._next_s)
        while t <= t_s:
            if not self.dead[0] <= t < self.dead[1]:
                pos = [[SPEED_MS * (t - T0) - 20_000.0, 5_000.0, 10_000.0]]
                out.append(Plots.from_positions(t, self.sensor.sensor_id, pos, np.eye(3) * 25.0, ["4ca123"], ["EIN1"]))
            t += 1
        self._next_s = t
        return out


def _pipeline(*sources: PlotSource) -> LivePipeline:
    plan = LivePlan((), (), IdentityRegistry.build())
    return LivePipeline(FRAME, sources, plan, live_parts(RunConfig()), T0, T0 + 3600.0)


def test_a_receiver_source_feeds_the_picture_and_tracks_name_their_sources() -> None:
    pipeline = _pipeline(ScriptedReceiver(0, "Baghdad 1090"), ScriptedReceiver(5, "Balad 1090"))
    snaps = [pipeline.step(T0 + k) for k in range(1, 30)]
    last = snaps[-1]
    assert len(last.picture) == 1
    expected_east_m = SPEED_MS * 29 - 20_000.0
    lat, lon = FRAME.to_geodetic(expected_east_m, 5_000.0)
    assert (float(last.picture.lat_deg[0]), float(last.picture.lon_deg[0])) == pytest.approx(
        (float(lat), float(lon)), abs=2e-3
    )
    assert float(last.picture.gs_ms[0]) == pytest.approx(SPEED_MS, rel=0.05)
    assert str(last.sources[0]) == "Baghdad 1090, Balad 1090"
    assert str(last.icao24[0]) == "4ca123" and str(last.callsign[0]) == "EIN1"
    assert not last.coverage_alerts


def test_a_receiver_that_falls_silent_raises_coverage_loss_and_clears_when_back() -> None:
    quiet = ScriptedReceiver(3, "Kirkuk 1090", dead=(T0 + 20.0, T0 + 40.0))
    pipeline = _pipeline(quiet)
    snaps = [pipeline.step(T0 + k) for k in range(1, 60)]
    raised = [s for s in snaps if s.coverage_alerts]
    assert raised, "no coverage-loss alert for a silent receiver"
    first = raised[0].coverage_alerts[0]
    assert first.event.name == "Kirkuk 1090" and "no reports" in first.event.reason
    # called silent after `silent_after_periods` (3) missed one-second reports, not before
    assert T0 + 22.0 <= raised[0].time_s <= T0 + 24.0
    assert not snaps[-1].coverage_alerts
    assert any(e.action == "ended" for e in snaps[-1].coverage_events)


def test_a_late_batch_is_counted_not_fused_and_does_not_stop_the_loop() -> None:
    class Late(ScriptedReceiver):
        def poll(self, t_s: float) -> list[Plots]:
            out = super().poll(t_s)
            if t_s == T0 + 10.0:  # a batch stamped before what the tracker already holds
                out.append(Plots.empty(T0 + 2.0, self.sensor.sensor_id))
            return out

    pipeline = _pipeline(Late(1, "late"))
    snaps = [pipeline.step(T0 + k) for k in range(1, 15)]
    assert snaps[-1].late_batches == 1 and len(snaps[-1].picture) == 1


@pytest.mark.parametrize("ids", [(2, 2), (64,)])
def test_sources_need_distinct_ids_below_64(ids: tuple[int, ...]) -> None:
    with pytest.raises(InputError, match="distinct ids"):
        _pipeline(*(ScriptedReceiver(i, f"r{i}") for i in ids))


def test_times_parse_without_fastapi() -> None:
    assert parse_time_s("2014-12-02T06:30:00Z") == T0
    assert parse_time_s("2014-12-02T09:30:00+03:00") == T0
    assert parse_time_s(str(T0)) == T0
    for bad in ("yesterday", "nan", "inf", ""):
        with pytest.raises(InputError, match="--start"):
            parse_time_s(bad, "--start")
    code = (
        "import sys; from commonsky.cli.run import _time_s; "
        "assert _time_s('2014-12-02T06:30:00Z', '--start') == 1417501800.0; "
        "assert 'fastapi' not in sys.modules, 'the CLI imported FastAPI to read a time'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
