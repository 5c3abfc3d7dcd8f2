"""`StateBatch`: state vectors as one numpy record array, to hand a busy feed's output between processes and to the
picture without one Python object per report.

A feed read in a child process (`ProcessFeed`) sends what it decoded as the bytes of a `StateBatch` (one buffer,
no per-report pickling); the parent reads it back with `StateBatch.from_bytes` (no copy) and the live picture
works on its columns (`ReceiverSource`). Iterating a batch still gives `StateVector`s (tests, tools), the same
values as the states it was built from: unknown floats are NaN in the columns and None again in the states,
strings are ASCII (ICAO address 6 hex digits, callsign up to 8, squawk 4 octal digits; longer ones are cut).
Immutable: the columns are read-only views.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from commonsky.errors import InputError
from commonsky.surveillance.feeds.records import StateVector

STATE_DTYPE = np.dtype(
    [
        ("timestamp_s", "<f8"),
        ("latitude_deg", "<f8"),
        ("longitude_deg", "<f8"),
        ("altitude_ft", "<f8"),
        ("groundspeed_kt", "<f8"),
        ("track_deg", "<f8"),
        ("vertical_rate_fpm", "<f8"),
        ("icao24", "S6"),
        ("callsign", "S8"),
        ("squawk", "S4"),
        ("onground", "i1"),  # -1 unknown, 0 airborne, 1 on the ground
    ]
)
"""One report: 73 bytes (NaN: unknown float; empty string: unknown callsign or squawk)."""
_FLOATS = ("altitude_ft", "groundspeed_kt", "track_deg", "vertical_rate_fpm")


def _opt(value: float) -> float | None:
    return None if math.isnan(value) else value


@dataclass(frozen=True)
class StateBatch:
    """State vectors as a read-only record array of `STATE_DTYPE`, oldest first (see the module docstring)."""

    records: NDArray[np.void]

    def __post_init__(self) -> None:
        if self.records.dtype != STATE_DTYPE or self.records.ndim != 1:
            raise InputError(f"a state batch holds a 1-d array of STATE_DTYPE, not {self.records.dtype}")
        self.records.flags.writeable = False

    @classmethod
    def empty(cls) -> StateBatch:
        return cls(np.zeros(0, dtype=STATE_DTYPE))

    @classmethod
    def from_states(cls, states: Sequence[StateVector]) -> StateBatch:
        """The batch of ``states`` (in order)."""
        out = np.zeros(len(states), dtype=STATE_DTYPE)
        if not states:
            return cls(out)
        nan = math.nan
        out["timestamp_s"] = [s.timestamp_s for s in states]
        out["latitude_deg"] = [s.latitude_deg for s in states]
        out["longitude_deg"] = [s.longitude_deg for s in states]
        for name in _FLOATS:
            out[name] = [nan if (v := getattr(s, name)) is None else v for s in states]
        out["icao24"] = [s.icao24.encode("ascii", "replace") for s in states]
        out["callsign"] = [(s.callsign or "").encode("ascii", "replace") for s in states]
        out["squawk"] = [(s.squawk or "").encode("ascii", "replace") for s in states]
        out["onground"] = [-1 if s.onground is None else int(s.onground) for s in states]
        return cls(out)

    @classmethod
    def from_bytes(cls, data: bytes) -> StateBatch:
        """The batch whose `to_bytes` is ``data`` (a view, no copy); `InputError` when its length does not fit."""
        if len(data) % STATE_DTYPE.itemsize:
            raise InputError(f"{len(data)} bytes are not whole state records of {STATE_DTYPE.itemsize} bytes")
        return cls(np.frombuffer(data, dtype=STATE_DTYPE))

    @classmethod
    def concat(cls, batches: Sequence[StateBatch]) -> StateBatch:
        """One batch of ``batches`` in order."""
        if len(batches) == 1:
            return batches[0]
        if not batches:
            return cls.empty()
        return cls(np.concatenate([b.records for b in batches]))

    def to_bytes(self) -> bytes:
        return self.records.tobytes()

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, index: slice) -> StateBatch:
        return StateBatch(self.records[index])

    def column(self, name: str) -> NDArray[np.float64]:
        """A float column of `STATE_DTYPE` (NaN: unknown)."""
        return np.asarray(self.records[name], dtype=np.float64)

    def text(self, name: str) -> NDArray[np.str_]:
        """A string column (``icao24``, ``callsign``, ``squawk``) as str ("" unknown)."""
        column = self.records[name]
        return column.astype(f"U{column.dtype.itemsize}")  # ASCII bytes to str, without a Python loop

    def __iter__(self) -> Iterator[StateVector]:
        for r in self.records.tolist():
            t, lat, lon, alt, gs, trk, vr, icao, callsign, squawk, ground = r
            yield StateVector(
                t,
                icao.decode(),
                lat,
                lon,
                callsign.decode() or None,
                _opt(alt),
                _opt(gs),
                _opt(trk),
                _opt(vr),
                squawk.decode() or None,
                None if ground < 0 else bool(ground),
            )

    def latest_placed(self) -> StateBatch:
        """The newest report of each aircraft that has an altitude or says it is on the ground (a tie: the later
        one), in the order the aircraft were first seen so (the plots of a receiver,
        `commonsky.surveillance.feeds.receiver`)."""
        kept = self.records[~np.isnan(self.records["altitude_ft"]) | (self.records["onground"] > 0)]
        if len(kept) < 2:
            return StateBatch(kept)
        order = np.arange(len(kept))
        by = np.lexsort((order, kept["timestamp_s"], kept["icao24"]))  # per address, oldest..newest, ties in order
        icao = kept["icao24"][by]
        last = np.flatnonzero(np.append(icao[1:] != icao[:-1], True))  # newest of each address
        first = np.flatnonzero(np.insert(icao[1:] != icao[:-1], 0, True))
        first_seen = np.minimum.reduceat(order[by], first)
        return StateBatch(kept[by[last]][np.argsort(first_seen, kind="stable")])

    def last_known(self, name: str) -> dict[str, str]:
        """Per address, the last non-empty value of the string column ``name`` (``squawk``, ``callsign``)."""
        values = self.records[name]
        known = np.flatnonzero(values != b"")
        icao24 = self.text("icao24")[known].tolist()
        text = values[known].astype(f"U{values.dtype.itemsize}").tolist()
        return dict(zip(icao24, text, strict=True))

    def last_ground(self) -> dict[str, bool]:
        """Per address, the last air/ground flag heard (addresses that never said are left out)."""
        ground = self.records["onground"]
        known = np.flatnonzero(ground >= 0)
        return dict(zip(self.text("icao24")[known].tolist(), (ground[known] > 0).tolist(), strict=True))


__all__ = ["STATE_DTYPE", "StateBatch"]
