"""`commonsky ingest` end to end on the real captures, a loopback TCP feed, and the user's mistakes."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from commonsky.surveillance.feeds.pipeline import read_states_csv
from commonsky.surveillance.feeds.records import STATE_COLUMNS

Run = Callable[..., tuple[int, str, str]]


def test_ingest_hexcsv_writes_states_and_a_json_summary(cli: Run, reference_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "states.csv"
    code, stdout, _ = cli(
        "ingest",
        str(reference_dir / "adsb" / "pymodes_sample_data_adsb.csv"),
        "--format",
        "hexcsv",
        "--out",
        str(out),
        "--json",
    )
    assert code == 0
    summary = json.loads(stdout)
    states = read_states_csv(out)
    assert summary["states"] == len(states) > 900
    assert summary["aircraft"] == 1 and summary["decoded"] == 2000 and summary["crc_failures"] == 0
    assert out.read_text().splitlines()[0] == ",".join(STATE_COLUMNS)
    assert {s.icao24 for s in states} == {"406b90"} and {s.callsign for s in states} == {"EZY85MH"}


def test_ingest_beast_with_a_start_time_prints_a_summary(cli: Run, reference_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "beast.csv"
    code, stdout, _ = cli(
        "ingest",
        str(reference_dir / "adsb" / "sample_dump1090.bin"),
        "-f",
        "beast",
        "-o",
        str(out),
        "--start-time",
        "2017-01-01T00:00:00Z",
    )
    assert code == 0
    assert "239 frames" in stdout and "0 CRC failures" in stdout and "states written" in stdout
    states = read_states_csv(out)
    assert states and all(1483228800 <= s.timestamp_s < 1483228800 + 60 for s in states)


def test_ingest_from_a_loopback_beast_feed(cli: Run, reference_dir: Path, tmp_path: Path) -> None:
    data = (reference_dir / "adsb" / "sample_dump1090.bin").read_bytes()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10.0)
    port = listener.getsockname()[1]

    def serve() -> None:
        with listener:
            conn, _ = listener.accept()
            with conn:
                conn.sendall(data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    out = tmp_path / "live.csv"
    code, stdout, stderr = cli(
        "ingest",
        f"tcp://127.0.0.1:{port}",
        "-f",
        "beast",
        "-o",
        str(out),
        "--retries",
        "0",
        "--duration",
        "20",
        "--json",
    )
    thread.join(timeout=10.0)
    assert code == 0, stderr
    summary = json.loads(stdout)
    assert summary["frames"] == 239 and summary["connections"] == 1 and summary["drops"] == 1
    assert [e["kind"] for e in summary["events"]] == ["connected", "dropped", "connect_failed", "gave_up"]
    assert "dropped" in stderr  # the user sees the link events as they happen
    assert len(read_states_csv(out)) == summary["states"] > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "mlat"], "unknown feed format 'mlat'"),
        (["--format", "avr", "--max-speed", "-1"], "--max-speed"),
        (["--format", "avr", "--reference", "91,0"], "--reference"),
        (["--format", "beast", "--start-time", "yesterday"], "--start-time"),
    ],
)
def test_ingest_bad_options_are_one_line_exit_2(
    cli: Run, reference_dir: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    code, _, stderr = cli(
        "ingest", str(reference_dir / "adsb" / "sample_dump1090.bin"), "-o", str(tmp_path / "x.csv"), *args
    )
    assert code == 2
    assert stderr.startswith("commonsky: error: ") and message in stderr and stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("no/such/file.bin", "cannot read feed file"),
        (".", "not a file"),
        ("tcp://127.0.0.1", "expected tcp://HOST:PORT"),
        ("tcp://127.0.0.1:99999", "bad feed address"),
        ("udp://127.0.0.1:30005", "unsupported feed address"),
    ],
)
def test_ingest_unreadable_sources_are_one_line_exit_2(cli: Run, tmp_path: Path, source: str, message: str) -> None:
    out = tmp_path / "x.csv"
    code, _, stderr = cli("ingest", source, "-f", "avr", "-o", str(out))
    assert code == 2
    assert stderr.startswith("commonsky: error: ") and message in stderr and stderr.count("\n") == 1
    assert not out.exists()


def test_ingest_unreachable_feed_is_an_error(cli: Run, tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    code, _, stderr = cli(
        "ingest", f"tcp://127.0.0.1:{port}", "-f", "sbs", "-o", str(tmp_path / "x.csv"), "--retries", "1"
    )
    assert code == 2
    assert stderr.splitlines()[-1].startswith(f"commonsky: error: could not connect to tcp://127.0.0.1:{port}")
    assert not (tmp_path / "x.csv").exists()


def test_ingest_help(cli: Run) -> None:
    code, stdout, _ = cli("ingest", "--help")
    assert code == 0 and "--format" in stdout and "tcp://HOST:PORT" in stdout
