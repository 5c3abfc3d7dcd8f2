"""Serve a FastAPI app from a background thread on a free loopback port (browser tests and benchmarks), or
`commonsky serve` in its own process (`serve_process`: tests and benchmarks that need a real server process).

Usage: ``with ServerThread(app) as server: page.goto(server.url)`` (the browser tests do exactly this).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn
from fastapi import FastAPI

from commonsky.errors import CommonskyError

CHROMIUM = "/usr/bin/chromium"
"""Debian's Chromium (installed by scripts/browser.sh); Playwright launches it through ``executable_path``."""
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
"""Flags for a quiet headless Chromium that never reaches the network by itself."""


def fresh_profile() -> str:
    """A new empty user-data directory for one Chromium launch."""
    return tempfile.mkdtemp(prefix="commonsky-chromium-")


def launch_chromium(playwright: Any, width: int = 1500, height: int = 900) -> Any:
    """A headless Debian Chromium context with a fresh profile and `CHROMIUM_FLAGS`, ``width`` x ``height`` CSS
    pixels, from a ``playwright.sync_api.Playwright`` (a test and benchmark dependency, so typed loosely here)."""
    return playwright.chromium.launch_persistent_context(
        fresh_profile(),
        executable_path=CHROMIUM,
        args=list(CHROMIUM_FLAGS),
        headless=True,
        viewport={"width": width, "height": height},
    )


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class ServerThread:
    """uvicorn serving ``app`` on ``host`` (loopback) and a free port, in a daemon thread, until `stop`."""

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.host = host
        self.port = port or free_port(host)
        config = uvicorn.Config(app, host=host, port=self.port, log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="commonsky-uvicorn", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def start(self, timeout_s: float = 20.0) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise CommonskyError(f"the server did not start on {self.url}")
            time.sleep(0.05)
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout_s)

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def serve_process(
    database_url: str,
    log: Path,
    *,
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    port: int | None = None,
    health_path: str = "/health",
    host: str = "127.0.0.1",
    timeout_s: float = 30.0,
) -> tuple[str, subprocess.Popen[bytes]]:
    """`commonsky serve` on ``database_url`` (and ``args``) in its own process, on ``port`` or a free one, its
    output appended to ``log``: its base URL ``http://{host}:{port}`` and its process, once ``health_path``
    answers 200. ``env``: the server's whole environment (default: this process's). A server that exits or does
    not answer within ``timeout_s`` is killed, and `CommonskyError` names its log's tail. The caller stops it."""
    port = port or free_port()
    command = [sys.executable, "-m", "commonsky.cli", "serve", "--db", database_url, "--port", str(port), *args]
    with log.open("ab") as sink:
        environment = None if env is None else dict(env)
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=environment)
    base = f"http://{host}:{port}"
    deadline = time.monotonic() + timeout_s
    while process.poll() is None and time.monotonic() < deadline:
        if _answers(base + health_path):
            return base, process
        time.sleep(0.1)
    process.kill()
    process.wait()
    raise CommonskyError(f"commonsky serve did not start: {log.read_text(errors='replace')[-1000:]}")


def _answers(url: str) -> bool:
    """Whether ``url`` answers 200 within a second (an error status, a refused or a timed-out connection: no)."""
    try:
        with urllib.request.urlopen(url, timeout=1.0) as response:
            return bool(response.status == 200)
    except OSError:  # URLError, HTTPError, ConnectionError and timeouts are all OSErrors
        return False


__all__ = [
    "CHROMIUM",
    "CHROMIUM_FLAGS",
    "ServerThread",
    "free_port",
    "fresh_profile",
    "launch_chromium",
    "serve_process",
]
