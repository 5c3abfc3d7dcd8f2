"""AVR framing on real captures: lines round-trip the Beast frames, every line form, garbage counted and skipped."""

from __future__ import annotations

from commonsky.surveillance.feeds.avr import AvrFramer, format_avr_line, parse_avr_line
from commonsky.surveillance.feeds.beast import BeastFramer
from commonsky.surveillance.feeds.modes import RawFrame


def _pairs(frames: list[RawFrame]) -> list[tuple[int | None, str]]:
    return [(f.mlat_ticks, f.hex) for f in frames]


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
