"""True trajectories for simulations and tests: targets sampled on a common time grid, interpolated on demand.

Kinematics only (no aircraft performance): straight constant-velocity legs and coordinated turns at a given
load factor. ``Trajectories.at(t_s)`` gives the `TargetStates` the sensors observe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from commonsky._typing import BoolArray, FloatArray, IntArray, StrArray
from commonsky.errors import InputError
from commonsky.surveillance.sensors.types import CALLSIGN_DTYPE, ICAO_DTYPE, TargetStates

G_MS2 = 9.80665


@dataclass(frozen=True)
class Trajectories:
    """``pos_m``/``vel_ms`` are ``(T, K, 3)`` over the grid ``t_s`` (T,) for targets ``target_id`` (K,)."""

    t_s: FloatArray
    target_id: IntArray
    pos_m: FloatArray
    vel_ms: FloatArray
    icao24: StrArray
    callsign: StrArray
    adsb_on: BoolArray

    def __post_init__(self) -> None:
        k = len(self.target_id)
        if self.pos_m.shape != (len(self.t_s), k, 3) or self.vel_ms.shape != self.pos_m.shape:
            raise InputError(f"trajectories need (T, K, 3) arrays with T={len(self.t_s)}, K={k}")
        for a in (self.t_s, self.target_id, self.pos_m, self.vel_ms, self.icao24, self.callsign, self.adsb_on):
            a.setflags(write=False)

    @property
    def n_targets(self) -> int:
        return len(self.target_id)

    def at(self, t_s: float) -> TargetStates:
        """States at ``t_s`` (linear interpolation between grid times; clamped to the grid's ends)."""
        t = float(np.clip(t_s, self.t_s[0], self.t_s[-1]))
        i = (
            int(np.clip(np.searchsorted(self.t_s, t, side="right") - 1, 0, len(self.t_s) - 2))
            if len(self.t_s) > 1
            else 0
        )
        if len(self.t_s) == 1:
            pos, vel = self.pos_m[0], self.vel_ms[0]
        else:
            w = (t - self.t_s[i]) / (self.t_s[i + 1] - self.t_s[i])
            pos = (1 - w) * self.pos_m[i] + w * self.pos_m[i + 1]
            vel = (1 - w) * self.vel_ms[i] + w * self.vel_ms[i + 1]
        return TargetStates(float(t_s), self.target_id, pos, vel, self.icao24, self.callsign, self.adsb_on)

    @classmethod
    def straight(
        cls,
        t_s: ArrayLike,
        pos0_m: ArrayLike,
        vel_ms: ArrayLike,
        icao24: Sequence[str] | None = None,
        callsign: Sequence[str] | None = None,
        adsb_on: ArrayLike | None = None,
    ) -> Trajectories:
        """Constant-velocity targets: ``pos0_m`` (K, 3) at ``t = 0`` (extrapolated back for a later grid)."""
        t = np.asarray(t_s, dtype=float)
        p0 = np.asarray(pos0_m, dtype=float).reshape(-1, 3)
        v = np.asarray(vel_ms, dtype=float).reshape(-1, 3)
        pos = p0[None] + t[:, None, None] * v[None]
        return cls._with_identity(t, pos, np.broadcast_to(v, pos.shape).copy(), icao24, callsign, adsb_on)

    @classmethod
    def manoeuvring(
        cls,
        t_s: ArrayLike,
        pos0_m: ArrayLike,
        heading_deg: float,
        speed_ms: float,
        turns: Sequence[tuple[float, float, float]],
        icao24: str = "",
        callsign: str = "",
        substeps: int = 20,
    ) -> Trajectories:
        """One target in level flight with coordinated turns ``(start_s, end_s, load_g)``; positive g turns right.

        Turn rate is ``load_g * g / speed`` (``load_g`` is the horizontal acceleration in g). Integrated with
        ``substeps`` steps per grid interval (exact heading, midpoint position).
        """
        t = np.asarray(t_s, dtype=float)
        if speed_ms <= 0 or len(t) < 2 or np.any(np.diff(t) <= 0):
            raise InputError("manoeuvring target needs a positive speed and an increasing time grid")
        frac = np.arange(substeps) / substeps
        fine = (t[:-1, None] + np.diff(t)[:, None] * frac[None]).ravel()
        fine = np.append(fine, t[-1])
        rate = np.zeros_like(fine)
        for start, end, g in turns:
            rate += np.where((fine >= start) & (fine < end), g * G_MS2 / speed_ms, 0.0)
        dt = np.diff(fine)
        heading = np.radians(heading_deg) + np.concatenate([[0.0], np.cumsum(rate[:-1] * dt)])
        mid = heading[:-1] + 0.5 * rate[:-1] * dt
        de = np.concatenate([[0.0], np.cumsum(speed_ms * np.sin(mid) * dt)])
        dn = np.concatenate([[0.0], np.cumsum(speed_ms * np.cos(mid) * dt)])
        p0 = np.asarray(pos0_m, dtype=float)
        pos_f = np.stack([p0[0] + de, p0[1] + dn, np.full_like(de, p0[2])], axis=-1)
        vel_f = np.stack([speed_ms * np.sin(heading), speed_ms * np.cos(heading), np.zeros_like(de)], axis=-1)
        pick = np.arange(0, len(fine), substeps)
        return cls._with_identity(t, pos_f[pick][:, None], vel_f[pick][:, None], [icao24], [callsign], None)

    @classmethod
    def random_traffic(
        cls,
        n: int,
        t_s: ArrayLike,
        extent_m: float,
        rng: np.random.Generator,
        speed_ms: tuple[float, float] = (100, 250),
    ) -> Trajectories:
        """``n`` straight, level targets spread uniformly over a square of side ``extent_m`` centred on the origin,
        FL100-FL400, random headings, with identities ``c00000...`` and ADS-B on."""
        pos0 = np.column_stack([rng.uniform(-extent_m / 2, extent_m / 2, (n, 2)), rng.uniform(3_000.0, 12_000.0, n)])
        hdg = rng.uniform(0, 2 * np.pi, n)
        spd = rng.uniform(*speed_ms, n)
        vel = np.column_stack([spd * np.sin(hdg), spd * np.cos(hdg), np.zeros(n)])
        return cls.straight(
            t_s, pos0, vel, icao24=[f"c{i:05x}" for i in range(n)], callsign=[f"T{i}" for i in range(n)]
        )

    @classmethod
    def _with_identity(
        cls,
        t: FloatArray,
        pos: FloatArray,
        vel: FloatArray,
        icao24: Sequence[str] | None,
        callsign: Sequence[str] | None,
        adsb_on: ArrayLike | None,
    ) -> Trajectories:
        k = pos.shape[1]
        icao = np.asarray(icao24 if icao24 is not None else [""] * k, dtype=ICAO_DTYPE)
        call = np.asarray(callsign if callsign is not None else [""] * k, dtype=CALLSIGN_DTYPE)
        on = icao != "" if adsb_on is None else np.array(adsb_on, dtype=bool)
        return cls(t, np.arange(k, dtype=np.int64), pos, vel, icao, call, on)

    def concat(self, other: Trajectories) -> Trajectories:
        """Both sets of targets on the same grid; ``other``'s ids are renumbered after this one's."""
        if not np.array_equal(self.t_s, other.t_s):
            raise InputError("trajectories to combine must share one time grid")
        return Trajectories(
            self.t_s,
            np.concatenate([self.target_id, other.target_id + self.target_id.max(initial=-1) + 1]),
            np.concatenate([self.pos_m, other.pos_m], axis=1),
            np.concatenate([self.vel_ms, other.vel_ms], axis=1),
            np.concatenate([self.icao24, other.icao24]),
            np.concatenate([self.callsign, other.callsign]),
            np.concatenate([self.adsb_on, other.adsb_on]),
        )
