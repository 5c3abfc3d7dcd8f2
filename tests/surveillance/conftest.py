"""Fixtures of the surveillance tests: a real dump1090 (Debian's dump1090-mutability) in --net-only mode on free
loopback ports. Its Beast input takes recorded frames; its Beast, raw (AVR) and SBS outputs are what a receiver
serves. The `dump1090` fixture starts one per test and ends that process only.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

BINARY = Path("/usr/bin/dump1090-mutability")
ADDRESS_PARITY_DFS = frozenset({0, 4, 5, 16, 20, 21})
"""Replies whose parity field is overlaid with the aircraft address (address/parity)."""


def _crc24_remainder(msg: bytes) -> int:
    """Remainder of the whole message divided by the Mode S generator 0x1FFF409, bit by bit (an oracle written
    independently of the product's table-driven CRC): 0 for a clean DF17/18, the address for an address/parity reply,
    the interrogator code (< 128) for a clean DF11."""
    value = int.from_bytes(msg, "big")
    for bit in range(len(msg) * 8 - 1, 23, -1):
        if value >> bit & 1:
            value ^= 0x1FFF409 << (bit - 24)
    return value


@pytest.fixture(scope="session")
def crc24_remainder() -> Callable[[bytes], int]:
    """The bitwise Mode S CRC-24 oracle (`_crc24_remainder`)."""
    return _crc24_remainder


def _verified_count(msgs: list[bytes]) -> int:
    """Messages a decoder that learns addresses from clean DF11/17/18 accepts, in order: a clean DF11/17/18, or an
    address/parity reply whose recovered address was verified earlier."""
    verified: set[int] = set()
    accepted = 0
    for msg in msgs:
        df = min(msg[0] >> 3, 24) if msg else -1
        if len(msg) != (7 if 0 <= df < 16 else 14):
            continue  # Mode A/C, or the wrong length for its DF
        rem = _crc24_remainder(msg)
        if (df in (17, 18) and rem == 0) or (df == 11 and rem < 128):
            verified.add(int.from_bytes(msg[1:4], "big"))
            accepted += 1
        elif df in ADDRESS_PARITY_DFS and rem in verified:
            accepted += 1
    return accepted


@pytest.fixture(scope="session")
def verified_count() -> Callable[[list[bytes]], int]:
    """How many of the messages pass the address policy, by the CRC-24 oracle (`_verified_count`)."""
    return _verified_count


PORTS = ("ri", "ro", "sbs", "bi", "bo")


def _free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@dataclass
class Dump1090:
    """One dump1090 process and its ports (``ports["bo"]``: Beast output, ``ro``: raw, ``sbs``, ``bi``: input)."""

    process: subprocess.Popen[bytes]
    ports: dict[str, int]

    @classmethod
    def start(cls, heartbeat_s: int = 1) -> Dump1090:
        if not BINARY.exists():
            if os.environ.get("COMMONSKY_SKIP_DUMP1090"):
                pytest.skip("COMMONSKY_SKIP_DUMP1090 is set and dump1090-mutability is missing")
            pytest.fail(f"{BINARY} is missing: run scripts/dump1090.sh (make test does)")
        for _ in range(5):  # a free port may be taken between our check and its bind: try afresh
            ports = dict(zip(PORTS, _free_ports(len(PORTS)), strict=True))
            args = [str(BINARY), "--net-only", "--net-bind-address", "127.0.0.1", "--quiet"]
            args += ["--net-heartbeat", str(heartbeat_s)]
            for name, port in ports.items():
                args += [f"--net-{name}-port", str(port)]
            process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            end = time.monotonic() + 5.0
            while time.monotonic() < end and process.poll() is None:
                if all(_listening(p) for p in ports.values()):
                    return cls(process, ports)
                time.sleep(0.05)
            process.kill()
            process.wait(5.0)
        pytest.fail("dump1090-mutability did not come up on free ports in 5 attempts")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(5.0)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5.0)


@pytest.fixture
def dump1090() -> Iterator[Dump1090]:
    peer = Dump1090.start()
    try:
        yield peer
    finally:
        peer.stop()
