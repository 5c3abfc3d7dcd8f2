"""The tracker: a stateful pipeline that turns scans of plots into a new `LiveTracks` snapshot per scan.

Each call to `Tracker.step` takes the plots of one sensor at one time (a radar scan or an ADS-B batch) and fuses
them sequentially into the tracks: predict all tracks to the scan time; gate, assign (GNN) and update the
confirmed tracks; give the confirmed tracks left without a plot the manoeuvre gate; then the tentative tracks on
the plots left over; start tentative tracks on what is still left; record hits and looks, confirm, adapt the
process noise, delete. Scans must come in time order (equal times are fine: sensors fuse one after another).

Not thread-safe: one `Tracker` belongs to one feed loop. The snapshots it returns are immutable and may be shared.

>>> import numpy as np
>>> from commonsky.surveillance.sensors.types import Plots
>>> tracker = Tracker.default()
>>> for t in range(4):
...     snap = tracker.step(Plots.from_positions(t, 0, [[100.0 * t, 0.0, 3000.0]], np.eye(3) * 100.0))
>>> int(snap.confirmed.sum()), round(float(snap.vel_ms[0, 0]))
(1, 100)
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from commonsky._typing import FloatArray
from commonsky.errors import InputError
from commonsky.surveillance.sensors.types import Plots, Sensor
from commonsky.surveillance.tracking.assignment import ClusteredGNN
from commonsky.surveillance.tracking.gating import MahalanobisGater
from commonsky.surveillance.tracking.lifecycle import CoastingDeleter, MOfNConfirmer, SinglePointInitiator
from commonsky.surveillance.tracking.models import (
    AdaptiveProcessNoise,
    ConstantVelocityPredictor,
    KalmanPositionUpdater,
)
from commonsky.surveillance.tracking.roles import (
    Associator,
    Confirmer,
    Deleter,
    Gater,
    Initiator,
    ManoeuvreHandler,
    Predictor,
    Updater,
)
from commonsky.surveillance.tracking.tracks import LiveTracks, sensor_bit


@dataclass(frozen=True)
class Components:
    """The roles a `Tracker` is built from."""

    predictor: Predictor
    updater: Updater
    gater: Gater
    associator: Associator
    initiator: Initiator
    confirmer: Confirmer
    deleter: Deleter
    manoeuvre: ManoeuvreHandler

    @classmethod
    def default(
        cls, q_m2s3: float = 1.0, gate_prob: float = 0.999, m: int = 3, n: int = 4, coast_s: float = 12.0
    ) -> Components:
        """CV Kalman filter (``q_m2s3`` horizontal noise density, a tenth of it vertically), chi-square gate at
        ``gate_prob``, clustered GNN, single-point initiation, ``m``-of-``n`` confirmation, deletion after
        ``coast_s`` seconds without a plot, adaptive process noise with a manoeuvre gate."""
        gater = MahalanobisGater(gate_prob)
        return cls(
            predictor=ConstantVelocityPredictor(q_m2s3=q_m2s3, q_up_m2s3=q_m2s3 / 10),
            updater=KalmanPositionUpdater(),
            gater=gater,
            associator=ClusteredGNN(miss_cost=gater.threshold),
            initiator=SinglePointInitiator(),
            confirmer=MOfNConfirmer(m, n),
            deleter=CoastingDeleter(coast_s=coast_s, tentative_coast_s=coast_s, n=n),
            manoeuvre=AdaptiveProcessNoise(),
        )


class Tracker:
    """Stateful multi-sensor tracking pipeline (not thread-safe)."""

    def __init__(self, components: Components, start_s: float = 0.0) -> None:
        self.components = components
        self._tracks = LiveTracks.empty(start_s)
        self._next_id = 0

    @classmethod
    def default(
        cls, q_m2s3: float = 1.0, gate_prob: float = 0.999, m: int = 3, n: int = 4, coast_s: float = 12.0
    ) -> Tracker:
        """A tracker built from `Components.default` (same arguments)."""
        return cls(Components.default(q_m2s3, gate_prob, m, n, coast_s))

    @property
    def tracks(self) -> LiveTracks:
        """The latest snapshot (confirmed and tentative)."""
        return self._tracks

    def step(self, plots: Plots, sensor: Sensor | None = None) -> LiveTracks:
        """Fuse one scan. ``sensor`` (optional) tells which tracks the scan could have seen: only those count a
        look (and a miss) in the M-of-N history; without it every track counts. A cooperative sensor (ADS-B) only
        looks at tracks that carry an identity."""
        old = self._tracks
        if plots.t_s < old.t_s:
            raise InputError(f"scan at t={plots.t_s} s is older than the tracks (t={old.t_s} s)")
        c, dt_s = self.components, plots.t_s - old.t_s
        x, p = c.predictor.predict(old.x, old.p, old.q_scale, dt_s)
        tracks = replace(old, t_s=plots.t_s, x=x, p=p)
        free = np.ones(len(plots), dtype=bool)
        hit = np.zeros(len(tracks), dtype=bool)
        nis = np.full(len(tracks), np.nan)
        confirmed, tentative = np.flatnonzero(tracks.confirmed), np.flatnonzero(~tracks.confirmed)
        tracks = self._assign(tracks, confirmed, (x[confirmed], p[confirmed]), plots, free, hit, nis)
        tracks = self._manoeuvre_gate(old, tracks, dt_s, plots, free, hit, nis)
        tracks = self._assign(tracks, tentative, (x[tentative], p[tentative]), plots, free, hit, nis)
        looked = np.ones(len(tracks), dtype=bool) if sensor is None else self._covered(tracks, sensor, plots.t_s)
        looked |= hit
        tracks = replace(
            tracks,
            hits=np.where(looked, (tracks.hits << np.uint32(1)) | hit.astype(np.uint32), tracks.hits),
            n_looks=tracks.n_looks + looked,
            q_scale=c.manoeuvre.adapt(tracks.q_scale, hit, nis),
        )
        tracks = replace(tracks, confirmed=c.confirmer.confirm(tracks))
        born = c.initiator.initiate(plots.take(free), self._next_id)
        self._next_id += len(born)
        tracks = tracks.concat(born)
        self._tracks = tracks.take(c.deleter.keep(tracks))
        return self._tracks

    def _manoeuvre_gate(
        self,
        old: LiveTracks,
        tracks: LiveTracks,
        dt_s: float,
        plots: Plots,
        free: NDArray[np.bool_],
        hit: NDArray[np.bool_],
        nis: FloatArray,
    ) -> LiveTracks:
        """Second chance for confirmed tracks left without a plot: gate the free plots against a prediction from
        ``old`` with ``retry_scale`` noise; a plot taken this way updates a prediction with ``max_scale`` noise
        (the manoeuvre model), so one outlier cannot throw the velocity, and the track carries on at that noise."""
        m, predictor = self.components.manoeuvre, self.components.predictor
        if m.retry_scale <= 0:
            return tracks
        retry = np.flatnonzero(tracks.confirmed & ~hit)
        x0, p0 = old.x[retry], old.p[retry]
        wide = predictor.predict(x0, p0, np.full(len(retry), m.retry_scale), dt_s)
        manoeuvre = predictor.predict(x0, p0, np.full(len(retry), m.max_scale), dt_s)
        tracks = self._assign(tracks, retry, wide, plots, free, hit, nis, update_with=manoeuvre)
        q = tracks.q_scale.copy()
        q[retry[hit[retry]]] = m.max_scale
        return replace(tracks, q_scale=q)

    def _assign(
        self,
        tracks: LiveTracks,
        group: NDArray[np.int64],
        predicted: tuple[FloatArray, FloatArray],
        plots: Plots,
        free: NDArray[np.bool_],
        hit: NDArray[np.bool_],
        nis: FloatArray,
        update_with: tuple[FloatArray, FloatArray] | None = None,
    ) -> LiveTracks:
        """Gate the tracks ``group`` (``predicted`` states and covariances, one row per group member) against the
        free plots, associate, and update (from ``update_with`` if given, else from ``predicted``). Marks
        ``hit``, ``nis`` and ``free`` in place."""
        xg, pg = predicted
        avail = np.flatnonzero(free)
        cand = self.components.gater.gate(tracks.take(group), xg, pg, plots.take(avail))
        pick = self.components.associator.associate(cand, len(group), len(avail))
        li, pi = cand.track_idx[pick], avail[cand.plot_idx[pick]]
        xu, pu = update_with if update_with is not None else predicted
        x_u, p_u, nis_k = self.components.updater.update(xu[li], pu[li], plots.pos_m[pi], plots.cov_m2[pi])
        ti = group[li]
        hit[ti], nis[ti], free[pi] = True, nis_k, False
        return self._apply(tracks, ti, pi, x_u, p_u, plots)

    @staticmethod
    def _covered(tracks: LiveTracks, sensor: Sensor, t_s: float) -> NDArray[np.bool_]:
        """Tracks the scan could have seen: in coverage, and for a cooperative sensor, known to transmit."""
        seen = sensor.detection_probability(tracks.pos_m, t_s) > 0
        return np.asarray(seen & (tracks.icao24 != "") if sensor.cooperative else seen)

    @staticmethod
    def _apply(
        tracks: LiveTracks, ti: NDArray[np.int64], pi: NDArray[np.int64], x: FloatArray, p: FloatArray, plots: Plots
    ) -> LiveTracks:
        """Tracks with rows ``ti`` updated from plots ``pi``: state, time, sensor, and identity if the plot has one."""
        new_x, new_p = tracks.x.copy(), tracks.p.copy()
        new_x[ti], new_p[ti] = x, p
        last = tracks.last_update_s.copy()
        last[ti] = plots.t_s
        mask = tracks.sensor_mask.copy()
        mask[ti] |= sensor_bit(plots.sensor_id)
        sensor = tracks.last_sensor_id.copy()
        sensor[ti] = plots.sensor_id
        icao, call = tracks.icao24.copy(), tracks.callsign.copy()
        has_id = plots.icao24[pi] != ""
        icao[ti[has_id]] = plots.icao24[pi[has_id]]
        call[ti[has_id]] = plots.callsign[pi[has_id]]
        return replace(
            tracks,
            x=new_x,
            p=new_p,
            last_update_s=last,
            sensor_mask=mask,
            last_sensor_id=sensor,
            icao24=icao,
            callsign=call,
        )
