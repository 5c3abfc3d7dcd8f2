"""`commonsky feed replay FILE`, run as a user runs it (its own process): it prints the port it serves on, gives a
client every frame of the file in order, stamped with the file's own times, as Beast or AVR; Ctrl-C ends it with
a count of clients and frames; bad flags are one line and exit 2. The bytes are read back by a Beast and an AVR
parser written here, and compared with the dump1090 hex listing of the same capture. Only 127.0.0.1, port 0."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
LENGTHS = {0x32: 7, 0x33: 14}  # Beast types '2' (short Mode S) and '3' (long); '1' (Mode A/C) is 2 bytes
FRAMES = 239


def _beast_frames(data: bytes) -> list[tuple[int, str]]:
    """(48-bit counter, message hex) of every Mode S frame in a Beast stream, 0x1A 0x1A unescaped."""
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(data):
        assert data[i] == 0x1A, f"no frame start at byte {i}"
        kind = data[i + 1]
        size = 6 + 1 + {0x31: 2, **LENGTHS}[kind]
        body = bytearray()
        i += 2
        while len(body) < size:
            if data[i] == 0x1A:
                assert data[i + 1] == 0x1A
                i += 1
            body.append(data[i])
            i += 1
        out.append((int.from_bytes(body[:6], "big"), body[7:].hex().upper()))
    return out


def _avr_frames(data: bytes) -> list[tuple[int, str]]:
    out = []
    for line in data.decode("ascii").splitlines():
        found = re.fullmatch(r"@([0-9A-F]{12})([0-9A-F]+);", line)
        assert found, line
        out.append((int(found.group(1), 16), found.group(2)))
    return out


@contextmanager
def _served(path: Path, *args: str) -> Iterator[tuple[subprocess.Popen[str], int, str]]:
    command = [sys.executable, "-m", "commonsky.cli", "feed", "replay", str(path), "--port", "0", *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        found = re.search(r"on 127\.0\.0\.1:(\d+) ", first)
        assert found, first + process.stderr.read() if process.stderr else first
        yield process, int(found.group(1)), first
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10.0)


def _receive(port: int, timeout_s: float = 20.0) -> bytes:
    """Everything the server sends one client, until it hangs up."""
    chunks = []
    end = time.monotonic() + timeout_s
    with socket.create_connection(("127.0.0.1", port), timeout=timeout_s) as conn:
        while time.monotonic() < end:
            data = conn.recv(65536)
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)


@pytest.mark.parametrize(("serve_as", "parse"), [("beast", _beast_frames), ("avr", _avr_frames)])
def test_a_client_gets_every_frame_in_order_with_the_files_times(
    reference_dir: Path, serve_as: str, parse: Callable[[bytes], list[tuple[int, str]]]
) -> None:
    listing = [
        line.split(",") for line in (reference_dir / "adsb" / "dump1090_beast_sample_hex.txt").read_text().split()
    ]
    expected = [(int(ticks), msg) for ticks, msg in listing]
    with _served(
        reference_dir / "adsb" / "sample_dump1090.bin", "--format", "beast", "--speed", "50", "--serve-as", serve_as
    ) as (process, port, _):
        got = parse(_receive(port))
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10.0)
    assert [msg for _, msg in got] == [msg for _, msg in expected]
    first = expected[0][0]
    for (counter, _), (ticks, _) in zip(got, expected, strict=True):  # 12 MHz from the first frame, plus 1
        assert abs(counter - (ticks - first + 1)) <= 1
    assert process.returncode == 0, err
    assert out.strip() == f"commonsky: 1 clients, {FRAMES} frames sent"


def test_the_banner_says_what_is_served(reference_dir: Path) -> None:
    path = reference_dir / "adsb" / "sample_dump1090.bin"
    with _served(path, "--format", "beast", "--speed", "2.5", "--loop") as (process, port, banner):
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=10.0)
    assert process.returncode == 0
    assert f"serving {FRAMES} frames" in banner and f"as beast on 127.0.0.1:{port} at x2.5, looping" in banner
    assert out == "commonsky: 0 clients, 0 frames sent\n"  # Ctrl-C as soon as the banner shows: still counted


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "70000"], "--port 70000: must be within 0..65535"),
        (["--port", "-1"], "--port -1: must be within 0..65535"),
        (["--port", "0", "--speed", "-2"], "--speed -2: must be positive"),
        (["--port", "0", "--serve-as", "BEAST"], "--serve-as 'BEAST': expected beast or avr"),
    ],
)
def test_bad_flags_are_one_line_and_exit_2(
    cli: Callable[..., Any], reference_dir: Path, args: list[str], message: str
) -> None:
    result = cli("feed", "replay", str(reference_dir / "adsb" / "sample_dump1090.bin"), "--format", "beast", *args)
    assert result.code == 2 and result.err == f"commonsky: error: {message}\n"
