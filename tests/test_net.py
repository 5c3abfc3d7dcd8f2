"""`is_loopback`: the hosts a server binds without opt-in are exactly this machine's loopback names."""

from __future__ import annotations

import pytest

from commonsky.net import is_loopback


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.255.0.9", "::1"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize(
    "host", ["0.0.0.0", "::", "10.0.0.1", "192.168.1.5", "128.0.0.1", "localhost.example.org", "LOCALHOST ", "", "x"]
)
def test_everything_else_is_not_loopback(host: str) -> None:
    # the unspecified addresses listen on every interface, and names other than "localhost" are never resolved
    assert not is_loopback(host)
