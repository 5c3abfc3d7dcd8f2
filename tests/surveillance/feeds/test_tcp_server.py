"""The feed servers' shared TCP server (`surveillance.feeds.tcp_server`), over loopback: every client is handed to
the subclass in its own thread, `close` stops them all, and a port already taken is a one-line `InputError`."""

from __future__ import annotations

import socket
import threading

import pytest

from commonsky.errors import InputError
from commonsky.surveillance.feeds.tcp_server import FeedServer


class Greeter(FeedServer):
    """Sends each client its number, then holds the connection until the server closes."""

    def __init__(self) -> None:
        super().__init__("greeter", "127.0.0.1", 0)

    def _accepted(self, conn: socket.socket) -> None:
        with self._lock:
            self.frames_sent += 1
            number = self.frames_sent
        self._spawn(self._greet, f"greeter client {number}", conn, number)

    def _greet(self, conn: socket.socket, number: int) -> None:
        with conn:
            conn.sendall(f"client {number}\n".encode())
            self._stop.wait(10.0)


def _read_line(sock: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(64)
        if not chunk:
            break
        data += chunk
    return data.decode()


def test_each_client_is_served_in_its_own_thread_until_close() -> None:
    with Greeter() as server:
        assert server.host == "127.0.0.1" and server.port > 0
        with (
            socket.create_connection((server.host, server.port), timeout=10.0) as first,
            socket.create_connection((server.host, server.port), timeout=10.0) as second,
        ):
            lines = {_read_line(first), _read_line(second)}
            assert lines == {"client 1\n", "client 2\n"}
            names = {t.name for t in threading.enumerate()}
            assert {f"greeter :{server.port}", "greeter client 1", "greeter client 2"} <= names
    assert not any(t.is_alive() for t in server._threads)  # close stopped the acceptor and both senders
    with pytest.raises(OSError):
        socket.create_connection((server.host, server.port), timeout=2.0)


def test_a_taken_port_is_a_one_line_input_error() -> None:
    with Greeter() as server, pytest.raises(InputError) as refused:
        FeedServer("second", "127.0.0.1", server.port)
    message = str(refused.value)
    assert message.startswith(f"cannot listen on 127.0.0.1:{server.port}: ") and "\n" not in message


def test_the_base_serves_no_one() -> None:
    with FeedServer("bare", "127.0.0.1", 0) as server, socket.socket() as conn, pytest.raises(NotImplementedError):
        server._accepted(conn)
