"""Serve a FastAPI app from a background thread on a free loopback port (browser tests and benchmarks).

Usage: ``with ServerThread(app) as server: page.goto(server.url)`` (the browser tests do exactly this).
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from types import TracebackType

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


__all__ = ["CHROMIUM", "CHROMIUM_FLAGS", "ServerThread", "free_port", "fresh_profile"]
