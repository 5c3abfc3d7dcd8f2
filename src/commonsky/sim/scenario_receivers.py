"""The ``receivers:`` section of a scenario: real Mode S / ADS-B receivers whose feeds join the simulated sensors.

Each entry is a feed address (see `commonsky.surveillance.feeds.url`) or a mapping with ``feed`` and optionally
``name``, ``lat``, ``lon`` (degrees) and ``alt_m`` (metres)::

    receivers:
      - beast://127.0.0.1:30005?lat=33.75&lon=44.60
      - {feed: "sbs://10.0.0.7:30003", name: Baqubah roof, lat: 33.75, lon: 44.65, alt_m: 60}
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from commonsky.errors import InputError
from commonsky.sim.scenario_fields import Fields
from commonsky.sim.scenario_yaml import child
from commonsky.surveillance.feeds.url import FeedUrl, ReceiverPosition, parse_feed_url

KEYS = ("feed", "name", "lat", "lon", "alt_m")


def read_receivers(f: Fields, value: Any, where: str = "receivers") -> tuple[FeedUrl, ...]:
    """The receivers of a scenario, validated; `ScenarioError` (via ``f.fail``) names the entry and line."""
    if value is None:
        return ()
    receivers = []
    for i, item in enumerate(f.sequence(value, where)):
        here = child(where, i)
        spec = {"feed": item} if isinstance(item, str) else f.mapping(item, here, KEYS, ("feed",))
        try:
            url = parse_feed_url(f.text(spec["feed"], child(here, "feed")))
            if "lat" in spec or "lon" in spec:
                if "lat" not in spec or "lon" not in spec:
                    f.fail(here, "give both lat and lon, or neither")
                alt = float(spec.get("alt_m", 0.0))
                url = replace(url, position=ReceiverPosition(float(spec["lat"]), float(spec["lon"]), alt))
            if "name" in spec:
                url = replace(url, name=f.text(spec["name"], child(here, "name")))
        except (InputError, TypeError, ValueError) as error:
            f.fail(here, str(error))
        receivers.append(url)
    return tuple(receivers)
