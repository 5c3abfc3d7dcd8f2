"""A real receiver as a plot source of the live picture: a live feed (`LiveFeed`, `ProcessFeed`) polled once per
tick into `Plots`.

`ReceiverSource` follows the live pipeline's plot-source contract (``commonsky.sim.sources.PlotSource``): each
``poll(t_s)`` returns one batch while the link is up -- the latest report of every aircraft heard since the
previous poll, dead-reckoned from its report time to now and stamped ``t_s`` (empty when nothing was heard) --
and no batch while the link is down, so a receiver that falls silent raises the same coverage-loss alert as a
radar that stops scanning. Without a scenario ``t_s`` is wall time; with one, real reports join the simulated
ones at the scenario's current time (at a clock rate other than x1 real aircraft keep their real pace).

Reports arrive asynchronously -- each aircraft squits at its own pace, a batch holds whoever was heard since the
previous poll -- so an aircraft missing from one batch is not a missed detection: the tracker is handed an
`AsyncReports` view of the receiver, under which a batch looks only at the tracks it updates (they confirm on
reports, and coast and end by time). The health monitor watches the receiver's real coverage model.

An aircraft reporting on the ground without a barometric altitude (surface positions carry none, and an aircraft
taxiing is rarely interrogated) is plotted at the ground: the receiver's altitude (its ``alt_m``, 0 when not given),
flagged on the ground (`ReceiverSource.grounded`) so the conflict alert leaves it alone. Other reports without an
altitude (SBS lines without one) are not plotted. Not thread-safe: the pipeline's thread polls it; the feed's own
thread (or process) only fills its buffer.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from shapely.geometry import Polygon

from commonsky._typing import FloatArray
from commonsky.geo.geodesy import LocalFrame
from commonsky.surveillance.feeds.batch import StateBatch
from commonsky.surveillance.feeds.live import FeedStatus
from commonsky.surveillance.feeds.process import FeedReader
from commonsky.surveillance.health import WatchedSensor, covered_area
from commonsky.surveillance.sensor_config import SensorKind, SensorSpec
from commonsky.surveillance.sensors.adsb import AdsbReceiver, nacp_sigma_m
from commonsky.surveillance.sensors.platform import FixedSite
from commonsky.surveillance.sensors.types import Plots, Sensor, TargetStates
from commonsky.units import FPM_MS, FT_M, KT_MS

MAX_DEAD_RECKONING_S = 10.0
"""A report older than this when polled is plotted where it was, not extrapolated further."""


@dataclass(frozen=True)
class ReceiverSettings:
    """How real receivers join the picture: ``range_m`` their assumed reach (coverage, alerts), ``period_s`` the
    report period the health monitor expects (one batch per tick), ``nacp`` the position accuracy assumed for
    reports (DO-260B NACp; 8 is a 93 m 95 % bound), ``sigma_alt_m`` the altitude noise (25 ft coding),
    ``forget_after_s`` how long the Mode A code and air/ground flag of an address no longer heard are kept (the
    feed's state builder forgets an aircraft after as long: memory stays bounded however many come and go)."""

    range_m: float = 400_000.0
    period_s: float = 1.0
    nacp: int = 8
    sigma_alt_m: float = 15.0
    coverage_alt_m: float = 10_000.0
    coverage_res_m: float = 10_000.0
    forget_after_s: float = 600.0


@dataclass(frozen=True)
class UnplacedReceiver:
    """The sensor model of a receiver whose position is not given: it may hear any transmitting aircraft."""

    sensor_id: int
    update_period_s: float = 1.0
    p_receive: float = 0.98

    @property
    def cooperative(self) -> bool:
        return True

    def detection_probability(self, pos_m: FloatArray, t_s: float) -> FloatArray:
        return np.full(np.asarray(pos_m).shape[:-1], self.p_receive)

    def times_s(self, start_s: float, end_s: float) -> FloatArray:
        return np.arange(start_s, end_s, self.update_period_s, dtype=float)

    def observe(self, truth: TargetStates, rng: np.random.Generator) -> Plots:
        """A real receiver does not observe simulated truth: always empty."""
        return Plots.empty(truth.t_s, self.sensor_id)


@dataclass(frozen=True)
class AsyncReports:
    """The tracker's view of an asynchronous reporter (see the module docstring): it never counts a miss."""

    model: Sensor

    @property
    def sensor_id(self) -> int:
        return self.model.sensor_id

    @property
    def cooperative(self) -> bool:
        return True

    def detection_probability(self, pos_m: FloatArray, t_s: float) -> FloatArray:
        return np.zeros(np.asarray(pos_m).shape[:-1])

    def times_s(self, start_s: float, end_s: float) -> FloatArray:
        return self.model.times_s(start_s, end_s)

    def observe(self, truth: TargetStates, rng: np.random.Generator) -> Plots:
        return self.model.observe(truth, rng)


def states_to_plots(
    states: StateBatch,
    frame: LocalFrame,
    t_s: float,
    now_s: float,
    sensor_id: int,
    sigma_m: FloatArray,
    ground_alt_m: float = 0.0,
) -> Plots:
    """One batch at ``t_s``: each aircraft's latest placed state (`StateBatch.latest_placed`), moved by its
    velocity from its time to ``now_s`` (at most `MAX_DEAD_RECKONING_S`), in ``frame``; ``sigma_m`` the per-axis
    noise (east, north, up). An aircraft on the ground without an altitude is at ``ground_alt_m`` (metres), level."""
    latest = states.latest_placed()
    if not len(latest):
        return Plots.empty(t_s, sensor_id)

    def col(name: str, scale: float = 1.0) -> FloatArray:
        return np.nan_to_num(latest.column(name), nan=0.0) * scale

    age = np.clip(now_s - col("timestamp_s"), 0.0, MAX_DEAD_RECKONING_S)
    altitude_ft = latest.column("altitude_ft")
    gs = col("groundspeed_kt", KT_MS)
    trk = np.radians(col("track_deg"))
    east, north = frame.to_local(col("latitude_deg"), col("longitude_deg"))
    pos = np.column_stack(
        [
            np.asarray(east) + gs * np.sin(trk) * age,
            np.asarray(north) + gs * np.cos(trk) * age,
            np.where(np.isnan(altitude_ft), ground_alt_m, altitude_ft * FT_M)
            + np.where(np.isnan(altitude_ft), 0.0, col("vertical_rate_fpm", FPM_MS)) * age,
        ]
    )
    return Plots.from_positions(
        t_s,
        sensor_id,
        pos,
        np.diag(np.asarray(sigma_m) ** 2),
        icao24=latest.text("icao24").tolist(),
        callsign=latest.text("callsign").tolist(),
    )


class ReceiverSource:
    """One real receiver feeding the live tracker (see the module docstring)."""

    def __init__(
        self,
        feed: FeedReader,
        sensor_id: int,
        frame: LocalFrame,
        settings: ReceiverSettings = ReceiverSettings(),
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.feed = feed
        self.frame = frame
        self.settings = settings
        self._wall = wall_clock
        self._last_s = -math.inf
        self._squawk: dict[str, str] = {}
        self._ground: dict[str, bool] = {}
        self._heard: dict[str, float] = {}  # address -> the latest poll (wall time) that heard it
        self._next_forget_s = -math.inf
        position = feed.url.position
        model: Sensor
        if position is None:
            self.lat = self.lon = math.nan
            model = UnplacedReceiver(sensor_id, settings.period_s)
            area = Polygon()
        else:
            self.lat, self.lon = position.lat_deg, position.lon_deg
            east, north = frame.to_local(position.lat_deg, position.lon_deg)
            site = FixedSite(float(east), float(north), position.alt_m)
            model = AdsbReceiver(
                sensor_id,
                site,
                nacp=settings.nacp,
                sigma_alt_m=settings.sigma_alt_m,
                update_period_s=settings.period_s,
                max_range_m=settings.range_m,
            )
            area = covered_area(model, frame, settings.coverage_alt_m, settings.range_m, settings.coverage_res_m)
        self.model = model
        self.sensor = AsyncReports(model)
        self.spec = SensorSpec(
            index=sensor_id,
            name=feed.url.label,
            kind=SensorKind.ADSB,
            lat=self.lat,
            lon=self.lon,
            alt_m=position.alt_m if position is not None else math.nan,
            range_m=settings.range_m,
            scan_s=settings.period_s,
            min_elevation_deg=0.0,
        )
        self.watched = WatchedSensor(model, feed.url.label, settings.period_s, area)
        sigma = nacp_sigma_m(settings.nacp)
        self._sigma_m = np.array([sigma, sigma, settings.sigma_alt_m])
        self._ground_alt_m = position.alt_m if position is not None else 0.0

    @property
    def name(self) -> str:
        return self.feed.url.label

    def status(self) -> FeedStatus:
        return self.feed.status()

    def squawks(self, icao24: Sequence[str]) -> list[str]:
        """The latest Mode A code this receiver heard from each of ``icao24`` ("" when none): one dictionary pass,
        since the picture asks for thousands per tick."""
        return [code or "" for code in map(self._squawk.get, icao24)]

    def grounded(self, icao24: Sequence[str]) -> list[bool]:
        """Whether each of ``icao24`` last reported on the ground to this receiver (False when it never said)."""
        return [flag is True for flag in map(self._ground.get, icao24)]

    def remembered(self) -> int:
        """How many addresses this receiver holds a code, a flag or a time heard for (bounded: see `forget`)."""
        return len(self._heard.keys() | self._squawk.keys() | self._ground.keys())

    def forget(self, now_s: float) -> None:
        """Drop the code and flag of the addresses not heard for ``forget_after_s`` (their tracks ended long ago)."""
        horizon = now_s - self.settings.forget_after_s
        stale = [icao for icao, heard_s in self._heard.items() if heard_s < horizon]
        for icao in stale:
            del self._heard[icao]
            self._squawk.pop(icao, None)
            self._ground.pop(icao, None)

    def restart(self, t_s: float) -> None:
        """A jump in time: what was buffered belongs to the old picture."""
        self.feed.drain()
        self._last_s = float(t_s)

    def poll(self, t_s: float) -> list[Plots]:
        drained = self.feed.drain()
        now_s = self._wall()
        if now_s >= self._next_forget_s:  # now and then (link up or down): a pass over every address heard
            self.forget(now_s)
            self._next_forget_s = now_s + self.settings.forget_after_s / 10.0
        if t_s <= self._last_s or (not drained.link_up and not len(drained.states)):
            return []
        self._last_s = t_s
        squawks, ground = drained.states.last_known("squawk"), drained.states.last_ground()
        self._squawk.update(squawks)
        self._ground.update(ground)
        plots = states_to_plots(
            drained.states, self.frame, t_s, now_s, self.sensor.sensor_id, self._sigma_m, self._ground_alt_m
        )
        for heard in (squawks, ground, plots.icao24.tolist()):  # what was heard of an address: it is not forgotten
            self._heard.update(dict.fromkeys(heard, now_s))
        return [plots]
