"""The native field decoder against rs1090, an independent decoder: real messages (pyModeS's samples, a dump1090
capture), every 13-bit altitude and identity code, and random payloads of every ADS-B type code."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from commonsky.surveillance.feeds.decode import decode_fields, fields_to_observation
from commonsky.surveillance.feeds.fields import decode_native
from commonsky.surveillance.feeds.modes import check_parity
from commonsky.surveillance.feeds.records import Observation

FIELDS = ("callsign", "altitude_ft", "groundspeed_kt", "track_deg", "vertical_rate_fpm", "squawk", "cpr", "onground")


def _equal(mine: object, theirs: object) -> bool:
    if isinstance(mine, float) and isinstance(theirs, float):
        return math.isclose(mine, theirs, rel_tol=1e-9, abs_tol=1e-9)
    return mine == theirs


def _compare(msgs: list[bytes]) -> tuple[int, list[str]]:
    compared, wrong = 0, []
    for msg in msgs:
        check = check_parity(msg)
        icao = check.icao24 or "000000"
        native = decode_native(msg, check.df, icao, 0.0)
        fields = decode_fields(msg)
        if native is None or fields is None:
            continue
        theirs: Observation = fields_to_observation(fields, 0.0, icao)
        if check.df in (4, 5, 20, 21) and theirs.onground is None:
            fs = msg[0] & 7  # rs1090 does not report the flight status; the ingest takes it from these bits
            theirs = Observation(
                0.0,
                icao,
                **{k: getattr(theirs, k) for k in FIELDS if k != "onground"},
                onground=True if fs in (1, 3) else False if fs in (0, 2) else None,
            )
        me = int.from_bytes(msg[4:11], "big")
        if check.df == 17 and me >> 51 == 28 and (me >> 48) & 7 != 1:
            # Only subtype 1 (emergency/priority status) carries the Mode A code; rs1090 2.x reads those bits as one
            # in every subtype, ACAS resolution advisories included. The ingest does not follow it there.
            theirs = Observation(0.0, icao, **{k: getattr(theirs, k) for k in FIELDS if k != "squawk"})
        compared += 1
        wrong += [
            f"{msg.hex()} {k}: {getattr(native, k)} vs {getattr(theirs, k)}"
            for k in FIELDS
            if not _equal(getattr(native, k), getattr(theirs, k))
        ]
    return compared, wrong


def test_real_messages_decode_as_rs1090_decodes_them(real_messages: list[bytes]) -> None:
    compared, wrong = _compare(real_messages)
    assert compared > 7000
    assert wrong == []


def test_every_altitude_identity_and_type_code_as_rs1090(coded_messages: list[bytes]) -> None:
    compared, wrong = _compare(coded_messages)
    assert compared > 30_000  # altitudes in metres (M bit) are left to rs1090
    assert wrong == []


@pytest.mark.parametrize(("v_ew", "v_ns", "west", "south"), [(101, 201, False, True), (1023, 2, True, False)])
def test_supersonic_velocity_is_in_4_kt_units(
    v_ew: int, v_ns: int, west: bool, south: bool, df17: Callable[..., bytes]
) -> None:
    """DO-260B subtype 2: each velocity unit is 4 kt (rs1090 2.x reads it as 1 kt; the ingest does not follow)."""
    me = 19 << 51 | 2 << 48 | int(west) << 42 | v_ew << 32 | int(south) << 31 | v_ns << 21 | 1 << 10
    obs = decode_native(df17(me), 17, "4840d6", 0.0)
    assert obs is not None and obs.groundspeed_kt is not None and obs.track_deg is not None
    east, north = (v_ew - 1) * 4 * (-1 if west else 1), (v_ns - 1) * 4 * (-1 if south else 1)
    assert obs.groundspeed_kt == pytest.approx(math.hypot(east, north))
    assert obs.track_deg == pytest.approx(math.degrees(math.atan2(east, north)) % 360)
    assert obs.vertical_rate_fpm == 0.0
