"""`feed replay` serves a recording over loopback; a `LiveFeed` reading it builds the states `ingest` builds from
the file. Only 127.0.0.1 and free ports are used; every wait is bounded."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from commonsky.surveillance.feeds.live import LiveFeed
from commonsky.surveillance.feeds.replay import ReplayFormat, ReplayServer, load_recording
from commonsky.surveillance.feeds.url import parse_feed_url

from .conftest import QUICK, file_states, read_until


@pytest.mark.parametrize("out", list(ReplayFormat))
def test_replayed_hexcsv_gives_the_positions_of_the_file(reference_dir: Path, out: ReplayFormat) -> None:
    path = reference_dir / "adsb" / "pymodes_sample_data_adsb.csv"
    expected = file_states(path, "hexcsv")
    recording = load_recording(path, "hexcsv")
    epochs = [float(line.split(",")[0]) for line in path.read_text().splitlines()]
    assert len(recording.frames) == len(epochs) and recording.duration_s == max(epochs) - min(epochs)
    with ReplayServer(recording, out, speed=400.0) as server:  # 730 s recorded -> about 2 s
        feed = LiveFeed(parse_feed_url(f"{out.value}://127.0.0.1:{server.port}"), QUICK, poll_s=0.05)
        feed.start()
        try:
            got = read_until(feed, len(expected))
        finally:
            feed.stop()
    assert len(got) == len(expected) == 933
    assert [(s.icao24, s.callsign) for s in got] == [(s.icao24, s.callsign) for s in expected]
    for mine, theirs in zip(got, expected, strict=True):
        assert mine.latitude_deg == pytest.approx(theirs.latitude_deg, abs=1e-9)
        assert mine.longitude_deg == pytest.approx(theirs.longitude_deg, abs=1e-9)
        assert mine.altitude_ft == theirs.altitude_ft


def test_pace_follows_the_recording_and_speed(reference_dir: Path) -> None:
    recording = load_recording(reference_dir / "adsb" / "sample_dump1090.bin", "beast")
    assert len(recording.frames) == 239
    with ReplayServer(recording, speed=20.0) as server, socket.create_connection(("127.0.0.1", server.port)) as conn:
        began = time.monotonic()
        conn.settimeout(10.0)
        while server.frames_sent < 239 and time.monotonic() - began < 10.0:
            conn.recv(65536)
        took = time.monotonic() - began
    assert server.frames_sent == 239
    assert took > recording.duration_s / 20.0 * 0.8  # paced, not all at once (no upper bound: machines lag)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.bin", "--format", "beast"], "cannot read feed file missing.bin"),
        (["{avr}", "--format", "avr"], "no Mode S frames"),
        (["{avr}", "--format", "sbs"], "a recording to replay is beast, avr or hexcsv"),
        (["{avr}", "--format", "avr", "--serve-as", "sbs"], "--serve-as 'sbs'"),
        (["{avr}", "--format", "avr", "--speed", "0"], "--speed 0"),
    ],
)
def test_feed_replay_bad_input_is_one_line(
    cli: Callable[..., Any], tmp_path: Path, args: list[str], message: str
) -> None:
    garbage = tmp_path / "garbage.avr"
    garbage.write_text("not a frame\n")
    result = cli("feed", "replay", *[a.replace("{avr}", str(garbage)) for a in args], "--port", "0")
    assert result.code == 2 and result.err.startswith("commonsky: error:") and message in result.err
    assert result.err.count("\n") == 1
