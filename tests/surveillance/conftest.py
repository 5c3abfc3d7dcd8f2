"""Fixtures of the surveillance tests: a real dump1090 (Debian's dump1090-mutability) in --net-only mode on free
loopback ports. Its Beast input takes recorded frames; its Beast, raw (AVR) and SBS outputs are what a receiver
serves. The `dump1090` fixture starts one per test and ends that process only.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

BINARY = Path("/usr/bin/dump1090-mutability")
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
