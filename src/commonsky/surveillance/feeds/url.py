"""Feed addresses of `commonsky run --feed`: ``beast://HOST:PORT``, ``avr://HOST:PORT``, ``sbs://HOST:PORT``.

An optional receiver position follows as a query, ``?lat=..&lon=..&alt_m=..`` (degrees, metres above the
ellipsoid), and an optional ``name=`` labels the receiver on the map (default ``HOST:PORT``). The position decodes
surface positions locally and places the receiver's coverage and its coverage-loss alerts.

>>> url = parse_feed_url("beast://127.0.0.1:30005?lat=33.75&lon=44.6&alt_m=40")
>>> url.scheme.value, url.port, url.position
('beast', 30005, ReceiverPosition(lat_deg=33.75, lon_deg=44.6, alt_m=40.0))
"""

from __future__ import annotations

import math
import socket
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qs, urlsplit

from commonsky.errors import InputError


class FeedScheme(StrEnum):
    """The wire format of a live feed (its values are `FeedPipeline` format names)."""

    BEAST = "beast"  # binary, dump1090/readsb port 30005
    AVR = "avr"  # raw hex lines, port 30002
    SBS = "sbs"  # BaseStation text, port 30003


@dataclass(frozen=True, slots=True)
class ReceiverPosition:
    """Where a receiver's antenna is: WGS84 degrees and metres."""

    lat_deg: float
    lon_deg: float
    alt_m: float = 0.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lat_deg) and abs(self.lat_deg) <= 90):
            raise InputError(f"receiver latitude {self.lat_deg}: must be within ±90 degrees")
        if not (math.isfinite(self.lon_deg) and abs(self.lon_deg) <= 180):
            raise InputError(f"receiver longitude {self.lon_deg}: must be within ±180 degrees")
        if not (math.isfinite(self.alt_m) and -500 <= self.alt_m <= 10_000):
            raise InputError(f"receiver altitude {self.alt_m} m: must be within -500..10000 m")


@dataclass(frozen=True, slots=True)
class FeedUrl:
    """One live feed: its format, where it is, where its receiver is (None: unknown), and its display name."""

    scheme: FeedScheme
    host: str
    port: int
    position: ReceiverPosition | None = None
    name: str = ""

    @property
    def label(self) -> str:
        """The receiver's name on the map and in alerts."""
        return self.name or f"{self.scheme.value} {self.host}:{self.port}"

    def __str__(self) -> str:
        return f"{self.scheme.value}://{self.host}:{self.port}"


def _number(query: dict[str, list[str]], key: str, text: str) -> float | None:
    values = query.get(key)
    if not values:
        return None
    try:
        return float(values[-1])
    except ValueError:
        raise InputError(f"feed {text!r}: {key}={values[-1]!r} is not a number") from None


def parse_feed_url(text: str) -> FeedUrl:
    """Read a feed address; raises `InputError` naming what is wrong (scheme, host, port, query)."""
    parts = urlsplit(text.strip())
    schemes = ", ".join(f"{s.value}://" for s in FeedScheme)
    if "://" not in text:
        raise InputError(f"feed {text!r}: expected SCHEME://HOST:PORT with SCHEME one of {schemes}")
    try:
        scheme = FeedScheme(parts.scheme.lower())
    except ValueError:
        raise InputError(f"feed {text!r}: unknown scheme {parts.scheme!r} (use {schemes})") from None
    try:
        port = parts.port
    except ValueError as error:
        raise InputError(f"feed {text!r}: bad port ({error})") from None
    if not parts.hostname or port is None or parts.path not in ("", "/"):
        raise InputError(f"feed {text!r}: expected {scheme.value}://HOST:PORT")
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(query) - {"lat", "lon", "alt_m", "name"})
    if unknown:
        raise InputError(f"feed {text!r}: unknown parameter {unknown[0]!r} (known: lat, lon, alt_m, name)")
    lat, lon, alt = (_number(query, key, text) for key in ("lat", "lon", "alt_m"))
    if (lat is None) != (lon is None):
        raise InputError(f"feed {text!r}: give both lat and lon, or neither")
    position = None if lat is None or lon is None else ReceiverPosition(lat, lon, alt or 0.0)
    name = query.get("name", [""])[-1].strip()
    return FeedUrl(scheme, parts.hostname, port, position, name)


def probe(url: FeedUrl, timeout_s: float = 3.0) -> None:
    """Connect once and hang up: raises `InputError` when the host cannot be resolved, is unreachable or refuses
    the port (the check `commonsky run` makes before it starts; a feed lost later is an alert, not an error)."""
    try:
        with socket.create_connection((url.host, url.port), timeout=timeout_s):
            pass
    except socket.gaierror as error:
        raise InputError(f"feed {url}: cannot resolve host {url.host!r} ({error.strerror or error})") from None
    except TimeoutError:
        raise InputError(f"feed {url}: no answer from {url.host}:{url.port} within {timeout_s:g} s") from None
    except OSError as error:
        raise InputError(f"feed {url}: cannot connect ({error.strerror or error})") from None
