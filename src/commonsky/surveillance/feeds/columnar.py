"""A batch of Mode S messages decoded column-wise: the same verdicts and fields as `check_parity` and
`decode_native` message by message, with numpy doing the per-message work over the whole batch.

A feed hands the decoder thousands of frames at a time. Message by message, Python spends most of a message's
few microseconds calling functions and building integers; here each step is one numpy operation over the batch:
the messages packed into one ``(n, 14)`` byte array (`pack`), the CRC-24 residuals by byte-position tables
(`residuals`), downlink formats, verdicts and addresses (`classify`), and the fields of the messages a state
vector is made of (`observations`): airborne positions, velocities, identification, altitude and identity replies,
all-call capability. Altitude codes and squawks are looked up in tables of every code, built once from
`commonsky.surveillance.feeds.fields`' own functions, so both paths read a code the same way. The rare kinds
(surface positions, GNSS heights, emergency status, Comm-B identification, metric altitudes, DF18) go through
`decode_native` or rs1090 one by one, as before.
"""

from __future__ import annotations

import functools
import math
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray

from commonsky.surveillance.feeds.fields import (
    NEEDS_RS1090,
    altitude12_ft,
    altitude13_ft,
    decode_native,
    identification,
    squawk,
)
from commonsky.surveillance.feeds.modes import LONG_BYTES, MODE_AC_BYTES, SHORT_BYTES, crc24
from commonsky.surveillance.feeds.records import CprFix, Observation

Bytes = NDArray[np.uint8]
Ints = NDArray[np.int64]


class Verdict(IntEnum):
    """What the parity check of one message says (`commonsky.surveillance.feeds.modes.Parity`, plus Mode A/C)."""

    MODE_AC = 0  # a 2-byte Mode A/C frame: not decoded, not counted as a failure
    FAILED = 1  # wrong length for its DF, or a DF11/17/18 whose parity does not verify
    UNSUPPORTED = 2  # a DF not decoded here (Comm-D, military, reserved)
    OK = 3  # DF11/17/18 whose parity verifies: the address is the announced one
    ADDRESS = 4  # DF0/4/5/16/20/21: the address is the parity residual, unverified by itself


@functools.cache
def _position_tables(data_bytes: int) -> tuple[NDArray[np.int64], ...]:
    """Per byte position of a message with ``data_bytes`` bytes before its parity, the CRC-24 of each byte value
    there (the CRC is linear: a message's CRC is the XOR of its bytes' contributions)."""
    tables = []
    for k in range(data_bytes):
        tail = bytes(data_bytes - 1 - k)
        tables.append(np.array([crc24(bytes([b]) + tail) for b in range(256)], dtype=np.int64))
    return tuple(tables)


@functools.cache
def _altitude13() -> tuple[float | None, ...]:
    return tuple(altitude13_ft(code) for code in range(1 << 13))


@functools.cache
def _altitude12() -> tuple[float | None, ...]:
    return tuple(altitude12_ft(code) for code in range(1 << 12))


@functools.cache
def _squawks() -> tuple[str, ...]:
    return tuple(squawk(code) for code in range(1 << 13))


def pack(msgs: list[bytes]) -> tuple[Bytes, Ints]:
    """The messages as rows of one zero-padded ``(n, 14)`` byte array, and their lengths (a longer one is cut to
    14 bytes in the array; its length still says it is wrong)."""
    sizes = np.fromiter(map(len, msgs), dtype=np.int64, count=len(msgs))
    rows = np.zeros((len(msgs), LONG_BYTES), dtype=np.uint8)
    flat = np.frombuffer(b"".join(msgs), dtype=np.uint8)
    if flat.size:
        starts = np.cumsum(sizes) - sizes
        row = np.repeat(np.arange(len(msgs)), sizes)
        col = np.arange(flat.size) - np.repeat(starts, sizes)
        keep = col < LONG_BYTES
        rows[row[keep], col[keep]] = flat[keep]
    return rows, sizes


def residuals(rows: Bytes, sizes: Ints) -> Ints:
    """`crc_residual` of each 7- or 14-byte message; -1 for a message of another length."""
    out = np.full(len(sizes), -1, dtype=np.int64)
    for size in (SHORT_BYTES, LONG_BYTES):
        index = np.flatnonzero(sizes == size)
        if not index.size:
            continue
        arr = rows[index, :size]
        crc = np.zeros(index.size, dtype=np.int64)
        for k, table in enumerate(_position_tables(size - 3)):
            crc ^= table[arr[:, k]]
        parity = (arr[:, -3].astype(np.int64) << 16) | (arr[:, -2].astype(np.int64) << 8) | arr[:, -1]
        out[index] = crc ^ parity
    return out


def classify(rows: Bytes, sizes: Ints, residual: Ints) -> tuple[NDArray[np.int8], Ints, Ints]:
    """(verdict, downlink format (24 for every Comm-D), address: -1 where there is none) of each message, as
    `check_parity` gives them."""
    df = np.minimum(rows[:, 0] >> 3, 24).astype(np.int64)
    verdict = np.full(len(sizes), Verdict.UNSUPPORTED, dtype=np.int8)
    address = np.full(len(sizes), -1, dtype=np.int64)
    announced = (rows[:, 1].astype(np.int64) << 16) | (rows[:, 2].astype(np.int64) << 8) | rows[:, 3]
    squitter = (df == 11) | (df == 17) | (df == 18)
    good = np.where(df == 11, residual & 0xFFFF80, residual) == 0
    verdict[squitter & good] = Verdict.OK
    verdict[squitter & ~good] = Verdict.FAILED
    address[squitter & good] = announced[squitter & good]
    reply = np.isin(df, (0, 4, 5, 16, 20, 21))
    verdict[reply] = Verdict.ADDRESS
    address[reply] = residual[reply]
    wrong = ((sizes != SHORT_BYTES) & (sizes != LONG_BYTES)) | (sizes != np.where(df < 16, SHORT_BYTES, LONG_BYTES))
    verdict[wrong] = Verdict.FAILED
    address[wrong] = -1
    verdict[sizes == MODE_AC_BYTES] = Verdict.MODE_AC
    return verdict, df, address


def observations(
    msgs: list[bytes], rows: Bytes, df: Ints, icao24: list[str], times_s: list[float]
) -> list[Observation | None]:
    """`decode_native` of each parity-checked message (its bytes, its packed row, DF, address and time): an
    `Observation`, or `NEEDS_RS1090` for one left to rs1090."""
    out: list[Observation | None] = [NEEDS_RS1090] * len(msgs)
    me = np.zeros(len(msgs), dtype=np.int64)
    for k in range(4, 11):  # the 56-bit ME field of an extended squitter
        me = (me << 8) | rows[:, k]
    tc = me >> 51
    es = df == 17
    _positions(out, np.flatnonzero(es & (tc >= 9) & (tc <= 18)), me, icao24, times_s)
    _velocities(out, np.flatnonzero(es & (tc == 19)), me, icao24, times_s)
    for i, field in zip(*_pick(np.flatnonzero(es & (tc >= 1) & (tc <= 4)), me), strict=True):
        out[i] = Observation(times_s[i], icao24[i], identification(field))
    for i in np.flatnonzero(es & ((tc == 0) | (tc >= 20) | ((tc >= 5) & (tc <= 8)))).tolist():
        out[i] = decode_native(msgs[i], 17, icao24[i], times_s[i])
    for i, ca in zip(*_pick(np.flatnonzero(df == 11), rows[:, 0] & 0x7), strict=True):
        out[i] = Observation(times_s[i], icao24[i], onground=True if ca == 4 else False if ca == 5 else None)
    _replies(out, rows, df, icao24, times_s)
    return out


def _pick(index: Ints, *columns: NDArray[np.integer] | NDArray[np.bool_]) -> tuple[list[int], ...]:
    """``index`` and each column at ``index``, as Python lists (the form a per-message loop reads fastest)."""
    return (index.tolist(), *(c[index].tolist() for c in columns))


def _positions(out: list[Observation | None], index: Ints, me: Ints, icao24: list[str], times_s: list[float]) -> None:
    """Airborne positions with barometric altitude (TC 9-18)."""
    alt = _altitude12()
    picked = _pick(index, (me >> 36) & 0xFFF, (me >> 17) & 0x1FFFF, me & 0x1FFFF, (me >> 34) & 1)
    for i, code, lat, lon, odd in zip(*picked, strict=True):
        fix = CprFix(lat, lon, odd == 1, False)
        out[i] = Observation(times_s[i], icao24[i], None, alt[code], None, None, None, None, False, fix)


def _velocities(out: list[Observation | None], index: Ints, me: Ints, icao24: list[str], times_s: list[float]) -> None:
    """Airborne velocities (TC 19): ground speed and track of subtypes 1-2, vertical rate of every subtype."""
    vr = (me >> 10) & 0x1FF
    rate = np.where((me >> 19) & 1, -1, 1) * (vr - 1) * 64
    subtype = (me >> 48) & 0x7
    v_ew, v_ns = (me >> 32) & 0x3FF, (me >> 21) & 0x3FF
    ground = ((subtype == 1) | (subtype == 2)) & (v_ew > 0) & (v_ns > 0)
    scale = np.where(subtype == 2, 4, 1)
    east = (v_ew - 1) * scale * np.where((me >> 42) & 1, -1, 1)
    north = (v_ns - 1) * scale * np.where((me >> 31) & 1, -1, 1)
    for i, has_rate, r, has_ground, e, n in zip(*_pick(index, vr > 0, rate, ground, east, north), strict=True):
        rate_fpm = float(r) if has_rate else None
        if has_ground:
            track = math.degrees(math.atan2(e, n)) % 360.0
            out[i] = Observation(times_s[i], icao24[i], None, None, math.hypot(e, n), track, rate_fpm)
        else:
            out[i] = Observation(times_s[i], icao24[i], vertical_rate_fpm=rate_fpm)


def _replies(out: list[Observation | None], rows: Bytes, df: Ints, icao24: list[str], times_s: list[float]) -> None:
    """Altitude (DF0/4/16/20) and identity (DF5/21) replies; Comm-B replies that may carry identification (BDS
    2,0) and altitudes in metres stay `NEEDS_RS1090`."""
    field13 = ((rows[:, 2].astype(np.int64) << 8) | rows[:, 3]) & 0x1FFF
    fs = rows[:, 0] & 0x7
    comm_b_id = ((df == 20) | (df == 21)) & (rows[:, 4] == 0x20)
    identity = ((df == 5) | (df == 21)) & ~comm_b_id
    altitude = np.isin(df, (0, 4, 16, 20)) & ~comm_b_id & ((field13 & 0x40) == 0)
    has_status = (df != 0) & (df != 16)
    ground = np.where(has_status & ((fs == 1) | (fs == 3)), 1, np.where(has_status & ((fs == 0) | (fs == 2)), 0, -1))
    flag = (False, True, None)  # flag[1] True, flag[0] False, flag[-1] None
    codes = _squawks()
    for i, code, g in zip(*_pick(np.flatnonzero(identity), field13, ground), strict=True):
        out[i] = Observation(times_s[i], icao24[i], squawk=codes[code], onground=flag[g])
    feet = _altitude13()
    for i, code, g in zip(*_pick(np.flatnonzero(altitude), field13, ground), strict=True):
        out[i] = Observation(times_s[i], icao24[i], altitude_ft=feet[code], onground=flag[g])
