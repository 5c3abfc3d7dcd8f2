"""The track table: every live track as one row of parallel arrays, all at one time ``t_s``.

State vectors are ``[east_m, north_m, alt_m, v_east_ms, v_north_ms, v_up_ms]`` in the local frame, covariances
``(N, 6, 6)`` in the same units. A `Tracks` value is immutable (its arrays are read-only); the tracker returns a
new one after every scan, so a snapshot handed to the picture or the safety nets never changes under them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from commonsky.surveillance.sensors.types import CALLSIGN_DTYPE, ICAO_DTYPE

if TYPE_CHECKING:
    from commonsky.geo.geodesy import LocalFrame

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


@dataclass(frozen=True)
class Tracks:
    """Live tracks at time ``t_s``.

    Columns: ``track_id`` (unique, never reused); ``x`` (N, 6) state; ``p`` (N, 6, 6) covariance;
    ``confirmed`` (bool); ``hits`` (uint32 bit history of the last scans that covered the track, newest in bit
    0, 1 = updated); ``n_looks`` scans that covered the track since birth; ``last_update_s`` time of the last
    plot; ``q_scale`` process-noise multiplier of the manoeuvre handling; ``icao24``/``callsign`` ADS-B identity
    (``""`` until an ADS-B report is assigned); ``sensor_mask`` (uint64, bit ``sensor_id`` set for each sensor
    that has updated the track, ids 0..63); ``last_sensor_id`` (-1 before any update).
    """

    t_s: float
    track_id: I64
    x: F64
    p: F64
    confirmed: NDArray[np.bool_]
    hits: NDArray[np.uint32]
    n_looks: I64
    last_update_s: F64
    q_scale: F64
    icao24: NDArray[np.str_]
    callsign: NDArray[np.str_]
    sensor_mask: NDArray[np.uint64]
    last_sensor_id: I64

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                value.setflags(write=False)

    def __len__(self) -> int:
        return len(self.track_id)

    @property
    def pos_m(self) -> F64:
        """``(N, 3)`` east, north, altitude."""
        return self.x[:, :3]

    @property
    def vel_ms(self) -> F64:
        """``(N, 3)`` east, north, up velocity."""
        return self.x[:, 3:]

    def geodetic(self, frame: LocalFrame) -> tuple[F64, F64]:
        """Latitude and longitude (degrees) of the tracks in the local ``frame`` they were built in."""
        lat, lon = frame.to_geodetic(self.x[:, 0], self.x[:, 1])
        return np.asarray(lat, dtype=float).reshape(-1), np.asarray(lon, dtype=float).reshape(-1)

    @classmethod
    def empty(cls, t_s: float = 0.0) -> Tracks:
        """No tracks."""
        return cls.new(t_s, np.zeros(0, dtype=np.int64), np.zeros((0, 6)), np.zeros((0, 6, 6)))

    @classmethod
    def new(cls, t_s: float, track_id: ArrayLike, x: F64, p: F64) -> Tracks:
        """Fresh tentative tracks with no history."""
        n = len(x)
        return cls(
            t_s=t_s,
            track_id=np.asarray(track_id, dtype=np.int64),
            x=np.array(x, dtype=float),
            p=np.array(p, dtype=float),
            confirmed=np.zeros(n, dtype=bool),
            hits=np.zeros(n, dtype=np.uint32),
            n_looks=np.zeros(n, dtype=np.int64),
            last_update_s=np.full(n, t_s),
            q_scale=np.ones(n),
            icao24=np.full(n, "", dtype=ICAO_DTYPE),
            callsign=np.full(n, "", dtype=CALLSIGN_DTYPE),
            sensor_mask=np.zeros(n, dtype=np.uint64),
            last_sensor_id=np.full(n, -1, dtype=np.int64),
        )

    def take(self, index: ArrayLike) -> Tracks:
        """The rows at ``index`` (integer indices or boolean mask) as a new value."""
        i = np.asarray(index)
        cols: dict[str, Any] = {f.name: getattr(self, f.name)[i] for f in fields(self) if f.name != "t_s"}
        return replace(self, **cols)

    def confirmed_only(self) -> Tracks:
        """Only the confirmed tracks (what the air picture shows)."""
        return self.take(self.confirmed)

    def concat(self, other: Tracks) -> Tracks:
        """Rows of both (same time), this value's first."""
        cols: dict[str, Any] = {
            f.name: np.concatenate([getattr(self, f.name), getattr(other, f.name)])
            for f in fields(self)
            if f.name != "t_s"
        }
        return replace(self, **cols)
