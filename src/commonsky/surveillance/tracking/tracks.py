"""The track table: every live track as one row of parallel arrays, all at one time ``t_s``.

State vectors are ``[east_m, north_m, alt_m, v_east_ms, v_north_ms, v_up_ms]`` in the local frame, covariances
``(N, 6, 6)`` in the same units. A `LiveTracks` value is immutable (its arrays are read-only); the tracker returns a
new one after every scan, so a snapshot handed to the picture or the safety nets never changes under them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from commonsky._typing import FloatArray, IntArray
from commonsky.errors import InputError
from commonsky.surveillance.sensors.types import CALLSIGN_DTYPE, ICAO_DTYPE

if TYPE_CHECKING:
    from commonsky.geo.geodesy import LocalFrame

MAX_SENSORS = 64
"""A track's ``sensor_mask`` is a uint64 with one bit per sensor: ids 0..63."""


def sensor_bit(sensor_id: int) -> np.uint64:
    """The ``sensor_mask`` bit of ``sensor_id``; a 65th sensor (an id the mask cannot hold) is refused.

    >>> int(sensor_bit(3))
    8
    >>> sensor_bit(64)
    Traceback (most recent call last):
    ...
    commonsky.errors.InputError: sensor id 64 is out of range: a track's sensor mask holds 64 sensors, ids 0..63
    """
    if not 0 <= sensor_id < MAX_SENSORS:
        raise InputError(
            f"sensor id {sensor_id} is out of range: a track's sensor mask holds {MAX_SENSORS} sensors, "
            f"ids 0..{MAX_SENSORS - 1}"
        )
    return np.uint64(1) << np.uint64(sensor_id)


@dataclass(frozen=True)
class LiveTracks:
    """The tracker's live tracks at time ``t_s`` (recorded reports for replay are
    `commonsky.safety.tracks.RecordedTracks`).

    Columns: ``track_id`` (unique, never reused); ``x`` (N, 6) state; ``p`` (N, 6, 6) covariance;
    ``confirmed`` (bool); ``hits`` (uint32 bit history of the last scans that covered the track, newest in bit
    0, 1 = updated); ``n_looks`` scans that covered the track since birth; ``last_update_s`` time of the last
    plot; ``q_scale`` process-noise multiplier of the manoeuvre handling; ``icao24``/``callsign`` ADS-B identity
    (``""`` until an ADS-B report is assigned); ``sensor_mask`` (uint64, bit ``sensor_id`` set for each sensor
    that has updated the track, ids 0..63); ``last_sensor_id`` (-1 before any update).
    """

    t_s: float
    track_id: IntArray
    x: FloatArray
    p: FloatArray
    confirmed: NDArray[np.bool_]
    hits: NDArray[np.uint32]
    n_looks: IntArray
    last_update_s: FloatArray
    q_scale: FloatArray
    icao24: NDArray[np.str_]
    callsign: NDArray[np.str_]
    sensor_mask: NDArray[np.uint64]
    last_sensor_id: IntArray

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                value.setflags(write=False)

    def __len__(self) -> int:
        return len(self.track_id)

    @property
    def pos_m(self) -> FloatArray:
        """``(N, 3)`` east, north, altitude."""
        return self.x[:, :3]

    @property
    def vel_ms(self) -> FloatArray:
        """``(N, 3)`` east, north, up velocity."""
        return self.x[:, 3:]

    def geodetic(self, frame: LocalFrame) -> tuple[FloatArray, FloatArray]:
        """Latitude and longitude (degrees) of the tracks in the local ``frame`` they were built in."""
        lat, lon = frame.to_geodetic(self.x[:, 0], self.x[:, 1])
        return np.asarray(lat, dtype=float).reshape(-1), np.asarray(lon, dtype=float).reshape(-1)

    @classmethod
    def empty(cls, t_s: float = 0.0) -> LiveTracks:
        """No tracks."""
        return cls.new(t_s, np.zeros(0, dtype=np.int64), np.zeros((0, 6)), np.zeros((0, 6, 6)))

    @classmethod
    def new(cls, t_s: float, track_id: ArrayLike, x: FloatArray, p: FloatArray) -> LiveTracks:
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

    def take(self, index: ArrayLike) -> LiveTracks:
        """The rows at ``index`` (integer indices or boolean mask) as a new value."""
        i = np.asarray(index)
        cols: dict[str, Any] = {f.name: getattr(self, f.name)[i] for f in fields(self) if f.name != "t_s"}
        return replace(self, **cols)

    def confirmed_only(self) -> LiveTracks:
        """Only the confirmed tracks (what the air picture shows). Made once per value (the value is immutable):
        the tracker, the health monitor, the correlator and the picture of one tick all ask for it."""
        made = self.__dict__.get("_confirmed_only")
        if made is None:
            made = self.take(self.confirmed)
            object.__setattr__(self, "_confirmed_only", made)
        return made

    def concat(self, other: LiveTracks) -> LiveTracks:
        """Rows of both (same time), this value's first."""
        cols: dict[str, Any] = {
            f.name: np.concatenate([getattr(self, f.name), getattr(other, f.name)])
            for f in fields(self)
            if f.name != "t_s"
        }
        return replace(self, **cols)
