"""hexcsv framing: both of pyModeS's layouts read, a header skipped, junk counted."""

from __future__ import annotations

from pathlib import Path

from commonsky.surveillance.feeds.hexcsv import HexCsvFramer, parse_hexcsv_line
from commonsky.surveillance.feeds.modes import RawFrame


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
