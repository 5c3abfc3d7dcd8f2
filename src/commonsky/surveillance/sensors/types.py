"""Column-array values shared by sensors and the tracker: true target states and plots (detections).

Both are frozen dataclasses of parallel numpy arrays (one row per target or plot) whose arrays are made
read-only on construction. Positions are ``(N, 3)`` ``east_m, north_m, alt_m`` in the local frame.
Identity columns are fixed-width unicode (``""`` means none).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import ArrayLike

from commonsky._typing import BoolArray, FloatArray, IntArray, StrArray
from commonsky.errors import InputError

if TYPE_CHECKING:
    from commonsky.geo.geodesy import LocalFrame


ICAO_DTYPE = "<U6"
CALLSIGN_DTYPE = "<U8"
NO_ORIGIN = -1  # `Plots.origin` of a false alarm


def _freeze(obj: object) -> None:
    """Make every array field of a dataclass read-only and check they have the same length."""
    n: int | None = None
    for f in fields(obj):  # type: ignore[arg-type]
        value = getattr(obj, f.name)
        if isinstance(value, np.ndarray) and value.ndim > 0:
            value.setflags(write=False)
            if n is None:
                n = len(value)
            elif len(value) != n:
                raise InputError(f"column {f.name} has {len(value)} rows, expected {n}")


@dataclass(frozen=True)
class TargetStates:
    """True kinematic states of targets at one time ``t_s`` (simulation input to the sensor models).

    Columns: ``target_id`` (int), ``pos_m`` (N, 3), ``vel_ms`` (N, 3) east/north/up velocity, ``icao24`` and
    ``callsign`` (identity broadcast when ADS-B is on), ``adsb_on`` (bool: the transponder squits ADS-B).
    """

    t_s: float
    target_id: IntArray
    pos_m: FloatArray
    vel_ms: FloatArray
    icao24: StrArray
    callsign: StrArray
    adsb_on: BoolArray

    def __post_init__(self) -> None:
        _freeze(self)

    @classmethod
    def build(
        cls,
        t_s: float,
        pos_m: ArrayLike,
        vel_ms: ArrayLike,
        target_id: ArrayLike | None = None,
        icao24: Sequence[str] | None = None,
        callsign: Sequence[str] | None = None,
        adsb_on: ArrayLike | None = None,
    ) -> TargetStates:
        """States with defaults: ids ``0..N-1``, no identity, ADS-B on where an icao24 is given."""
        pos = np.array(pos_m, dtype=float).reshape(-1, 3)
        n = len(pos)
        ids = np.arange(n, dtype=np.int64) if target_id is None else np.array(target_id, dtype=np.int64)
        icao = np.asarray(icao24 if icao24 is not None else [""] * n, dtype=ICAO_DTYPE)
        call = np.asarray(callsign if callsign is not None else [""] * n, dtype=CALLSIGN_DTYPE)
        on = icao != "" if adsb_on is None else np.array(adsb_on, dtype=bool)
        return cls(float(t_s), ids, pos, np.array(vel_ms, dtype=float).reshape(-1, 3), icao, call, on)

    def __len__(self) -> int:
        return len(self.target_id)


@dataclass(frozen=True)
class Plots:
    """Detections of one sensor: radar plots or ADS-B position reports, all at time ``t_s``.

    Columns: ``pos_m`` (N, 3) measured position in the local frame; ``cov_m2`` (N, 3, 3) its covariance;
    ``range_m``, ``az_deg``, ``el_deg`` the raw radar measurement (NaN for ADS-B); ``icao24``/``callsign``
    identity (``""`` for radar); ``origin`` the true target id behind each plot or `NO_ORIGIN` for a false
    alarm -- simulation bookkeeping for tests and metrics, never read by the tracker.
    ``sensor_id`` identifies the sensor that made the plots.
    """

    t_s: float
    sensor_id: int
    pos_m: FloatArray
    cov_m2: FloatArray
    range_m: FloatArray
    az_deg: FloatArray
    el_deg: FloatArray
    icao24: StrArray
    callsign: StrArray
    origin: IntArray

    def __post_init__(self) -> None:
        _freeze(self)

    def __len__(self) -> int:
        return len(self.pos_m)

    @classmethod
    def empty(cls, t_s: float, sensor_id: int) -> Plots:
        """No plots (a scan that saw nothing)."""
        z = np.zeros(0)
        return cls(
            t_s,
            sensor_id,
            np.zeros((0, 3)),
            np.zeros((0, 3, 3)),
            z,
            z.copy(),
            z.copy(),
            np.zeros(0, dtype=ICAO_DTYPE),
            np.zeros(0, dtype=CALLSIGN_DTYPE),
            np.zeros(0, dtype=np.int64),
        )

    @classmethod
    def from_positions(
        cls,
        t_s: float,
        sensor_id: int,
        pos_m: ArrayLike,
        cov_m2: ArrayLike,
        icao24: Sequence[str] | None = None,
        callsign: Sequence[str] | None = None,
        origin: ArrayLike | None = None,
    ) -> Plots:
        """Plots from Cartesian positions (ADS-B reports, or any sensor already in the local frame).

        ``cov_m2`` is ``(N, 3, 3)`` or one ``(3, 3)`` covariance shared by all plots.
        """
        pos = np.array(pos_m, dtype=float).reshape(-1, 3)
        n = len(pos)
        cov = np.broadcast_to(np.asarray(cov_m2, dtype=float), (n, 3, 3)).copy()
        nan = np.full(n, np.nan)
        return cls(
            float(t_s),
            int(sensor_id),
            pos,
            cov,
            nan,
            nan.copy(),
            nan.copy(),
            np.asarray(icao24 if icao24 is not None else [""] * n, dtype=ICAO_DTYPE),
            np.asarray(callsign if callsign is not None else [""] * n, dtype=CALLSIGN_DTYPE),
            np.full(n, NO_ORIGIN, dtype=np.int64) if origin is None else np.array(origin, dtype=np.int64),
        )

    @classmethod
    def from_geodetic(
        cls,
        frame: LocalFrame,
        t_s: float,
        sensor_id: int,
        lat_deg: ArrayLike,
        lon_deg: ArrayLike,
        alt_m: ArrayLike,
        cov_m2: ArrayLike,
        icao24: Sequence[str] | None = None,
        callsign: Sequence[str] | None = None,
    ) -> Plots:
        """Plots from WGS84 reports (decoded ADS-B state vectors) projected into ``frame``."""
        x, y = frame.to_local(np.asarray(lat_deg, dtype=float), np.asarray(lon_deg, dtype=float))
        pos = np.column_stack([np.ravel(x), np.ravel(y), np.ravel(np.asarray(alt_m, dtype=float))])
        return cls.from_positions(t_s, sensor_id, pos, cov_m2, icao24, callsign)

    def take(self, index: ArrayLike) -> Plots:
        """The plots at ``index`` (integer indices or a boolean mask), as a new value."""
        i = np.asarray(index)
        return Plots(
            self.t_s,
            self.sensor_id,
            self.pos_m[i],
            self.cov_m2[i],
            self.range_m[i],
            self.az_deg[i],
            self.el_deg[i],
            self.icao24[i],
            self.callsign[i],
            self.origin[i],
        )


class Sensor(Protocol):
    """What the tracker, coverage and the simulation need from any sensor model."""

    @property
    def sensor_id(self) -> int:
        """Small integer naming the sensor in plots and track sensor masks (0..63 for the masks)."""
        ...

    @property
    def cooperative(self) -> bool:
        """True when targets report themselves (ADS-B): only aircraft that transmit can be seen, so a silent
        scan says nothing about a track without identity."""
        ...

    def detection_probability(self, pos_m: FloatArray, t_s: float) -> FloatArray:
        """Probability (0..1) that a target at each ``(N, 3)`` position is reported at time ``t_s`` (for a
        cooperative sensor: provided it transmits)."""
        ...

    def times_s(self, start_s: float, end_s: float) -> FloatArray:
        """The times of its scans (or report batches) from ``start_s`` (inclusive) to ``end_s`` (exclusive)."""
        ...

    def observe(self, truth: TargetStates, rng: np.random.Generator) -> Plots:
        """One scan (or one report batch) of ``truth``, with noise, misses and false alarms drawn from ``rng``."""
        ...
