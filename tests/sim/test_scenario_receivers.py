"""The ``receivers:`` section read from a YAML file: addresses and positions as written, a bad entry refused
with one line naming it and its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from commonsky.sim.scenario_fields import Fields
from commonsky.sim.scenario_receivers import read_receivers
from commonsky.sim.scenario_yaml import ScenarioError, load_yaml
from commonsky.surveillance.feeds.url import FeedScheme, ReceiverPosition


def _read(tmp_path: Path, text: str) -> tuple:  # type: ignore[type-arg]
    path = tmp_path / "s.yaml"
    path.write_text(text)
    data, lines = load_yaml(path)
    return read_receivers(Fields(path, lines), data.get("receivers"))


def test_addresses_and_mappings(tmp_path: Path) -> None:
    got = _read(
        tmp_path,
        "receivers:\n"
        "  - beast://127.0.0.1:30005\n"
        '  - {feed: "sbs://10.0.0.7:30003", name: Baqubah roof, lat: 33.75, lon: 44.65, alt_m: 60}\n'
        "  - {feed: avr://h:30002, lat: 33.5, lon: 44.5}\n",
    )
    assert [(u.scheme, u.host, u.port) for u in got] == [
        (FeedScheme.BEAST, "127.0.0.1", 30005),
        (FeedScheme.SBS, "10.0.0.7", 30003),
        (FeedScheme.AVR, "h", 30002),
    ]
    assert got[0].position is None and got[0].name == ""
    assert got[1].position == ReceiverPosition(33.75, 44.65, 60.0) and got[1].name == "Baqubah roof"
    assert got[2].position == ReceiverPosition(33.5, 44.5, 0.0)
    assert _read(tmp_path, "name: x\n") == ()


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("  - {feed: 'beast://h:30005', lat: 33.5}", "receivers\\[1\\]: give both lat and lon, or neither"),
        ("  - {feed: 'beast://h:30005', lat: 95, lon: 44}", "receivers\\[1\\]: receiver latitude 95.0"),
        ("  - ftp://h:21", "receivers\\[1\\]: feed 'ftp://h:21'"),
        ("  - {feed: 'beast://h:30005', place: roof}", "receivers\\[1\\]\\.place: unknown field 'place'"),
        ("  - {name: roof}", "receivers\\[1\\]\\.feed: missing required field"),
        ("  - {feed: 'beast://h:30005', lat: north, lon: 44}", "receivers\\[1\\]: could not convert"),
    ],
)
def test_a_bad_entry_is_one_line_naming_it(tmp_path: Path, entry: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message) as error:
        _read(tmp_path, f"receivers:\n  - beast://127.0.0.1:30005\n{entry}\n")
    assert str(error.value).endswith("(line 3)") and "\n" not in str(error.value)
