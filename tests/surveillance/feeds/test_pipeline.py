"""`FeedPipeline`: bytes in any chunking to the same state vectors; frames counted against a bitwise CRC oracle;
`ingest` handing every state on and stopping cleanly on Ctrl-C; the states CSV written and read back with the
rounding of its columns, computed here by hand; bad formats and files refused with one line."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from commonsky.errors import InputError
from commonsky.surveillance.feeds.pipeline import (
    FeedOptions,
    FeedPipeline,
    IngestReport,
    StateCsvWriter,
    ingest,
    make_framer,
    read_states_csv,
)
from commonsky.surveillance.feeds.records import STATE_COLUMNS, StateVector
from commonsky.surveillance.feeds.source import Chunk


@pytest.fixture(scope="module")
def listing(reference_dir: Path) -> list[bytes]:
    """The messages of dump1090's hex listing of its Beast capture, in order."""
    lines = (reference_dir / "adsb" / "dump1090_beast_sample_hex.txt").read_text().split()
    return [bytes.fromhex(line.split(",")[1]) for line in lines]


@pytest.fixture(scope="module")
def hexcsv(reference_dir: Path) -> bytes:
    return (reference_dir / "adsb" / "pymodes_sample_data_adsb.csv").read_bytes()


def _avr(msgs: list[bytes]) -> bytes:
    return b"".join(b"*" + m.hex().upper().encode() + b";\n" for m in msgs)


def _run(fmt: str, data: bytes, size: int) -> tuple[list[StateVector], FeedPipeline]:
    pipeline = FeedPipeline(fmt, options=FeedOptions(start_s=0.0))
    states: list[StateVector] = []
    for i in range(0, len(data), size):
        states += pipeline.feed(Chunk(data[i : i + size], 1_000.0 + i))
    return states + pipeline.finish(2_000_000.0), pipeline


def test_frames_counted_and_decoded_as_the_crc_oracle_says(
    listing: list[bytes], verified_count: Callable[[list[bytes]], int]
) -> None:
    mode_s = [m for m in listing if len(m) in (7, 14)]
    seen: list[int] = []
    pipeline = FeedPipeline("avr", tap=lambda frames: seen.append(len(frames)))
    pipeline.feed(Chunk(_avr(listing), 0.0))
    pipeline.finish(1.0)
    assert pipeline.counters.frames == sum(seen) == len(mode_s) == 239
    assert pipeline.counters.decoded == verified_count(mode_s)
    icao = {int.from_bytes(m[1:4], "big") for m in mode_s if m[0] >> 3 in (11, 17, 18)}
    assert pipeline.aircraft_seen == len(icao)


@pytest.mark.parametrize("size", [1, 7, 100, 10**9])
def test_any_chunking_gives_the_same_states(hexcsv: bytes, size: int) -> None:
    whole, _ = _run("hexcsv", hexcsv, 10**9)
    lines = hexcsv.splitlines()
    positions = [ln for ln in lines if 9 <= int(ln.split(b",")[-1]) <= 18]  # airborne position type codes
    assert len(whole) > 0.9 * len(positions) // 2  # most position pairs make a fix
    got, pipeline = _run("hexcsv", hexcsv, size)
    assert got == whole
    assert pipeline.counters.frames == len(lines)


def test_a_gap_flushes_the_partial_line_before_the_new_connection() -> None:
    """Half a line, then a reconnection: the half is counted as garbage, not glued to the next line."""
    msg = "8D4840D6202CC371C32CE0576098"
    pipeline = FeedPipeline("avr", options=FeedOptions(trust_address_parity=True))
    pipeline.feed(Chunk(f"*{msg[:10]}".encode(), 0.0))
    pipeline.feed(Chunk(f"*{msg};\n".encode(), 1.0, after_gap=True))
    assert pipeline.counters.frames == 1 and pipeline.counters.decoded == 1
    assert pipeline.counters.garbage_lines == 1


@pytest.mark.parametrize("fmt", ["sbs1", "BEAST", "", "json"])
def test_an_unknown_format_is_refused_naming_the_known_ones(fmt: str) -> None:
    for make in (lambda: FeedPipeline(fmt), lambda: make_framer(fmt, FeedPipeline("beast").counters)):
        with pytest.raises(InputError, match="expected one of beast, avr, sbs, hexcsv"):
            make()
    with pytest.raises(InputError):
        make_framer("sbs", FeedPipeline("beast").counters)  # SBS has lines, not frames


def test_ingest_hands_on_every_state_and_reports(hexcsv: bytes) -> None:
    expected, _ = _run("hexcsv", hexcsv, 4096)
    got: list[StateVector] = []
    chunks: list[Chunk] = []
    data = [Chunk(hexcsv[i : i + 4096], 1_000.0 + i) for i in range(0, len(hexcsv), 4096)]
    report = ingest(data, FeedPipeline("hexcsv", options=FeedOptions(start_s=0.0)), got.extend, chunks.append, "f")
    assert got == expected and chunks == data
    assert isinstance(report, IngestReport) and not report.interrupted and report.events == ()
    as_dict = report.as_dict()
    assert as_dict["source"] == "f" and as_dict["format"] == "hexcsv" and as_dict["frames"] == len(hexcsv.splitlines())
    assert as_dict["events"] == []


def test_ctrl_c_ends_an_ingest_cleanly_with_what_it_read(hexcsv: bytes) -> None:
    lines = hexcsv.splitlines(keepends=True)

    def chunks() -> Iterator[Chunk]:
        for i, line in enumerate(lines[:300]):
            yield Chunk(line, float(i))
        raise KeyboardInterrupt

    got: list[StateVector] = []
    report = ingest(chunks(), FeedPipeline("hexcsv"), got.extend)
    assert report.interrupted and report.counters["frames"] == 300
    whole, _ = _run("hexcsv", b"".join(lines[:300]), 10**9)
    assert [(s.icao24, s.latitude_deg) for s in got] == [(s.icao24, s.latitude_deg) for s in whole]


def test_states_csv_round_trip_with_its_rounding(tmp_path: Path) -> None:
    states = [
        StateVector(
            1457996400.123456,
            "406b90",
            51.123456789,
            -0.987654321,
            "EZY85MH",
            36000.4,
            488.3849,
            291.6271,
            -64.6,
            "7000",
            False,
        ),
        StateVector(1457996401.0, "4840d6", 52.0, 4.0),
        StateVector(1457996402.5, "abc123", -33.9, 151.2, None, 25.0, None, 0.0, None, None, True),
    ]
    path = tmp_path / "states.csv"
    with path.open("w") as stream:
        writer = StateCsvWriter(stream)
        writer.write(states[:2])
        writer.write(states[2:])
    lines = path.read_text().splitlines()
    assert lines[0] == ",".join(STATE_COLUMNS)
    assert lines[1] == "1457996400.123,406b90,EZY85MH,51.123457,-0.987654,36000,488.38,291.63,-65,7000,False"
    assert lines[2] == "1457996401.000,4840d6,,52.000000,4.000000,,,,,,"
    back = read_states_csv(path)
    assert back[1] == StateVector(1457996401.0, "4840d6", 52.0, 4.0)
    assert back[2] == StateVector(1457996402.5, "abc123", -33.9, 151.2, None, 25.0, None, 0.0, None, None, True)
    first = back[0]
    assert (first.timestamp_s, first.latitude_deg, first.longitude_deg) == (1457996400.123, 51.123457, -0.987654)
    assert (first.altitude_ft, first.groundspeed_kt, first.track_deg, first.vertical_rate_fpm) == (
        36000,
        488.38,
        291.63,
        -65,
    )
    assert (first.callsign, first.squawk, first.onground) == ("EZY85MH", "7000", False)


def test_a_missing_or_malformed_states_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read states file"):
        read_states_csv(tmp_path / "none.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text(",".join(STATE_COLUMNS) + "\nsoon,406b90,,51,0,,,,,,\n")
    with pytest.raises(InputError, match="is malformed") as error:
        read_states_csv(bad)
    assert "\n" not in str(error.value)
    (tmp_path / "cols.csv").write_text("time,icao\n1,abc\n")
    with pytest.raises(InputError, match="is malformed"):
        read_states_csv(tmp_path / "cols.csv")
