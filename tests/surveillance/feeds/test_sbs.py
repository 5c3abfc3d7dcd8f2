"""SBS-1 BaseStation: real states written as SBS and read back; malformed lines counted; the states CSV."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonsky.surveillance.feeds.counters import FeedCounters
from commonsky.surveillance.feeds.pipeline import FeedPipeline, StateCsvWriter, read_states_csv
from commonsky.surveillance.feeds.records import STATE_COLUMNS, StateVector
from commonsky.surveillance.feeds.sbs import SbsReader, format_sbs, parse_sbs_line
from commonsky.surveillance.feeds.source import Chunk, open_source


@pytest.fixture(scope="module")
def states(reference_dir: Path) -> list[StateVector]:
    counters = FeedCounters()
    pipeline = FeedPipeline("hexcsv", counters)
    out: list[StateVector] = []
    for chunk in open_source(str(reference_dir / "adsb" / "pymodes_sample_data_adsb.csv"), counters):
        out += pipeline.feed(chunk)
    assert len(out) > 900
    return out


def _close(a: StateVector, b: StateVector) -> None:
    assert (a.icao24, a.callsign, a.squawk, a.onground, a.altitude_ft) == (
        b.icao24,
        b.callsign,
        b.squawk,
        b.onground,
        b.altitude_ft,
    )
    assert a.timestamp_s == pytest.approx(b.timestamp_s, abs=1e-3)
    assert (a.latitude_deg, a.longitude_deg) == pytest.approx((b.latitude_deg, b.longitude_deg), abs=1e-6)
    for x, y in (
        (a.groundspeed_kt, b.groundspeed_kt),
        (a.track_deg, b.track_deg),
        (a.vertical_rate_fpm, b.vertical_rate_fpm),
    ):
        assert (x is None) == (y is None)
        if x is not None:
            assert x == pytest.approx(y, rel=1e-5, abs=1e-9)


def test_sbs_file_round_trip(states: list[StateVector], tmp_path: Path) -> None:
    path = tmp_path / "406b90.sbs"
    path.write_text("".join(format_sbs(s) for s in states))
    counters = FeedCounters()
    pipeline = FeedPipeline("sbs", counters)
    back: list[StateVector] = []
    for chunk in open_source(str(path), counters):
        back += pipeline.feed(chunk)
    back += pipeline.finish(0.0)
    assert len(back) == len(states)
    for a, b in zip(states, back, strict=True):
        _close(a, b)
    assert counters.garbage_lines == 0 and counters.position_jumps == 0


def test_sbs_dump1090_lines_and_garbage() -> None:
    text = (
        "MSG,1,111,11111,4840D6,111111,2016/03/15,10:00:00.000,2016/03/15,10:00:00.000,KLM1023 ,,,,,,,,,,,0\n"
        "MSG,4,111,11111,4840D6,111111,2016/03/15,10:00:00.500,2016/03/15,10:00:00.500,,,159.2,182.9,,,-832,,,,,0\n"
        "MSG,3,111,11111,4840D6,111111,2016/03/15,10:00:01.000,2016/03/15,10:00:01.000,,38000,,,52.25720,3.91937,"
        ",,0,0,0,0\n"
        "STA,,5,179,400AE7,10103,2008/11/28,14:58:51.153,2008/11/28,14:58:51.153,RM\n"
        "MSG,3,111,11111,4840D6,111111,2016/03/15,10:00:02.000,2016/03/15,10:00:02.000,,38000,,,95.0,3.9,,,0,0,0,0\n"
        "MSG,9,1,1,4840D6\nnot,an,sbs,line\nMSG,3,1,1,ZZZZZZ,1,,,,,,,,,,,,,,,,\n\x00\xff\n"
        "MSG,6,111,11111,4840D6,111111,2016/03/15,10:00:03.000,2016/03/15,10:00:03.000,,,,,,,,7000,0,0,0,-1\n"
        "MSG,2,111,11111,4840D6,111111,2016/03/15,10:00:04.000,2016/03/15,10:00:04.000,,,10,90,52.2574,3.9195,,,,,,-1"
    )
    counters = FeedCounters()
    pipeline = FeedPipeline("sbs", counters)
    got = pipeline.feed(Chunk(text.encode("latin-1"), 0.0)) + pipeline.finish(0.0)
    assert counters.garbage_lines == 5 and counters.frames == 5
    first, last = got
    assert first.timestamp_s == 1458036001.0 and first.callsign == "KLM1023" and first.altitude_ft == 38000
    assert (first.groundspeed_kt, first.track_deg, first.vertical_rate_fpm) == (159.2, 182.9, -832)
    assert last.onground is True and last.squawk == "7000" and last.groundspeed_kt == 10


def test_sbs_time_falls_back_to_reception() -> None:
    obs = parse_sbs_line("MSG,5,1,1,4840D6,1,,,,,,1200,,,,,,,,,,", 1234.5)
    assert obs is not None and obs.timestamp_s == 1234.5 and obs.altitude_ft == 1200


def test_sbs_reception_time_option() -> None:
    line = b"MSG,5,1,1,4840D6,1,2016/03/15,10:00:00.000,2016/03/15,10:00:00.000,,1200,,,,,,,,,,\n"
    assert [o.timestamp_s for o in SbsReader().feed(line, 99.0)] == [1458036000.0]
    assert [o.timestamp_s for o in SbsReader(received_time=True).feed(line, 99.0)] == [99.0]


@given(st.text(max_size=200))
def test_sbs_reader_never_raises(text: str) -> None:
    reader = SbsReader()
    data = text.encode("utf-8", "replace")
    reader.feed(data, 0.0)
    reader.flush(0.0)


def test_states_csv_round_trip(states: list[StateVector], tmp_path: Path) -> None:
    buffer = io.StringIO()
    StateCsvWriter(buffer).write(states)
    header = buffer.getvalue().splitlines()[0]
    assert header == ",".join(STATE_COLUMNS)
    path = tmp_path / "states.csv"
    path.write_text(buffer.getvalue())
    back = read_states_csv(path)
    assert len(back) == len(states)
    for a, b in zip(states, back, strict=True):
        assert (a.icao24, a.callsign, a.onground) == (b.icao24, b.callsign, b.onground)
        assert (a.latitude_deg, a.longitude_deg) == pytest.approx((b.latitude_deg, b.longitude_deg), abs=1e-6)
        assert a.groundspeed_kt == pytest.approx(b.groundspeed_kt, abs=0.01)
