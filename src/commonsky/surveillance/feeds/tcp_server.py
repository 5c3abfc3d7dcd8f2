"""The TCP server the served feeds share (`commonsky.surveillance.feeds.replay`, `.synthetic_live`).

`FeedServer` listens on ``host:port`` (port 0: any free port, see `port`), accepts clients in a daemon thread and
hands each connection to its subclass's `_accepted`, which starts the threads that serve it (`_spawn`). Thread-safe:
`start` runs the server in daemon threads; `close` stops them all and closes the listening socket.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import Self

from commonsky.errors import InputError


class FeedServer:
    """Listens and accepts (module docstring); ``name`` names its threads. `frames_sent` counts what subclasses
    send, under `_lock`."""

    def __init__(self, name: str, host: str, port: int) -> None:
        try:
            self._listener = socket.create_server((host, port))
        except OSError as error:
            raise InputError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
        self._listener.settimeout(0.2)
        self.host, self.port = self._listener.getsockname()[:2]
        self.name = name
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.frames_sent = 0

    def start(self) -> Self:
        self._spawn(self._accept, f"{self.name} :{self.port}")
        return self

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(2.0)
        self._listener.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.close()

    def _spawn(self, target: Callable[..., None], name: str, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._accepted(conn)

    def _accepted(self, conn: socket.socket) -> None:
        """Serve a client that connected (in threads started with `_spawn`; the server's `close` stops them)."""
        raise NotImplementedError
