"""Beast, AVR and hexcsv framing on real captures: exact frames, any chunking, garbage counted and skipped."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonsky.surveillance.feeds.avr import AvrFramer, format_avr_line, parse_avr_line
from commonsky.surveillance.feeds.beast import BeastFramer, encode_beast
from commonsky.surveillance.feeds.hexcsv import HexCsvFramer, parse_hexcsv_line
from commonsky.surveillance.feeds.modes import RawFrame


@pytest.fixture(scope="module")
def beast_bytes(reference_dir: Path) -> bytes:
    return (reference_dir / "adsb" / "sample_dump1090.bin").read_bytes()


@pytest.fixture(scope="module")
def expected(reference_dir: Path) -> list[tuple[int, str]]:
    lines = (reference_dir / "adsb" / "dump1090_beast_sample_hex.txt").read_text().split()
    return [(int(ticks), msg) for ticks, msg in (line.split(",") for line in lines)]


def _pairs(frames: list[RawFrame]) -> list[tuple[int | None, str]]:
    return [(f.mlat_ticks, f.hex) for f in frames]


def test_beast_capture_yields_exactly_the_listed_frames(beast_bytes: bytes, expected: list[tuple[int, str]]) -> None:
    framer = BeastFramer()
    frames = framer.feed(beast_bytes) + framer.flush()
    assert len(expected) == 239
    assert _pairs(frames) == expected
    assert framer.counters.frames == 239
    assert framer.counters.garbage_bytes == 0
    assert all(f.signal is not None and 0 <= f.signal <= 255 for f in frames)
    assert b"\x1a\x1a" in beast_bytes  # the capture exercises escaped 0x1a bytes


def test_beast_one_byte_at_a_time(beast_bytes: bytes, expected: list[tuple[int, str]]) -> None:
    framer = BeastFramer()
    frames = [frame for i in range(len(beast_bytes)) for frame in framer.feed(beast_bytes[i : i + 1])]
    assert _pairs(frames) == expected
    assert framer.counters.garbage_bytes == 0


def test_beast_encoder_inverts_the_framer(beast_bytes: bytes) -> None:
    frames = BeastFramer().feed(beast_bytes)
    assert b"".join(encode_beast(f) for f in frames) == beast_bytes


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.binary(min_size=1, max_size=30).filter(lambda b: 0x1A not in b), min_size=1, max_size=8),
    st.randoms(use_true_random=False),
)
def test_beast_resyncs_after_garbage_between_frames(
    beast_bytes: bytes, expected: list[tuple[int, str]], junk: list[bytes], rnd: object
) -> None:
    frames = BeastFramer().feed(beast_bytes)
    stream = [encode_beast(f) for f in frames]
    positions = sorted(rnd.sample(range(len(stream) + 1), len(junk)))  # type: ignore[attr-defined]
    for offset, (pos, chunk) in enumerate(zip(positions, junk, strict=True)):
        stream.insert(pos + offset, chunk)
    framer = BeastFramer()
    got = framer.feed(b"".join(stream)) + framer.flush()
    assert _pairs(got) == expected
    assert framer.counters.garbage_bytes == sum(len(j) for j in junk)


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 4217), st.binary(max_size=12)), max_size=12), st.integers(1, 600))
def test_beast_corrupted_stream_never_crashes_and_loses_little(
    beast_bytes: bytes, edits: list[tuple[int, bytes]], chunk: int
) -> None:
    data = bytearray(beast_bytes)
    for pos, junk in sorted(edits, reverse=True):
        data[pos : pos + len(junk)] = junk  # overwrite real bytes with arbitrary ones, 0x1a included
    framer = BeastFramer()
    frames = [f for i in range(0, len(data), chunk) for f in framer.feed(bytes(data[i : i + chunk]))]
    frames += framer.flush()
    assert all(len(f.msg) in (2, 7, 14) for f in frames)
    # each edit spoils a bounded number of frames (the frame it hits and the one a fake start may swallow)
    assert len(frames) >= 239 - 3 * len(edits)
    if not edits:
        assert len(frames) == 239


def test_avr_lines_round_trip_the_beast_frames(beast_bytes: bytes, expected: list[tuple[int, str]]) -> None:
    frames = BeastFramer().feed(beast_bytes)
    text = "".join(format_avr_line(f) for f in frames).encode()
    assert text.startswith(b"@000015A8877E20000CA8F70AA7;\n")
    framer = AvrFramer()
    got = [f for i in range(0, len(text), 7) for f in framer.feed(text[i : i + 7])] + framer.flush()
    assert _pairs(got) == expected
    untimed = "".join(f"*{f.hex};\r\n" for f in frames).encode()
    assert [f.hex for f in AvrFramer().feed(untimed)] == [msg for _, msg in expected]


def test_avr_line_forms() -> None:
    frame = parse_avr_line("*8D4840D6202CC371C32CE0576098;")
    assert frame is not None and frame.hex == "8D4840D6202CC371C32CE0576098" and frame.mlat_ticks is None
    stamped = parse_avr_line("@000015A8877E8D4840D6202CC371C32CE0576098;")
    assert stamped is not None and stamped.mlat_ticks == 363366270
    for bad in (
        "8D4840D6202CC371C32CE0576098",
        "*8D4840D6202CC371C32CE05760;",
        "*8D4840D6202CC371C32CE057609Z;",
        "@XYZ;",
        "*;",
        "",
        "@000015A8877E;",
    ):
        assert parse_avr_line(bad) is None


def test_avr_garbage_lines_are_counted_and_skipped() -> None:
    framer = AvrFramer()
    data = b"*8D4840D6202CC371C32CE0576098;\nhello\n\n*ZZ;\n\x00\xff\x1a\n*8D485020994409940838175B284F;\n*8D48"
    frames = framer.feed(data)
    assert [f.hex for f in frames] == ["8D4840D6202CC371C32CE0576098", "8D485020994409940838175B284F"]
    assert framer.counters.garbage_lines == 3
    assert framer.flush() == [] and framer.counters.garbage_lines == 4  # the cut last line


def test_avr_endless_line_is_bounded() -> None:
    framer = AvrFramer()
    for _ in range(10):
        framer.feed(b"A" * 1000)
    assert framer.counters.garbage_lines >= 1
    assert [f.hex for f in framer.feed(b"\n*8D4840D6202CC371C32CE0576098;\n")] == ["8D4840D6202CC371C32CE0576098"]


def test_hexcsv_reads_both_pymodes_layouts(reference_dir: Path) -> None:
    adsb = parse_hexcsv_line('1457996400,"8D406B909945DE10000405999BE4","406B90",19')
    assert adsb == RawFrame(
        bytes.fromhex("8D406B909945DE10000405999BE4"), timestamp_s=1457996400.0, expected_icao24="406b90"
    )
    framer = HexCsvFramer()
    frames = framer.feed((reference_dir / "adsb" / "pymodes_sample_data_commb_df20.csv").read_bytes())
    frames += framer.flush()
    assert len(frames) == 5000 and framer.counters.garbage_lines == 0
    assert frames[0] == RawFrame(
        bytes.fromhex("A00015B7C26E1370AA00005DD34A"), timestamp_s=1495353600.0, expected_icao24="4d010d"
    )  # byte-order mark and CRLF handled


def test_hexcsv_header_is_skipped_and_junk_counted() -> None:
    framer = HexCsvFramer()
    frames = framer.feed(
        b"timestamp,msg\n1,8D4840D6202CC371C32CE0576098\nnan,8D4840D6202CC371C32CE0576098\n"
        b"2,XYZ\n,\n3,8D4840D6202CC371C32CE0576098\n"
    )
    assert [f.timestamp_s for f in frames] == [1.0, 3.0]
    assert framer.counters.garbage_lines == 3
