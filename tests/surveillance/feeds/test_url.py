"""Feed addresses of `commonsky run --feed`: what is read from them, and a one-line error for what cannot be."""

from __future__ import annotations

import socket

import pytest

from commonsky.errors import InputError
from commonsky.surveillance.feeds.url import FeedScheme, ReceiverPosition, parse_feed_url, probe


def test_each_scheme_host_port_and_position() -> None:
    url = parse_feed_url("avr://radio.local:30002?lat=51.5&lon=-0.12&alt_m=35&name=roof")
    assert (url.scheme, url.host, url.port) == (FeedScheme.AVR, "radio.local", 30002)
    assert url.position == ReceiverPosition(51.5, -0.12, 35.0)
    assert url.label == "roof"
    plain = parse_feed_url("SBS://127.0.0.1:30003")
    assert (plain.scheme, plain.position, plain.label) == (FeedScheme.SBS, None, "sbs 127.0.0.1:30003")
    assert str(parse_feed_url("beast://[::1]:30005")) == "beast://::1:30005"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("tcp://127.0.0.1:30005", "unknown scheme 'tcp'"),
        ("http://127.0.0.1:30005", "unknown scheme 'http'"),
        ("127.0.0.1:30005", "expected SCHEME://HOST:PORT"),
        ("beast://127.0.0.1", "expected beast://HOST:PORT"),
        ("beast://127.0.0.1:99999", "bad port"),
        ("beast://127.0.0.1:30005?lat=95&lon=0", "latitude 95.0"),
        ("beast://127.0.0.1:30005?lat=50", "both lat and lon"),
        ("beast://127.0.0.1:30005?lat=x&lon=1", "lat='x' is not a number"),
        ("beast://127.0.0.1:30005?range=5", "unknown parameter 'range'"),
    ],
)
def test_bad_addresses_say_what_is_wrong(text: str, names: str) -> None:
    with pytest.raises(InputError, match=names.replace("(", r"\(").replace("?", r"\?")) as caught:
        parse_feed_url(text)
    assert "\n" not in str(caught.value)


def _closed_port() -> int:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return int(probe_socket.getsockname()[1])


def test_probe_refused_and_unresolvable() -> None:
    with pytest.raises(InputError, match="cannot connect"):
        probe(parse_feed_url(f"beast://127.0.0.1:{_closed_port()}"))
    with pytest.raises(InputError, match=r"cannot resolve host 'nonexistent\.invalid'"):
        probe(parse_feed_url("beast://nonexistent.invalid:30005"))
    with socket.create_server(("127.0.0.1", 0)) as server:
        probe(parse_feed_url(f"beast://127.0.0.1:{server.getsockname()[1]}"))  # listening: no error
