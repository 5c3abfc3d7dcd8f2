"""A ``commonsky serve`` process on a free local port for the service benchmarks, started and waited for."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve(
    url: str, log: Path, env: dict[str, str], health_path: str, extra_args: list[str]
) -> tuple[str, subprocess.Popen[bytes]]:
    """The base URL and process of a server on database ``url`` (output appended to ``log``), once
    ``health_path`` answers 200; a server that does not within about 30 s is killed and its log's tail raised."""
    import httpx

    port = free_port()
    command = [sys.executable, "-m", "commonsky.cli", "serve", "--db", url, "--port", str(port)]
    command += ["--log-level", "warning", *extra_args]
    with log.open("ab") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}{health_path}", timeout=1.0).status_code == 200:
                return base, process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not start: {log.read_text()[-1000:]}")
