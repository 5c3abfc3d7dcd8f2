"""Serving apps for tests and benchmarks (`web.serving`): a thread serves an app on a free loopback port until
stopped (then the port is free again); `commonsky serve` that cannot start is killed and its log's end named;
an address that does not answer 200 is not taken for a server."""

from __future__ import annotations

import json
import socket
import urllib.request
from pathlib import Path

import pytest
from fastapi import FastAPI

from commonsky.errors import CommonskyError
from commonsky.web.serving import ServerThread, _answers, free_port, serve_process


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/ping")
    def ping() -> dict[str, str]:
        return {"pong": "yes"}

    return app


def test_a_thread_serves_until_stopped(tmp_path: Path) -> None:
    with ServerThread(_app()) as server:
        assert server.url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(server.url + "ping", timeout=5.0) as answer:
            assert json.loads(answer.read()) == {"pong": "yes"}
        assert _answers(server.url + "ping") and not _answers(server.url + "missing")
    with socket.socket() as probe:  # stopped: nobody listens there (connections may linger in TIME_WAIT)
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", server.port))
    assert not _answers(f"http://127.0.0.1:{free_port()}/ping")


def test_a_server_that_cannot_start_is_named_by_its_log(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with pytest.raises(CommonskyError, match=r"commonsky serve did not start: .*database_url"):
        serve_process("mysql://nowhere/db", log, timeout_s=30.0)
    assert log.read_text()
