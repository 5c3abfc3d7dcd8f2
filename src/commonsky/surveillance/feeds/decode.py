"""From raw frames to observations: parity checks and address policy here, then field decoding: natively for the
messages a state vector needs (`commonsky.surveillance.feeds.fields`, no call per message into rs1090), by rs1090
for the rest.

rs1090 (MIT, Rust) decodes the fields of a verified message (altitude, callsign, velocity, CPR coordinates,
squawk). It does not check parity before decoding address/parity replies, and it panics (a BaseException) on
non-hex input, so every frame goes through `check_parity` first and is handed over as clean hex.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from commonsky.surveillance.feeds import columnar
from commonsky.surveillance.feeds.columnar import Verdict
from commonsky.surveillance.feeds.counters import FeedCounters
from commonsky.surveillance.feeds.fields import NEEDS_RS1090, decode_native
from commonsky.surveillance.feeds.modes import (
    Parity,
    RawFrame,
    check_parity,
    flight_status_on_ground,
)
from commonsky.surveillance.feeds.records import CprFix, Observation
from commonsky.surveillance.feeds.tick_clock import TickClock

PICTURE_DFS = frozenset({5, 17, 18, 21})
"""What a live picture needs decoded: extended squitters and identity replies."""
COLUMNAR_FROM = 32
"""Batches of at least this many frames are decoded column-wise; numpy's fixed cost outweighs it below."""


def _float(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _callsign(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.replace("#", "").replace("_", "").strip()
    return text or None


def fields_to_observation(fields: dict[str, Any], timestamp_s: float, icao24: str) -> Observation:
    """Map one rs1090 result dict onto an `Observation` (pure). Unknown keys are ignored.

    Of the Comm-B registers that rs1090 infers in DF20/21 replies only BDS 2,0 (identification) is used: its
    first byte is fixed, so the inference is reliable, whereas BDS 4,0/5,0/6,0 guesses are ambiguous.
    """
    bds = fields.get("bds")
    cpr = None
    onground: bool | None = None
    if bds in ("05", "06") and "lat_cpr" in fields and "lon_cpr" in fields:
        surface = bds == "06"
        cpr = CprFix(int(fields["lat_cpr"]), int(fields["lon_cpr"]), fields.get("parity") == "odd", surface)
        onground = surface
    altitude = _float(fields.get("altitude"))
    if bds == "05" and fields.get("source") not in (None, "barometric"):
        altitude = None  # GNSS height (TC 20-22) is not the barometric altitude of the state vector
    capability = fields.get("capability")
    if capability in ("airborne", "ground"):
        onground = capability == "ground"
    squawk = fields.get("squawk")
    groundspeed = _float(fields.get("groundspeed"))
    callsign = _callsign(fields.get("callsign"))
    comm_b = fields.get("bds20")  # aircraft identification in a Comm-B reply (DF20/21): Mode S-only aircraft
    if callsign is None and isinstance(comm_b, dict):
        callsign = _callsign(comm_b.get("callsign"))
    return Observation(
        timestamp_s=timestamp_s,
        icao24=icao24,
        callsign=callsign,
        altitude_ft=altitude,
        groundspeed_kt=groundspeed,
        track_deg=_float(fields.get("track")) if groundspeed is not None else None,
        vertical_rate_fpm=_float(fields.get("vertical_rate")),
        squawk=squawk if isinstance(squawk, str) and len(squawk) == 4 else None,
        onground=onground,
        cpr=cpr,
    )


def decode_fields(msg: bytes) -> dict[str, Any] | None:
    """rs1090's decoding of one message (7 or 14 bytes), or None when it declines. Never raises on any bytes."""
    import rs1090

    try:
        fields = rs1090.decode(msg.hex())
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # rs1090 panics surface as pyo3 PanicException, a BaseException
        return None
    return dict(fields) if isinstance(fields, dict) else None


class ModeSDecoder:
    """Stateful frame decoder: parity, address policy, time, fields. Not thread-safe (one per feed).

    Address/parity replies (DF0/4/5/16/20/21) are accepted when their recovered address equals the address listed
    beside the frame (hexcsv), or has been seen in a verified DF11/17/18 frame, or when ``trust_address_parity``
    is set; otherwise they are counted as ``unverified`` and dropped, so that corrupted replies do not invent
    aircraft. A listed address that contradicts the recovered one is a CRC failure.

    ``picture_only`` (a live picture): `decode_many` decodes only the downlink formats a live picture shows
    (`PICTURE_DFS`: extended squitters, which carry position, velocity and identity, and identity replies, which
    carry the squawk); the others (all-calls, altitude replies, Comm-B altitude) are counted as ``skipped``.
    """

    def __init__(
        self,
        counters: FeedCounters | None = None,
        *,
        start_s: float | None = None,
        trust_address_parity: bool = False,
        picture_only: bool = False,
    ) -> None:
        self.counters = counters if counters is not None else FeedCounters()
        self.trust_address_parity = trust_address_parity
        self.picture_only = picture_only
        self._clock = TickClock(start_s)
        self._verified: set[int] = set()  # addresses seen in a verified frame

    def decode_many(self, frames: list[RawFrame], received_s: float) -> list[Observation]:
        """The observations of ``frames`` (in order, the rejected ones counted and left out): what `decode` gives
        frame by frame, worked out column-wise (`commonsky.surveillance.feeds.columnar`) for a batch of
        `COLUMNAR_FROM` frames or more."""
        if self.picture_only:
            kept = [f for f in frames if len(f.msg) > 2 and f.msg[0] >> 3 in PICTURE_DFS]
            self.counters.skipped += len(frames) - len(kept)
            frames = kept
        if len(frames) < COLUMNAR_FROM:
            return [o for o in (self.decode(f, received_s) for f in frames) if o is not None]
        msgs = [f.msg for f in frames]
        rows, sizes = columnar.pack(msgs)
        verdict, df, address = columnar.classify(rows, sizes, columnar.residuals(rows, sizes))
        counts = np.bincount(verdict, minlength=len(Verdict))
        self.counters.crc_failures += int(counts[Verdict.FAILED])
        self.counters.unsupported += int(counts[Verdict.UNSUPPORTED])
        candidate = verdict >= Verdict.OK
        verifies = self._listed(frames, candidate, address) | (verdict == Verdict.OK)
        verifies &= candidate
        if not self.trust_address_parity:
            self._known_before(candidate, verifies, address)
        self._verified.update(address[verifies].tolist())
        index = np.flatnonzero(candidate)
        accepted = [frames[i] for i in index.tolist()]
        codes, which = np.unique(address[index], return_inverse=True)
        names = [f"{a:06x}" for a in codes.tolist()]
        icao24 = [names[k] for k in which.tolist()]
        times_s = self._times(accepted, received_s)
        found = columnar.observations([f.msg for f in accepted], rows[index], df[index], icao24, times_s)
        if NEEDS_RS1090 in found:
            found = [
                o if o is not None else self._by_rs1090(f.msg, t, a)
                for o, f, t, a in zip(found, accepted, times_s, icao24, strict=True)
            ]
        observations = [o for o in found if o is not None]
        self.counters.decoded += len(observations)
        return observations

    def _listed(
        self, frames: list[RawFrame], candidate: NDArray[np.bool_], address: NDArray[np.int64]
    ) -> NDArray[np.bool_]:
        """Frames whose listed address (hexcsv) is the recovered one; a contradicting one is a CRC failure and
        leaves ``candidate``."""
        listed = np.zeros(len(frames), dtype=np.bool_)
        expected = [f.expected_icao24 for f in frames]
        if not any(e is not None for e in expected):
            return listed
        for i in np.flatnonzero(candidate).tolist():
            if expected[i] is None:
                continue
            if expected[i] == f"{address[i]:06x}":
                listed[i] = True
            else:
                self.counters.crc_failures += 1
                candidate[i] = False
        return listed

    def _known_before(
        self, candidate: NDArray[np.bool_], verifies: NDArray[np.bool_], address: NDArray[np.int64]
    ) -> None:
        """Drop (and count) the address/parity replies whose address no earlier frame verified: in an earlier
        batch, or earlier in this one."""
        at = np.flatnonzero(verifies)
        codes, first = np.unique(address[at], return_index=True)
        first_at = at[first]
        replies = np.flatnonzero(candidate & ~verifies)
        if not replies.size:
            return
        said = address[replies]
        slot = np.minimum(np.searchsorted(codes, said), max(codes.size - 1, 0))
        earlier = (codes[slot] == said) & (first_at[slot] < replies) if codes.size else np.zeros(replies.size, np.bool_)
        known = np.fromiter((a in self._verified for a in said.tolist()), dtype=np.bool_, count=said.size)
        dropped = replies[~(earlier | known)]
        self.counters.unverified += dropped.size
        candidate[dropped] = False

    def _times(self, frames: list[RawFrame], received_s: float) -> list[float]:
        """UTC epoch time of each frame, as `decode` times them."""
        stamps = [f.timestamp_s for f in frames]
        ticks = [f.mlat_ticks or 0 for f in frames]
        if all(s is None for s in stamps) and all(ticks):
            return self._clock.times_of(ticks, received_s)
        times_s = [received_s if s is None else s for s in stamps]
        counted = [i for i, (s, t) in enumerate(zip(stamps, ticks, strict=True)) if s is None and t]
        for i, time_s in zip(counted, self._clock.times_of([ticks[i] for i in counted], received_s), strict=True):
            times_s[i] = time_s
        return times_s

    def _by_rs1090(self, msg: bytes, time_s: float, icao24: str) -> Observation | None:
        """A message `decode_native` leaves to rs1090 (counted ``undecoded`` when rs1090 declines it)."""
        fields = decode_fields(msg)
        if fields is None:
            self.counters.undecoded += 1
            return None
        observation = fields_to_observation(fields, time_s, icao24)
        status = flight_status_on_ground(msg)
        if status is not None and observation.onground is None:
            observation = observation._replace(onground=status)
        return observation

    def decode(self, frame: RawFrame, received_s: float, residual: int | None = None) -> Observation | None:
        """The observation carried by ``frame`` (received at UTC epoch ``received_s``), or None, counted.
        ``residual``: its parity residual when already computed."""
        msg = frame.msg
        if len(msg) == 2:  # Mode A/C
            return None
        parity, df, icao = check_parity(msg, residual)
        if parity is Parity.FAILED:
            self.counters.crc_failures += 1
            return None
        if parity is Parity.UNSUPPORTED or icao is None:
            self.counters.unsupported += 1
            return None
        expected = frame.expected_icao24
        if expected is not None and expected != icao:
            self.counters.crc_failures += 1
            return None
        if parity is Parity.OK or expected is not None:
            self._verified.add(int(icao, 16))
        elif int(icao, 16) not in self._verified and not self.trust_address_parity:
            self.counters.unverified += 1
            return None
        if frame.timestamp_s is not None:
            time_s = frame.timestamp_s
        elif frame.mlat_ticks:  # a zero counter is dump1090's "no MLAT clock": time the frame on reception
            time_s = self._clock.time_of(frame.mlat_ticks, received_s)
        else:
            time_s = received_s
        observation = decode_native(msg, df, icao, time_s)
        if observation is NEEDS_RS1090:
            observation = self._by_rs1090(msg, time_s, icao)
        if observation is not None:
            self.counters.decoded += 1
        return observation
