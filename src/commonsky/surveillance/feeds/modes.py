"""Mode S framing and parity: pure functions on raw frames (bytes), no decoding of fields.

A Mode S message is 56 bits (7 bytes, DF 0-15) or 112 bits (14 bytes, DF 16-24); its last 24 bits are parity.
The CRC-24 (generator 0x1FFF409) of the whole message, the *residual*, is

- 0 for a good DF17/DF18 extended squitter (parity is plain CRC);
- the 7-bit interrogator code in the low bits for DF11 all-call replies (so the upper 17 bits are 0);
- the aircraft address for DF0/4/5/16/20/21 replies (address/parity overlay), which cannot be verified alone:
  the caller checks it against addresses already seen in verified squitters, or against a listed address.

>>> msg = bytes.fromhex("8D4840D6202CC371C32CE0576098")
>>> crc_residual(msg), downlink_format(msg), check_parity(msg).icao24
(0, 17, '4840d6')
"""

from __future__ import annotations

import functools
from enum import StrEnum
from typing import NamedTuple

GENERATOR = 0xFFF409
"""The Mode S CRC-24 generator polynomial without its leading x^24 term."""

SHORT_BYTES = 7
LONG_BYTES = 14
MODE_AC_BYTES = 2
MLAT_HZ = 12_000_000
"""Tick rate of the 48-bit MLAT timestamp used by Beast and AVR ``@`` frames (12 MHz)."""


def mlat_ticks(at_s: float) -> int:
    """The 48-bit 12 MHz counter of a frame ``at_s`` seconds after the counter's start, never 0 (0 means "no
    counter"): how served feeds stamp their frames."""
    return int(at_s * MLAT_HZ) % (1 << 48) + 1


ADDRESS_PARITY_DFS = frozenset({0, 4, 5, 16, 20, 21})
SQUITTER_DFS = frozenset({11, 17, 18})


@functools.cache
def _crc_table() -> tuple[int, ...]:
    """CRC-24 of each byte value, built once on first use (not at import)."""
    table = []
    for byte in range(256):
        crc = byte << 16
        for _ in range(8):
            crc = ((crc << 1) ^ GENERATOR) if crc & 0x800000 else (crc << 1)
        table.append(crc & 0xFFFFFF)
    return tuple(table)


def crc24(data: bytes) -> int:
    """Mode S CRC-24 of ``data`` (any length), as a 24-bit integer."""
    table = _crc_table()
    crc = 0
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFF) ^ table[(crc >> 16) ^ byte]
    return crc


def crc_residual(msg: bytes) -> int:
    """CRC of the data bits XOR the transmitted parity (last 3 bytes): 0 for an intact DF17/18 message."""
    if len(msg) < 4:
        raise ValueError(f"a Mode S message has 7 or 14 bytes, not {len(msg)}")
    return crc24(msg[:-3]) ^ int.from_bytes(msg[-3:], "big")


def downlink_format(msg: bytes) -> int:
    """Downlink format (first 5 bits); every DF from 24 up is Comm-D and reported as 24."""
    df = msg[0] >> 3
    return 24 if df >= 24 else df


def expected_length(df: int) -> int:
    """Message length in bytes implied by a downlink format: 7 below DF16, else 14."""
    return SHORT_BYTES if df < 16 else LONG_BYTES


def flight_status_on_ground(msg: bytes) -> bool | None:
    """Ground/air flag from the flight status of DF4/5/20/21 (FS 1, 3: ground; 0, 2: airborne; else unknown)."""
    if downlink_format(msg) not in (4, 5, 20, 21):
        return None
    fs = msg[0] & 0x07
    if fs in (1, 3):
        return True
    if fs in (0, 2):
        return False
    return None


class Parity(StrEnum):
    """Outcome of the parity check of one frame."""

    OK = "ok"  # DF11/17/18 whose parity verifies; icao24 is the announced address
    ADDRESS = "address"  # DF0/4/5/16/20/21: icao24 is recovered from the parity, unverified by itself
    FAILED = "failed"  # wrong length or DF11/17/18 whose parity does not verify
    UNSUPPORTED = "unsupported"  # DF not decoded here (Comm-D, military, reserved)


class ParityCheck(NamedTuple):
    """Result of `check_parity`: the verdict, the downlink format and the address as 6 lower-case hex digits."""

    parity: Parity
    df: int
    icao24: str | None


def check_parity(msg: bytes, residual: int | None = None) -> ParityCheck:
    """Check the length and parity of one Mode S message and recover the aircraft address.

    Never raises on any bytes: a frame that is too short or of the wrong length for its DF is `Parity.FAILED`.
    ``residual``: the message's `crc_residual` when already known (`commonsky.surveillance.feeds.columnar`
    computes a batch's at once). (Written out in one function: it runs once per message of a feed's small batches.)
    """
    size = len(msg)
    if size != SHORT_BYTES and size != LONG_BYTES:
        return ParityCheck(Parity.FAILED, -1, None)
    df = msg[0] >> 3
    if df >= 24:
        df = 24
    if size != (SHORT_BYTES if df < 16 else LONG_BYTES):
        return ParityCheck(Parity.FAILED, df, None)
    if residual is None:
        table = _crc_table()
        crc = 0
        for byte in msg[:-3]:
            crc = ((crc << 8) & 0xFFFFFF) ^ table[(crc >> 16) ^ byte]
        residual = crc ^ int.from_bytes(msg[-3:], "big")
    if df == 17 or df == 18 or df == 11:
        if residual if df != 11 else residual & 0xFFFF80:
            return ParityCheck(Parity.FAILED, df, None)
        return ParityCheck(Parity.OK, df, msg[1:4].hex())
    if df in ADDRESS_PARITY_DFS:
        return ParityCheck(Parity.ADDRESS, df, f"{residual:06x}")
    return ParityCheck(Parity.UNSUPPORTED, df, None)


class RawFrame(NamedTuple):
    """One frame as a feed delivered it, before parity checks and decoding.

    ``msg`` is 2 bytes (Mode A/C), 7 or 14 bytes (Mode S). ``mlat_ticks`` is the receiver's 12 MHz counter when the
    feed carries it (Beast, AVR ``@``), ``signal`` the Beast signal byte (0-255), ``timestamp_s`` a UTC epoch in
    seconds when the feed carries wall-clock time (hexcsv), ``expected_icao24`` an address listed beside the frame,
    ``receiver_id`` the receiver a Beast aggregator (readsb ``--net-receiver-id``) names for it.
    """

    msg: bytes
    mlat_ticks: int | None = None
    signal: int | None = None
    timestamp_s: float | None = None
    expected_icao24: str | None = None
    receiver_id: int | None = None

    @property
    def hex(self) -> str:
        """The message as upper-case hex, as dump1090 and pyModeS print it."""
        return self.msg.hex().upper()

    @property
    def is_mode_ac(self) -> bool:
        return len(self.msg) == MODE_AC_BYTES
