"""Mode S framing and CRC-24 parity on real messages (pyModeS test data, a dump1090 Beast capture)."""

from __future__ import annotations

import csv
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from commonsky.surveillance.feeds.modes import (
    Parity,
    check_parity,
    crc24,
    crc_residual,
    downlink_format,
    flight_status_on_ground,
)


def _adsb(reference_dir: Path) -> list[list[str]]:
    with (reference_dir / "adsb" / "pymodes_sample_data_adsb.csv").open() as handle:
        return list(csv.reader(handle))


def _df20(reference_dir: Path) -> list[list[str]]:
    with (reference_dir / "adsb" / "pymodes_sample_data_commb_df20.csv").open(encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))


def test_crc24_matches_bitwise_polynomial_division() -> None:
    # The table-driven CRC against a plain long division by the generator x^24 + 0xFFF409.
    data = bytes.fromhex("8D4840D6202CC371C32CE0")
    value = int.from_bytes(data, "big") << 24
    generator = 0x1FFF409
    for bit in range(len(data) * 8 + 23, 23, -1):
        if value >> bit & 1:
            value ^= generator << (bit - 24)
    assert crc24(data) == value
    assert crc24(data) == 0x576098  # ... which is the parity the aircraft transmitted


def test_every_real_df17_squitter_has_zero_residual(reference_dir: Path) -> None:
    rows = _adsb(reference_dir)
    assert len(rows) == 2000
    checks = [check_parity(bytes.fromhex(row[1])) for row in rows]
    assert {c.parity for c in checks} == {Parity.OK}
    assert {c.icao24 for c in checks} == {row[2].lower() for row in rows} == {"406b90"}
    assert {c.df for c in checks} == {17}


def test_a_flipped_bit_fails_df17_parity_anywhere_in_the_message(reference_dir: Path) -> None:
    msg = bytes.fromhex(_adsb(reference_dir)[0][1])
    for bit in range(5, 112):  # leave the DF bits alone so that it stays a DF17
        corrupted = bytearray(msg)
        corrupted[bit // 8] ^= 0x80 >> (bit % 8)
        assert crc_residual(bytes(corrupted)) != 0
        assert check_parity(bytes(corrupted)).parity is Parity.FAILED


def test_df20_address_parity_recovers_the_listed_address(reference_dir: Path) -> None:
    rows = _df20(reference_dir)
    assert len(rows) == 5000
    recovered = [check_parity(bytes.fromhex(row[2])) for row in rows]
    assert {c.df for c in recovered} == {20}
    assert {c.parity for c in recovered} == {Parity.ADDRESS}
    mismatches = [row for row, c in zip(rows, recovered, strict=True) if c.icao24 != row[1].lower()]
    # A handful of real replies were received corrupted: their overlay gives a different address.
    assert 0 < len(mismatches) <= 5
    corrupted = bytearray.fromhex(rows[0][2])
    corrupted[5] ^= 0x10
    assert check_parity(bytes(corrupted)).icao24 != rows[0][1].lower()


def test_short_frames_of_the_beast_capture(reference_dir: Path) -> None:
    lines = (reference_dir / "adsb" / "dump1090_beast_sample_hex.txt").read_text().split()
    msgs = [bytes.fromhex(line.split(",")[1]) for line in lines]
    dfs = {downlink_format(m) for m in msgs}
    assert {4, 5, 11, 17} <= dfs
    df11 = [check_parity(m) for m in msgs if downlink_format(m) == 11]
    assert df11 and all(c.parity is Parity.OK for c in df11)
    # Address/parity replies of an aircraft also heard in verified squitters recover that same address.
    verified = {check_parity(m).icao24 for m in msgs if downlink_format(m) in (11, 17)}
    replies = [check_parity(m).icao24 for m in msgs if downlink_format(m) in (4, 5, 20, 21)]
    assert sum(address in verified for address in replies) >= 0.9 * len(replies)


def test_flight_status() -> None:
    assert flight_status_on_ground(bytes.fromhex("20000CA8F70AA7")) is False  # DF4 FS=0: airborne
    assert flight_status_on_ground(bytes.fromhex("21000CA8F70AA7")) is True  # FS=1: on the ground
    assert flight_status_on_ground(bytes.fromhex("8D4840D6202CC371C32CE0576098")) is None


@given(st.binary(max_size=40))
def test_check_parity_never_raises(data: bytes) -> None:
    check = check_parity(data)
    if len(data) not in (7, 14):
        assert check.parity is Parity.FAILED
    if check.parity is Parity.OK:
        assert check.icao24 == data[1:4].hex()
